{#-
    Every conversion of a contact, as of var score_date: one row per contact and outcome
    definition (seed conversion_outcomes) it reached, with the earliest date it is known to have
    reached it (null when the CRM gives none).
    - deal_stage: an associated deal in one of the stages; dated by its close date, else by when
      the deal last changed;
    - lifecycle_stage / contact_property: a loaded version of the contact record with the property
      at one of the values; dated by that version's lastmodifieddate. Every loaded version counts,
      so a contact that reached `customer` and later moved on stays converted.
    `value` is a '|'-separated list, matched case-insensitively.
-#}
{%- set contacts_source = source('crm', 'contacts') -%}
{#- Contact properties that define an outcome, read from the seed when the model runs. -#}
{%- set outcome_properties = [] -%}
{%- if execute -%}
    {%- set definitions = run_query(
        "select distinct " ~ outcome_property('kind', 'property')
        ~ " from " ~ ref('conversion_outcomes') ~ " where lower(trim(kind)) in ('lifecycle_stage', 'contact_property')"
    ) -%}
    {%- set wanted = definitions.columns[0].values() | list -%}
    {%- for column in adapter.get_columns_in_relation(contacts_source) -%}
        {%- if property_name(column.name) in wanted and not column.name.startswith('_') -%}
            {%- do outcome_properties.append((property_name(column.name), column.name)) -%}
        {%- endif -%}
    {%- endfor -%}
{%- endif -%}

with

definitions as (

    select
        outcome_id,
        lower(trim(kind)) as kind,
        {{ outcome_property('kind', 'property') }} as property,
        {{ dbt.concat(["'|'", "lower(trim(value))", "'|'"]) }} as match_list
    from {{ ref('conversion_outcomes') }}

),

contacts as (

    select contact_id from {{ ref('stg_crm__contacts') }}

),

deals as (

    select * from {{ ref('stg_crm__deals') }}

),

deal_outcomes as (

    select
        deals.contact_id,
        definitions.outcome_id,
        coalesce(deals.closed_at, deals.updated_at) as converted_at
    from deals
    inner join definitions
        on definitions.kind = 'deal_stage'
        and {{ dbt.position(dbt.concat(["'|'", "deals.dealstage", "'|'"]), 'definitions.match_list') }} > 0
    where deals.contact_id is not null

),

{% if outcome_properties %}
contact_versions as (

    select * from {{ contacts_source }}
    where
        {{ clean_string('hs_object_id') }} is not null
        and (_load_date is null or _load_date <= {{ score_date_sql() }})

),

property_values as (

    {%- for name, column in outcome_properties %}
    select
        {{ safe_to_bigint('hs_object_id') }} as contact_id,
        {{ safe_to_timestamp('lastmodifieddate') }} as modified_at,
        cast('{{ name }}' as {{ dbt.type_string() }}) as property,
        lower({{ clean_string(adapter.quote(column)) }}) as value
    from contact_versions
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

property_outcomes as (

    select
        property_values.contact_id,
        definitions.outcome_id,
        property_values.modified_at as converted_at
    from property_values
    inner join definitions
        on definitions.kind in ('lifecycle_stage', 'contact_property')
        and definitions.property = property_values.property
        and {{ dbt.position(dbt.concat(["'|'", "property_values.value", "'|'"]), 'definitions.match_list') }} > 0
    where property_values.value is not null

),
{% endif %}

all_outcomes as (

    select * from deal_outcomes
    {%- if outcome_properties %}
    union all
    select * from property_outcomes
    {%- endif %}

),

final as (

    select
        all_outcomes.contact_id,
        all_outcomes.outcome_id,
        min(all_outcomes.converted_at) as converted_at
    from all_outcomes
    inner join contacts
        on all_outcomes.contact_id = contacts.contact_id
    where all_outcomes.converted_at is null or all_outcomes.converted_at < {{ score_cutoff_sql() }}
    group by all_outcomes.contact_id, all_outcomes.outcome_id

)

select * from final
