-- Lead scores as ONE DuckDB statement over the landing files: the benchmark's floor (issue #6).
--
-- Same inputs, rules and semantics as marts.fct_lead_scores, without a warehouse: the CSV exports
-- and JSONL events are read where they landed, the rules from the dbt seeds. Each CTE names the
-- ingestion step or dbt model it mirrors. bench/baselines/single_sql.py binds the parameters:
--   $contacts_files, $companies_files, $event_files   what ingestion loads, days up to the score date
--   $scoring_fit_rules ... $junk_keyboard_patterns    the path of each seed
--   $score_date, $fit_weight, $engagement_weight, $fit_base_points, $engagement_base_points,
--   $default_window_days, $consonant_run,
--   $dedup_window_days, $segment_types                the dbt vars and ingestion's constants

with

-- rules: the seeds, typed as dbt-duckdb loads them (COPY of the CSV into the column_types of _seeds.yml)

rule_groups as (

    select
        rule_group,
        cast(max_points as integer) as max_points,
        cast(min_points as integer) as min_points,
        cast(window_days as integer) as window_days,
        cast(decay_percent as decimal(6, 2)) as decay_percent,
        cast(decay_period_days as integer) as decay_period_days,
    from read_csv($scoring_rule_groups, header = true, all_varchar = true,
                  delim = ',', quote = '"', escape = '"')

),

fit_rules as (

    select
        rule_id,
        rule_group,
        lower(trim(object)) as object,
        lower(trim(property)) as property,
        lower(trim(operator)) as operator,
        trim(value) as rule_value,
        lower(trim(value)) as match_value,
        '|' || regexp_replace(lower(trim(value)), '\s*[|]\s*', '|', 'g') || '|' as match_list,
        case when lower(trim(operator)) = 'between'
            then try_cast(trim(replace(string_split(trim(value), '..')[1], ',', '')) as decimal(38, 6))
        end as min_value,
        case when lower(trim(operator)) = 'between'
            then try_cast(trim(replace(string_split(trim(value), '..')[2], ',', '')) as decimal(38, 6))
        end as max_value,
        case when lower(trim(operator)) = 'pattern' then trim(value) end as pattern,
        cast(round(cast(cast(points as integer) as decimal(28, 6)), 2) as decimal(18, 2)) as points,
        coalesce(cast(disqualify as boolean), false) as disqualify,
    from read_csv($scoring_fit_rules, header = true, all_varchar = true,
                  delim = ',', quote = '"', escape = '"')

),

engagement_rules as (

    select
        rules.rule_id,
        rules.rule_group,
        lower(trim(rules.event_type)) as event_type,
        lower(trim(rules.operator)) as operator,
        trim(rules.value) as rule_value,
        case when lower(trim(rules.operator)) = 'pattern' then trim(rules.value) end as pattern,
        cast(rules.points as integer) as points,
        cast(rules.max_points as integer) as max_points,
        coalesce(rule_groups.window_days, $default_window_days) as window_days,
        coalesce(rule_groups.decay_percent, 0) as decay_percent,
        rule_groups.decay_period_days,
    from read_csv($scoring_engagement_rules, header = true, all_varchar = true,
                  delim = ',', quote = '"', escape = '"')
        as rules
    left join rule_groups
        on rules.rule_group = rule_groups.rule_group

),

thresholds as (

    select dimension, label, cast(min_score as integer) as min_score
    from read_csv($scoring_thresholds, header = true, all_varchar = true,
                  delim = ',', quote = '"', escape = '"')

),

junk_signals as (

    select
        reason_code,
        cast(round(cast(cast(points as integer) as decimal(28, 6)), 2) as decimal(18, 2)) as points,
        coalesce(cast(disqualify as boolean), false) as disqualify,
    from read_csv($junk_signals, header = true, all_varchar = true,
                  delim = ',', quote = '"', escape = '"')

),

fictional_names as (

    select distinct regexp_replace(lower(strip_accents(name)), '[^a-z]', '', 'g') as normalized_name
    from read_csv($junk_fictional_names, header = true, all_varchar = true,
                  delim = ',', quote = '"', escape = '"')

),

disposable_domains as (

    select distinct lower(trim(domain)) as domain
    from read_csv($junk_disposable_email_domains, header = true, all_varchar = true,
                  delim = ',', quote = '"', escape = '"')

),

