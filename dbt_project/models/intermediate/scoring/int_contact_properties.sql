{#-
    Every property of every contact and of its company, one row per (contact, object, property):
    the table fit rules match against. Built from the staging columns found in the warehouse, so a
    new custom column in the CRM export becomes a property rule-writers can use without SQL.
    Property names are the export's lower-case column names (createdate and lastmodifieddate
    included), plus email_domain and email_local_part on contacts. Empty values have no row.

    A view: one branch per property, so a reader that filters on property names (int_fit_points
    reads only those its rules name) reads only those branches. Unique per (contact, object,
    property) by construction (unpivot_properties refuses two columns with one property name).
-#}
{{ config(materialized='view') }}
{%- set contacts_relation = ref('stg_crm__contacts') -%}
{%- set companies_relation = ref('stg_crm__companies') -%}
{%- set metadata_columns = ['loaded_for_date', 'loaded_at', 'source_file'] -%}
{%- set timestamp_aliases = {'created_at': 'createdate', 'updated_at': 'lastmodifieddate'} -%}

with

contacts as (

    select * from {{ contacts_relation }}

),

companies as (

    select * from {{ companies_relation }}

),

contact_properties as (

    {{ unpivot_properties(
        contacts_relation, 'contact_id', from_name='contacts',
        exclude=metadata_columns + ['company_id'], aliases=timestamp_aliases,
    ) }}

),

company_properties as (

    {{ unpivot_properties(
        companies_relation, 'company_id', from_name='companies',
        exclude=metadata_columns, aliases=timestamp_aliases,
    ) }}

),

contact_rows as (

    select
        contact_properties.object_id as contact_id,
        cast('contact' as {{ dbt.type_string() }}) as object,
        contact_properties.property,
        contact_properties.value
    from contact_properties

),

company_rows as (

    select
        contacts.contact_id,
        cast('company' as {{ dbt.type_string() }}) as object,
        company_properties.property,
        company_properties.value
    from contacts
    inner join company_properties
        on contacts.company_id = company_properties.object_id

),

final as (

    select * from contact_rows
    union all
    select * from company_rows

)

select * from final
