{#-
    Text of every row of a relation (all columns, in column order, '|'-separated), aggregated in
    a stable order: the content fingerprint of a seed. `from_name` is the CTE that selects it.
-#}
{% macro relation_content_text(relation, from_name) -%}
    {%- set columns = relation_column_names(relation) -%}
    {%- if columns is none -%}
        cast(null as {{ dbt.type_string() }})
    {%- else -%}
        {%- set parts = [] -%}
        {%- for name in columns -%}
            {%- do parts.append("coalesce(cast(" ~ adapter.quote(name) ~ " as " ~ dbt.type_string() ~ "), '')") -%}
        {%- endfor -%}
        {%- set row_text = parts | join(" || '|' || ") -%}
        (
            select {{ dbt.listagg(row_text, "'\n'", "order by " ~ row_text) }}
            from {{ from_name }}
        )
    {%- endif -%}
{%- endmacro %}
