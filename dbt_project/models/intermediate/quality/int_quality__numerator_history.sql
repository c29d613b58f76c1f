-- Each kelurahan's monthly numerators of the indicators the outlier check judges, kept for every month a
-- run has computed: a later run judges its months against them, though they lie before its month spine
-- (int_quality__indicator_outliers). A run replaces the months of its spine (macros/incremental.sql);
-- zeros are not kept.
{{ config(
    materialized='incremental',
    incremental_strategy='months_of_the_spine',
    on_schema_change='sync_all_columns',
) }}

select
    base.period_month,
    base.kelurahan_code,
    base.indicator_code,
    sum(base.numerator_month) as numerator_month
from {{ ref('agg_indicator_kelurahan_base') }} as base
inner join {{ ref('indicator_catalogue') }} as catalogue on base.indicator_code = catalogue.indicator_code
where
    base.kelurahan_code is not null
    and base.numerator_month <> 0
    and catalogue.kind in ('event', 'monthly', 'prevalence')
group by all
