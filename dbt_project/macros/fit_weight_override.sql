{#- Var fit_weight as a number when set (it then overrides the weights of seed
    scoring_categories for the run), else none; refuses a value outside 0..1. -#}
{% macro fit_weight_override() -%}
    {%- set value = var('fit_weight', none) -%}
    {%- if value is none or (value | string | trim) in ('', 'None') -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set number = value | float -%}
    {%- if number < 0 or number > 1 -%}
        {{ exceptions.raise_compiler_error("var fit_weight must be between 0 and 1, got " ~ value) }}
    {%- endif -%}
    {{ return(number) }}
{%- endmacro %}

{#- The SQL of the two weights of lead_score: var fit_weight (and 1 - it) when set, else the
    given columns (the weights of seed scoring_categories). -#}
{% macro lead_score_weights(fit_weight_column, engagement_weight_column) -%}
    {%- set override = fit_weight_override() -%}
    {%- if override is none -%}
        {{ return((fit_weight_column, engagement_weight_column)) }}
    {%- endif -%}
    {{ return((
        'cast(' ~ override ~ ' as ' ~ dbt.type_numeric() ~ ')',
        'cast(' ~ (1 - override) ~ ' as ' ~ dbt.type_numeric() ~ ')',
    )) }}
{%- endmacro %}
