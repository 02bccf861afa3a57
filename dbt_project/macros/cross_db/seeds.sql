{#-
    Seeds on Spark. dbt-spark's own loader (method session) writes each value into the SQL as
    `'<str(value)>'`, unescaped: an empty cell becomes the string 'None' (silently) and an
    apostrophe ends the literal (a parse error). This loader writes SQL literals itself: NULL for
    an empty cell, strings with `\` and `'` escaped (Spark and Databricks SQL read backslash
    escapes), so every connection method loads the same rows.

    The seeds' column_types say `varchar`, as DuckDB and Postgres take it; Spark wants `string`
    (a bare varchar is DATATYPE_MISSING_SIZE), so seed_column_type() maps it.
-#}
{% macro seed_column_type(type) -%}
    {{ return(adapter.dispatch('seed_column_type', 'lead_scoring')(type)) }}
{%- endmacro %}

{% macro default__seed_column_type(type) -%}
    {{ return(type) }}
{%- endmacro %}

{% macro spark__seed_column_type(type) -%}
    {%- set bare = (type | string | trim | lower) -%}
    {{ return(dbt.type_string() if bare in ('varchar', 'text', 'character varying') else type) }}
{%- endmacro %}


{#- One value of a seed row as a Spark SQL literal. -#}
{% macro spark_seed_literal(value) -%}
    {%- if value is none -%}
        null
    {%- elif value is boolean -%}
        {{ 'true' if value else 'false' }}
    {%- elif value is number -%}
        {{ value }}
    {%- else -%}
        '{{ value | string | replace('\\', '\\\\') | replace("'", "\\'") }}'
    {%- endif -%}
{%- endmacro %}


{% macro spark__load_csv_rows(model, agate_table) %}
    {%- set batch_size = get_batch_size() -%}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set types = [] -%}
    {%- for col_name in agate_table.column_names -%}
        {%- set inferred_type = adapter.convert_type(agate_table, loop.index0) -%}
        {%- do types.append(seed_column_type(column_override.get(col_name, inferred_type))) -%}
    {%- endfor -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(batch_size) -%}
        {%- set sql -%}
            insert into {{ this.render() }} values
            {% for row in chunk -%}
                ({%- for value in row -%}
                    cast({{ spark_seed_literal(value) }} as {{ types[loop.index0] }})
                    {%- if not loop.last %}, {% endif -%}
                {%- endfor -%})
                {%- if not loop.last %},{% endif %}
            {% endfor %}
        {%- endset -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- if loop.index0 == 0 -%}
            {%- do statements.append(sql) -%}
        {%- endif -%}
    {%- endfor -%}
    {#- The SQL dbt writes to the compiled files. -#}
    {{ return(statements[0] if statements else '') }}
{% endmacro %}


{% macro spark__create_csv_table(model, agate_table) %}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set quote_seed_column = model['config'].get('quote_columns', None) -%}
    {%- set sql -%}
        create table {{ this.render() }} (
            {%- for col_name in agate_table.column_names -%}
                {%- set inferred_type = adapter.convert_type(agate_table, loop.index0) -%}
                {%- set type = seed_column_type(column_override.get(col_name, inferred_type)) -%}
                {{ adapter.quote_seed_column(col_name | string, quote_seed_column) }} {{ type }}
                {%- if not loop.last %}, {% endif -%}
            {%- endfor -%}
        )
        {{ file_format_clause() }}
        {{ partition_cols(label="partitioned by") }}
        {{ clustered_cols(label="clustered by") }}
        {{ location_clause() }}
        {{ comment_clause() }}
    {%- endset -%}
    {%- call statement('_') -%}
        {{ sql }}
    {%- endcall -%}
    {{ return(sql) }}
{% endmacro %}
