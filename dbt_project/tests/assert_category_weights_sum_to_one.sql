-- lead_score is a weighted mean of the two scores: the weights in scoring_categories add up to 1
-- and both categories are there. A row returned fails.

with

categories as (

    select * from {{ ref('scoring_categories') }}

),

final as (

    select
        count(*) as categories,
        sum(weight) as total_weight
    from categories
    having count(*) <> 2 or abs(sum(weight) - 1) > 0.0001

)

select * from final
