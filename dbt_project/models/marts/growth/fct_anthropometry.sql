-- Child anthropometry with WHO 2006 z-scores computed in SQL (domain.md "Child growth"), reproducing
-- WHO's anthro package: age in days = service date - birth date; standing under 9 months is not
-- adjusted (anthro's c9mo rule); standing under 731 days +0.7 cm, lying from 731 days -0.7 cm;
-- weight-for-length/height interpolates L, M, S between 0.1 cm rows; z rounded to 2 decimals.
{{ config(materialized='view') }}

with measurements as (
    select
        measurements.*,
        persons.person_key,
        persons.sex,
        measurements.measured_on - persons.birth_date as age_days,
        (measurements.measured_on - persons.birth_date) / 30.4375 as age_months,
        {{ completed_months('persons.birth_date', 'measurements.measured_on') }} as age_completed_months,
        case persons.sex when 'L' then 1 when 'P' then 2 end as sex_number
    from {{ ref('int_growth__measurements') }} as measurements
    inner join {{ ref('int_identity__persons') }} as persons on measurements.person_id = persons.person_id
    where
        persons.birth_date is not null
        and measurements.measured_on - persons.birth_date between 0 and 1856
),

adjusted as (
    select
        *,
        case when measure_position = 'h' and age_months < 9 then null else measure_position end as position_used,
        case
            when age_days < 731 and measure_position = 'h' and age_months >= 9 then height_cm + 0.7
            when age_days >= 731 and measure_position = 'l' then height_cm - 0.7
            else height_cm
        end as lenhei_cm
    from measurements
),

interpolation as (
    select
        *,
        weight_kg / power(lenhei_cm / 100, 2) as bmi,
        trunc(lenhei_cm * 10) / 10 as lenhei_low,
        trunc(lenhei_cm * 10 + 1) / 10 as lenhei_high,
        (lenhei_cm - trunc(lenhei_cm * 10) / 10) / 0.1 as lenhei_fraction,
        case when age_days < 731 then 'wfl' else 'wfh' end as weight_for_lenhei_table
    from adjusted
),

with_lms as (
    select
        interpolation.*,
        lhfa.l as lhfa_l,
        lhfa.m as lhfa_m,
        lhfa.s as lhfa_s,
        wfa.l as wfa_l,
        wfa.m as wfa_m,
        wfa.s as wfa_s,
        bfa.l as bfa_l,
        bfa.m as bfa_m,
        bfa.s as bfa_s,
        case
            when interpolation.lenhei_fraction > 0
                then low.l + interpolation.lenhei_fraction * (high.l - low.l)
            else low.l
        end as wflh_l,
        case
            when interpolation.lenhei_fraction > 0
                then low.m + interpolation.lenhei_fraction * (high.m - low.m)
            else low.m
        end as wflh_m,
        case
            when interpolation.lenhei_fraction > 0
                then low.s + interpolation.lenhei_fraction * (high.s - low.s)
            else low.s
        end as wflh_s,
        case interpolation.weight_for_lenhei_table
            when 'wfl' then interpolation.lenhei_cm between 45 and 110
            else interpolation.lenhei_cm between 65 and 120
        end as lenhei_in_range
    from interpolation
    left join {{ ref('who_lms_by_age') }} as lhfa
        on lhfa.indicator = 'lhfa' and lhfa.sex = interpolation.sex_number and lhfa.age_days = interpolation.age_days
    left join {{ ref('who_lms_by_age') }} as wfa
        on wfa.indicator = 'wfa' and wfa.sex = interpolation.sex_number and wfa.age_days = interpolation.age_days
    left join {{ ref('who_lms_by_age') }} as bfa
        on bfa.indicator = 'bfa' and bfa.sex = interpolation.sex_number and bfa.age_days = interpolation.age_days
    left join {{ ref('who_lms_by_lenhei') }} as low
        on
            low.indicator = interpolation.weight_for_lenhei_table and low.sex = interpolation.sex_number
            and round(low.lenhei_cm * 10) = round(interpolation.lenhei_low * 10)
    left join {{ ref('who_lms_by_lenhei') }} as high
        on
            high.indicator = interpolation.weight_for_lenhei_table and high.sex = interpolation.sex_number
            and round(high.lenhei_cm * 10) = round(interpolation.lenhei_high * 10)
),

scored as (
    select
        *,
        case
            when lenhei_cm > 0 and age_months < 60
                then round({{ who_z('lenhei_cm', 'lhfa_l', 'lhfa_m', 'lhfa_s') }}, 2)
        end as haz,
        case
            when weight_kg > 0 and age_months < 60
                then round({{ who_z_restricted('weight_kg', 'wfa_l', 'wfa_m', 'wfa_s') }}, 2)
        end as waz,
        case
            when weight_kg > 0 and lenhei_in_range and age_months < 60
                then round({{ who_z_restricted('weight_kg', 'wflh_l', 'wflh_m', 'wflh_s') }}, 2)
        end as whz,
        case
            when bmi > 0 and age_months < 60
                then round({{ who_z_restricted('bmi', 'bfa_l', 'bfa_m', 'bfa_s') }}, 2)
        end as baz
    from with_lms
)

select
    person_key,
    record_id,
    source,
    measured_on,
    sex,
    age_days,
    age_completed_months,
    weight_kg,
    height_cm,
    lenhei_cm,
    measure_position = 'l' as measured_lying,
    measure_position = 'h' and age_months < 9 as standing_under_nine_months,
    haz,
    waz,
    whz,
    baz,
    haz < -6 or haz > 6 as haz_implausible,
    waz < -6 or waz > 5 as waz_implausible,
    whz < -5 or whz > 5 as whz_implausible,
    baz < -5 or baz > 5 as baz_implausible,
    kelurahan_code,
    domicile_status,
    puskesmas_code
from scored
