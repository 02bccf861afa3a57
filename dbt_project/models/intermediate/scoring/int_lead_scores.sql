{#-
    Scores of every contact as of var score_date, with the working columns the marts leave out
    (unclamped point sums, fit letter, engagement number, flags).
    fit_points = fit base points + fit and junk rule points; engagement_points = engagement base
    points + engagement rule points (bases and weights: seed scoring_categories, through
    int_scoring_model_version); each score is its points clamped to 0-100;
    lead_score = round(fit_weight * fit_score + engagement_weight * engagement_score); var
    fit_weight, when set, overrides the weights here too (a build of this model alone follows it).
-#}
{%- set weights = lead_score_weights('model_version.fit_weight', 'model_version.engagement_weight') -%}

with

contacts as (

    select * from {{ ref('stg_crm__contacts') }}

),

{#- Read three times below: scanning the table each time beats holding it in memory. #}
components as {{ cte_hint(false) }} (

    select * from {{ ref('int_lead_score_components') }}

),

deals as (

    select * from {{ ref('stg_crm__deals') }}

),

thresholds as (

    select * from {{ ref('scoring_thresholds') }}

),

model_version as (

    select * from {{ ref('int_scoring_model_version') }}

),

component_totals as (

    select
        contact_id,
        sum(case when category in ('fit', 'junk') then points else 0 end) as fit_points,
        sum(case when category = 'engagement' then points else 0 end) as engagement_points,
        max(case when disqualifies then 1 else 0 end) = 1 as is_disqualified,
        max(case when category = 'junk' then 1 else 0 end) = 1 as is_junk
    from components
    group by contact_id

),

junk_reasons as (

    select
        contact_id,
        {{ dbt.listagg('rule_id', "','", 'order by rule_id') }} as junk_reasons
    from components
    where category = 'junk'
    group by contact_id

),

ranked_reasons as (

    select
        contact_id,
        rule_id,
        {{ dbt.concat([
            "reason",
            "case when occurrences > 1 then " ~ dbt.concat(["' x'", "cast(occurrences as " ~ dbt.type_string() ~ ")"]) ~ " else '' end",
            "' ('",
            "case when points = 0 and disqualifies then 'disqualifies' else " ~ format_points('points') ~ " end",
            "')'",
        ]) }} as reason_text,
        row_number() over (
            partition by contact_id
            order by case when disqualifies then 0 else 1 end, abs(points) desc, rule_id asc
        ) as reason_rank
    from components
    where
        not is_cap_adjustment
        and (points <> 0 or disqualifies)

),

score_reasons as (

    select
        contact_id,
        {{ dbt.listagg('reason_text', "'; '", 'order by reason_rank') }} as score_reasons
    from ranked_reasons
    where reason_rank <= 3
    group by contact_id

),

contacts_with_deals as (

    select distinct contact_id
    from deals
    where
        contact_id is not null
        and (created_at is null or created_at < {{ score_cutoff_sql() }})

),

scores as (

    select
        contacts.contact_id,
        contacts.email,
        model_version.fit_base_points + coalesce(component_totals.fit_points, 0) as fit_points,
        model_version.engagement_base_points + coalesce(component_totals.engagement_points, 0) as engagement_points,
        cast(round({{ clamp('model_version.fit_base_points + coalesce(component_totals.fit_points, 0)', '0', '100') }}, 0) as {{ dbt.type_int() }}) as fit_score,
        cast(round({{ clamp('model_version.engagement_base_points + coalesce(component_totals.engagement_points, 0)', '0', '100') }}, 0) as {{ dbt.type_int() }}) as engagement_score,
        coalesce(component_totals.is_disqualified, false) as is_disqualified,
        coalesce(component_totals.is_junk, false) as is_junk,
        contacts_with_deals.contact_id is not null as has_deal
    from contacts
    cross join model_version
    left join component_totals
        on contacts.contact_id = component_totals.contact_id
    left join contacts_with_deals
        on contacts.contact_id = contacts_with_deals.contact_id

),

combined_scores as (

    select
        scores.*,
        cast(round(
            {{ weights[0] }} * scores.fit_score
            + {{ weights[1] }} * scores.engagement_score,
            0
        ) as {{ dbt.type_int() }}) as lead_score
    from scores
    cross join model_version

),

fit_letters as (

    {{ score_band('combined_scores', 'contact_id', 'fit_score', 'thresholds', 'fit_letter') }}

),

engagement_numbers as (

    {{ score_band('combined_scores', 'contact_id', 'engagement_score', 'thresholds', 'engagement_number') }}

),

tiers as (

    {{ score_band('combined_scores', 'contact_id', 'lead_score', 'thresholds', 'tier') }}

),

mql_threshold as (

    select min(min_score) as min_score
    from thresholds
    where dimension = 'lifecycle' and lower(label) = 'mql'

),

final as (

    select
        combined_scores.contact_id,
        combined_scores.email,
        combined_scores.fit_points,
        combined_scores.engagement_points,
        combined_scores.fit_score,
        combined_scores.engagement_score,
        combined_scores.lead_score,
        fit_letters.label as fit_letter,
        engagement_numbers.label as engagement_number,
        {{ dbt.concat(["coalesce(fit_letters.label, '')", "coalesce(engagement_numbers.label, '')"]) }} as grade,
        case
            when combined_scores.is_disqualified then 'disqualified'
            else tiers.label
        end as tier,
        case
            when combined_scores.has_deal then 'sql'
            when not combined_scores.is_disqualified
                and combined_scores.lead_score >= mql_threshold.min_score then 'mql'
            else 'lead'
        end as lifecycle_stage,
        combined_scores.is_disqualified,
        combined_scores.is_junk,
        junk_reasons.junk_reasons,
        score_reasons.score_reasons,
        combined_scores.has_deal,
        {{ score_date_sql() }} as score_date,
        {{ score_end_sql() }} as scored_at,
        model_version.model_version

    from combined_scores
    cross join mql_threshold
    cross join model_version
    left join fit_letters
        on combined_scores.contact_id = fit_letters.contact_id
    left join engagement_numbers
        on combined_scores.contact_id = engagement_numbers.contact_id
    left join tiers
        on combined_scores.contact_id = tiers.contact_id
    left join junk_reasons
        on combined_scores.contact_id = junk_reasons.contact_id
    left join score_reasons
        on combined_scores.contact_id = score_reasons.contact_id

)

select * from final
