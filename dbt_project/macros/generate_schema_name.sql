{#-
    Models and seeds land in the schema named in dbt_project.yml, exactly (`staging`,
    `intermediate`, `marts`, `seeds`), not in dbt's default `<target schema>_<custom schema>`.
    Anything without a custom schema (e.g. stored test failures) goes to the target's schema.
    Var `schema_prefix` (empty by default) puts a whole build beside the real one: `lead-scoring
    calibrate` scores candidate rules in `calibration_staging`, `calibration_intermediate`, ...,
    `lead-scoring diff` the working rules in `diff_*`.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ var('schema_prefix', '') ~ (custom_schema_name | trim) }}
    {%- endif -%}
{%- endmacro %}
