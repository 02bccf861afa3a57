{#-
    Web events attributed to a CRM contact: by the event's own userId when it is a known contact,
    else through the identity map of its anonymousId, so anonymous visits made before the visitor
    identified (or filled in a form) count for the contact. Events of unknown visitors are left out.
-#}

with

events as (

    select * from {{ ref('stg_web__events') }}

),

contacts as (

    select contact_id from {{ ref('stg_crm__contacts') }}

),

identity_map as (

    select * from {{ ref('int_identity_map') }}

),

attributed as (

    select
        events.message_id,
        coalesce(contacts.contact_id, identity_map.contact_id) as contact_id,
        cast(
            case when contacts.contact_id is not null then 'user_id' else 'anonymous_id' end
            as {{ dbt.type_string() }}
        ) as attribution_method,
        events.event_type,
        events.event_name,
        events.page_path,
        events.event_timestamp,
        events.event_date,
        events.anonymous_id

    from events
    left join contacts
        on events.user_contact_id = contacts.contact_id
    left join identity_map
        on events.anonymous_id = identity_map.anonymous_id

),

final as (

    select * from attributed
    where contact_id is not null

)

select * from final
