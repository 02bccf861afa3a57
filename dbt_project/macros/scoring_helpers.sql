{#- Column type of every points value: exact decimals, so sums are identical on every run. -#}
{% macro points_type() -%}
    {{ api.Column.numeric_type('numeric', 18, 2) }}
{%- endmacro %}

{#- Round to points precision. -#}
{% macro to_points(expression) -%}
    cast(round(cast({{ expression }} as {{ dbt.type_numeric() }}), 2) as {{ points_type() }})
{%- endmacro %}

{#- A ratio as an exact decimal before rounding: DuckDB divides in doubles (0.08625 is stored as
    0.086249...), Postgres in numerics, so rounding the raw ratio differs between the targets. -#}
{% macro exact_ratio(expression) -%}
    cast({{ expression }} as {{ api.Column.numeric_type('numeric', 18, 8) }})
{%- endmacro %}

{#- Trimmed text, null when empty. -#}
{% macro clean_string(expression) -%}
    nullif(trim(cast({{ expression }} as {{ dbt.type_string() }})), '')
{%- endmacro %}

{#-
    Whether a value has some text: the test `clean_string(x) is not null`, without trimming the
    end of the value (DuckDB decodes a whole string to trim its end: seconds over 30M events).
-#}
{% macro has_text(expression) -%}
    ltrim(cast({{ expression }} as {{ dbt.type_string() }})) <> ''
{%- endmacro %}

{#- A number as short text: 15 -> '15', 11.25 -> '11.3'. -#}
{% macro format_number(expression) -%}
    case
        when round({{ expression }}, 0) = {{ expression }}
            then cast(cast(round({{ expression }}, 0) as {{ dbt.type_bigint() }}) as {{ dbt.type_string() }})
        else cast(round({{ expression }}, 1) as {{ dbt.type_string() }})
    end
{%- endmacro %}

{#- Points with their sign, for humans: '+15', '-10', '+0'. -#}
{% macro format_points(expression) -%}
    {{ dbt.concat(["case when " ~ expression ~ " < 0 then '' else '+' end", format_number(expression)]) }}
{%- endmacro %}

{#- Clamp a numeric expression between two bounds (either may be a null column: no bound). -#}
{% macro clamp(expression, lower_bound, upper_bound) -%}
    case
        when {{ upper_bound }} is not null and {{ expression }} > {{ upper_bound }} then {{ upper_bound }}
        when {{ lower_bound }} is not null and {{ expression }} < {{ lower_bound }} then {{ lower_bound }}
        else {{ expression }}
    end
{%- endmacro %}

{#-
    Name normalisation for junk matching: accents stripped, lower case, letters only, so
    'Obi-Wan  KENOBI', 'ObiWan Kenobi' and 'obiwan kenobi' all become 'obiwankenobi'.
-#}
{% macro normalize_name(expression) -%}
    {{ regexp_remove('lower(' ~ strip_accents(expression) ~ ')', "'[^a-z]'") }}
{%- endmacro %}