role_prefixes as (

    select distinct lower(trim(prefix)) as prefix
    from read_csv($junk_role_email_prefixes, header = true, all_varchar = true,
                  delim = ',', quote = '"', escape = '"')

),

out_of_market_countries as (

    select distinct lower(trim(country)) as country
    from read_csv($junk_out_of_market_countries, header = true, all_varchar = true,
                  delim = ',', quote = '"', escape = '"')

),

keyboard_patterns as (

    select distinct
        regexp_replace(lower(strip_accents(pattern)), '[^a-z]', '', 'g') as pattern,
        coalesce(lower(trim(match)), 'contains') as match,
    from read_csv($junk_keyboard_patterns, header = true, all_varchar = true,
                  delim = ',', quote = '"', escape = '"')

),

-- CRM exports. Ingestion: rows the CSV reader rejects (wrong number of fields) are dropped; a row
-- loads when its id is an integer, its timestamps parse and it is the latest version of its id in
-- its file (ranked over the rows that load: a quarantined newer row does not supersede a good one).
-- Staging (latest_crm_versions): the newest loaded version of each record.

contact_rows as (

    select
        *,
        row_number() over () as _row,
        cast(regexp_extract(filename, '/date=([0-9]{4}-[0-9]{2}-[0-9]{2})/[^/]*$', 1) as date) as _load_date,
    from read_csv($contacts_files, header = true, all_varchar = true, union_by_name = true, filename = true,
                  ignore_errors = true, delim = ',', quote = '"', escape = '"', hive_partitioning = false,
                  max_line_size = 8388608)

),

contacts_latest as (

    select * exclude (_version)
    from (
        select
            *,
            row_number() over (
                partition by filename, hs_object_id
                order by try_cast(lastmodifieddate as timestamptz) desc nulls last, _line desc
            ) as _version,
        from (
            select *, row_number() over (partition by filename order by _row) + 1 as _line
            from contact_rows
        )
        where try_cast(hs_object_id as bigint) is not null
            and try_cast(createdate as timestamptz) is not null
            and try_cast(lastmodifieddate as timestamptz) is not null
    )
    where _version = 1
        and nullif(trim(hs_object_id), '') is not null and _load_date <= $score_date
    qualify row_number() over (
        partition by trim(hs_object_id)
        order by try_cast(trim(lastmodifieddate) as timestamp) desc nulls last, _load_date desc, _line desc
    ) = 1

),

company_rows as (

    select
        *,
        row_number() over () as _row,
        cast(regexp_extract(filename, '/date=([0-9]{4}-[0-9]{2}-[0-9]{2})/[^/]*$', 1) as date) as _load_date,
    from read_csv($companies_files, header = true, all_varchar = true, union_by_name = true, filename = true,
                  ignore_errors = true, delim = ',', quote = '"', escape = '"', hive_partitioning = false,
                  max_line_size = 8388608)

),

companies_latest as (

    select * exclude (_version)
    from (
        select
            *,
            row_number() over (
                partition by filename, hs_object_id
                order by try_cast(lastmodifieddate as timestamptz) desc nulls last, _line desc
            ) as _version,
        from (
            select *, row_number() over (partition by filename order by _row) + 1 as _line
            from company_rows
        )
        where try_cast(hs_object_id as bigint) is not null
            and try_cast(createdate as timestamptz) is not null
            and try_cast(lastmodifieddate as timestamptz) is not null
    )
    where _version = 1
        and nullif(trim(hs_object_id), '') is not null and _load_date <= $score_date
    qualify row_number() over (
        partition by trim(hs_object_id)
        order by try_cast(trim(lastmodifieddate) as timestamp) desc nulls last, _load_date desc, _line desc
    ) = 1

),

-- Every column of the latest versions as (id, column, value) rows: an export may lack an optional
-- column or bring custom ones, and fit rules may use any of them (int_contact_properties).

contact_cells as (

    select contact_id, lower(trim(column_name)) as column_name, nullif(trim(cell), '') as value
    from (
        unpivot (
            select
                coalesce(
                    try_cast(trim(hs_object_id) as bigint),
                    try_cast(try_cast(trim(hs_object_id) as decimal(38, 6)) as bigint)
                ) as contact_id,
                columns(* exclude (filename, _row, _line, _load_date)),
            from contacts_latest
        )
        on columns(* exclude (contact_id))
        into name column_name value cell
    )
    where contact_id is not null

),

