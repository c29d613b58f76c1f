{#- WHO 2006 LMS z-scores (Permenkes 2/2020; WHO anthro R package, z-score-helper.R).
    z = ((y/M)^L - 1) / (L S); for weight-based indicators beyond +-3 the restricted extension uses the
    distance between SD3 and SD2 (WHO 2006, chapter 7). -#}

{% macro who_sd(l, m, s, k) -%}
    ({{ m }} * power(1 + {{ l }} * {{ s }} * ({{ k }}), 1 / {{ l }}))
{%- endmacro %}

{% macro who_z(y, l, m, s) -%}
    ((power({{ y }} / {{ m }}, {{ l }}) - 1) / ({{ s }} * {{ l }}))
{%- endmacro %}

{% macro who_z_restricted(y, l, m, s) -%}
    case
        when {{ who_z(y, l, m, s) }} > 3
            then 3 + ({{ y }} - {{ who_sd(l, m, s, 3) }}) / ({{ who_sd(l, m, s, 3) }} - {{ who_sd(l, m, s, 2) }})
        when {{ who_z(y, l, m, s) }} < -3
            then -3 + ({{ y }} - {{ who_sd(l, m, s, -3) }}) / ({{ who_sd(l, m, s, -2) }} - {{ who_sd(l, m, s, -3) }})
        else {{ who_z(y, l, m, s) }}
    end
{%- endmacro %}

{% macro month_spine() -%}
    {#- From the December before the first published year (trends and year-to-date need it) to the last. -#}
    select
        period_month::date as period_month,
        (period_month + interval 1 month - interval 1 day)::date as month_end
    from generate_series(
        make_date(year(date '{{ first_month() }}') - 1, 12, 1),
        date '{{ last_month() }}',
        interval 1 month
    ) as spine (period_month)
{%- endmacro %}
