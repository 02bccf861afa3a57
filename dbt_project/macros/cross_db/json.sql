{#- The text value of a top-level key of a JSON document stored as text (null when absent). -#}
{% macro json_extract_text(json_text, key) -%}
    {{ return(adapter.dispatch('json_extract_text', 'lead_scoring')(json_text, key)) }}
{%- endmacro %}

{% macro default__json_extract_text(json_text, key) -%}
    (cast({{ json_text }} as json) ->> '{{ key }}')
{%- endmacro %}

{% macro duckdb__json_extract_text(json_text, key) -%}
    case when json_valid({{ json_text }}) then json_extract_string({{ json_text }}, '$.{{ key }}') end
{%- endmacro %}

{#- Spark (and Databricks): get_json_object, null for a missing key or text that is not JSON. -#}
{% macro spark__json_extract_text(json_text, key) -%}
    get_json_object({{ json_text }}, '$.{{ key }}')
{%- endmacro %}
