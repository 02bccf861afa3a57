{#-
    Source test: `column_name` is never null, in a raw table that may be absent (a CRM without a
    companies or deals export). An absent table passes: staging then builds an empty model.
-#}
{% test not_null_if_exists(model, column_name) %}

{%- if crm_source_exists(model) %}

with failing_rows as (
    select {{ column_name }}
    from {{ model }}
    where {{ column_name }} is null
),

{%- else %}

with failing_rows as (
    select cast(null as {{ dbt.type_string() }}) as {{ column_name }}
    where 1 = 0
),

{%- endif %}

final as (
    select * from failing_rows
)

select * from final

{% endtest %}
