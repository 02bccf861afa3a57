{#- Replace accented Latin letters by their base letter ('Zoë' -> 'Zoe'). -#}
{% macro strip_accents(expression) -%}
    {{ return(adapter.dispatch('strip_accents', 'lead_scoring')(expression)) }}
{%- endmacro %}

{% macro default__strip_accents(expression) -%}
    translate(
        {{ expression }},
        'ÀÁÂÃÄÅàáâãäåĀāĂăĄąÇçĆćČčĎďÈÉÊËèéêëĒēĖėĘęĚěÌÍÎÏìíîïĪīĮįıŁłÑñŃńŇňÒÓÔÕÖØòóôõöøŌōŐőŘřŚśŠšŞşŤťÙÚÛÜùúûüŪūŮůŰűÝýÿŹźŻżŽžß',
        'AAAAAAaaaaaaAaAaAaCcCcCcDdEEEEeeeeEeEeEeEeIIIIiiiiIiIiiLlNnNnNnOOOOOOooooooOoOoRrSsSsSsTtUUUUuuuuUuUuUuYyyZzZzZzs'
    )
{%- endmacro %}

{% macro duckdb__strip_accents(expression) -%}
    strip_accents({{ expression }})
{%- endmacro %}
