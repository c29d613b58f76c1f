-- FHIR lines that cannot be used at all (sources.md "Faulty values versus faulty rows"), with the reason:
-- not valid JSON, not the resource the file is named for, or a required field of the contract
-- (data_contracts/fhir.yml, via raw.contract_column) missing or an unreadable date-time.
with lines as (
    select * from {{ ref('stg_fhir__resource') }}
),

required_fields as (
    select
        replace(source_name, 'fhir_', '') as resource_type,
        column_name as field_path
    from {{ source('raw', 'contract_column') }}
    where source_name like 'fhir_%' and is_required
),

missing_fields as (
    select
        resource_lines.source_file,
        resource_lines.source_line
    from lines as resource_lines
    inner join required_fields on resource_lines.resource_type = required_fields.resource_type
    where
        resource_lines.is_valid_json
        and nullif(trim(json_extract_string(resource_lines.resource, '$.' || required_fields.field_path)), '') is null
    group by all
),

unreadable_times as (
    select
        source_file,
        source_line
    from lines
    where
        is_valid_json
        and coalesce(
            resource ->> '$.period.start', resource ->> '$.effectiveDateTime', resource ->> '$.occurrenceDateTime'
        ) is not null
        and try_cast(left(coalesce(
            resource ->> '$.period.start', resource ->> '$.effectiveDateTime', resource ->> '$.occurrenceDateTime'
        ), 10) as date) is null
)

select
    lines.source_file,
    lines.source_line,
    lines.puskesmas_code,
    case
        when not lines.is_valid_json then 'json_rusak'
        when coalesce(lines.resource_type, '') <> lines.file_resource_type then 'tipe_resource_salah'
        when missing_fields.source_file is not null then 'kolom_wajib_kosong'
        else 'tanggal_tidak_valid'
    end as quarantine_reason
from lines
left join missing_fields
    on lines.source_file = missing_fields.source_file and lines.source_line = missing_fields.source_line
left join unreadable_times
    on lines.source_file = unreadable_times.source_file and lines.source_line = unreadable_times.source_line
where
    not lines.is_valid_json
    or coalesce(lines.resource_type, '') <> lines.file_resource_type
    or missing_fields.source_file is not null
    or unreadable_times.source_file is not null
