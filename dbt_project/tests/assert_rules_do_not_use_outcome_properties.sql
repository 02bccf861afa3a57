-- Leakage guard: a fit rule must not read a contact property that defines a conversion outcome
-- (lifecyclestage when `customer` is the outcome, a `converted` flag...): the rule would score
-- the answer rather than predict it. Rows returned are the offending rules.

with

fit_rules as (

    select * from {{ ref('scoring_fit_rules') }}

),

outcomes as (

    select * from {{ ref('conversion_outcomes') }}

),

outcome_properties as (

    select
        outcome_id,
        {{ outcome_property('kind', 'property') }} as property
    from outcomes
    where lower(trim(kind)) in ('lifecycle_stage', 'contact_property')

),

final as (

    select
        fit_rules.rule_id,
        fit_rules.property,
        outcome_properties.outcome_id
    from fit_rules
    inner join outcome_properties
        on lower(trim(fit_rules.property)) = outcome_properties.property
    where lower(trim(fit_rules.object)) = 'contact'

)

select * from final
