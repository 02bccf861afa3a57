{#-
    One row per web event (Segment message) up to the end of var score_date, typed and cleaned.
    Ingestion already keeps one row per messageId within a week of loads, so only the few ids
    that repeat go through the window that picks the latest: ranking all events would sort every
    row's payload. A table, since every scoring model reads it.
-#}
{{ config(materialized='table') }}

{#- As of the score date: events after its end do not exist yet for this run. -#}
{%- set in_scope -%}
    {{ clean_string('message_id') }} is not null
    and event_timestamp is not null
    and event_timestamp < {{ score_cutoff_sql() }}
{%- endset -%}

with

{#- The source is read where it is needed, not through a shared CTE: a CTE used three times is
    materialized, which would hold every event in memory. #}
repeated_ids as (

    select message_id as repeated_id from {{ source('web', 'events') }}
    where {{ in_scope }}
    group by message_id
    having count(*) > 1

),

deduplicated as (

    select events.*, 1 as message_rank
    from {{ source('web', 'events') }} as events
    left join repeated_ids
        on events.message_id = repeated_ids.repeated_id
    where repeated_ids.repeated_id is null and {{ in_scope }}

    union all

    select * from (
        select
            events.*,
            row_number() over (
                partition by events.message_id
                order by events._loaded_at desc nulls last, events._load_date desc nulls last
            ) as message_rank
        from {{ source('web', 'events') }} as events
        inner join repeated_ids
            on events.message_id = repeated_ids.repeated_id
        where {{ in_scope }}
    ) as ranked
    where message_rank = 1

),

renamed as (

    select
        message_id,
        lower({{ clean_string('type') }}) as event_type,
        {{ clean_string('event') }} as event_name,
        {{ clean_string('anonymous_id') }} as anonymous_id,
        {{ clean_string('user_id') }} as user_id,
        {{ safe_to_bigint(clean_string('user_id')) }} as user_contact_id,
        cast(event_timestamp as {{ dbt.type_timestamp() }}) as event_timestamp,
        cast(event_timestamp as date) as event_date,
        coalesce(
            {{ clean_string('page_path') }},
            {{ clean_string(json_extract_text('properties', 'path')) }}
        ) as page_path,
        {{ clean_string('page_url') }} as page_url,
        lower({{ clean_string('email') }}) as email,
        properties,
        _load_date as loaded_for_date,
        _loaded_at as loaded_at

    from deduplicated

),

final as (

    select * from renamed

)

select * from final
