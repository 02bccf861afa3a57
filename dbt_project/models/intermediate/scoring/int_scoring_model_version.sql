{#-
    One row: model_version, the md5 of the content of every rule, threshold and junk seed and of
    the scoring vars. Same rules => same hash, whatever the row order in the CSV files.
-#}
{%- set seeds = [
    'scoring_fit_rules', 'scoring_engagement_rules', 'scoring_rule_groups', 'scoring_thresholds',
    'junk_signals', 'junk_fictional_names', 'junk_disposable_email_domains',
    'junk_role_email_prefixes', 'junk_out_of_market_countries', 'junk_keyboard_patterns',
] -%}
{%- set scoring_vars = {
    'fit_weight': var('fit_weight') | float,
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
        cast({{ scoring_vars['fit_weight'] }} as {{ dbt.type_numeric() }}) as fit_weight
    from fingerprint

)

select * from final