company_cells as (

    select company_id, lower(trim(column_name)) as column_name, nullif(trim(cell), '') as value
    from (
        unpivot (
            select
                coalesce(
                    try_cast(trim(hs_object_id) as bigint),
                    try_cast(try_cast(trim(hs_object_id) as decimal(38, 6)) as bigint)
                ) as company_id,
                columns(* exclude (filename, _row, _line, _load_date)),
            from companies_latest
        )
        on columns(* exclude (company_id))
        into name column_name value cell
    )
    where company_id is not null

),

contacts as (

    -- stg_crm__contacts: the columns scoring reads
    select
        contact_id,
        lower(max(value) filter (where column_name = 'email')) as email,
        max(value) filter (where column_name = 'firstname') as firstname,
        max(value) filter (where column_name = 'lastname') as lastname,
        max(value) filter (where column_name = 'country') as country,
        max(coalesce(
            try_cast(trim(value) as bigint), try_cast(try_cast(trim(value) as decimal(38, 6)) as bigint)
        )) filter (where column_name = 'associatedcompanyid') as company_id,
        max(try_cast(trim(value) as timestamp)) filter (where column_name = 'createdate') as created_at,
    from contact_cells
    group by contact_id

),

contacts_with_email_parts as (

    select
        *,
        case when position('@' in email) > 0 then nullif(trim(string_split(email, '@')[-1]), '') end
            as email_domain,
        case when position('@' in email) > 0 then nullif(trim(string_split(email, '@')[1]), '') end
            as email_local_part,
    from contacts

),

companies as (

    select company_id, max(value) filter (where column_name = 'country') as country
    from company_cells
    group by company_id

),

