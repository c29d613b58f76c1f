-- Grain of pws.kelurahan_indicator_monthly: one row per puskesmas, kelurahan (NULL = unknown domicile),
-- month and indicator.
select
    puskesmas_code,
    kelurahan_code,
    period_month,
    indicator_code,
    count(*) as rows_at_grain
from {{ ref('kelurahan_indicator_monthly') }}
group by all
having count(*) > 1
