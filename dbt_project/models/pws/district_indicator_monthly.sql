-- PWS per district (outputs.md): numerators and denominators summed over the kelurahan (and, for a
-- puskesmas, its unknown-domicile row), then coverage recomputed, never averaged; `level` indicators give
-- the share of kelurahan (UCI) or the ratio of sums.
with kelurahan as (
    select
        base.*,
        districts.district_name,
        regencies.regency_name
    from {{ ref('agg_indicator_kelurahan_base') }} as base
    left join (select distinct
        district_code,
        district_name
    from {{ ref('int_region__kelurahan') }}) as districts
        on base.district_code = districts.district_code
    left join (select distinct
        regency_code,
        regency_name
    from {{ ref('int_region__kelurahan') }}) as regencies
        on base.regency_code = regencies.regency_code
    where base.kelurahan_code is not null
),

summed as (
    select
        province_code,
        regency_code,
        district_code,
        district_name,
        period_month,
        indicator_code,
        any_value(indicator_name) as indicator_name,
        any_value(life_cycle_group) as life_cycle_group,
        any_value(kind) as kind,
        any_value(direction) as direction,
        any_value(unit) as unit,
        any_value(denominator_type) as denominator_type,
        any_value(target_annual) as target_annual,
        sum(numerator_month) as numerator_month,
        sum(numerator_ytd) as numerator_ytd,
        sum(denominator) as denominator,
        sum(target_population_projected) as target_population_projected,
        sum(target_population_by_name) as target_population_by_name
    from kelurahan
    group by province_code, regency_code, district_code, district_name, period_month, indicator_code
),

scored as (
    {{ pws_scored('summed', ['district_code'], ['regency_code']) }}
)

select
    {{ pws_columns(['province_code', 'regency_code', 'district_code', 'district_name']) }},
    area_rank as rank_in_regency,
    cast(null as varchar) as publish_id,
    cast(null as timestamp) as published_at
from scored
where period_month between date '{{ var("first_month") }}' and date '{{ var("last_month") }}'
