{#-
    Why each contact has its score: one row per contact and rule that fired, plus group caps.

    A view over the score ledger (int_lead_score_components, itself a view of the three points
    tables): the ledger has about 8 rows a contact, and a table rewrote all of them every run.
-#}
{{ config(materialized='view') }}

with

components as (

    select * from {{ ref('int_lead_score_components') }}

),

final as (

    select
        contact_id,
        rule_id,
        category,
        rule_group,
        points,
        evidence,
        reason,
        occurrences,
        disqualifies,
        is_cap_adjustment,
        {{ score_end_sql() }} as scored_at
    from components

)

select * from final
