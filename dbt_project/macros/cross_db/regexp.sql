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

{#- Spark: `rlike` with an inline (?i) flag (Java regex); regexp_replace replaces every match,
    and its 4th argument is a position, not flags: 'g' would silently give null. -#}
{% macro spark__regexp_matches_ci(expression, pattern) -%}
    ({{ expression }} rlike concat('(?i)', {{ pattern }}))
{%- endmacro %}

{% macro spark__regexp_remove(expression, pattern) -%}
    regexp_replace({{ expression }}, {{ pattern }}, '')
{%- endmacro %}


{#- Replace every match of a (case-sensitive) pattern by `replacement` (SQL expressions). -#}
{% macro regexp_replace_all(expression, pattern, replacement) -%}
    {{ return(adapter.dispatch('regexp_replace_all', 'lead_scoring')(expression, pattern, replacement)) }}
{%- endmacro %}

{% macro default__regexp_replace_all(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, {{ pattern }}, {{ replacement }}, 'g')
{%- endmacro %}

{% macro spark__regexp_replace_all(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, {{ pattern }}, {{ replacement }})
{%- endmacro %}


{#- A SQL string literal of `text`, e.g. a regular expression with backslashes: DuckDB and
    Postgres keep a backslash as it is, Spark reads it as an escape ('\s' would be 's'), so
    there backslashes are doubled. -#}
{% macro string_literal(text) -%}
    {{ return(adapter.dispatch('string_literal', 'lead_scoring')(text)) }}
{%- endmacro %}

{% macro default__string_literal(text) -%}
    '{{ text | replace("'", "''") }}'
{%- endmacro %}

{% macro spark__string_literal(text) -%}
    '{{ text | replace('\\', '\\\\') | replace("'", "\\'") }}'
{%- endmacro %}
