-- Parsed once per landed file version (macros/incremental.sql): a build parses only new files' lines.
{{ config(**kept_by_landed_file()) }}
{%- set fields = {
    "status": "VARCHAR",
    "code": {"coding": [{"code": "VARCHAR"}]},
    "valueQuantity": {"value": "VARCHAR", "unit": "VARCHAR"},
    "component": [{"code": {"coding": [{"code": "VARCHAR"}]}, "valueQuantity": {"value": "DOUBLE"}}],
    "effectiveDateTime": "VARCHAR",
    "subject": {"reference": "VARCHAR"},
    "encounter": {"reference": "VARCHAR"}
} -%}

with observations as (
    select
        *,
        {{ fhir_fields(fields) }} as fields
    from {{ ref('stg_fhir__resource') }}
    where resource_type = 'Observation' and file_resource_type = 'Observation'{{ only_landed_paths_to_rebuild() }}
)

select
    puskesmas_code,
    resource_id as observation_id,
    fields.status as observation_status,
    fields.code.coding[1].code as loinc_code,
    try_cast(fields.valuequantity.value as double) as value_number,
    fields.valuequantity.unit as value_unit,
    -- a blood-pressure panel carries systolic and diastolic as components
    try_cast(list_filter(fields.component, lambda c: c.code.coding[1].code = '8480-6')[1].valuequantity.value as double)
        as systolic_component,
    try_cast(list_filter(fields.component, lambda c: c.code.coding[1].code = '8462-4')[1].valuequantity.value as double)
        as diastolic_component,
    fields.effectivedatetime as effective_at_text,
    replace(fields.subject.reference, 'Patient/', '') as patient_id,
    replace(fields.encounter.reference, 'Encounter/', '') as encounter_id,
    last_updated_text,
    export_month,
    source_file,
    source_line
from observations
