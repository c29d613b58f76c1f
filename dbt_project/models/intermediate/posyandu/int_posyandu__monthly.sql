-- Each posyandu and month: active by the reference's dates, whether its register arrived (any file of the
-- month folder named after it or holding its rows, even when the file was rejected), when, and what
-- became of its rows. Only the spine's months are listed, so only their files and records are read: the
-- spine's first month is a constant (macros/who_growth.sql), which DuckDB applies where rows are scanned.
with spine as (
    {{ month_spine() }}
),

posyandu as (
    select * from {{ ref('stg_reference__posyandu') }}
),

active as (
    select
        posyandu.*,
        spine.period_month,
        spine.month_end
    from posyandu
    inner join spine
        on
            posyandu.active_from <= spine.month_end
            and (posyandu.inactive_from is null or posyandu.inactive_from > spine.period_month)
),

files as (
    select
        path,
        file_hash,
        modified_at,
        strptime(split_part(path, '/', 2), '%Y-%m')::date as period_month,
        upper(regexp_extract(path, '/([^/]+)\.[A-Za-z]+$', 1)) as file_stem
    from {{ source('raw', 'current_file') }}
    where
        source = 'posyandu_register'
        and strptime(split_part(path, '/', 2), '%Y-%m')::date >= date '{{ spine_start() }}'
),

rows_by_posyandu as (
    select
        coalesce(posyandu_code, file_stem) as posyandu_code,
        source_file,
        count(*) as rows_received,
        count(*) filter (where quarantine_reason is null and not is_duplicate) as rows_accepted,
        count(*) filter (where quarantine_reason is not null) as rows_quarantined,
        count(*) filter (where is_duplicate) as rows_duplicate
    from {{ ref('int_posyandu__visits_checked') }}
    where source_file in (select files.path from files)
    group by all
),

received as (
    select
        coalesce(rows_by_posyandu.posyandu_code, files.file_stem) as posyandu_code,
        files.period_month,
        min(files.modified_at) as received_at,
        sum(coalesce(rows_by_posyandu.rows_received, 0)) as rows_received,
        sum(coalesce(rows_by_posyandu.rows_accepted, 0)) as rows_accepted,
        sum(coalesce(rows_by_posyandu.rows_quarantined, 0)) as rows_quarantined,
        sum(coalesce(rows_by_posyandu.rows_duplicate, 0)) as rows_duplicate
    from files
    left join rows_by_posyandu on files.path = rows_by_posyandu.source_file
    group by all
),

visitors as (
    select
        visits.posyandu_code,
        date_trunc('month', services.service_date)::date as period_month,
        count(distinct services.person_id) as visitors
    from {{ ref('int_services__records') }} as services
    inner join {{ ref('int_posyandu__visits_checked') }} as visits
        on services.record_id = visits.record_id
    where services.service_date >= date '{{ spine_start() }}'
    group by all
),

kader as (
    select
        posyandu_code,
        period_month,
        count(*) as active_kader,
        count(*) filter (where tkk_level = 'purwa') as kader_purwa,
        count(*) filter (where tkk_level = 'madya') as kader_madya,
        count(*) filter (where tkk_level = 'utama') as kader_utama
    from {{ ref('int_kader__competency_monthly') }}
    group by all
)

select
    active.posyandu_code,
    active.posyandu_name,
    active.kelurahan_code,
    active.puskesmas_code,
    active.period_month,
    received.posyandu_code is not null as reported,
    received.received_at,
    coalesce(received.received_at < active.month_end + interval 11 day, false) as on_time,
    coalesce(received.rows_received, 0) as rows_received,
    coalesce(received.rows_accepted, 0) as rows_accepted,
    coalesce(received.rows_quarantined, 0) as rows_quarantined,
    coalesce(received.rows_duplicate, 0) as rows_duplicate,
    coalesce(visitors.visitors, 0) as visitors,
    coalesce(kader.active_kader, 0) as active_kader,
    coalesce(kader.kader_purwa, 0) as kader_purwa,
    coalesce(kader.kader_madya, 0) as kader_madya,
    coalesce(kader.kader_utama, 0) as kader_utama
from active
left join received on active.posyandu_code = received.posyandu_code and active.period_month = received.period_month
left join visitors on active.posyandu_code = visitors.posyandu_code and active.period_month = visitors.period_month
left join kader on active.posyandu_code = kader.posyandu_code and active.period_month = kader.period_month
