{#-
    One row per deal: the latest version of each record loaded by var score_date, typed and
    cleaned, with its contact and company associations. Custom deal properties are passed through.
-#}
{%- set source_relation = source('crm', 'deals') -%}
{#- The columns ingestion requires of the export: all a missing table needs to build empty. -#}
{%- set required = ['hs_object_id', 'dealstage', 'createdate', 'lastmodifieddate'] -%}
{%- set available = relation_column_names(source_relation) -%}
{%- set known = [
    'hs_object_id', 'dealname', 'dealstage', 'amount', 'pipeline', 'createdate', 'closedate',
    'lastmodifieddate', 'associated_contact_id', 'associated_company_id',
    'deal_id', 'contact_id', 'company_id', 'created_at', 'closed_at', 'updated_at', 'is_closed_won',
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
        {{ safe_to_bigint('hs_object_id') }} as deal_id,
        {{ optional_column('dealname', available) }} as dealname,
        lower({{ optional_column('dealstage', available) }}) as dealstage,
        {{ safe_to_numeric(optional_column('amount', available), 20, 2) }} as amount,
        {{ optional_column('pipeline', available) }} as pipeline,
        {{ safe_to_record_id(optional_column('associated_contact_id', available)) }} as contact_id,
        {{ safe_to_record_id(optional_column('associated_company_id', available)) }} as company_id,
        {{ safe_to_timestamp('createdate') }} as created_at,
        {{ safe_to_timestamp(optional_column('closedate', available)) }} as closed_at,
        {{ safe_to_timestamp('lastmodifieddate') }} as updated_at,
        coalesce(lower({{ optional_column('dealstage', available) }}) = 'closedwon', false) as is_closed_won,
        {{ custom_property_columns(source_relation, known) }}
        _load_date as loaded_for_date,
        _loaded_at as loaded_at,
        _source_file as source_file

    from latest

),

final as (

    select * from renamed
    where deal_id is not null

)

select * from final
