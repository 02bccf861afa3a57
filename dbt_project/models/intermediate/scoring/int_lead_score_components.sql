{#-
    The score ledger: every rule that fired for a contact (fit, engagement, junk) and every group
    cap adjustment. Per contact, the fit + junk rows add up to the unclamped fit points and the
    engagement rows to the unclamped engagement points.

    A view, as is fct_lead_score_components over it (with the tests): the ledger has about 8
    rows a contact, and the points tables it unions are tables already.
-#}
{{ config(materialized='view') }}

with

fit_points as (

    select * from {{ ref('int_fit_points') }}

),

engagement_points as (

    select * from {{ ref('int_engagement_points') }}

),

junk_signals as (

    select * from {{ ref('int_junk_signals') }}

),

junk_points as (

    select
        contact_id,
        reason_code as rule_id,
        cast('junk' as {{ dbt.type_string() }}) as rule_group,
        cast('junk' as {{ dbt.type_string() }}) as category,
        points,
        cast(1 as {{ dbt.type_int() }}) as occurrences,
        disqualifies,
        false as is_cap_adjustment,
        description as reason,
        evidence
    from junk_signals

),

unioned as (

    select * from fit_points
    union all
    select * from engagement_points
    union all
    select * from junk_points

),

final as (

    select
        contact_id,
        rule_id,
        category,
        rule_group,
        points,
        occurrences,
        disqualifies,
        is_cap_adjustment,
        reason,
        evidence
    from unioned

)

select * from final
