{#-
    The day being scored: var `score_date` ('YYYY-MM-DD'), by default the UTC date the run
    started. Everything "as of" in the models goes through these macros, so a re-run of the same
    score_date reads the same events and writes identical tables.
-#}
{% macro score_date() -%}
    {%- set value = var('score_date', none) -%}
    {%- if value is none or (value | string | trim) in ('', 'None', 'today') -%}
        {%- set value = run_started_at.strftime('%Y-%m-%d') -%}
    {%- endif -%}
    {%- set value = value | string | trim -%}
    {%- if not modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', value) -%}
        {{ exceptions.raise_compiler_error("var score_date must be a 'YYYY-MM-DD' string, got '" ~ value ~ "'") }}
    {%- endif -%}
    {%- do modules.datetime.datetime.strptime(value, '%Y-%m-%d') -%}
    {{- return(value) -}}
{%- endmacro %}

{#- The score date as a SQL date. -#}
{% macro score_date_sql() -%}
    {{ date_literal(score_date()) }}
{%- endmacro %}

{#- The end of the score date (its last second): scored_at of every row. -#}
{% macro score_end_sql() -%}
    {{ timestamp_literal(score_date() ~ ' 23:59:59') }}
{%- endmacro %}

{#- Midnight after the score date: events at or after it are ignored. -#}
{% macro score_cutoff_sql() -%}
    {%- set next_day = modules.datetime.datetime.strptime(score_date(), '%Y-%m-%d') + modules.datetime.timedelta(days=1) -%}
    {{ timestamp_literal(next_day.strftime('%Y-%m-%d') ~ ' 00:00:00') }}
{%- endmacro %}
