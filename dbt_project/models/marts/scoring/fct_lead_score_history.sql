{#-
    Daily score history: one row per contact per score_date. Each run replaces the rows of its
    score_date: delete+insert on contact_id + score_date, or on Spark an insert_overwrite of the
    score_date partition (macros/cross_db/incremental.sql). Kept on --full-refresh
    (full_refresh: false): rebuilding history means dropping the table on purpose.
-#}
{{
    config(
        materialized='incremental',
        on_schema_change='append_new_columns',
        full_refresh=false,
        **incremental_by_day('score_date', ['contact_id', 'score_date'])
    )
}}

with

lead_scores as (

    select * from {{ ref('int_lead_scores') }}

),

final as (

    select
        score_date,
        contact_id,
        fit_score,
        engagement_score,
        lead_score,
        grade,
        tier,
        lifecycle_stage,
        is_junk,
        scored_at,
        model_version
    from lead_scores

)

select * from final
