{#-
    The latest version of each CRM record in `relation` (a CTE name or relation with the raw
    columns) loaded by var score_date: a record is loaded again each day it changes, and a re-run
    of a past day must ignore loads made after it.
-#}
{% macro latest_crm_versions(relation) -%}
    select * from (
        select
            *,
            row_number() over (
                partition by trim(hs_object_id)
                order by
                    {{ safe_to_timestamp('lastmodifieddate') }} desc nulls last,
                    _load_date desc nulls last,
                    _loaded_at desc nulls last,
                    _source_line desc nulls last
            ) as version_rank
        from {{ relation }}
        where
            {{ clean_string('hs_object_id') }} is not null
            and (_load_date is null or _load_date <= {{ score_date_sql() }})
    ) as versions
    where version_rank = 1
{%- endmacro %}
