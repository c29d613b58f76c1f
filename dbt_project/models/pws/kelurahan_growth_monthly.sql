-- SKDN and nutrition status per kelurahan and month (outputs.md pws.kelurahan_growth_monthly).
with spine as (
    {{ month_spine() }}
),

grid as (
    select
        areas.*,
        spine.period_month
    from {{ ref('int_region__areas') }} as areas
    cross join spine
),

joined as (
    select
        grid.*,
        coalesce(by_name.persons, 0) as s_by_name,
        projected.sasaran as s_projected,
        coalesce(growth.d, 0) as d,
        coalesce(growth.n, 0) as n,
        coalesce(growth.t, 0) as t,
        coalesce(growth.o, 0) as o,
        coalesce(growth.b, 0) as b,
        coalesce(growth.measured_haz, 0) as measured_haz,
        coalesce(growth.stunted, 0) as stunted,
        coalesce(growth.severely_stunted, 0) as severely_stunted,
        coalesce(growth.measured_whz, 0) as measured_whz,
        coalesce(growth.wasted, 0) as wasted,
        coalesce(growth.severely_wasted, 0) as severely_wasted,
        coalesce(growth.overweight, 0) as overweight,
        coalesce(growth.measured_waz, 0) as measured_waz,
        coalesce(growth.underweight, 0) as underweight,
        coalesce(growth.implausible_excluded, 0) as implausible_excluded
    from grid
    left join {{ ref('agg_growth_area_month') }} as growth
        on
            growth.puskesmas_code = grid.puskesmas_code
            and growth.kelurahan_code is not distinct from grid.kelurahan_code
            and growth.period_month = grid.period_month
    left join {{ ref('agg_sasaran_by_name') }} as by_name
        on
            by_name.puskesmas_code = grid.puskesmas_code
            and by_name.kelurahan_code is not distinct from grid.kelurahan_code
            and by_name.period_month = grid.period_month
            and by_name.sasaran_key = 'balita'
    left join {{ ref('int_sasaran__projected') }} as projected
        on
            projected.kelurahan_code = grid.kelurahan_code
            and projected.target_year = year(grid.period_month)
            and projected.sasaran_key = 'balita'
)

select
    period_month,
    year(period_month)::integer as year,
    month(period_month)::integer as month,
    province_code,
    regency_code,
    district_code,
    kelurahan_code,
    kelurahan_name,
    puskesmas_code,
    puskesmas_name,
    s_by_name::bigint as s_by_name,
    s_projected::double as s_projected,
    d::bigint as d,
    n::bigint as n,
    t::bigint as t,
    o::bigint as o,
    b::bigint as b,
    case when s_by_name > 0 then d / s_by_name * 100 end as ds_pct,
    case when n + t > 0 then n / (n + t) * 100 end as nd_pct,
    measured_haz::bigint as measured_haz,
    stunted::bigint as stunted,
    severely_stunted::bigint as severely_stunted,
    measured_whz::bigint as measured_whz,
    wasted::bigint as wasted,
    severely_wasted::bigint as severely_wasted,
    overweight::bigint as overweight,
    measured_waz::bigint as measured_waz,
    underweight::bigint as underweight,
    case when measured_haz > 0 then stunted / measured_haz * 100 end as stunting_pct,
    case when measured_haz > 0 then severely_stunted / measured_haz * 100 end as severely_stunted_pct,
    case when measured_whz > 0 then wasted / measured_whz * 100 end as wasting_pct,
    case when measured_whz > 0 then severely_wasted / measured_whz * 100 end as severely_wasted_pct,
    case when measured_waz > 0 then underweight / measured_waz * 100 end as underweight_pct,
    case when measured_whz > 0 then overweight / measured_whz * 100 end as overweight_pct,
    implausible_excluded::bigint as implausible_excluded,
    null::varchar as publish_id,
    null::timestamp as published_at
from joined
where period_month between date '{{ first_month() }}' and date '{{ last_month() }}'
