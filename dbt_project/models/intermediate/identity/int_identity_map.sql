{#-
    Identity stitching: which contact each anonymous visitor (Segment anonymousId) is.
    A link comes from an event that carries both the anonymousId and a userId of a known contact
    (identify calls, and every event sent after one), or from an email (identify traits, or a
    submitted form) that belongs to a contact. A userId link beats an email link; between links
    of the same kind the first one wins (the earliest event, then the lowest messageId). Email
    links go to the oldest contact with that email.

    Most events carry a link (a visitor sends them under its userId once identified), so the
    events are first reduced, in one pass, to one row per anonymousId and userId (or email) with
    its first event: far fewer rows, which are then joined to the contacts and ranked.
-#}

with

events as {{ cte_hint(false) }} (

    select * from {{ ref('stg_web__events') }}

),

contacts as (

    select * from {{ ref('stg_crm__contacts') }}

),

contacts_by_email as (

    select email, contact_id
    from (
        select
            email,
            contact_id,
            row_number() over (
                partition by email
                order by created_at asc nulls last, contact_id asc
            ) as email_rank
        from contacts
        where email is not null
    ) as ranked
    where email_rank = 1

),

user_id_pairs as (

    select
        anonymous_id,
        user_contact_id,
        min(event_timestamp) as first_linked_at,
        {{ first_by('message_id', ['event_timestamp', 'message_id']) }} as linking_message_id
    from events
    where anonymous_id is not null and user_contact_id is not null
    group by anonymous_id, user_contact_id

),

email_pairs as (

    select
        anonymous_id,
        email,
        cast(
            case when event_type = 'identify' then 'identify_email' else 'form_email' end
            as {{ dbt.type_string() }}
        ) as link_method,
        min(event_timestamp) as first_linked_at,
        {{ first_by('message_id', ['event_timestamp', 'message_id']) }} as linking_message_id
    from events
    where
        anonymous_id is not null
        and email is not null
        and (
            event_type = 'identify'
            or (event_type = 'track' and lower(event_name) = 'form submitted')
        )
    group by 1, 2, 3

),

links as (

    select
        user_id_pairs.anonymous_id,
        user_id_pairs.user_contact_id as contact_id,
        cast('user_id' as {{ dbt.type_string() }}) as link_method,
        1 as link_priority,
        user_id_pairs.first_linked_at,
        user_id_pairs.linking_message_id
    from user_id_pairs
    inner join contacts
        on user_id_pairs.user_contact_id = contacts.contact_id

    union all

    select
        email_pairs.anonymous_id,
        contacts_by_email.contact_id,
        email_pairs.link_method,
        2 as link_priority,
        email_pairs.first_linked_at,
        email_pairs.linking_message_id
    from email_pairs
    inner join contacts_by_email
        on email_pairs.email = contacts_by_email.email

),

{%- set link_order = ['link_priority', 'first_linked_at', 'linking_message_id'] %}

final as (

    select
        anonymous_id,
        {{ first_by('contact_id', link_order) }} as contact_id,
        {{ first_by('link_method', link_order) }} as link_method,
        {{ first_by('first_linked_at', link_order) }} as first_linked_at,
        {{ first_by('linking_message_id', link_order) }} as linking_message_id,
        count(distinct contact_id) as linked_contact_count
    from links
    group by anonymous_id

)

select * from final
