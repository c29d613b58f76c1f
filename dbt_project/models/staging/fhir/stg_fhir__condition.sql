-- Parsed once per landed file version (macros/incremental.sql): a build parses only new files' lines.
{{ config(**kept_by_landed_file()) }}

with conditions as (
    select * from {{ ref('stg_fhir__resource') }}
    where resource_type = 'Condition' and file_resource_type = 'Condition'{{ only_landed_paths_to_rebuild() }}
)

select
    puskesmas_code,
    resource_id as condition_id,
    upper(list_filter(
        from_json(resource -> '$.code.coding', '[{"system":"VARCHAR","code":"VARCHAR"}]'),
        lambda c: c.system = 'http://hl7.org/fhir/sid/icd-10'
    )[1].code) as icd10_code,
    resource ->> '$.clinicalStatus.coding[0].code' as clinical_status,
    resource ->> '$.recordedDate' as recorded_at_text,
    replace(resource ->> '$.subject.reference', 'Patient/', '') as patient_id,
    last_updated_text,
    export_month,
    source_file,
    source_line
from conditions
