-- Parsed once per landed file version (macros/incremental.sql): a build parses only new files' lines.
{{ config(**kept_by_landed_file()) }}

with encounters as (
    select * from {{ ref('stg_fhir__resource') }}
    where resource_type = 'Encounter' and file_resource_type = 'Encounter'{{ only_landed_paths_to_rebuild() }}
)

select
    puskesmas_code,
    resource_id as encounter_id,
    resource ->> '$.status' as encounter_status,
    resource ->> '$.type[0].coding[0].code' as encounter_type,
    resource ->> '$.period.start' as started_at_text,
    replace(resource ->> '$.subject.reference', 'Patient/', '') as patient_id,
    resource ->> '$.participant[0].type[0].coding[0].code' as participant_role,
    resource ->> '$.location[0].physicalType.coding[0].code' as location_type,
    replace(resource ->> '$.serviceProvider.reference', 'Organization/', '') as service_provider_code,
    last_updated_text,
    export_month,
    source_file,
    source_line
from encounters
