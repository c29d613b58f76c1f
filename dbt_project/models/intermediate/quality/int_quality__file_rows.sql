-- What became of every received row, per landed file (row conservation): accepted, quarantined with a
-- reason, or merged as a duplicate (a visit in a more recently modified file, or a superseded version of
-- a FHIR resource). FHIR lines that cannot be used carry their reason from int_fhir__invalid_lines.
{{ config(materialized='view') }}

with files as (
    select
        path as source_file,
        source,
        rows_received,
        strptime(regexp_extract(path, '([0-9]{4}-[0-9]{2})', 1), '%Y-%m')::date as file_month,
        case
            when source = 'fhir' then split_part(path, '/', 2)
        end as file_puskesmas_code,
        upper(regexp_extract(path, '/([^/]+)\.[A-Za-z]+$', 1)) as file_stem
    from {{ source('raw', 'current_file') }}
    where status = 'loaded' and source in ('posyandu_register', 'fhir')
),

register_rows as (
    select
        source_file,
        coalesce(quarantine_reason, case when is_duplicate then 'duplikat' end) as fate,
        count(*) as row_count,
        any_value(posyandu_puskesmas_code) as puskesmas_code
    from {{ ref('int_posyandu__visits_checked') }}
    group by all
),

fhir_winners as (
    select
        source_file,
        source_line
    from {{ ref('int_fhir__patient_latest') }}
    union all
    select
        source_file,
        source_line
    from {{ ref('int_fhir__encounter_latest') }}
    union all
    select
        source_file,
        source_line
    from {{ ref('int_fhir__observation_latest') }}
    union all
    select
        source_file,
        source_line
    from {{ ref('int_fhir__immunization_latest') }}
    union all
    select
        source_file,
        source_line
    from {{ ref('int_fhir__condition_latest') }}
),

fhir_rows as (
    select
        resource_lines.source_file,
        case
            when invalid.quarantine_reason is not null then invalid.quarantine_reason
            when winners.source_file is null then 'duplikat'
        end as fate,
        count(*) as row_count,
        any_value(resource_lines.puskesmas_code) as puskesmas_code
    from {{ ref('stg_fhir__resource') }} as resource_lines
    left join {{ ref('int_fhir__invalid_lines') }} as invalid
        on resource_lines.source_file = invalid.source_file and resource_lines.source_line = invalid.source_line
    left join fhir_winners as winners
        on resource_lines.source_file = winners.source_file and resource_lines.source_line = winners.source_line
    group by all
),

fates as (
    select * from register_rows
    union all
    select * from fhir_rows
)

select
    files.source_file,
    files.source,
    files.file_month as period_month,
    coalesce(files.file_puskesmas_code, posyandu.puskesmas_code, any_value(fates.puskesmas_code)) as puskesmas_code,
    any_value(files.rows_received) as rows_received,
    coalesce(sum(fates.row_count) filter (where fates.fate is null), 0) as rows_accepted,
    coalesce(sum(fates.row_count) filter (where fates.fate not in ('duplikat')), 0) as rows_quarantined,
    coalesce(sum(fates.row_count) filter (where fates.fate = 'duplikat'), 0) as rows_duplicate,
    map_from_entries(
        coalesce(
            list(struct_pack(k := fates.fate, v := fates.row_count)) filter (where fates.fate not in ('duplikat')), []
        )
    ) as quarantined_by_reason
from files
left join fates on files.source_file = fates.source_file
left join {{ ref('stg_reference__posyandu') }} as posyandu on files.file_stem = posyandu.posyandu_code
group by files.source_file, files.source, files.file_month, files.file_puskesmas_code, posyandu.puskesmas_code
