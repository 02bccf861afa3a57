{#- Model-level test: no two rows share the same values of `combination_of_columns` (a composite key). -#}
{% test unique_combination_of_columns(model, combination_of_columns) %}

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

{% endtest %}
