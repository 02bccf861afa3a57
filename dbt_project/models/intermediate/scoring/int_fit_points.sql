{#-
    Fit rules that match each contact (scoring_fit_rules against int_contact_properties), one row
    per contact and rule, plus one 'cap:<group>' row per contact and group whose summed points
    fall outside the group's bounds (scoring_rule_groups).
-#}

with

contacts as (

    select contact_id from {{ ref('stg_crm__contacts') }}

),

properties as (

    select * from {{ ref('int_contact_properties') }}

),

fit_rules as (

    select * from {{ ref('scoring_fit_rules') }}

),

rule_groups as (

    select * from {{ ref('scoring_rule_groups') }}

),

prepared_rules as (

    select
        rule_id,
        rule_group,
        lower(trim(object)) as object,
        lower(trim(property)) as property,
        lower(trim(operator)) as operator,
        trim(value) as rule_value,
        lower(trim(value)) as match_value,
        {{ dbt.concat([
            "'|'",
            "regexp_replace(lower(trim(value)), '\\s*[|]\\s*', '|', 'g')",
            "'|'",
        ]) }} as match_list,
        case
            when lower(trim(operator)) = 'between'
                then {{ safe_to_numeric(dbt.split_part('trim(value)', "'..'", 1)) }}
        end as min_value,
        case
            when lower(trim(operator)) = 'between'
                then {{ safe_to_numeric(dbt.split_part('trim(value)', "'..'", 2)) }}
        end as max_value,
        case when lower(trim(operator)) = 'pattern' then trim(value) end as pattern,
        points,
        coalesce(disqualify, false) as disqualify,
        reason
    from fit_rules

),

candidates as (

    select
        contacts.contact_id,
        prepared_rules.*,
        properties.value,
        lower(trim(properties.value)) as match_property_value,
        {{ safe_to_numeric('properties.value') }} as numeric_value
    from contacts
    cross join prepared_rules
    left join properties
        on contacts.contact_id = properties.contact_id
        and prepared_rules.object = properties.object
        and prepared_rules.property = properties.property

),

matched as (

    select * from candidates
    where
        case operator
            when 'equals' then match_property_value = match_value
            when 'in' then {{ dbt.position(dbt.concat(["'|'", "match_property_value", "'|'"]), 'match_list') }} > 0
            when 'contains' then {{ dbt.position('match_value', 'match_property_value') }} > 0
            when 'pattern' then {{ regexp_matches_ci('value', 'pattern') }}
            when 'between' then
                numeric_value is not null
                and (min_value is null or numeric_value >= min_value)
                and (max_value is null or numeric_value <= max_value)
            when 'is_empty' then value is null
            else false
        end

),

rule_points as (

    select
        contact_id,
        rule_id,
        rule_group,
        cast('fit' as {{ dbt.type_string() }}) as category,
        {{ to_points('points') }} as points,
        cast(1 as {{ dbt.type_int() }}) as occurrences,
        disqualify as disqualifies,
        false as is_cap_adjustment,
        reason,
        case
            when operator = 'is_empty'
                then {{ dbt.concat(["case when object = 'company' then 'company.' else '' end", "property", "' is empty'"]) }}
            else {{ dbt.concat(["case when object = 'company' then 'company.' else '' end", "property", "' = '", "trim(value)"]) }}
        end as evidence
    from matched

),

cap_adjustments as (

    {{ group_cap_adjustments('rule_points', 'rule_groups', 'fit') }}

),

final as (

    select * from rule_points
    union all
    select * from cap_adjustments

)

select * from final
