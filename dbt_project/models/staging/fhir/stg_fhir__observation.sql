-- Parsed once per landed file version (macros/incremental.sql): a build parses only new files' lines.
{{ config(**kept_by_landed_file()) }}

with observations as (
    select * from {{ ref('stg_fhir__resource') }}
    where resource_type = 'Observation' and file_resource_type = 'Observation'{{ only_landed_paths_to_rebuild() }}
)

select
    puskesmas_code,
    resource_id as observation_id,
    resource ->> '$.status' as observation_status,
    resource ->> '$.code.coding[0].code' as loinc_code,
    try_cast(resource ->> '$.valueQuantity.value' as double) as value_number,
    resource ->> '$.valueQuantity.unit' as value_unit,
    -- a blood-pressure panel carries systolic and diastolic as components
    try_cast(list_filter(
        from_json(
            resource -> '$.component', '[{"code":{"coding":[{"code":"VARCHAR"}]},"valueQuantity":{"value":"DOUBLE"}}]'
        ),
        lambda c: c.code.coding[1].code = '8480-6'
    )[1].valueQuantity.value as double) as systolic_component,
    try_cast(list_filter(
        from_json(
            resource -> '$.component', '[{"code":{"coding":[{"code":"VARCHAR"}]},"valueQuantity":{"value":"DOUBLE"}}]'
        ),
        lambda c: c.code.coding[1].code = '8462-4'
    )[1].valueQuantity.value as double) as diastolic_component,
    resource ->> '$.effectiveDateTime' as effective_at_text,
    replace(resource ->> '$.subject.reference', 'Patient/', '') as patient_id,
    replace(resource ->> '$.encounter.reference', 'Encounter/', '') as encounter_id,
    last_updated_text,
    export_month,
    source_file,
    source_line
from observations
