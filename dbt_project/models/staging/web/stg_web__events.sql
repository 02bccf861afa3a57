{#-
    One row per web event (Segment message) up to the end of var score_date, typed and cleaned.
    Ingestion already keeps one row per messageId within a week of loads, so only the few ids
    that repeat go through the window that picks the latest: ranking all events would sort every
    row's payload.

    Incremental, since every scoring model reads it and a day adds about 1% of the events. A run
    reads only the source rows loaded since the last one, and those of older loads dated after
    every event the table holds (events an earlier score date left out); a messageId already in
    the table keeps its row when that row was loaded later, as a rebuild would pick. When a run
    could differ from a rebuild (the score date went back, or a load the table holds was
    replaced or deleted), the pre-hook empties the table and the run rebuilds it
    (macros/incremental_events.sql); `--full-refresh` rebuilds it too.

    On Spark (Parquet: no merge, no delete) the table is partitioned by event_date and a run
    replaces whole days instead (insert_overwrite, macros/cross_db/incremental.sql): it reads
    every source row dated on a day that has new rows, so each day it writes holds what a
    rebuild would give it. This assumes a messageId's copies carry one timestamp (Segment
    retries resend the same message); days without new rows are kept as they are.
-#}
{{
    config(
        materialized='incremental',
        on_schema_change='fail',
        pre_hook="{{ reset_events_if_stale(source('web', 'events')) }}",
        **incremental_by_day('event_date', 'message_id')
    )
}}

{%- set state = web_events_state(source('web', 'events'), with_late_rows=not replaces_partitions())
    if is_incremental() else none -%}
{%- set incremental = is_incremental() and not state.rebuild -%}
{%- set by_day = incremental and replaces_partitions() -%}

{#- As of the score date: events after its end do not exist yet for this run. -#}
{%- set in_scope -%}
    {{ has_text('message_id') }}
    and event_timestamp is not null
    and event_timestamp < {{ score_cutoff_sql() }}
{%- endset -%}

{#- Rows loaded since the last run, or dated after every event the table holds. -#}
{%- if incremental -%}
{%- set new_rows -%}
    (
        _loaded_at is null
        or _loaded_at > {{ state.loaded_after }}
        or event_timestamp > {{ state.dated_after }}
    )
{%- endset -%}
{%- endif -%}

{#- The source rows this run reads. They are read where needed, not through a shared CTE: a CTE
    used three times is materialized, which would hold every event in memory. #}
{%- set events -%}
    (
        select * from {{ source('web', 'events') }}
        where
            {{ in_scope }}
            {%- if by_day %}
            and cast(event_timestamp as date) in (
                select distinct cast(event_timestamp as date) from {{ source('web', 'events') }}
                where {{ in_scope }} and {{ new_rows }}
            )
            {%- elif incremental %}
            and {{ new_rows }}
            {%- endif %}
    )
{%- endset -%}

with

repeated_ids as (

    select message_id as repeated_id from {{ events }} as events
    group by message_id
    having count(*) > 1

),

deduplicated as (

    select events.*, 1 as message_rank
    from {{ events }} as events
    left join repeated_ids
        on events.message_id = repeated_ids.repeated_id
    where repeated_ids.repeated_id is null

    union all

    select * from (
        select
            events.*,
            row_number() over (
                partition by events.message_id
                order by events._loaded_at desc nulls last, events._load_date desc nulls last
            ) as message_rank
        from {{ events }} as events
        inner join repeated_ids
            on events.message_id = repeated_ids.repeated_id
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
        {{ safe_to_record_id(clean_string('user_id')) }} as user_contact_id,
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

{% if incremental and state.late_rows and not by_day %}
{#- A row of an old load read again (a late event) loses to the table's row of its messageId
    when that one was loaded later, in the order the deduplication above uses. #}
existing_rows as (

    select
        existing.message_id,
        existing.loaded_at,
        existing.loaded_for_date
    from {{ this }} as existing
    inner join renamed
        on existing.message_id = renamed.message_id
    where renamed.loaded_at is null or renamed.loaded_at <= {{ state.loaded_after }}

),

final as (

    select renamed.*
    from renamed
    left join existing_rows
        on renamed.message_id = existing_rows.message_id
    where
        existing_rows.message_id is null
        or not (
            (
                existing_rows.loaded_at is not null
                and (renamed.loaded_at is null or existing_rows.loaded_at > renamed.loaded_at)
            )
            or (
                existing_rows.loaded_at is not distinct from renamed.loaded_at
                and existing_rows.loaded_for_date is not null
                and (
                    renamed.loaded_for_date is null
                    or existing_rows.loaded_for_date > renamed.loaded_for_date
                )
            )
        )

)
{% else %}
final as (

    select * from renamed

)
{% endif %}

select * from final
