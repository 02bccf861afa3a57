{#-
    One row: model_version, the md5 of the content of every rule, threshold and junk seed and of
    the scoring vars, and the weights and base points that combine the scores (seed
    scoring_categories; var fit_weight, when set, overrides the weights). Same rules => same hash,
    whatever the row order in the CSV files.
-#}
{%- set fit_weight_var = fit_weight_override() -%}
{%- set seeds = [
    'scoring_fit_rules', 'scoring_engagement_rules', 'scoring_rule_groups', 'scoring_thresholds',
    'scoring_categories',
    'junk_signals', 'junk_fictional_names', 'junk_disposable_email_domains',
    'junk_role_email_prefixes', 'junk_out_of_market_countries', 'junk_keyboard_patterns',
] -%}
{%- set scoring_vars = {
    'fit_weight': fit_weight_var,
    'default_window_days': var('default_window_days') | int,
    'junk_consonant_run_length': var('junk_consonant_run_length') | int,
} -%}

with

{% for seed_name in seeds %}
{{ seed_name }} as (

    select * from {{ ref(seed_name) }}

),

{% endfor %}
seed_contents as (

    {%- for seed_name in seeds %}
    select
        cast('{{ seed_name }}' as {{ dbt.type_string() }}) as seed_name,
        {{ relation_content_text(ref(seed_name), seed_name) }} as content
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

categories as (

    select
        cast(coalesce(max(case when lower(category) = 'fit' then weight end), 0) as {{ dbt.type_numeric() }}) as fit_weight,
        cast(coalesce(max(case when lower(category) = 'engagement' then weight end), 0) as {{ dbt.type_numeric() }}) as engagement_weight,
        coalesce(max(case when lower(category) = 'fit' then base_points end), 0) as fit_base_points,
        coalesce(max(case when lower(category) = 'engagement' then base_points end), 0) as engagement_base_points
    from scoring_categories

),

fingerprint as (

    select
        {{ dbt.listagg(
            dbt.concat(["seed_name", "':'", "coalesce(content, '')"]),
            "'\n'",
            "order by seed_name",
        ) }} as content
    from seed_contents

),

final as (

    select
        {{ dbt.hash(dbt.concat([
            "'" ~ (tojson(scoring_vars, sort_keys=true) | replace("'", "''")) ~ "'",
            "'\n'",
            "content",
        ])) }} as model_version,
        {%- set weights = lead_score_weights('categories.fit_weight', 'categories.engagement_weight') %}
        {{ weights[0] }} as fit_weight,
        {{ weights[1] }} as engagement_weight,
        categories.fit_base_points,
        categories.engagement_base_points
    from fingerprint
    cross join categories

)

select * from final
