{#-
    Casts that give null instead of failing on a bad value, so one malformed CSV cell cannot
    stop the daily run. DuckDB has try_cast; elsewhere the value is checked with a pattern first.
-#}
{% macro safe_to_bigint(expression) -%}
    {{ return(adapter.dispatch('safe_to_bigint', 'lead_scoring')(expression)) }}
{%- endmacro %}

{% macro default__safe_to_bigint(expression) -%}
    case
        when {{ expression }} ~ '^\s*[-+]?[0-9]+(\.0*)?\s*$'
            then cast(cast(trim({{ expression }}) as numeric) as {{ dbt.type_bigint() }})
    end
{%- endmacro %}

{% macro duckdb__safe_to_bigint(expression) -%}
    coalesce(
        try_cast(trim({{ expression }}) as {{ dbt.type_bigint() }}),
        try_cast(try_cast(trim({{ expression }}) as decimal(38, 6)) as {{ dbt.type_bigint() }})
    )
{%- endmacro %}


{#- A CRM record id (a contact's company, a deal's contact, an event's userId): a positive
    integer written as plain digits, else null. `1.5`, `1e3`, `0x10` or `-7` would otherwise
    become another record (ingestion quarantines such hs_object_ids; these are references). -#}
{% macro safe_to_record_id(expression) -%}
    {{ return(adapter.dispatch('safe_to_record_id', 'lead_scoring')(expression)) }}
{%- endmacro %}

{% macro default__safe_to_record_id(expression) -%}
    case
        when {{ expression }} ~ '^\s*[1-9][0-9]{0,17}\s*$'
            then cast(trim({{ expression }}) as {{ dbt.type_bigint() }})
    end
{%- endmacro %}

{% macro duckdb__safe_to_record_id(expression) -%}
    case
        when regexp_full_match(trim({{ expression }}), '[1-9][0-9]{0,17}')
            then cast(trim({{ expression }}) as {{ dbt.type_bigint() }})
    end
{%- endmacro %}


{% macro safe_to_numeric(expression, precision=38, scale=6) -%}
    {{ return(adapter.dispatch('safe_to_numeric', 'lead_scoring')(expression, precision, scale)) }}
{%- endmacro %}

{% macro default__safe_to_numeric(expression, precision, scale) -%}
    case
        when replace({{ expression }}, ',', '') ~ '^\s*[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)\s*$'
            then cast(trim(replace({{ expression }}, ',', '')) as numeric({{ precision }}, {{ scale }}))
    end
{%- endmacro %}

{% macro duckdb__safe_to_numeric(expression, precision, scale) -%}
    try_cast(trim(replace({{ expression }}, ',', '')) as decimal({{ precision }}, {{ scale }}))
{%- endmacro %}


{#- ISO 8601 text ('2026-11-20T13:45:12Z', UTC) to a timestamp without time zone. -#}
{% macro safe_to_timestamp(expression) -%}
    {{ return(adapter.dispatch('safe_to_timestamp', 'lead_scoring')(expression)) }}
{%- endmacro %}

{% macro default__safe_to_timestamp(expression) -%}
    case
        when {{ expression }} ~ '^\s*[0-9]{4}-[0-9]{2}-[0-9]{2}([ T][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?)?\s*(Z|[+-][0-9]{2}(:?[0-9]{2})?)?\s*$'
            then cast(cast(trim({{ expression }}) as timestamp with time zone) at time zone 'UTC' as timestamp)
    end
{%- endmacro %}

{% macro duckdb__safe_to_timestamp(expression) -%}
    try_cast(trim({{ expression }}) as timestamp)
{%- endmacro %}


{#- Spark (and Databricks): try_cast, as on DuckDB; a decimal rounds to a whole number as
    DuckDB's cast does ('1.5' -> 2). Java regex in rlike, written without backslashes. -#}
{% macro spark__safe_to_bigint(expression) -%}
    coalesce(
        try_cast(trim({{ expression }}) as bigint),
        cast(round(try_cast(trim({{ expression }}) as decimal(38, 6)), 0) as bigint)
    )
{%- endmacro %}

{% macro spark__safe_to_record_id(expression) -%}
    case
        when trim({{ expression }}) rlike '^[1-9][0-9]{0,17}$'
            then cast(trim({{ expression }}) as bigint)
    end
{%- endmacro %}

{% macro spark__safe_to_numeric(expression, precision, scale) -%}
    try_cast(trim(replace({{ expression }}, ',', '')) as decimal({{ precision }}, {{ scale }}))
{%- endmacro %}

{% macro spark__safe_to_timestamp(expression) -%}
    try_cast(trim({{ expression }}) as timestamp)
{%- endmacro %}
