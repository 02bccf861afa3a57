{#- Model-level test: `expression` holds on every row (rows where it is false or null fail). -#}
{% test expression_is_true(model, expression) %}

with failing_rows as (
    select *
    from {{ model }}
    where not coalesce({{ expression }}, false)
),

final as (
    select * from failing_rows
)

select * from final

{% endtest %}
