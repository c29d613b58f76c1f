-- FHIR lines that cannot be used at all (sources.md "Faulty values versus faulty rows"), with the reason:
-- not valid JSON, not the resource the file is named for, or a required field of the contract
-- (data_contracts/fhir.yml, via raw.contract_column) missing or an unreadable date-time.
{{ config(**kept_by_landed_file()) }}

-- Checked once per landed file version (macros/incremental.sql).
with lines as (
    select * from {{ ref('stg_fhir__resource') }}
    where true{{ only_landed_paths_to_rebuild() }}
),

required_fields as (
    select
        replace(source_name, 'fhir_', '') as resource_type,
        column_name as field_path
    from {{ source('raw', 'contract_column') }}
    where source_name like 'fhir_%' and is_required
),

checked as (
    select
        lines.source_file,
        lines.source_line,
        lines.puskesmas_code,
        case
            when not lines.is_valid_json then 'json_rusak'
            when coalesce(lines.resource_type, '') <> lines.file_resource_type then 'tipe_resource_salah'
            when exists (
                select 1 from required_fields
                where
                    required_fields.resource_type = lines.resource_type
                    and nullif(trim(json_extract_string(lines.resource, '$.' || required_fields.field_path)), '')
                    is null
            ) then 'kolom_wajib_kosong'
            when
                coalesce(
                    lines.resource ->> '$.period.start',
                    lines.resource ->> '$.effectiveDateTime',
                    lines.resource ->> '$.occurrenceDateTime'
                ) is not null
                and try_cast(left(coalesce(
                    lines.resource ->> '$.period.start',
                    lines.resource ->> '$.effectiveDateTime',
                    lines.resource ->> '$.occurrenceDateTime'
                ), 10) as date) is null
                then 'tanggal_tidak_valid'
        end as quarantine_reason
    from lines
)

select *
from checked
where quarantine_reason is not null
