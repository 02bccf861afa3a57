{#-
    One row per company: the latest version of each record loaded by var score_date, typed and
    cleaned. Known HubSpot properties keep their names; every other CSV column (custom
    properties) is passed through.

    A table, not a view like the rest of staging: the ranking of every loaded version is the
    costly part, and three models read it (each read of a view would repeat it).
-#}
{{ config(materialized='table') }}
{%- set source_relation = source('crm', 'companies') -%}
{#- The columns ingestion requires of the export: all a missing table needs to build empty. -#}
{%- set required = ['hs_object_id', 'name', 'createdate', 'lastmodifieddate'] -%}
{%- set available = relation_column_names(source_relation) -%}
{%- set known = [
    'hs_object_id', 'name', 'domain', 'industry', 'numberofemployees', 'annualrevenue', 'country',
    'createdate', 'lastmodifieddate',
    'company_id', 'created_at', 'updated_at',
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
        {{ safe_to_bigint('hs_object_id') }} as company_id,
        {{ optional_column('name', available) }} as name,
        lower({{ optional_column('domain', available) }}) as domain,
        {{ optional_column('industry', available) }} as industry,
        {{ safe_to_bigint(optional_column('numberofemployees', available)) }} as numberofemployees,
        {{ safe_to_numeric(optional_column('annualrevenue', available), 20, 2) }} as annualrevenue,
        {{ optional_column('country', available) }} as country,
        {{ safe_to_timestamp('createdate') }} as created_at,
        {{ safe_to_timestamp('lastmodifieddate') }} as updated_at,
        {{ custom_property_columns(source_relation, known) }}
        _load_date as loaded_for_date,
        _loaded_at as loaded_at,
        _source_file as source_file

    from latest

),

final as (

    select * from renamed
    where company_id is not null

)

select * from final
