-- Per contact, the ledger adds up to the published scores: the fit base points plus the fit +
-- junk rows give fit_score and the engagement base points plus the engagement rows give
-- engagement_score, once clamped to 0-100 and rounded. Rows returned fail.

with

scores as (

    select * from {{ ref('fct_lead_scores') }}

),

components as (

    select * from {{ ref('fct_lead_score_components') }}

),

model_version as (

    select * from {{ ref('int_scoring_model_version') }}

),

component_sums as (

    select
        contact_id,
        sum(case when category in ('fit', 'junk') then points else 0 end) as fit_points,
        sum(case when category = 'engagement' then points else 0 end) as engagement_points
    from components
    group by contact_id

),

compared as (

    select
        scores.contact_id,
        scores.fit_score,
        scores.engagement_score,
        cast(round({{ clamp('model_version.fit_base_points + coalesce(component_sums.fit_points, 0)', '0', '100') }}, 0) as {{ dbt.type_int() }}) as expected_fit_score,
        cast(round({{ clamp('model_version.engagement_base_points + coalesce(component_sums.engagement_points, 0)', '0', '100') }}, 0) as {{ dbt.type_int() }}) as expected_engagement_score
    from scores
    cross join model_version
    left join component_sums
        on scores.contact_id = component_sums.contact_id

),

final as (

    select * from compared
    where
        fit_score <> expected_fit_score
        or engagement_score <> expected_engagement_score

)

select * from final
