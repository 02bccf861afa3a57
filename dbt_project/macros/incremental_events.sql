{#-
    Pre-hook of stg_web__events: empty the table when an incremental run could not give what a
    rebuild would, so the run rebuilds it (an empty table makes every raw row new). That is when
    the score date went back (the table holds events at or after its cutoff), or when a load the
    table holds rows of is gone from the source (the day was loaded again, or deleted).
    Otherwise nothing. Runs when the model runs, never while dbt parses the project.
-#}
{% macro reset_events_if_stale(source_relation) -%}
    {%- if not execute or not is_incremental() -%}
        {{ return('') }}
    {%- endif -%}
    {%- set check -%}
        select
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
    {%- set state = run_query(check).rows[0] -%}
    {%- if state[0] > 0 or state[1] > 0 -%}
        {{ log(this ~ ": rebuilt from every raw row (" ~ state[0] ~ " events after the score date, "
               ~ state[1] ~ " loads no longer in the source)", info=true) }}
        {{ return('delete from ' ~ this) }}
    {%- endif -%}
    {{ return('') }}
{%- endmacro %}
