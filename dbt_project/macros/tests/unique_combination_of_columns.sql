{#- Model-level test: no two rows share the same values of `combination_of_columns` (a composite key). -#}
{% test unique_combination_of_columns(model, combination_of_columns) %}
    {%- set test_sql = adapter.dispatch('test_unique_combination_of_columns', 'lead_scoring') -%}
    {{ test_sql(model, combination_of_columns) }}
{% endtest %}

{% macro default__test_unique_combination_of_columns(model, combination_of_columns) %}

with duplicated_keys as (
    select
        {{ combination_of_columns | join(',\n        ') }},
        count(*) as row_count
    from {{ model }}
    group by {{ combination_of_columns | join(', ') }}
    having count(*) > 1
),

final as (
    select * from duplicated_keys
)

select * from final

{% endmacro %}

{#- On DuckDB, as its `unique` (macros/tests/unique.sql): hashes first, whole keys only where a
    hash repeats. -#}
{% macro duckdb__test_unique_combination_of_columns(model, combination_of_columns) %}

{%- set key_hash = 'hash(' ~ (combination_of_columns | join(', ')) ~ ')' %}

with repeated_hashes as (
    select {{ key_hash }} as key_hash
    from {{ model }}
    group by 1
    having count(*) > 1
),

duplicated_keys as (
    select
        {{ combination_of_columns | join(',\n        ') }},
        count(*) as row_count
    from {{ model }}
    where {{ key_hash }} in (select key_hash from repeated_hashes)
    group by {{ combination_of_columns | join(', ') }}
    having count(*) > 1
)

select * from duplicated_keys

{% endmacro %}
