{#- One row per contact with its company's attributes, its deals and its web activity. -#}

with

contacts as (

    select * from {{ ref('stg_crm__contacts') }}

),

companies as (

    select * from {{ ref('stg_crm__companies') }}

),

deals as (

    select * from {{ ref('stg_crm__deals') }}

),

events as (

    select * from {{ ref('int_events_attributed') }}

),

identity_map as (

    select * from {{ ref('int_identity_map') }}

),

deal_summary as (

    select
        contact_id,
        count(*) as deal_count,
        max(case when is_closed_won then 1 else 0 end) = 1 as has_closed_won_deal,
        min(created_at) as first_deal_created_at
    from deals
    where
        contact_id is not null
        and (created_at is null or created_at < {{ score_cutoff_sql() }})
    group by contact_id

),

web_summary as (

    select
        contact_id,
        count(*) as web_event_count,
        min(event_timestamp) as first_seen_at,
        max(event_timestamp) as last_seen_at
    from events
    where
        event_type in ('page', 'track')
        and event_timestamp < {{ score_cutoff_sql() }}
    group by contact_id

),

anonymous_ids as (

    select
        contact_id,
        count(*) as anonymous_id_count
    from identity_map
    group by contact_id

),

final as (

    select
        contacts.contact_id,
        contacts.email,
        contacts.email_domain,
        contacts.firstname as first_name,
        contacts.lastname as last_name,
        nullif(trim({{ dbt.concat(["coalesce(contacts.firstname, '')", "' '", "coalesce(contacts.lastname, '')"]) }}), '') as full_name,
        contacts.jobtitle as job_title,
        contacts.persona,
        contacts.country,
        contacts.city,
        contacts.phone,
        contacts.lifecyclestage as crm_lifecycle_stage,
        contacts.hs_analytics_source as analytics_source,
        contacts.created_at,
        contacts.updated_at,
        contacts.company_id,
        companies.name as company_name,
        companies.domain as company_domain,
        companies.industry as company_industry,
        companies.numberofemployees as company_employees,
        companies.annualrevenue as company_annual_revenue,
        companies.country as company_country,
        coalesce(deal_summary.deal_count, 0) as deal_count,
        coalesce(deal_summary.has_closed_won_deal, false) as has_closed_won_deal,
        deal_summary.first_deal_created_at,
        coalesce(web_summary.web_event_count, 0) as web_event_count,
        web_summary.first_seen_at,
        web_summary.last_seen_at,
        coalesce(anonymous_ids.anonymous_id_count, 0) as anonymous_id_count

    from contacts
    left join companies
        on contacts.company_id = companies.company_id
    left join deal_summary
        on contacts.contact_id = deal_summary.contact_id
    left join web_summary
        on contacts.contact_id = web_summary.contact_id
    left join anonymous_ids
        on contacts.contact_id = anonymous_ids.contact_id

)

select * from final
