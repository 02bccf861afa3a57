{#-
    Incremental strategies per engine, with the same rows on every engine.

    DuckDB and Postgres replace rows by key (`delete+insert`). Spark without Delta (Parquet
    tables, no merge nor delete) replaces whole partitions instead: `insert_overwrite` with
    `spark.sql.sources.partitionOverwriteMode=dynamic` (lead_scoring.spark.session_conf())
    rewrites exactly the partitions a run writes rows to, and keeps the others.

    Used as `config(**incremental_by_day('score_date', ['contact_id', 'score_date']))`: the
    partition column on Spark, the key elsewhere. On Spark the partition column is stored as
    the table's last column.
-#}
{% macro incremental_by_day(partition_column, unique_key) -%}
    {{ return(adapter.dispatch('incremental_by_day', 'lead_scoring')(partition_column, unique_key)) }}
{%- endmacro %}

{% macro default__incremental_by_day(partition_column, unique_key) -%}
    {{ return({'incremental_strategy': 'delete+insert', 'unique_key': unique_key}) }}
{%- endmacro %}

{% macro spark__incremental_by_day(partition_column, unique_key) -%}
    {{ return({
        'incremental_strategy': 'insert_overwrite',
        'partition_by': [partition_column],
        'file_format': 'parquet',
    }) }}
{%- endmacro %}


{#- Whether incremental runs on this engine replace whole partitions (Spark) rather than rows by
    key. Asked of the engine, not of the model's config, which a unit test does not carry. -#}
{% macro replaces_partitions() -%}
    {{ return(incremental_by_day('', '')['incremental_strategy'] == 'insert_overwrite') }}
{%- endmacro %}


{#- SQL that empties a table: Parquet tables have no DELETE, TRUNCATE empties every partition. -#}
{% macro empty_table_sql(relation) -%}
    {{ return(adapter.dispatch('empty_table_sql', 'lead_scoring')(relation)) }}
{%- endmacro %}

{% macro default__empty_table_sql(relation) -%}
    {{ return('delete from ' ~ relation) }}
{%- endmacro %}

{% macro spark__empty_table_sql(relation) -%}
    {{ return('truncate table ' ~ relation) }}
{%- endmacro %}
