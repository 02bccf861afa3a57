-- Every banded dimension needs a band from 0, so every score gets a fit letter, an engagement
-- number and a tier. Rows returned are dimensions without one.

with

thresholds as (

    select * from {{ ref('scoring_thresholds') }}

),

required_dimensions as (

    select 'fit_letter' as dimension
    union all
    select 'engagement_number' as dimension
    union all
    select 'tier' as dimension

),

floors as (

    select
        dimension,
        min(min_score) as lowest_min_score
    from thresholds
    group by dimension

),

final as (

    select
        required_dimensions.dimension,
        floors.lowest_min_score
    from required_dimensions
    left join floors
        on required_dimensions.dimension = floors.dimension
    where floors.lowest_min_score is null or floors.lowest_min_score > 0

)

select * from final
