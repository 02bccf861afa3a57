{#-
    Case-insensitive regular-expression match, as a boolean expression.
    Write patterns both engines understand: DuckDB uses RE2, Postgres its own ARE syntax.
    Avoid \b (a backspace in Postgres) and back-references (not in RE2); use (^|[^a-z]) instead.
-#}
{% macro regexp_matches_ci(expression, pattern) -%}
    {{ return(adapter.dispatch('regexp_matches_ci', 'lead_scoring')(expression, pattern)) }}
{%- endmacro %}

{% macro default__regexp_matches_ci(expression, pattern) -%}
    ({{ expression }} ~* {{ pattern }})
{%- endmacro %}

{% macro duckdb__regexp_matches_ci(expression, pattern) -%}
    regexp_matches({{ expression }}, {{ pattern }}, 'i')
{%- endmacro %}


{#- Remove every match of a (case-sensitive) pattern; the same function exists on both engines. -#}
{% macro regexp_remove(expression, pattern) -%}
    {{ return(adapter.dispatch('regexp_remove', 'lead_scoring')(expression, pattern)) }}
{%- endmacro %}

{% macro default__regexp_remove(expression, pattern) -%}
    regexp_replace({{ expression }}, {{ pattern }}, '', 'g')
{%- endmacro %}
