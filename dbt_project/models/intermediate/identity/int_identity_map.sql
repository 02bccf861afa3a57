{#-
    Identity stitching: which contact each anonymous visitor (Segment anonymousId) is.
    A link comes from an event that carries both the anonymousId and a userId of a known contact
    (identify calls, and every event sent after one), or from an email (identify traits, or a
    submitted form) that belongs to a contact. A userId link beats an email link; between links
    of the same kind the first one wins. Email links go to the oldest contact with that email.
-#}

{#- `events` and `links` are read twice each: `not materialized` lets each read scan the table,
    rather than hold every event in memory (which spilled gigabytes at 1M contacts). -#}

with

events as not materialized (

    select * from {{ ref('stg_web__events') }}

),

contacts as (

    select * from {{ ref('stg_crm__contacts') }}

),

contacts_by_email as (

    select
        email,
        contact_id,
        row_number() over (
            partition by email
            order by created_at asc nulls last, contact_id asc
        ) as email_rank
    from contacts
    where email is not null

),

user_id_links as (

    select
        events.anonymous_id,
        events.user_contact_id as contact_id,
        cast('user_id' as {{ dbt.type_string() }}) as link_method,
        1 as link_priority,
        events.event_timestamp as linked_at,
        events.message_id
    from events
    inner join contacts
        on events.user_contact_id = contacts.contact_id
    where events.anonymous_id is not null

),

email_links as (

    select
        events.anonymous_id,
        contacts_by_email.contact_id,
        cast(
            case when events.event_type = 'identify' then 'identify_email' else 'form_email' end
            as {{ dbt.type_string() }}
        ) as link_method,
        2 as link_priority,
        events.event_timestamp as linked_at,
        events.message_id
    from events
    inner join contacts_by_email
        on events.email = contacts_by_email.email
        and contacts_by_email.email_rank = 1
    where
        events.anonymous_id is not null
        and (
            events.event_type = 'identify'
            or (events.event_type = 'track' and lower(events.event_name) = 'form submitted')
        )

),

links as not materialized (

    select * from user_id_links
    union all
    select * from email_links

),

{#- A visitor sends most of its events under its userId, so ranking every link would sort most
    events. The winner is the earliest link of the visitor's best kind: only the links made at
    that earliest time are ranked (by messageId). #}
link_pairs as (

    select
        anonymous_id,
        contact_id,
        link_priority,
        min(linked_at) as first_linked_at
    from links
    group by anonymous_id, contact_id, link_priority

),

first_link_times as (

    select
        anonymous_id,
        link_priority,
        min(first_linked_at) as first_linked_at
    from link_pairs
    group by anonymous_id, link_priority

),

ranked_links as (

    select
        links.*,
        row_number() over (
            partition by links.anonymous_id
            order by links.link_priority asc, links.linked_at asc, links.message_id asc
        ) as link_rank
    from links
    inner join first_link_times
        on links.anonymous_id = first_link_times.anonymous_id
        and links.link_priority = first_link_times.link_priority
        and links.linked_at = first_link_times.first_linked_at

),

contacts_per_anonymous_id as (

    select
        anonymous_id,
        count(distinct contact_id) as linked_contact_count
    from link_pairs
    group by anonymous_id

),

final as (

    select
        ranked_links.anonymous_id,
        ranked_links.contact_id,
        ranked_links.link_method,
        ranked_links.linked_at as first_linked_at,
        ranked_links.message_id as linking_message_id,
        contacts_per_anonymous_id.linked_contact_count
    from ranked_links
    inner join contacts_per_anonymous_id
        on ranked_links.anonymous_id = contacts_per_anonymous_id.anonymous_id
    where ranked_links.link_rank = 1

)

select * from final
