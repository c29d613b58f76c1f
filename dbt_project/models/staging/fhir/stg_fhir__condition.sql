-- Parsed once per landed file version (macros/incremental.sql): a build parses only new files' lines.
{{ config(**kept_by_landed_file()) }}
{%- set fields = {
    "code": {"coding": [{"system": "VARCHAR", "code": "VARCHAR"}]},
    "clinicalStatus": {"coding": [{"code": "VARCHAR"}]},
    "recordedDate": "VARCHAR",
    "subject": {"reference": "VARCHAR"}
} -%}

with conditions as (
    select
        *,
        {{ fhir_fields(fields) }} as fields
    from {{ ref('stg_fhir__resource') }}
    where resource_type = 'Condition' and file_resource_type = 'Condition'{{ only_landed_paths_to_rebuild() }}
)

select
    puskesmas_code,
    resource_id as condition_id,
    upper(list_filter(fields.code.coding, lambda c: c.system = 'http://hl7.org/fhir/sid/icd-10')[1].code) as icd10_code,
    fields.clinicalstatus.coding[1].code as clinical_status,
    fields.recordeddate as recorded_at_text,
    replace(fields.subject.reference, 'Patient/', '') as patient_id,
    last_updated_text,
    export_month,
    source_file,
    source_line
from conditions
