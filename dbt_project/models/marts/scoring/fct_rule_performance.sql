{#-
    How well each rule predicts conversion: per rule (fit, engagement and junk), the contacts it
    fired for, the conversion rate of those contacts against the rest (conversion as defined in
    seed conversion_outcomes, fct_lead_outcomes: by default a closed-won deal), and the lift
    (rate when fired / rate when not fired). A lift well above 1 marks a rule worth its points;
    near 1, a rule that tells nothing; below 1, one that points the wrong way. Association on the
    current population, not causation: read it with contacts_fired in mind.
-#}

with

lead_scores as (

    select contact_id from {{ ref('int_lead_scores') }}

),

model_version as (

    select * from {{ ref('int_scoring_model_version') }}

),

components as (

    select * from {{ ref('int_lead_score_components') }}
    where not is_cap_adjustment

),

outcomes as (

    select * from {{ ref('fct_lead_outcomes') }}

),

fit_rules as (

    select * from {{ ref('scoring_fit_rules') }}

),

engagement_rules as (

    select * from {{ ref('scoring_engagement_rules') }}

),

junk_signals as (

    select * from {{ ref('junk_signals') }}

),

rules as (

    select
        rule_id,
        cast('fit' as {{ dbt.type_string() }}) as category,
        rule_group,
        reason,
        points,
        coalesce(disqualify, false) as disqualifies
    from fit_rules
    union all
    select
        rule_id,
        cast('engagement' as {{ dbt.type_string() }}) as category,
        rule_group,
        reason,
        points,
        false as disqualifies
    from engagement_rules
    union all
    select
        reason_code as rule_id,
        cast('junk' as {{ dbt.type_string() }}) as category,
        cast('junk' as {{ dbt.type_string() }}) as rule_group,
        description as reason,
        points,
        coalesce(disqualify, false) as disqualifies
    from junk_signals

),

population as (

    select
        lead_scores.contact_id,
        case when outcomes.is_converted then 1 else 0 end as is_won
    from lead_scores
    left join outcomes
        on lead_scores.contact_id = outcomes.contact_id

),

population_totals as (

    select
        count(*) as contacts_total,
        coalesce(sum(is_won), 0) as won_total
    from population

),

rule_hits as (

    select
        components.rule_id,
        count(*) as contacts_fired,
        sum(population.is_won) as won_fired,
        sum(components.points) as points_total
    from components
    inner join population
        on components.contact_id = population.contact_id
    group by components.rule_id

),

counts as (

    select
        rules.rule_id,
        rules.category,
        rules.rule_group,
        rules.reason,
        rules.points,
        rules.disqualifies,
        cast(population_totals.contacts_total as {{ dbt.type_bigint() }}) as contacts_total,
        cast(coalesce(rule_hits.contacts_fired, 0) as {{ dbt.type_bigint() }}) as contacts_fired,
        cast(coalesce(rule_hits.won_fired, 0) as {{ dbt.type_bigint() }}) as won_fired,
        cast(population_totals.contacts_total - coalesce(rule_hits.contacts_fired, 0) as {{ dbt.type_bigint() }}) as contacts_not_fired,
        cast(population_totals.won_total - coalesce(rule_hits.won_fired, 0) as {{ dbt.type_bigint() }}) as won_not_fired,
        coalesce(rule_hits.points_total, 0) as points_total
    from rules
    cross join population_totals
    left join rule_hits
        on rules.rule_id = rule_hits.rule_id

),

rates as (

    select
        counts.*,
        cast(contacts_fired as {{ dbt.type_numeric() }}) / nullif(contacts_total, 0) as share_fired,
        cast(won_fired as {{ dbt.type_numeric() }}) / nullif(contacts_fired, 0) as won_rate_fired,
        cast(won_not_fired as {{ dbt.type_numeric() }}) / nullif(contacts_not_fired, 0) as won_rate_not_fired
    from counts

),

final as (

    select
        rates.rule_id,
        rates.category,
        rates.rule_group,
        rates.reason,
        rates.points,
        rates.disqualifies,
        rates.contacts_total,
        rates.contacts_fired,
        cast(round({{ exact_ratio('rates.share_fired') }}, 4) as {{ api.Column.numeric_type('numeric', 10, 4) }}) as share_fired,
        rates.won_fired,
        cast(round({{ exact_ratio('rates.won_rate_fired') }}, 4) as {{ api.Column.numeric_type('numeric', 10, 4) }}) as won_rate_fired,
        rates.contacts_not_fired,
        rates.won_not_fired,
        cast(round({{ exact_ratio('rates.won_rate_not_fired') }}, 4) as {{ api.Column.numeric_type('numeric', 10, 4) }}) as won_rate_not_fired,
        cast(round({{ exact_ratio('rates.won_rate_fired / nullif(rates.won_rate_not_fired, 0)') }}, 4) as {{ api.Column.numeric_type('numeric', 12, 4) }}) as lift,
        cast(round(rates.points_total, 2) as {{ points_type() }}) as points_total,
        {{ score_date_sql() }} as score_date,
        {{ score_end_sql() }} as scored_at,
        model_version.model_version
    from rates
    cross join model_version

)

select * from final
