{#-
    Junk signals per contact, one row per contact and reason code (junk_signals seed):
    - fictional_name: first + last name (either order), normalised, is in junk_fictional_names
    - keyboard_mash: a normalised first or last name contains a junk_keyboard_patterns run, has a
      run of >= var junk_consonant_run_length consonants, or is one repeated letter ('xxxx')
    - disposable_email: the email domain (or a parent domain) is in junk_disposable_email_domains
    - malformed_email: an email is present but is not a plausible address
    - role_address: the part before '@' (and any '+tag') is in junk_role_email_prefixes
    - name_has_email_or_url: the first or last name contains '@', 'http', 'www.' or a domain
    - duplicate_email: another contact with the same email was created earlier (the oldest keeps it)
    - out_of_market: the contact's country (else its company's) is in junk_out_of_market_countries
    Names are normalised with normalize_name(): accents stripped, lower case, letters only.
-#}
{%- set consonant_run = "'[bcdfghjklmnpqrstvwxz]{" ~ var('junk_consonant_run_length') ~ ",}'" -%}

with

contacts as (

    select * from {{ ref('stg_crm__contacts') }}

),

companies as (

    select company_id, country from {{ ref('stg_crm__companies') }}

),

junk_signals as (

    select * from {{ ref('junk_signals') }}

),

fictional_names as (

    select distinct {{ normalize_name('name') }} as normalized_name
    from {{ ref('junk_fictional_names') }}

),

disposable_domains as (

    select distinct lower(trim(domain)) as domain
    from {{ ref('junk_disposable_email_domains') }}

),

role_prefixes as (

    select distinct lower(trim(prefix)) as prefix
    from {{ ref('junk_role_email_prefixes') }}

),

out_of_market_countries as (

    select distinct lower(trim(country)) as country
    from {{ ref('junk_out_of_market_countries') }}

),

keyboard_patterns as (

    select distinct
        {{ normalize_name('pattern') }} as pattern,
        coalesce(lower(trim(match)), 'contains') as match
    from {{ ref('junk_keyboard_patterns') }}

),

normalized_contacts as (

    select
        contacts.contact_id,
        contacts.email,
        contacts.email_domain,
        contacts.email_local_part,
        contacts.created_at,
        contacts.firstname,
        contacts.lastname,
        trim({{ dbt.concat(["coalesce(contacts.firstname, '')", "' '", "coalesce(contacts.lastname, '')"]) }}) as display_name,
        coalesce({{ normalize_name('contacts.firstname') }}, '') as first_normalized,
        coalesce({{ normalize_name('contacts.lastname') }}, '') as last_normalized,
        lower(trim(coalesce(contacts.country, companies.country))) as country,
        {{ regexp_matches_ci(
            dbt.concat(["coalesce(contacts.firstname, '')", "' '", "coalesce(contacts.lastname, '')"]),
            "'(@|https?:|www[.]|[.](com|net|org|io|info|biz|co|de|ru|xyz)([^a-z]|$))'",
        ) }} as name_has_email_or_url
    from contacts
    left join companies
        on contacts.company_id = companies.company_id

),

{#- Both orders of the name as rows, so the lookup is an equality join (an `in` over two
    expressions was a nested loop over every contact and name). #}
name_orders as (

    select
        contact_id,
        display_name,
        {{ dbt.concat(['first_normalized', 'last_normalized']) }} as normalized_name
    from normalized_contacts

    union all

    select
        contact_id,
        display_name,
        {{ dbt.concat(['last_normalized', 'first_normalized']) }} as normalized_name
    from normalized_contacts

),

fictional_name_hits as (

    select
        name_orders.contact_id,
        'fictional_name' as reason_code,
        {{ dbt.concat(["'name = '", "name_orders.display_name"]) }} as evidence
    from name_orders
    inner join fictional_names
        on name_orders.normalized_name = fictional_names.normalized_name
    where fictional_names.normalized_name <> ''

),

keyboard_pattern_hits as (

    select
        normalized_contacts.contact_id,
        'keyboard_mash' as reason_code,
        {{ dbt.concat(["'name = '", "normalized_contacts.display_name", "' (keyboard run '", "keyboard_patterns.pattern", "')'"]) }} as evidence
    from normalized_contacts
    inner join keyboard_patterns
        on (
            keyboard_patterns.match = 'contains'
            and (
                {{ dbt.position('keyboard_patterns.pattern', 'normalized_contacts.first_normalized') }} > 0
                or {{ dbt.position('keyboard_patterns.pattern', 'normalized_contacts.last_normalized') }} > 0
            )
        )
        or (
            keyboard_patterns.match = 'equals'
            and keyboard_patterns.pattern in (normalized_contacts.first_normalized, normalized_contacts.last_normalized)
        )
    where
        keyboard_patterns.pattern <> ''
        and not normalized_contacts.name_has_email_or_url

),

