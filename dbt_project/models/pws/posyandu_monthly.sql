-- One row per active posyandu and month (outputs.md pws.posyandu_monthly): whether and when its register
-- arrived, what became of its rows, visitors, and its kader by competency badge.
select
    period_month,
    year(period_month)::integer as year,
    month(period_month)::integer as month,
    posyandu_code,
    posyandu_name,
    kelurahan_code,
    puskesmas_code,
    reported,
    received_at,
    on_time,
    rows_received::bigint as rows_received,
    rows_accepted::bigint as rows_accepted,
    rows_quarantined::bigint as rows_quarantined,
    visitors::bigint as visitors,
    active_kader::bigint as active_kader,
    kader_purwa::bigint as kader_purwa,
    kader_madya::bigint as kader_madya,
    kader_utama::bigint as kader_utama,
    null::varchar as publish_id,
    null::timestamp as published_at
from {{ ref('int_posyandu__monthly') }}
where period_month between date '{{ first_month() }}' and date '{{ last_month() }}'
