{#-
    The label of the highest band (scoring_thresholds rows of one dimension) whose min_score a
    score reaches: `select <key>, label` for every row of `scores` with a matching band.
-#}
{% macro score_band(scores, key, score_column, thresholds, dimension) -%}
    select
        {{ key }},
        label
    from (
        select
            {{ scores }}.{{ key }},
            {{ thresholds }}.label,
            row_number() over (
                partition by {{ scores }}.{{ key }}
                order by {{ thresholds }}.min_score desc, {{ thresholds }}.label asc
            ) as band_rank
        from {{ scores }}
        inner join {{ thresholds }}
            on {{ thresholds }}.dimension = '{{ dimension }}'
            and {{ scores }}.{{ score_column }} >= {{ thresholds }}.min_score
    ) as bands
    where band_rank = 1
{%- endmacro %}
