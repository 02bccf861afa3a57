{#-
    The ground truth the scores are judged by: one row per contact, whether it converted (any
    definition in seed conversion_outcomes, by default a closed-won deal) by var score_date, and
    when it first did. `lead-scoring evaluate` and `calibrate` read it.
-#}

with

contacts as (

    select contact_id, created_at from {{ ref('stg_crm__contacts') }}

),

outcomes as (

    select * from {{ ref('int_contact_outcomes') }}

),

per_contact as (

    select
        contact_id,
        min(converted_at) as converted_at,
        {{ dbt.listagg('outcome_id', "','", 'order by outcome_id') }} as outcome_ids
    from outcomes
    group by contact_id

),

final as (

    select
        contacts.contact_id,
        per_contact.contact_id is not null as is_converted,
        per_contact.converted_at,
        per_contact.outcome_ids,
        contacts.created_at,
        {{ score_date_sql() }} as score_date
    from contacts
    left join per_contact
        on contacts.contact_id = per_contact.contact_id

)

select * from final
