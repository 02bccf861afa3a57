{#-
    The value of the row that sorts first by `order_by`, a list of expressions, as an
    aggregate: one pass and no sort, where a window function would sort every row of the group.
    Ties on every `order_by` expression pick any of the tied rows, so end the list with a column
    that tells rows apart. A null value is returned as null, like any other value.
-#}
{% macro first_by(value, order_by) -%}
    {{ return(adapter.dispatch('first_by', 'lead_scoring')(value, order_by)) }}
{%- endmacro %}

{% macro default__first_by(value, order_by) -%}
    (array_agg({{ value }} order by {{ order_by | join(' asc, ') }} asc))[1]
{%- endmacro %}

{#- DuckDB compares row values field by field, so one arg_min over the row of keys does it. -#}
{% macro duckdb__first_by(value, order_by) -%}
    arg_min_null({{ value }}, {{ _order_key(order_by) }})
{%- endmacro %}

{% macro _order_key(order_by) -%}
    {%- if order_by | length == 1 -%}{{ order_by[0] }}{%- else -%}row({{ order_by | join(', ') }}){%- endif -%}
{%- endmacro %}
