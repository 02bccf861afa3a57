{#-
    Fit rules that match each contact (scoring_fit_rules against int_contact_properties), one row
    per contact and rule, plus one 'cap:<group>' row per contact and group whose summed points
    fall outside the group's bounds (scoring_rule_groups).
-#}

with

contacts as (

    select contact_id from {{ ref('stg_crm__contacts') }}

),

{#- Only the properties some rule names: int_contact_properties is a view of one branch per
    property, and a filter on literal names leaves the other branches unread (about a third of
    the rows at 1M contacts). Not materialized: each use below reads what it needs. #}
{%- set ruled = ruled_properties(ref('scoring_fit_rules')) %}
properties as {{ cte_hint(false) }} (

    select * from {{ ref('int_contact_properties') }}
    {%- if ruled is not none %}
    where {{ property_filter(ruled) }}
    {%- endif %}

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
            regexp_replace_all('lower(trim(value))', string_literal('\\s*[|]\\s*'), "'|'"),
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

{#- Rules are matched against the distinct values of the properties they name, not against every
    contact: a pattern that comes from a seed is compiled per row, and a property has far fewer
    distinct values than contacts. #}
property_values as (

    select distinct
        properties.object,
        properties.property,
        properties.value
    from properties
    inner join (select distinct object, property from prepared_rules) as ruled
        on properties.object = ruled.object
        and properties.property = ruled.property

),

{#- Materialized, so the optimizer cannot fold the match into the join back to the contacts'
    values (it would test every contact's value again). #}
matched_values as {{ cte_hint(true) }} (

    select
        prepared_rules.*,
        property_values.value
    from property_values
    inner join prepared_rules
        on property_values.object = prepared_rules.object
        and property_values.property = prepared_rules.property
    where
        case prepared_rules.operator
            when 'equals' then lower(trim(property_values.value)) = prepared_rules.match_value
            when 'in' then {{ dbt.position(dbt.concat(["'|'", "lower(trim(property_values.value))", "'|'"]), 'prepared_rules.match_list') }} > 0
            when 'contains' then {{ dbt.position('prepared_rules.match_value', 'lower(trim(property_values.value))') }} > 0
            when 'pattern' then {{ regexp_matches_ci('property_values.value', 'prepared_rules.pattern') }}
            when 'between' then
                {{ safe_to_numeric('property_values.value') }} is not null
                and (prepared_rules.min_value is null or {{ safe_to_numeric('property_values.value') }} >= prepared_rules.min_value)
                and (prepared_rules.max_value is null or {{ safe_to_numeric('property_values.value') }} <= prepared_rules.max_value)
            else false
        end

),

{#- What a matched value or an is_empty rule gives a contact, computed once per value, not per
    contact: the points, the reason and the evidence text. An is_empty rule's value is '' (an
    empty value has no row in int_contact_properties, so no value match is ''). #}
match_outcomes as (

    select
        rule_id,
        value as matched_value,
        rule_group,
        points,
        disqualify,
        reason,
        {{ dbt.concat(["case when object = 'company' then 'company.' else '' end", "property", "' = '", "trim(value)"]) }} as evidence
    from matched_values

    union all

    select
        rule_id,
        '' as matched_value,
        rule_group,
        points,
        disqualify,
        reason,
        {{ dbt.concat(["case when object = 'company' then 'company.' else '' end", "property", "' is empty'"]) }} as evidence
    from prepared_rules
    where operator = 'is_empty'

),

{#- Which outcome each contact gets, as narrow rows. int_contact_properties holds the contacts
    of stg_crm__contacts only, so no join to them. #}
value_matches as (

    select
        properties.contact_id,
        matched_values.rule_id,
        matched_values.value as matched_value
    from properties
    inner join matched_values
        on properties.object = matched_values.object
        and properties.property = matched_values.property
        and properties.value = matched_values.value

),

{#- A contact matches an is_empty rule when it has no value for the property (empty values
    have no row in int_contact_properties). #}
empty_matches as (

    select
        contacts.contact_id,
        prepared_rules.rule_id,
        '' as matched_value
    from contacts
    cross join prepared_rules
    left join properties
        on contacts.contact_id = properties.contact_id
        and prepared_rules.object = properties.object
        and prepared_rules.property = properties.property
    where
        prepared_rules.operator = 'is_empty'
        and properties.contact_id is null

),

{#- Read twice (the rows, then the group caps): not materialized, each read joins the narrow
    matches to the outcomes again rather than hold every wide row in memory. #}
rule_points as {{ cte_hint(false) }} (

    select
        matches.contact_id,
        match_outcomes.rule_id,
        match_outcomes.rule_group,
        cast('fit' as {{ dbt.type_string() }}) as category,
        {{ to_points('match_outcomes.points') }} as points,
        cast(1 as {{ dbt.type_int() }}) as occurrences,
        match_outcomes.disqualify as disqualifies,
        false as is_cap_adjustment,
        match_outcomes.reason,
        match_outcomes.evidence
    from (
        select * from value_matches
        union all
        select * from empty_matches
    ) as matches
    inner join match_outcomes
        on matches.rule_id = match_outcomes.rule_id
        and matches.matched_value = match_outcomes.matched_value

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
