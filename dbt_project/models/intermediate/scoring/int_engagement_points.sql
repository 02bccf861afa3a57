{#-
    Engagement points per contact and rule, as of var score_date.
    - An occurrence is a matching event (track: event name; page: page path) or, for `visit`
      rules, a distinct day with any page or track event.
    - Events after the end of score_date are ignored; events older than the rule group's
      window_days (default var default_window_days) do not count.
    - Each occurrence is worth points * (1 - decay_percent/100) ^ floor(age_days / decay_period_days),
      age measured in days from the event's day to score_date.
    - The rule's decayed sum is capped at max_points (in absolute value), then the group's
      bounds apply through 'cap:<group>' rows.
-#}

{#- The event CTEs are read by several others: `not materialized` lets each read the table for what
    it needs, rather than hold every event in memory (which spilled gigabytes at 1M contacts). -#}

with

events as {{ cte_hint(false) }} (

    select * from {{ ref('int_events_attributed') }}

),

engagement_rules as (

    select * from {{ ref('scoring_engagement_rules') }}

),

rule_groups as (

    select * from {{ ref('scoring_rule_groups') }}

),

scored_events as {{ cte_hint(false) }} (

    select
        contact_id,
        event_type,
        event_name,
        page_path,
        event_timestamp,
        event_date,
        {{ dbt.datediff('event_date', score_date_sql(), 'day') }} as age_days
    from events
    where
        event_type in ('page', 'track')
        and event_timestamp < {{ score_cutoff_sql() }}

),

prepared_rules as (

    select
        engagement_rules.rule_id,
        row_number() over (order by engagement_rules.rule_id) as rule_index,
        engagement_rules.rule_group,
        lower(trim(engagement_rules.event_type)) as event_type,
        lower(trim(engagement_rules.operator)) as operator,
        trim(engagement_rules.value) as rule_value,
        case when lower(trim(engagement_rules.operator)) = 'pattern' then trim(engagement_rules.value) end as pattern,
        engagement_rules.points,
        engagement_rules.max_points,
        engagement_rules.reason,
        coalesce(rule_groups.window_days, {{ var('default_window_days') }}) as window_days,
        coalesce(rule_groups.decay_percent, 0) as decay_percent,
        rule_groups.decay_period_days
    from engagement_rules
    left join rule_groups
        on engagement_rules.rule_group = rule_groups.rule_group

),

{#- Rules are matched against the distinct event names and page paths, not every event: a
    pattern that comes from a seed is compiled per row, and there are far fewer values. Each
    value gets a number, so the rows per event below carry numbers, not text. #}
event_values as (

    select
        event_type,
        matched_value,
        row_number() over (order by matched_value, event_type) as value_index
    from (
        select distinct
            event_type,
            case when event_type = 'track' then event_name else page_path end as matched_value
        from scored_events
    ) as distinct_values

),

matched_values as (

    select
        event_values.event_type,
        event_values.matched_value,
        event_values.value_index,
        prepared_rules.rule_index
    from event_values
    inner join prepared_rules
        on event_values.event_type = prepared_rules.event_type
    where
        case
            when prepared_rules.operator = 'pattern' then
                {{ regexp_matches_ci('event_values.matched_value', 'prepared_rules.pattern') }}
            else
                lower(trim(event_values.matched_value)) = lower(prepared_rules.rule_value)
        end

),

{#- Read twice (the sums, then the last values): not materialized, each read joins again rather
    than hold every matched event in memory. #}
event_occurrences as {{ cte_hint(false) }} (

    select
        scored_events.contact_id,
        matched_values.rule_index,
        scored_events.event_timestamp,
        scored_events.age_days,
        matched_values.value_index
    from scored_events
    inner join matched_values
        on scored_events.event_type = matched_values.event_type
        and case
            when scored_events.event_type = 'track' then scored_events.event_name
            else scored_events.page_path
        end = matched_values.matched_value

),

active_days as (

    select
        contact_id,
        event_date,
        max(event_timestamp) as event_timestamp,
        min(age_days) as age_days
    from scored_events
    group by contact_id, event_date

),

visit_occurrences as (

    select
        active_days.contact_id,
        prepared_rules.rule_index,
        active_days.event_timestamp,
        active_days.age_days,
        cast(null as {{ dbt.type_bigint() }}) as value_index
    from active_days
    cross join prepared_rules
    where prepared_rules.event_type = 'visit'

),

occurrences as (

    select
        occurrences.contact_id,
        occurrences.rule_index,
        occurrences.event_timestamp,
        occurrences.value_index,
        {{ to_points(
            "prepared_rules.points * case
                when prepared_rules.decay_percent > 0 and prepared_rules.decay_period_days > 0
                    then power(
                        1 - cast(prepared_rules.decay_percent as " ~ dbt.type_numeric() ~ ") / 100,
                        floor(occurrences.age_days / prepared_rules.decay_period_days)
                    )
                else 1
            end"
        ) }} as decayed_points
    from (
        select * from event_occurrences
        union all
        select * from visit_occurrences
    ) as occurrences
    inner join prepared_rules
        on occurrences.rule_index = prepared_rules.rule_index
    where
        occurrences.age_days >= 0
        and occurrences.age_days < prepared_rules.window_days

),

{#- Summed per contact and rule number; the rule's columns are joined afterwards, so the
    grouping keys stay narrow. #}
rule_sums as (

    select
        contact_id,
        rule_index,
        count(*) as occurrences,
        max(event_timestamp) as last_event_at,
        sum(decayed_points) as decayed_points
    from occurrences
    group by contact_id, rule_index

),

{#- The value of the latest occurrence, for the evidence (between occurrences at the same time,
    the value that sorts last). Only the occurrences at the latest time are looked at: a window
    sorting every occurrence was most of this model's time. Matched events only: an active day
    has no value, and any occurrence at the latest time is inside the window as that one is. #}
last_values as (

    select
        event_occurrences.contact_id,
        event_occurrences.rule_index,
        max(event_occurrences.value_index) as value_index
    from event_occurrences
    inner join rule_sums
        on event_occurrences.contact_id = rule_sums.contact_id
        and event_occurrences.rule_index = rule_sums.rule_index
        and event_occurrences.event_timestamp = rule_sums.last_event_at
    group by event_occurrences.contact_id, event_occurrences.rule_index

),

rule_totals as (

    select
        rule_sums.contact_id,
        rule_sums.occurrences,
        rule_sums.last_event_at,
        rule_sums.decayed_points,
        event_values.matched_value as last_matched_value,
        prepared_rules.rule_id,
        prepared_rules.rule_group,
        prepared_rules.event_type,
        prepared_rules.max_points,
        prepared_rules.reason
    from rule_sums
    inner join prepared_rules
        on rule_sums.rule_index = prepared_rules.rule_index
    left join last_values
        on rule_sums.contact_id = last_values.contact_id
        and rule_sums.rule_index = last_values.rule_index
    left join event_values
        on last_values.value_index = event_values.value_index

),

rule_points as (

    select
        contact_id,
        rule_id,
        rule_group,
        cast('engagement' as {{ dbt.type_string() }}) as category,
        {{ to_points(clamp('decayed_points', '-1 * max_points', 'max_points')) }} as points,
        cast(occurrences as {{ dbt.type_int() }}) as occurrences,
        false as disqualifies,
        false as is_cap_adjustment,
        reason,
        {{ dbt.concat([
            "cast(occurrences as " ~ dbt.type_string() ~ ")",
            "case when event_type = 'visit' then ' active days' else " ~ dbt.concat(["' x '", "coalesce(last_matched_value, '')"]) ~ " end",
            "', last '",
            "cast(cast(last_event_at as date) as " ~ dbt.type_string() ~ ")",
            "case when max_points is not null and abs(decayed_points) > max_points then "
                ~ dbt.concat(["' (capped at '", "cast(max_points as " ~ dbt.type_string() ~ ")", "')'"]) ~ " else '' end",
        ]) }} as evidence
    from rule_totals

),

cap_adjustments as (

    {{ group_cap_adjustments('rule_points', 'rule_groups', 'engagement') }}

),

final as (

    select * from rule_points
    union all
    select * from cap_adjustments

)

select * from final
