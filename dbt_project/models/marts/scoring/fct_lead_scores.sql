{#- Current lead scores: one row per contact, the columns the CRM sync and BI read. -#}

with

lead_scores as (

    select * from {{ ref('int_lead_scores') }}

),

final as (

    select
        contact_id,
        email,
        fit_score,
        engagement_score,
        lead_score,
        grade,
        -- a seed label: character varying on Postgres, where the contract says text
        cast(tier as {{ dbt.type_string() }}) as tier,
        lifecycle_stage,
        is_junk,
        junk_reasons,
        score_reasons,
        scored_at,
        model_version
    from lead_scores

)

select * from final
