-- A rule id names one rule across fit rules, engagement rules and junk signals (the components
-- and rule-performance tables are keyed by it). Rows returned are ids used twice.

with

rule_ids as (

    select rule_id from {{ ref('scoring_fit_rules') }}
    union all
    select rule_id from {{ ref('scoring_engagement_rules') }}
    union all
    select reason_code as rule_id from {{ ref('junk_signals') }}

),

final as (

    select
        rule_id,
        count(*) as times_used
    from rule_ids
    group by rule_id
    having count(*) > 1 or rule_id like 'cap:%'

)

select * from final
