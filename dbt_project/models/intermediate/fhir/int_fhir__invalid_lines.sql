-- FHIR lines that cannot be used at all (sources.md "Faulty values versus faulty rows"), with the reason:
-- not valid JSON, not the resource the file is named for, or a required field of the contract
-- (data_contracts/fhir.yml, via raw.contract_column) missing or an unreadable date-time.
{{ config(**kept_by_landed_file()) }}

-- Checked once per landed file version (macros/incremental.sql).
{%- set required_paths = fhir_required_paths() %}
{%- set date_fields = {
    "period": {"start": "VARCHAR"}, "effectiveDateTime": "VARCHAR", "occurrenceDateTime": "VARCHAR"
} %}

with lines as (
    select
        *,
        {{ fhir_fields(date_fields) }} as dates
    from {{ ref('stg_fhir__resource') }}
    where true{{ only_landed_paths_to_rebuild() }}
),

checked as (
    select
        lines.source_file,
        lines.source_line,
        lines.puskesmas_code,
        case
            when not lines.is_valid_json then 'json_rusak'
            when coalesce(lines.resource_type, '') <> lines.file_resource_type then 'tipe_resource_salah'
            when {{ fhir_required_field_missing('lines.resource', 'lines.resource_type', required_paths) }}
                then 'kolom_wajib_kosong'
            when
                coalesce(lines.dates.period.start, lines.dates.effectivedatetime, lines.dates.occurrencedatetime)
                is not null
                and try_cast(left(coalesce(
                    lines.dates.period.start, lines.dates.effectivedatetime, lines.dates.occurrencedatetime
                ), 10) as date) is null
                then 'tanggal_tidak_valid'
        end as quarantine_reason
    from lines
)

select *
from checked
where quarantine_reason is not null
