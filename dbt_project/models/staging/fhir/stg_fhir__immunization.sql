-- Parsed once per landed file version (macros/incremental.sql): a build parses only new files' lines.
{{ config(**kept_by_landed_file()) }}
{%- set fields = {
    "status": "VARCHAR",
    "vaccineCode": {"coding": [{"system": "VARCHAR", "code": "VARCHAR"}]},
    "occurrenceDateTime": "VARCHAR",
    "patient": {"reference": "VARCHAR"},
    "protocolApplied": [{"doseNumberPositiveInt": "VARCHAR"}],
    "location": {"reference": "VARCHAR"}
} -%}

with immunizations as (
    select
        *,
        {{ fhir_fields(fields) }} as fields
    from {{ ref('stg_fhir__resource') }}
    where resource_type = 'Immunization' and file_resource_type = 'Immunization'{{ only_landed_paths_to_rebuild() }}
)

select
    puskesmas_code,
    resource_id as immunization_id,
    fields.status as immunization_status,
    upper(list_filter(fields.vaccinecode.coding, lambda c: c.system = 'urn:ilp:antigen')[1].code) as antigen_code,
    fields.occurrencedatetime as occurred_at_text,
    replace(fields.patient.reference, 'Patient/', '') as patient_id,
    try_cast(fields.protocolapplied[1].dosenumberpositiveint as integer) as dose_number,
    replace(fields.location.reference, 'Location/', '') as location_code,
    last_updated_text,
    export_month,
    source_file,
    source_line
from immunizations
