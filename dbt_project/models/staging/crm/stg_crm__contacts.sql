{#-
    One row per contact: the latest version of each record loaded by var score_date, typed and
    cleaned. Known HubSpot properties keep their names; every other CSV column (custom
    properties) is passed through.

    A table, not a view like the rest of staging: the ranking of every loaded version is the
    costly part, and seven models read it (at 1M contacts, about 2 s each time as a view).
-#}
{{ config(materialized='table') }}
{%- set source_relation = source('crm', 'contacts') -%}
{#- The columns ingestion requires of the export: all a missing table needs to build empty. -#}
{%- set required = ['hs_object_id', 'email', 'createdate', 'lastmodifieddate'] -%}
{%- set available = relation_column_names(source_relation) -%}
{%- set known = [
    'hs_object_id', 'email', 'firstname', 'lastname', 'jobtitle', 'country', 'city',
    'lifecyclestage', 'createdate', 'lastmodifieddate', 'hs_analytics_source',
    'associatedcompanyid', 'phone', 'persona',
    'contact_id', 'company_id', 'email_domain', 'email_local_part', 'created_at', 'updated_at',
] -%}

with

source as (

    {{ crm_source_rows(source_relation, required) }}

),

latest as (

    {{ latest_crm_versions('source') }}

),

renamed as (

    select
        {{ safe_to_bigint('hs_object_id') }} as contact_id,
        lower({{ clean_string('email') }}) as email,
        {{ optional_column('firstname', available) }} as firstname,
        {{ optional_column('lastname', available) }} as lastname,
        {{ optional_column('jobtitle', available) }} as jobtitle,
        {{ optional_column('country', available) }} as country,
        {{ optional_column('city', available) }} as city,
        lower({{ optional_column('lifecyclestage', available) }}) as lifecyclestage,
        {{ optional_column('hs_analytics_source', available) }} as hs_analytics_source,
        {{ optional_column('phone', available) }} as phone,
        {{ optional_column('persona', available) }} as persona,
        {{ safe_to_record_id(optional_column('associatedcompanyid', available)) }} as company_id,
        {{ safe_to_timestamp('createdate') }} as created_at,
        {{ safe_to_timestamp('lastmodifieddate') }} as updated_at,
        {{ custom_property_columns(source_relation, known) }}
        _load_date as loaded_for_date,
        _loaded_at as loaded_at,
        _source_file as source_file

    from latest

),

with_email_parts as (

    select
        renamed.*,
        case
            when position('@' in email) > 0
                then {{ clean_string(dbt.split_part('email', "'@'", -1)) }}
        end as email_domain,
        case
            when position('@' in email) > 0
                then {{ clean_string(dbt.split_part('email', "'@'", 1)) }}
        end as email_local_part

    from renamed
    where contact_id is not null

),

final as (

    select * from with_email_parts

)

select * from final
