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

{#- Spark compares structs field by field: min_by over a struct of the keys (rows whose key is
    null are skipped, as arg_min_null does). -#}
{% macro spark__first_by(value, order_by) -%}
    min_by({{ value }}, {%- if order_by | length == 1 %} {{ order_by[0] }}{% else %} struct({{ order_by | join(', ') }}){% endif %})
{%- endmacro %}


{#-
    dbt.listagg on Spark: dbt-spark's version ignores the ORDER BY (with only a warning), so a
    model_version hash or a reason list would come out in any order. Spark 4 (and Databricks
    SQL) have listagg ... within group (order by ...). Found through dbt_project.yml's dispatch
    (lead_scoring before dbt).
-#}
{% macro spark__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
    {%- if limit_num -%}
        {{ exceptions.raise_compiler_error("listagg with a limit is not implemented on Spark") }}
    {%- endif -%}
    listagg({{ measure }}, {{ delimiter_text }})
    {%- if order_by_clause %} within group ({{ order_by_clause }}){% endif %}
{%- endmacro %}
