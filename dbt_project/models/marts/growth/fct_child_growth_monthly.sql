-- One row per child (0-59 months) and month of the run's spine weighed or measured: SKDN category and the
-- z-scores of the month's last valid measurement per indicator (domain.md "Growth monitoring (SKDN)";
-- indicators.md "Prevalence"). The child's area is their last record of the month (fct_person_month).
-- Months before the spine are read only for the SKDN of its first month: the month before it gives the
-- previous weight, and an earlier weighing makes a child without one 'O' rather than 'B'.
-- The month before the spine is a constant, not a subquery on it: DuckDB then reads only the run's months
-- of the anthropometry view instead of computing it for all history and filtering after.
{%- set read_from = "(date '" ~ spine_start() ~ "' - interval 1 month)::date" %}

with anthropometry as (
    select
        *,
        date_trunc('month', measured_on)::date as period_month,
        -- the month's last measurement: the latest day, then the highest record id
        strftime(measured_on, '%Y%m%d') || record_id as measurement_order
    from {{ ref('fct_anthropometry') }}
    where age_days >= 0 and measured_on >= {{ read_from }}
),

weighed_earlier as (
    select
        person_key,
        arg_max(weight_kg, strftime(measured_on, '%Y%m%d') || record_id) as last_weight_kg
    from {{ ref('fct_anthropometry') }}
    where
        age_days between 0 and 1826
        and weight_kg is not null
        and measured_on < {{ read_from }}
    group by person_key
),

by_month as (
    -- one pass over the measurements for both the month's weighing (its last one with a weight, up to
    -- 60 months) and each indicator's last valid z-score; each value and its flag as one struct: half the
    -- aggregates, 1.4 s instead of 2.4 s for a province month
    select
        person_key,
        period_month,
        arg_max(
            struct_pack(weight_kg := weight_kg, age_months := age_completed_months), measurement_order
        ) filter (where weight_kg is not null and age_days <= 1826) as weighing,
        arg_max(
            struct_pack(z_score := haz, implausible := haz_implausible), measurement_order
        ) filter (where haz is not null) as haz_latest,
        arg_max(
            struct_pack(z_score := whz, implausible := whz_implausible), measurement_order
        ) filter (where whz is not null) as whz_latest,
        arg_max(
            struct_pack(z_score := waz, implausible := waz_implausible), measurement_order
        ) filter (where waz is not null) as waz_latest
    from anthropometry
    group by person_key, period_month
),

skdn as (
    -- the previous weighed month and its weight: the latest earlier month with a weighing
    select
        *,
        last_value(case when weighing is not null then period_month end ignore nulls) over earlier_months
            as previous_month,
        last_value(weighing.weight_kg ignore nulls) over earlier_months as previous_weight_kg
    from by_month
    window earlier_months as (
        partition by person_key order by period_month rows between unbounded preceding and 1 preceding
    )
),

classified as (
    select
        skdn.person_key,
        skdn.period_month,
        skdn.weighing.weight_kg,
        case
            when skdn.weighing is not null then coalesce(skdn.previous_weight_kg, weighed_earlier.last_weight_kg)
        end as previous_weight_kg,
        increments.minimum_gain_grams,
        case
            when skdn.weighing is null then null
            when skdn.previous_month is null and weighed_earlier.person_key is null then 'B'
            when skdn.previous_month is null then 'O'
            when skdn.previous_month = skdn.period_month - interval 1 month
                then case
                    when (skdn.weighing.weight_kg - skdn.previous_weight_kg) * 1000 >= increments.minimum_gain_grams
                        then 'N'
                    else 'T'
                end
            else 'O'
        end as skdn_category,
        skdn.haz_latest.z_score as haz,
        skdn.haz_latest.implausible as haz_implausible,
        skdn.whz_latest.z_score as whz,
        skdn.whz_latest.implausible as whz_implausible,
        skdn.waz_latest.z_score as waz,
        skdn.waz_latest.implausible as waz_implausible
    from skdn
    left join weighed_earlier on skdn.person_key = weighed_earlier.person_key
    left join {{ ref('minimum_weight_increment') }} as increments
        on skdn.weighing.age_months between increments.age_months_from and increments.age_months_to
    where skdn.period_month >= date '{{ spine_start() }}'
)

select
    classified.person_key,
    classified.period_month,
    classified.skdn_category,
    classified.weight_kg,
    classified.previous_weight_kg,
    classified.minimum_gain_grams,
    classified.haz,
    classified.haz_implausible,
    classified.whz,
    classified.whz_implausible,
    classified.waz,
    classified.waz_implausible,
    person_month.kelurahan_code,
    person_month.domicile_status,
    person_month.puskesmas_code
from classified
left join {{ ref('fct_person_month') }} as person_month
    on classified.person_key = person_month.person_key and classified.period_month = person_month.period_month
