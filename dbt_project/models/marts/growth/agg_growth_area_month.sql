-- SKDN and nutrition counts per area (kelurahan, or the puskesmas's unknown-domicile row) and month.
-- Implausible z-scores exclude the child from that indicator (no fall-back to an earlier measurement).
select
    puskesmas_code,
    case when domicile_status = 'wilayah' then kelurahan_code end as kelurahan_code,
    period_month,
    count(*) filter (where skdn_category is not null) as d,
    count(*) filter (where skdn_category = 'N') as n,
    count(*) filter (where skdn_category = 'T') as t,
    count(*) filter (where skdn_category = 'O') as o,
    count(*) filter (where skdn_category = 'B') as b,
    count(*) filter (where haz is not null and not haz_implausible) as measured_haz,
    count(*) filter (where haz < -2 and not haz_implausible) as stunted,
    count(*) filter (where haz < -3 and not haz_implausible) as severely_stunted,
    count(*) filter (where whz is not null and not whz_implausible) as measured_whz,
    count(*) filter (where whz < -2 and not whz_implausible) as wasted,
    count(*) filter (where whz < -3 and not whz_implausible) as severely_wasted,
    count(*) filter (where whz > 2 and not whz_implausible) as overweight,
    count(*) filter (where waz is not null and not waz_implausible) as measured_waz,
    count(*) filter (where waz < -2 and not waz_implausible) as underweight,
    count(*) filter (where haz_implausible or whz_implausible or waz_implausible) as implausible_excluded
from {{ ref('fct_child_growth_monthly') }}
where domicile_status <> 'luar_wilayah'
group by all
