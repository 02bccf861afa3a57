{#- Date and timestamp literals as plain ANSI casts, the same on every engine. -#}
{% macro date_literal(text) -%}
    cast('{{ text }}' as date)
{%- endmacro %}

{% macro timestamp_literal(text) -%}
    cast('{{ text }}' as {{ dbt.type_timestamp() }})
{%- endmacro %}