keyboard_shape_hits as (

    select
        contact_id,
        'keyboard_mash' as reason_code,
        {{ dbt.concat([
            "'name = '", "display_name",
            "case when " ~ regexp_matches_ci('first_normalized', consonant_run) ~ " or "
                ~ regexp_matches_ci('last_normalized', consonant_run)
                ~ " then ' (consonant run)' else ' (one repeated letter)' end",
        ]) }} as evidence
    from normalized_contacts
    where
        not name_has_email_or_url
        and (
            {{ regexp_matches_ci('first_normalized', consonant_run) }}
            or {{ regexp_matches_ci('last_normalized', consonant_run) }}
            or (
                length(first_normalized) >= 2
                and replace(first_normalized, substring(first_normalized from 1 for 1), '') = ''
            )
            or (
                length(last_normalized) >= 2
                and replace(last_normalized, substring(last_normalized from 1 for 1), '') = ''
            )
        )

),

disposable_email_hits as (

    select
        normalized_contacts.contact_id,
        'disposable_email' as reason_code,
        {{ dbt.concat(["'email domain = '", "normalized_contacts.email_domain"]) }} as evidence
    from normalized_contacts
    inner join disposable_domains
        on normalized_contacts.email_domain = disposable_domains.domain
        or normalized_contacts.email_domain like {{ dbt.concat(["'%.'", "disposable_domains.domain"]) }}

),

malformed_email_hits as (

    select
        contact_id,
        'malformed_email' as reason_code,
        {{ dbt.concat(["'email = '", "email"]) }} as evidence
    from normalized_contacts
    where
        email is not null
        and (
            not {{ regexp_matches_ci('email', string_literal('^[^@\\s(),:;<>]+@[^@\\s(),:;<>_]+[.][a-z]{2,}$')) }}
            or email like '%..%'
            or email like '.%'
            or email like '%.@%'
        )

),

role_address_hits as (

    select
        normalized_contacts.contact_id,
        'role_address' as reason_code,
        {{ dbt.concat(["'email = '", "normalized_contacts.email"]) }} as evidence
    from normalized_contacts
    inner join role_prefixes
        on {{ dbt.split_part('normalized_contacts.email_local_part', "'+'", 1) }} = role_prefixes.prefix

),

name_with_email_or_url_hits as (

    select
        contact_id,
        'name_has_email_or_url' as reason_code,
        {{ dbt.concat(["'name = '", "display_name"]) }} as evidence
    from normalized_contacts
    where name_has_email_or_url

),

duplicate_email_hits as (

    select
        contact_id,
        'duplicate_email' as reason_code,
        {{ dbt.concat(["'same email as contact '", "cast(first_contact_id as " ~ dbt.type_string() ~ ")"]) }} as evidence
    from (
        select
            contact_id,
            first_value(contact_id) over (
                partition by email
                order by created_at asc nulls last, contact_id asc
            ) as first_contact_id
        from normalized_contacts
        where email is not null
    ) as email_owners
    where contact_id <> first_contact_id

),

out_of_market_hits as (

    select
        normalized_contacts.contact_id,
        'out_of_market' as reason_code,
        {{ dbt.concat(["'country = '", "normalized_contacts.country"]) }} as evidence
    from normalized_contacts
    inner join out_of_market_countries
        on normalized_contacts.country = out_of_market_countries.country

),

hits as (

    select * from fictional_name_hits
    union all
    select * from keyboard_pattern_hits
    union all
    select * from keyboard_shape_hits
    union all
    select * from disposable_email_hits
    union all
    select * from malformed_email_hits
    union all
    select * from role_address_hits
    union all
    select * from name_with_email_or_url_hits
    union all
    select * from duplicate_email_hits
    union all
    select * from out_of_market_hits

),

signals_per_contact as (

    select
        contact_id,
        reason_code,
        min(evidence) as evidence
    from hits
    group by contact_id, reason_code

),

final as (

    select
        signals_per_contact.contact_id,
        signals_per_contact.reason_code,
        {{ to_points('junk_signals.points') }} as points,
        coalesce(junk_signals.disqualify, false) as disqualifies,
        junk_signals.description,
        signals_per_contact.evidence
    from signals_per_contact
    inner join junk_signals
        on signals_per_contact.reason_code = junk_signals.reason_code

)

select * from final
