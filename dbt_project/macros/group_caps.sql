{#-
    Rule-group caps as explicit ledger rows. `rule_points` is a CTE of fired rules (contact_id,
    rule_group, points, ...); `rule_groups` the CTE of the scoring_rule_groups seed. Emits, for
    every contact and group whose summed points fall outside [min_points, max_points], one row
    with rule_id 'cap:<group>' and the points that bring the sum back to the bound. So the
    component rows of a contact always add up to its (unclamped) score.
-#}
{% macro group_cap_adjustments(rule_points, rule_groups, category) -%}
    select
        group_totals.contact_id,
        {{ dbt.concat(["'cap:'", "group_totals.rule_group"]) }} as rule_id,
        group_totals.rule_group,
        cast('{{ category }}' as {{ dbt.type_string() }}) as category,
        {{ to_points(clamp('group_totals.points', 'group_totals.min_points', 'group_totals.max_points') ~ ' - group_totals.points') }} as points,
        cast(null as {{ dbt.type_int() }}) as occurrences,
        false as disqualifies,
        true as is_cap_adjustment,
        {{ dbt.concat(["'Group cap '", "group_totals.rule_group"]) }} as reason,
        {{ dbt.concat([
            "group_totals.rule_group", "' points '", format_number('group_totals.points'),
            "' capped to '", format_number(clamp('group_totals.points', 'group_totals.min_points', 'group_totals.max_points')),
        ]) }} as evidence
    from (
        select
            {{ rule_points }}.contact_id,
            {{ rule_points }}.rule_group,
            {{ rule_groups }}.min_points,
            {{ rule_groups }}.max_points,
            sum({{ rule_points }}.points) as points
        from {{ rule_points }}
        inner join {{ rule_groups }}
            on {{ rule_points }}.rule_group = {{ rule_groups }}.rule_group
        group by 1, 2, 3, 4
    ) as group_totals
    where
        (group_totals.max_points is not null and group_totals.points > group_totals.max_points)
        or (group_totals.min_points is not null and group_totals.points < group_totals.min_points)
{%- endmacro %}
