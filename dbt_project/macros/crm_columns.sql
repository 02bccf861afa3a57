{#-
    Helpers for CRM exports whose columns vary: every CSV column is kept, custom ones included.
-#}

{#- Lower-case column names of a relation; none while dbt parses the project (no database then). -#}
{% macro relation_column_names(relation) -%}
    {%- if not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set names = [] -%}
    {%- for column in adapter.get_columns_in_relation(relation) -%}
        {%- do names.append(column.name | lower) -%}
    {%- endfor -%}
    {{ return(names) }}
{%- endmacro %}

{#- A safe, lower-case SQL identifier for a CSV header ('Lead Source' -> 'lead_source'). -#}
{% macro property_name(header) -%}
    {%- set name = modules.re.sub('[^a-z0-9_]+', '_', header | lower) | trim('_') -%}
    {%- if name == '' or modules.re.match('^[0-9]', name) -%}
        {%- set name = 'p_' ~ name -%}
    {%- endif -%}
    {{ return(name) }}
{%- endmacro %}

{#-
    A known optional column: the cleaned column when the export has it, else a typed null, so a
    CSV without e.g. `phone` still builds. `available` is relation_column_names(...).
-#}
{% macro optional_column(name, available) -%}
    {%- if available is none or name in available -%}
        {{ clean_string(name) }}
    {%- else -%}
        cast(null as {{ dbt.type_string() }})
    {%- endif -%}
{%- endmacro %}

{#-
    Select list of the custom columns of a raw CRM table: every column that is neither in `known`
    nor load metadata (`_*`), cleaned and aliased to its property name, each followed by a comma.
-#}
{% macro custom_property_columns(relation, known) -%}
    {%- set available = relation_column_names(relation) -%}
    {%- if available is none -%}
        {{ return('') }}
    {%- endif -%}
    {%- set known_lower = known | map('lower') | list -%}
    {%- set seen = [] -%}
    {%- for column in adapter.get_columns_in_relation(relation) -%}
        {%- set header = column.name -%}
        {%- set alias = property_name(header) -%}
        {%- if not header.startswith('_') and (header | lower) not in known_lower and alias not in known_lower and alias not in seen %}
        {%- do seen.append(alias) %}
        {{ clean_string(adapter.quote(header)) }} as {{ alias }},
        {%- endif -%}
    {%- endfor -%}
{%- endmacro %}

{#-
    Unpivot every column of a relation into (object_id, property, value) rows, values as text,
    empty values left out. The columns are read from `relation`; rows are selected from
    `from_name` (a CTE of it, say), or from the relation itself. `aliases` maps a column to the
    property name rules use; two columns that give one property name are a compile error, so the
    rows are unique per (object_id, property) by construction.
-#}
{% macro unpivot_properties(relation, id_column, from_name=none, exclude=[], aliases={}) -%}
    {%- set excluded = (exclude | map('lower') | list) + [id_column | lower] -%}
    {%- set columns = relation_column_names(relation) -%}
    {%- if columns is none -%}
        {#- parse time: a placeholder with the right shape -#}
        select
            cast(null as {{ dbt.type_bigint() }}) as object_id,
            cast(null as {{ dbt.type_string() }}) as property,
            cast(null as {{ dbt.type_string() }}) as value
        where 1 = 0
    {%- else -%}
        {%- set kept = [] -%}
        {%- set properties = [] -%}
        {%- for name in columns if name not in excluded and not name.startswith('_') -%}
            {%- set property = aliases.get(name, name) -%}
            {%- if property in properties -%}
                {{ exceptions.raise_compiler_error(relation ~ ": two columns give the property '" ~ property ~ "'") }}
            {%- endif -%}
            {%- do kept.append(name) -%}
            {%- do properties.append(property) -%}
        {%- endfor -%}
        {%- for name in kept %}
        select
            {{ id_column }} as object_id,
            cast('{{ aliases.get(name, name) }}' as {{ dbt.type_string() }}) as property,
            {{ clean_string(adapter.quote(name)) }} as value
        from {{ from_name or relation }}
        where {{ clean_string(adapter.quote(name)) }} is not null
        {% if not loop.last %}union all{% endif %}
        {%- endfor %}
    {%- endif -%}
{%- endmacro %}

{#-
    The (object, property) pairs the rules of `rules_relation` name, lower-case, read when the
    model runs; none while dbt parses the project and in unit tests (where the rules are rows).
-#}
{% macro ruled_properties(rules_relation) -%}
    {%- if not execute or model.resource_type != 'model' -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set query -%}
        select distinct lower(trim(object)), lower(trim(property)) from {{ rules_relation }}
        where object is not null and property is not null
        order by 1, 2
    {%- endset -%}
    {{ return(run_query(query).rows | map('list') | list) }}
{%- endmacro %}

{#- A filter on int_contact_properties' object and property for the given pairs, as literals. -#}
{% macro property_filter(pairs) -%}
    {%- if pairs | length == 0 -%}
        1 = 0
    {%- else -%}
        ({%- for object, property in pairs %}
        {% if not loop.first %}or {% endif %}(object = '{{ object | replace("'", "''") }}' and property = '{{ property | replace("'", "''") }}')
        {%- endfor %}
        )
    {%- endif -%}
{%- endmacro %}

{#-
    A raw CRM table may be absent: a B2C CRM has no companies or deals export, and a warehouse
    loaded by something other than `lead-scoring ingest` may lack the table. `crm_source_exists`
    says whether it is there (always true while dbt parses the project, and in unit tests, whose
    inputs are given rows).
-#}
{% macro crm_source_exists(relation) -%}
    {%- if not execute or model.resource_type == 'unit_test' -%}
        {{ return(true) }}
    {%- endif -%}
    {%- set found = adapter.get_relation(
        database=relation.database, schema=relation.schema, identifier=relation.identifier) -%}
    {{ return(found is not none) }}
{%- endmacro %}

{#-
    The rows of a raw CRM table, or, when it is absent, no rows with the columns staging reads
    (`required`: the columns ingestion requires of the export, plus the load metadata), so staging
    builds an empty, typed model and everything downstream runs as for an empty export.
-#}
{% macro crm_source_rows(relation, required) -%}
    {%- if crm_source_exists(relation) -%}
        select * from {{ relation }}
    {%- else -%}
        select
            {%- for name in required %}
            cast(null as {{ dbt.type_string() }}) as {{ name }},
            {%- endfor %}
            cast(null as date) as _load_date,
            cast(null as {{ dbt.type_timestamp() }}) as _loaded_at,
            cast(null as {{ dbt.type_string() }}) as _source_file,
            cast(null as {{ dbt.type_bigint() }}) as _source_line,
            cast(null as {{ dbt.type_string() }}) as _dag_run_id
        where 1 = 0
    {%- endif -%}
{%- endmacro %}
