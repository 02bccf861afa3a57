{#-
    Models and seeds land in the schema named in dbt_project.yml, exactly (`staging`,
    `intermediate`, `marts`, `seeds`), not in dbt's default `<target schema>_<custom schema>`.
    Anything without a custom schema (e.g. stored test failures) goes to the target's schema.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
