{#-
    `as materialized` / `as not materialized` on a CTE (DuckDB, Postgres 12+): whether the engine
    computes it once or inlines it where it is read. Spark and Databricks SQL have no such hint
    (their optimizer decides), so there it is left out: `events as {{ cte_hint(false) }} (`.
-#}
{% macro cte_hint(materialized) -%}
    {{ return(adapter.dispatch('cte_hint', 'lead_scoring')(materialized)) }}
{%- endmacro %}

{% macro default__cte_hint(materialized) -%}
    {{ 'materialized' if materialized else 'not materialized' }}
{%- endmacro %}

{% macro spark__cte_hint(materialized) -%}
{%- endmacro %}
