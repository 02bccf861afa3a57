{#-
    Source freshness as of the score date, not as of the wall clock.

    `dbt source freshness` compares the newest load of a source with `current_timestamp`. The DAG
    scores a logical date (var `score_date`), which a backfill, a catchup or the demo's generated
    past days put well before today: against the wall clock every such run would be stale. When
    var `score_date` is set, "now" is the end of that day (midnight after it) and loads after it
    are ignored, so a run judges what it would have seen on its own day. Without the var, dbt's
    behaviour is unchanged.

    The sources' `loaded_at_query` reads `raw.load_audit` (one row per landed file and load date,
    an empty export included): a source is as fresh as the newest load date that brought its file.
    The load date, not the wall-clock `_loaded_at`, as a re-run or backfill loads old dates today.

    These override dbt's own macros of the same name (dispatch order in dbt_project.yml).
-#}

{#- Whether var score_date names the day to judge freshness as of. -#}
{% macro freshness_as_of_score_date() -%}
    {{ return(var('score_date', none) not in (none, '', 'None', 'today')) }}
{%- endmacro %}

{#- "Now" for freshness: the end of var score_date, else the database's current time. -#}
{% macro freshness_as_of_sql() -%}
    {%- if freshness_as_of_score_date() -%}
        {{ score_cutoff_sql() }}
    {%- else -%}
        {{ current_timestamp() }}
    {%- endif -%}
{%- endmacro %}

{#- loaded_at_query of a source: the newest load date (as a timestamp) of the files of `entity`
    in raw.load_audit (the schema of the source being checked), up to the score date. -#}
{% macro loaded_at_from_load_audit(entity) -%}
    select max(cast(_load_date as {{ dbt.type_timestamp() }}))
    from {{ this.incorporate(path={'identifier': 'load_audit'}) }}
    where entity = '{{ entity }}'
    {%- if freshness_as_of_score_date() %}
        and _load_date <= {{ score_date_sql() }}
    {%- endif %}
{%- endmacro %}

{% macro default__collect_freshness(source, loaded_at_field, filter) %}
  {% call statement('collect_freshness', fetch_result=True, auto_begin=False) -%}
    select
      max({{ loaded_at_field }}) as max_loaded_at,
      {{ freshness_as_of_sql() }} as snapshotted_at
    from {{ source }}
    where 1 = 1
    {%- if freshness_as_of_score_date() %}
      and {{ loaded_at_field }} < {{ freshness_as_of_sql() }}
    {%- endif %}
    {%- if filter %}
      and ({{ filter }})
    {%- endif %}
  {% endcall %}
  {{ return(load_result('collect_freshness')) }}
{% endmacro %}

{% macro default__collect_freshness_custom_sql(source, loaded_at_query) %}
  {% call statement('collect_freshness_custom_sql', fetch_result=True, auto_begin=False) -%}
    with source_query as (
      {{ loaded_at_query }}
    )
    select
      (select * from source_query) as max_loaded_at,
      {{ freshness_as_of_sql() }} as snapshotted_at
  {% endcall %}
  {{ return(load_result('collect_freshness_custom_sql')) }}
{% endmacro %}
