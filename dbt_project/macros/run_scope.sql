{#- The months a build covers and the fingerprint of the dbt code, set by the Dagster step in the
    environment of its dbt process (ILP_DBT_FIRST_MONTH, ILP_DBT_LAST_MONTH, ILP_DBT_CODE_FINGERPRINT).
    They are read only when a model runs, never while dbt parses: a value that differs from one build to
    the next would otherwise invalidate dbt's partial parsing and re-parse the whole project on every run
    (about 2 s). A `--vars` value of the same name, as in unit tests and hand-run builds, takes precedence.
    Without either, a build covers 2026. -#}

{% macro run_month(bound) -%}
    {%- set name = bound ~ '_month' -%}
    {%- if not execute -%}
        {{ return('2026-01-01') }}
    {%- endif -%}
    {%- set default = '2026-12-01' if bound == 'last' else '2026-01-01' -%}
    {{ return(var(name, none) or env_var('ILP_DBT_' ~ (name | upper), default)) }}
{%- endmacro %}

{% macro first_month() -%}
    {{ return(run_month('first')) }}
{%- endmacro %}

{% macro last_month() -%}
    {{ return(run_month('last')) }}
{%- endmacro %}

{% macro code_fingerprint() -%}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {{ return(var('code_fingerprint', none) or env_var('ILP_DBT_CODE_FINGERPRINT', '')) }}
{%- endmacro %}
