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

{% macro spine_start() -%}
    {#- The December before the first published year (trends and year-to-date need it), as a constant:
        DuckDB applies a filter on a constant where a view's rows are scanned, one on a subquery after. -#}
    {{ return((first_month()[:4] | int - 1) ~ '-12-01') }}
{%- endmacro %}

{% macro month_spine() -%}
    {#- From the spine's start to the run's last month. -#}
    select
        period_month::date as period_month,
        (period_month + interval 1 month - interval 1 day)::date as month_end
    from generate_series(
        date '{{ spine_start() }}',
        date '{{ last_month() }}',
        interval 1 month
    ) as spine (period_month)
{%- endmacro %}
