-- Numerators (and measured denominators) of the catalogue's indicators per area and month, long.
-- Event indicators come from fct_indicator_events; records of residents outside the reference are not
-- counted in any area; unknown domicile counts in the puskesmas's row with kelurahan_code NULL.
-- UCI and DO_DPT1_MR1 are derived from other indicators in the PWS model. Event counts start in the year of
-- the spine's first month, whose earlier months the kelurahan base's year-to-date sums read; the other
-- numerators cover the spine, as the models they come from do.
{{ config(materialized='view') }}

with events as (
    select
        puskesmas_code,
        case when domicile_status = 'wilayah' then kelurahan_code end as kelurahan_code,
        date_trunc('month', met_on)::date as period_month,
        indicator_code,
        count(*) as numerator_month,
        null::bigint as measured_denominator
    from {{ ref('fct_indicator_events') }}
    where domicile_status <> 'luar_wilayah' and met_on >= date '{{ spine_start()[:4] }}-01-01'
    group by all
),

growth as (
    select * from {{ ref('agg_growth_area_month') }}
),

growth_values as (
    select
        puskesmas_code,
        kelurahan_code,
        period_month,
        'DS' as indicator_code,
        d as numerator_month,
        null::bigint as measured_denominator
    from growth
    union all
    select
        puskesmas_code,
        kelurahan_code,
        period_month,
        'ND',
        n,
        n + t
    from growth
    union all
    select
        puskesmas_code,
        kelurahan_code,
        period_month,
        'STUNTING',
        stunted,
        measured_haz
    from growth
    union all
    select
        puskesmas_code,
        kelurahan_code,
        period_month,
        'WASTING',
        wasted,
        measured_whz
    from growth
    union all
    select
        puskesmas_code,
        kelurahan_code,
        period_month,
        'UNDERWEIGHT',
        underweight,
        measured_waz
    from growth
    union all
    select
        puskesmas_code,
        kelurahan_code,
        period_month,
        'OVERWEIGHT',
        overweight,
        measured_whz
    from growth
),

kek as (
    select
        puskesmas_code,
        case when domicile_status = 'wilayah' then kelurahan_code end as kelurahan_code,
        period_month,
        'BUMIL_KEK' as indicator_code,
        count(*) filter (where muac_cm < 23.5) as numerator_month,
        count(*) as measured_denominator
    from {{ ref('fct_pregnant_muac_monthly') }}
    where domicile_status <> 'luar_wilayah'
    group by all
),

tb as (
    select
        person_month.puskesmas_code,
        case when person_month.domicile_status = 'wilayah' then person_month.kelurahan_code end as kelurahan_code,
        person_month.period_month,
        'SKRINING_TB' as indicator_code,
        count(*) filter (where visits.tb_screened) as numerator_month,
        count(*) as measured_denominator
    from {{ ref('fct_person_visit_monthly') }} as visits
    inner join {{ ref('fct_person_month') }} as person_month
        on visits.person_key = person_month.person_key and visits.period_month = person_month.period_month
    where person_month.domicile_status <> 'luar_wilayah'
    group by all
),

posyandu as (
    select * from {{ ref('int_posyandu__monthly') }}
),

posyandu_values as (
    select
        puskesmas_code,
        kelurahan_code,
        period_month,
        'POSYANDU_LAPOR' as indicator_code,
        count(*) filter (where reported) as numerator_month,
        count(*) as measured_denominator
    from posyandu
    group by all
    union all
    select
        puskesmas_code,
        kelurahan_code,
        period_month,
        'POSYANDU_TEPAT_WAKTU',
        count(*) filter (where on_time),
        count(*)
    from posyandu
    group by all
    union all
    select
        puskesmas_code,
        kelurahan_code,
        period_month,
        'KADER_PER_POSYANDU',
        sum(active_kader),
        count(*)
    from posyandu
    group by all
    union all
    select
        puskesmas_code,
        kelurahan_code,
        period_month,
        'KADER_TKK',
        sum(kader_purwa + kader_madya + kader_utama),
        sum(active_kader)
    from posyandu
    group by all
)

select * from events
union all
select * from growth_values
union all
select * from kek
union all
select * from tb
union all
select * from posyandu_values
