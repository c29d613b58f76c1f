-- Numerators (and measured denominators) of the catalogue's indicators per area and month, long.
-- Event indicators count a child once, in the month the condition is first met, in the domicile of the
-- record that completes it; records of residents outside the reference are not counted in any area.
with immunisation as (
    select * from {{ ref('fct_immunisation') }}
    where is_valid_age and domicile_status <> 'luar_wilayah'
),

first_valid_dose as (
    select
        person_key,
        antigen_code,
        life_cycle_group,
        min(administered_on) as met_on,
        min(strftime(administered_on, '%Y%m%d') || record_id) as completing_record,
        arg_min(puskesmas_code, strftime(administered_on, '%Y%m%d') || record_id) as puskesmas_code,
        arg_min(
            case when domicile_status = 'wilayah' then kelurahan_code end,
            strftime(administered_on, '%Y%m%d') || record_id
        ) as kelurahan_code
    from immunisation
    group by all
),

dose_events as (
    select
        puskesmas_code,
        kelurahan_code,
        date_trunc('month', met_on)::date as period_month,
        'IMM_' || antigen_code as indicator_code,
        count(*) as numerator_month,
        null::bigint as measured_denominator
    from first_valid_dose
    group by all
),

complete_infant as (
    -- IDL: every infant antigen within its valid age; counted when the last of them is given
    select
        person_key,
        max(met_on) as met_on,
        arg_max(puskesmas_code, completing_record) as puskesmas_code,
        arg_max(kelurahan_code, completing_record) as kelurahan_code
    from first_valid_dose
    where life_cycle_group = 'bayi'
    group by person_key
    having
        count(distinct antigen_code)
        = (
            select count(*) from {{ ref('immunisation_schedule') }}
            where life_cycle_group = 'bayi'
        )
),

idl_events as (
    select
        puskesmas_code,
        kelurahan_code,
        date_trunc('month', met_on)::date as period_month,
        'IDL' as indicator_code,
        count(*) as numerator_month,
        null::bigint as measured_denominator
    from complete_infant
    group by all
),

growth as (
    select * from {{ ref('int_growth__area_month') }}
),

growth_values as (
    unpivot (
        select
            puskesmas_code,
            kelurahan_code,
            period_month,
            { 'numerator_month': d, 'measured_denominator': null } as DS,
            { 'numerator_month': n, 'measured_denominator': n + t } as ND,
            { 'numerator_month': stunted, 'measured_denominator': measured_haz } as STUNTING,
            { 'numerator_month': wasted, 'measured_denominator': measured_whz } as WASTING,
            { 'numerator_month': underweight, 'measured_denominator': measured_waz } as UNDERWEIGHT,
            { 'numerator_month': overweight, 'measured_denominator': measured_whz } as OVERWEIGHT
        from growth
    )
    on DS, ND, STUNTING, WASTING, UNDERWEIGHT, OVERWEIGHT
    into name indicator_code value counts
)

select * from dose_events
union all
select * from idl_events
union all
select
    puskesmas_code,
    kelurahan_code,
    period_month,
    indicator_code,
    counts.numerator_month,
    counts.measured_denominator
from growth_values
