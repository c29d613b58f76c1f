-- Parsed once per landed file version (macros/incremental.sql): a build parses only new files' lines.
{{ config(**kept_by_landed_file()) }}
{%- set fields = {
    "status": "VARCHAR",
    "type": [{"coding": [{"code": "VARCHAR"}]}],
    "period": {"start": "VARCHAR"},
    "subject": {"reference": "VARCHAR"},
    "participant": [{"type": [{"coding": [{"code": "VARCHAR"}]}]}],
    "location": [{"physicalType": {"coding": [{"code": "VARCHAR"}]}}],
    "serviceProvider": {"reference": "VARCHAR"}
} -%}

with encounters as (
    select
        *,
        {{ fhir_fields(fields) }} as fields
    from {{ ref('stg_fhir__resource') }}
    where resource_type = 'Encounter' and file_resource_type = 'Encounter'{{ only_landed_paths_to_rebuild() }}
)

select
    puskesmas_code,
    resource_id as encounter_id,
    fields.status as encounter_status,
    fields.type[1].coding[1].code as encounter_type,
    fields.period.start as started_at_text,
    replace(fields.subject.reference, 'Patient/', '') as patient_id,
    fields.participant[1].type[1].coding[1].code as participant_role,
    fields.location[1].physicaltype.coding[1].code as location_type,
    replace(fields.serviceprovider.reference, 'Organization/', '') as service_provider_code,
    last_updated_text,
    export_month,
    source_file,
    source_line
from encounters
