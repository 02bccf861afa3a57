{#- The contact property an outcome definition (seed conversion_outcomes) reads: `lifecyclestage`
    for a lifecycle_stage outcome, the named property for a contact_property one. -#}
{% macro outcome_property(kind, property) -%}
    lower(trim(case when lower(trim({{ kind }})) = 'lifecycle_stage' then 'lifecyclestage' else {{ property }} end))
{%- endmacro %}