-- int_contact_properties: known columns as staging types them, custom columns under their
-- property name (crm_columns.sql's property_name), empty values left out

contact_properties as (

    select contact_id, 'contact' as object, property, value
    from (
        select
            contact_id,
            case
                when column_name in (
                    'email', 'firstname', 'lastname', 'jobtitle', 'country', 'city', 'lifecyclestage',
                    'hs_analytics_source', 'phone', 'persona', 'createdate', 'lastmodifieddate'
                ) then column_name
                when column_name in (
                    'hs_object_id', 'associatedcompanyid', 'contact_id', 'company_id', 'email_domain',
                    'email_local_part', 'created_at', 'updated_at'
                ) or starts_with(column_name, '_') then null
                when custom_name in (
                    'hs_object_id', 'email', 'firstname', 'lastname', 'jobtitle', 'country', 'city',
                    'lifecyclestage', 'createdate', 'lastmodifieddate', 'hs_analytics_source',
                    'associatedcompanyid', 'phone', 'persona', 'contact_id', 'company_id', 'email_domain',
                    'email_local_part', 'created_at', 'updated_at'
                ) then null
                else custom_name
            end as property,
            case
                when column_name in ('email', 'lifecyclestage') then lower(value)
                when column_name in ('createdate', 'lastmodifieddate')
                    then nullif(trim(cast(try_cast(trim(value) as timestamp) as varchar)), '')
                else value
            end as value,
        from (
            select
                *,
                case
                    when base_name = '' or regexp_matches(base_name, '^[0-9]') then 'p_' || base_name
                    else base_name
                end as custom_name,
            from (
                select *, trim(regexp_replace(column_name, '[^a-z0-9_]+', '_', 'g'), '_') as base_name
                from contact_cells
            )
        )
    )
    where property is not null and value is not null
    union all
    select contact_id, 'contact', 'email_domain', email_domain from contacts_with_email_parts
    where email_domain is not null
    union all
    select contact_id, 'contact', 'email_local_part', email_local_part from contacts_with_email_parts
    where email_local_part is not null

),

company_properties as (

    select company_id, property, value
    from (
        select
            company_id,
            case
                when column_name in (
                    'name', 'domain', 'industry', 'numberofemployees', 'annualrevenue', 'country',
                    'createdate', 'lastmodifieddate'
                ) then column_name
                when column_name in ('hs_object_id', 'company_id', 'created_at', 'updated_at')
                    or starts_with(column_name, '_') then null
                when custom_name in (
                    'hs_object_id', 'name', 'domain', 'industry', 'numberofemployees', 'annualrevenue',
                    'country', 'createdate', 'lastmodifieddate', 'company_id', 'created_at', 'updated_at'
                ) then null
                else custom_name
            end as property,
            case
                when column_name = 'domain' then lower(value)
                when column_name = 'numberofemployees' then cast(coalesce(
                    try_cast(trim(value) as bigint),
                    try_cast(try_cast(trim(value) as decimal(38, 6)) as bigint)
                ) as varchar)
                when column_name = 'annualrevenue'
                    then cast(try_cast(trim(replace(value, ',', '')) as decimal(20, 2)) as varchar)
                when column_name in ('createdate', 'lastmodifieddate')
                    then nullif(trim(cast(try_cast(trim(value) as timestamp) as varchar)), '')
                else value
            end as value,
        from (
            select
                *,
                case
                    when base_name = '' or regexp_matches(base_name, '^[0-9]') then 'p_' || base_name
                    else base_name
                end as custom_name,
            from (
                select *, trim(regexp_replace(column_name, '[^a-z0-9_]+', '_', 'g'), '_') as base_name
                from company_cells
            )
        )
    )
    where property is not null and value is not null

),

properties as (

    select * from contact_properties
    union all
    select contacts.contact_id, 'company', company_properties.property, company_properties.value
    from contacts
    inner join company_properties
        on contacts.company_id = company_properties.company_id

),

-- int_fit_points

property_values as materialized (

    -- rules match the distinct values of the properties they name, not every contact's: a pattern
    -- from a column is compiled per row
    select distinct
        properties.object,
        properties.property,
        properties.value,
        try_cast(trim(replace(properties.value, ',', '')) as decimal(38, 6)) as number,
    from properties
    semi join fit_rules
        on properties.object = fit_rules.object
        and properties.property = fit_rules.property

),

matched_property_values as materialized (

    select property_values.object, property_values.property, property_values.value,
        fit_rules.rule_group, fit_rules.points, fit_rules.disqualify
    from property_values
    inner join fit_rules
        on property_values.object = fit_rules.object
        and property_values.property = fit_rules.property
    where case fit_rules.operator
        when 'equals' then lower(trim(property_values.value)) = fit_rules.match_value
        when 'in' then position('|' || lower(trim(property_values.value)) || '|' in fit_rules.match_list) > 0
        when 'contains' then position(fit_rules.match_value in lower(trim(property_values.value))) > 0
        when 'pattern' then regexp_matches(property_values.value, fit_rules.pattern, 'i')
        when 'between' then
            property_values.number is not null
            and (fit_rules.min_value is null or property_values.number >= fit_rules.min_value)
            and (fit_rules.max_value is null or property_values.number <= fit_rules.max_value)
        else false
    end

),

fit_matches as (

    select properties.contact_id, matched.rule_group, matched.points, matched.disqualify
    from properties
    inner join matched_property_values as matched
        on properties.object = matched.object
        and properties.property = matched.property
        and properties.value = matched.value
    inner join contacts
        on properties.contact_id = contacts.contact_id
    union all
    -- is_empty: the contact has no value for the property
    select contacts.contact_id, fit_rules.rule_group, fit_rules.points, fit_rules.disqualify
    from contacts
    cross join fit_rules
    anti join properties
        on contacts.contact_id = properties.contact_id
        and fit_rules.object = properties.object
        and fit_rules.property = properties.property
    where fit_rules.operator = 'is_empty'

),

-- int_junk_signals

normalized_contacts as (

    select
        contacts_with_email_parts.*,
        coalesce(regexp_replace(lower(strip_accents(firstname)), '[^a-z]', '', 'g'), '') as first_normalized,
        coalesce(regexp_replace(lower(strip_accents(lastname)), '[^a-z]', '', 'g'), '') as last_normalized,
        lower(trim(coalesce(contacts_with_email_parts.country, companies.country))) as market_country,
        regexp_matches(
            coalesce(firstname, '') || ' ' || coalesce(lastname, ''),
            '(@|https?:|www[.]|[.](com|net|org|io|info|biz|co|de|ru|xyz)([^a-z]|$))', 'i'
        ) as name_has_email_or_url,
    from contacts_with_email_parts
    left join companies
        on contacts_with_email_parts.company_id = companies.company_id

),

junk_hits as (

    select contact_id, 'fictional_name' as reason_code
    from normalized_contacts
    inner join fictional_names
        on fictional_names.normalized_name in (
            first_normalized || last_normalized, last_normalized || first_normalized
        )
    where fictional_names.normalized_name <> ''
    union all
    select contact_id, 'keyboard_mash'
    from normalized_contacts
    inner join keyboard_patterns
        on (keyboard_patterns.match = 'contains'
            and (position(keyboard_patterns.pattern in first_normalized) > 0
                or position(keyboard_patterns.pattern in last_normalized) > 0))
        or (keyboard_patterns.match = 'equals'
            and keyboard_patterns.pattern in (first_normalized, last_normalized))
    where keyboard_patterns.pattern <> '' and not name_has_email_or_url
    union all
    select contact_id, 'keyboard_mash'
    from normalized_contacts
    where not name_has_email_or_url and (
        regexp_matches(first_normalized, $consonant_run, 'i')
        or regexp_matches(last_normalized, $consonant_run, 'i')
        or (length(first_normalized) >= 2 and replace(first_normalized, first_normalized[1], '') = '')
        or (length(last_normalized) >= 2 and replace(last_normalized, last_normalized[1], '') = '')
    )
    union all
    select contact_id, 'disposable_email'
    from normalized_contacts
    inner join disposable_domains
        on email_domain = disposable_domains.domain or email_domain like '%.' || disposable_domains.domain
    union all
    select contact_id, 'malformed_email'
    from normalized_contacts
    where email is not null and (
        not regexp_matches(email, '^[^@\s(),:;<>]+@[^@\s(),:;<>_]+[.][a-z]{2,}$', 'i')
        or email like '%..%' or email like '.%' or email like '%.@%'
    )
    union all
    select contact_id, 'role_address'
    from normalized_contacts
    inner join role_prefixes
        on string_split(email_local_part, '+')[1] = role_prefixes.prefix
    union all
    select contact_id, 'name_has_email_or_url'
    from normalized_contacts
    where name_has_email_or_url
    union all
    select contact_id, 'duplicate_email'
    from normalized_contacts
    where email is not null
    qualify contact_id <> first_value(contact_id) over (
        partition by email order by created_at asc nulls last, contact_id asc
    )
    union all
    select contact_id, 'out_of_market'
    from normalized_contacts
    inner join out_of_market_countries
        on market_country = out_of_market_countries.country

),

junk_points as (

    select junk_hits.contact_id, junk_signals.points, junk_signals.disqualify
    from (select distinct contact_id, reason_code from junk_hits) as junk_hits
    inner join junk_signals
        on junk_hits.reason_code = junk_signals.reason_code

),

-- Web events. Ingestion: lines it quarantines are dropped; within a day the first line of each
-- messageId loads, and a later day skips a messageId that a day at most $dedup_window_days before
-- it loaded (the days load in date order). Staging (stg_web__events): events up to the end of the
-- score date, one per messageId, the copy loaded last.

event_lines as (

    -- read_ndjson gives a line ingestion quarantines as non-JSON or not an object a row of nulls
    -- (dropped below) and transforms fields as ingestion's json_transform does
    select
        *,
        row_number() over () as _row,
        cast(regexp_extract(filename, '/date=([0-9]{4}-[0-9]{2}-[0-9]{2})/[^/]*$', 1) as date) as _load_date,
    from read_ndjson($event_files, columns = {
            messageId: 'VARCHAR', type: 'VARCHAR', event: 'VARCHAR', anonymousId: 'VARCHAR',
            userId: 'VARCHAR', timestamp: 'VARCHAR', properties: 'JSON', traits: 'STRUCT(email VARCHAR)',
            context: 'STRUCT(page STRUCT(path VARCHAR, url VARCHAR), traits STRUCT(email VARCHAR))'
        }, filename = true, ignore_errors = true, hive_partitioning = false, maximum_object_size = 8388608)

),

loaded_lines as (

    select
        _load_date,
        messageId as message_id,
        type,
        event,
        nullif(anonymousId, '') as anonymous_id,
        nullif(userId, '') as user_id,
        timezone('UTC', try_cast(timestamp as timestamptz)) as event_timestamp,
        context.page.path as page_path,
        nullif(trim(coalesce(traits.email, context.traits.email, properties ->> 'email')), '') as email,
        cast(properties as varchar) as properties,
    from event_lines
    where nullif(trim(messageId), '') is not null
        and list_contains($segment_types, type)
        and try_cast(timestamp as timestamptz) is not null
        and coalesce(nullif(anonymousId, ''), nullif(userId, '')) is not null
        and not (type = 'track' and nullif(event, '') is null)
    qualify row_number() over (partition by _load_date, messageId order by filename, _row) = 1

),

repeated_messages as (

    select message_id, list_sort(list(_load_date)) as load_dates
    from loaded_lines
    group by message_id
    having count(*) > 1

),

loaded_copies as (

    select
        message_id,
        unnest(list_reduce(
            load_dates[2:],
            lambda loaded, day: case
                when day - loaded[-1] > $dedup_window_days then list_append(loaded, day) else loaded
            end,
            [load_dates[1]]
        )) as _load_date,
    from repeated_messages

),

raw_events as (

    select loaded_lines.*, repeated_messages.message_id is not null as is_repeated
    from loaded_lines
    left join repeated_messages
        on loaded_lines.message_id = repeated_messages.message_id
    left join loaded_copies
        on loaded_lines.message_id = loaded_copies.message_id
        and loaded_lines._load_date = loaded_copies._load_date
    where repeated_messages.message_id is null or loaded_copies.message_id is not null

),

latest_copies as (

    select message_id, max(_load_date) as _load_date
    from raw_events
    where is_repeated and event_timestamp < $score_date + interval 1 day
    group by message_id

),

events as (

    select
        raw_events.message_id,
        lower(nullif(trim(type), '')) as event_type,
        nullif(trim(event), '') as event_name,
        nullif(trim(anonymous_id), '') as anonymous_id,
        coalesce(
            try_cast(trim(nullif(trim(user_id), '')) as bigint),
            try_cast(try_cast(trim(nullif(trim(user_id), '')) as decimal(38, 6)) as bigint)
        ) as user_contact_id,
        event_timestamp,
        cast(event_timestamp as date) as event_date,
        coalesce(
            nullif(trim(page_path), ''),
            nullif(trim(
                case when json_valid(properties) then json_extract_string(properties, '$.path') end
            ), '')
        ) as page_path,
        lower(nullif(trim(email), '')) as email,
    from raw_events
    left join latest_copies
        on raw_events.message_id = latest_copies.message_id
    where event_timestamp < $score_date + interval 1 day
        and (not is_repeated or raw_events._load_date = latest_copies._load_date)

),

-- int_identity_map and int_events_attributed

contacts_by_email as (

    select email, contact_id
    from contacts
    where email is not null
    qualify row_number() over (partition by email order by created_at asc nulls last, contact_id asc) = 1

),

identity_links as (

    select
        events.anonymous_id, events.user_contact_id as contact_id, 1 as priority, event_timestamp, message_id
    from events
    inner join contacts
        on events.user_contact_id = contacts.contact_id
    where events.anonymous_id is not null
    union all
    select events.anonymous_id, contacts_by_email.contact_id, 2, event_timestamp, message_id
    from events
    inner join contacts_by_email
        on events.email = contacts_by_email.email
    where events.anonymous_id is not null
        and (event_type = 'identify' or (event_type = 'track' and lower(event_name) = 'form submitted'))

),

identity_map as (

    select anonymous_id, contact_id
    from identity_links
    qualify row_number() over (partition by anonymous_id order by priority, event_timestamp, message_id) = 1

),

attributed_events as (

    select
        coalesce(contacts.contact_id, identity_map.contact_id) as contact_id,
        events.event_type,
        case when events.event_type = 'track' then events.event_name else events.page_path end
            as matched_value,
        events.event_date,
        datediff('day', events.event_date, $score_date) as age_days,
    from events
    left join contacts
        on events.user_contact_id = contacts.contact_id
    left join identity_map
        on events.anonymous_id = identity_map.anonymous_id
    where coalesce(contacts.contact_id, identity_map.contact_id) is not null
        and events.event_type in ('page', 'track')

),

-- int_engagement_points

event_values as materialized (

    select distinct event_type, matched_value from attributed_events

),

matched_values as materialized (

    -- rules match the few distinct names and paths: a pattern from a column is compiled per row
    select event_values.event_type, event_values.matched_value, engagement_rules.rule_id
    from event_values
    inner join engagement_rules
        on event_values.event_type = engagement_rules.event_type
    where case
        when engagement_rules.operator = 'pattern'
            then regexp_matches(event_values.matched_value, engagement_rules.pattern, 'i')
        else lower(trim(event_values.matched_value)) = lower(engagement_rules.rule_value)
    end

),

occurrences as (

    select attributed_events.contact_id, matched_values.rule_id, attributed_events.age_days
    from attributed_events
    inner join matched_values
        on attributed_events.event_type = matched_values.event_type
        and attributed_events.matched_value = matched_values.matched_value
    union all
    select active_days.contact_id, engagement_rules.rule_id, active_days.age_days
    from (
        select contact_id, event_date, min(age_days) as age_days
        from attributed_events
        group by contact_id, event_date
    ) as active_days
    cross join engagement_rules
    where engagement_rules.event_type = 'visit'

),

engagement_rule_points as (

    select
        contact_id,
        rule_id,
        rule_group,
        cast(round(cast(case
            when max_points is not null and decayed_points > max_points then max_points
            when -1 * max_points is not null and decayed_points < -1 * max_points then -1 * max_points
            else decayed_points
        end as decimal(28, 6)), 2) as decimal(18, 2)) as points,
    from (
        select
            occurrences.contact_id,
            occurrences.rule_id,
            engagement_rules.rule_group,
            engagement_rules.max_points,
            sum(cast(round(cast(engagement_rules.points * case
                when engagement_rules.decay_percent > 0 and engagement_rules.decay_period_days > 0
                    then power(
                        1 - cast(engagement_rules.decay_percent as decimal(28, 6)) / 100,
                        floor(occurrences.age_days / engagement_rules.decay_period_days)
                    )
                else 1
            end as decimal(28, 6)), 2) as decimal(18, 2))) as decayed_points,
        from occurrences
        inner join engagement_rules
            on occurrences.rule_id = engagement_rules.rule_id
        where occurrences.age_days >= 0 and occurrences.age_days < engagement_rules.window_days
        group by all
    )

),

-- group caps (group_caps.sql) and int_lead_scores

group_totals as (

    select
        points.contact_id,
        points.category,
        case
            when rule_groups.max_points is not null and sum(points.points) > rule_groups.max_points
                then rule_groups.max_points
            when rule_groups.min_points is not null and sum(points.points) < rule_groups.min_points
                then rule_groups.min_points
            else sum(points.points)
        end as points,
    from (
        select contact_id, 'fit' as category, rule_group, points from fit_matches
        union all
        select contact_id, 'engagement', rule_group, points from engagement_rule_points
    ) as points
    left join (select distinct rule_group, min_points, max_points from rule_groups) as rule_groups
        on points.rule_group = rule_groups.rule_group
    group by
        points.contact_id, points.category, points.rule_group, rule_groups.min_points, rule_groups.max_points

),

point_totals as (

    select
        contact_id,
        sum(points) filter (where category = 'fit') as fit_points,
        sum(points) filter (where category = 'engagement') as engagement_points,
    from (
        select contact_id, category, points from group_totals
        union all
        select contact_id, 'fit', points from junk_points
    )
    group by contact_id

),

disqualified as (

    select contact_id from fit_matches where disqualify
    union
    select contact_id from junk_points where disqualify

),

scores as (

    select
        contacts.contact_id,
        cast(round(greatest(least($fit_base_points + coalesce(point_totals.fit_points, 0), 100), 0), 0)
            as integer) as fit_score,
        cast(round(greatest(least($engagement_base_points + coalesce(point_totals.engagement_points, 0), 100), 0), 0)
            as integer) as engagement_score,
        disqualified.contact_id is not null as is_disqualified,
    from contacts
    left join point_totals
        on contacts.contact_id = point_totals.contact_id
    left join disqualified
        on contacts.contact_id = disqualified.contact_id

),

combined_scores as (

    select
        *,
        cast(round(
            cast($fit_weight as decimal(28, 6)) * fit_score
            + cast($engagement_weight as decimal(28, 6)) * engagement_score,
            0
        ) as integer) as lead_score,
    from scores

),

final as (

    select
        contact_id,
        fit_score,
        engagement_score,
        lead_score,
        coalesce((
            select first(label order by min_score desc, label asc) from thresholds
            where dimension = 'fit_letter' and min_score <= combined_scores.fit_score
        ), '') || coalesce((
            select first(label order by min_score desc, label asc) from thresholds
            where dimension = 'engagement_number' and min_score <= combined_scores.engagement_score
        ), '') as grade,
        case when is_disqualified then 'disqualified' else (
            select first(label order by min_score desc, label asc) from thresholds
            where dimension = 'tier' and min_score <= combined_scores.lead_score
        ) end as tier,
    from combined_scores

)

select * from final
order by contact_id
