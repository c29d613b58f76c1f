-- PWS per kelurahan (domain.md "PWS"; indicators.md "Common rules"): every kelurahan of a puskesmas's area
-- and its unknown-domicile row x month x indicator, zeros included, with sasaran, cumulative target,
-- trend, status and rank within the puskesmas. Publish columns are filled when a period is published.
with base as (
    select * from {{ ref('agg_indicator_kelurahan_base') }}
),

scored as (
    {{ pws_scored('base', ['puskesmas_code', 'kelurahan_code'], ['puskesmas_code'], 'kelurahan_code is not null') }}
)

select
    {{ pws_columns(['province_code', 'regency_code', 'district_code', 'kelurahan_code', 'kelurahan_name',
        'puskesmas_code', 'puskesmas_name']) }},
    area_rank as rank_in_puskesmas,
    cast(null as varchar) as publish_id,
    cast(null as timestamp) as published_at
from scored
where period_month between date '{{ first_month() }}' and date '{{ last_month() }}'
