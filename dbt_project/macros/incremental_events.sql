{#-
    Where stg_web__events stands before an incremental run (see the model): the latest load time
    and event time it holds, as SQL, and whether it must be rebuilt instead. It must be rebuilt
    when it is empty, when the score date went back (it holds events at or after the cutoff), or
    when a load it holds rows of is gone from the source (the day was loaded again, or deleted).
    `late_rows`: whether the source has rows of old loads that are new to the table (events dated
    after the last run's score date), which may lose to rows already in it.

    Read when the model runs, as literals (so the scan can skip old loads and the plan stays
    simple); while dbt parses the project and in unit tests (where `this` is given as rows), the
    times are subqueries of `this` and nothing is rebuilt.
-#}
{% macro web_events_state(source_relation, with_late_rows=true) -%}
    {%- if not execute or model.resource_type != 'model' -%}
        {{ return({
            'rebuild': false,
            'loaded_after': '(select max(loaded_at) from ' ~ this ~ ')',
            'dated_after': '(select max(event_timestamp) from ' ~ this ~ ')',
            'late_rows': true,
        }) }}
    {%- endif -%}
    {%- set check -%}
        select
            (select max(loaded_at) from {{ this }}) as max_loaded_at,
            (select max(event_timestamp) from {{ this }}) as max_event_timestamp,
            (
                select count(*) from {{ this }}
                where event_timestamp >= {{ score_cutoff_sql() }}
            ) as after_cutoff,
            (
                select count(*) from (
                    select distinct loaded_for_date, loaded_at from {{ this }}
                    except
                    select distinct _load_date, _loaded_at from {{ source_relation }}
                ) as gone
            ) as loads_gone
    {%- endset -%}
    {%- set row = run_query(check).rows[0] -%}
    {%- set rebuild = row[0] is none or row[1] is none or row[2] > 0 or row[3] > 0 -%}
    {%- if rebuild -%}
        {{ return({'rebuild': true, 'reason': row[2] ~ ' events after the score date, ' ~ row[3]
                   ~ ' loads no longer in the source'}) }}
    {%- endif -%}
    {%- set state = {
        'rebuild': false,
        'loaded_after': timestamp_literal(row[0] | string),
        'dated_after': timestamp_literal(row[1] | string),
        'late_rows': true,
    } -%}
    {%- if with_late_rows -%}
        {%- set late -%}
            select count(*) from {{ source_relation }}
            where
                event_timestamp > {{ state.dated_after }}
                and event_timestamp < {{ score_cutoff_sql() }}
                and (_loaded_at is null or _loaded_at <= {{ state.loaded_after }})
        {%- endset -%}
        {%- do state.update({'late_rows': run_query(late).rows[0][0] > 0}) -%}
    {%- endif -%}
    {{ return(state) }}
{%- endmacro %}


{#- Pre-hook of stg_web__events: empty the table when web_events_state says it must be rebuilt,
    so the run (which then reads every source row) rebuilds it. Otherwise nothing. -#}
{% macro reset_events_if_stale(source_relation) -%}
    {%- if not execute or not is_incremental() -%}
        {{ return('') }}
    {%- endif -%}
    {%- set state = web_events_state(source_relation, with_late_rows=false) -%}
    {%- if state.rebuild -%}
        {{ log(this ~ ": rebuilt from every source row (" ~ state.reason ~ ")", info=true) }}
        {{ return(empty_table_sql(this)) }}
    {%- endif -%}
    {{ return('') }}
{%- endmacro %}
