-- Parsed once per landed file version (macros/incremental.sql): a build parses only new files' lines.
{{ config(**kept_by_landed_file()) }}

with immunizations as (
    select * from {{ ref('stg_fhir__resource') }}
    where resource_type = 'Immunization' and file_resource_type = 'Immunization'{{ only_landed_paths_to_rebuild() }}
)

select
    puskesmas_code,
    resource_id as immunization_id,
    resource ->> '$.status' as immunization_status,
    upper(list_filter(
        from_json(resource -> '$.vaccineCode.coding', '[{"system":"VARCHAR","code":"VARCHAR"}]'),
        lambda c: c.system = 'urn:ilp:antigen'
    )[1].code) as antigen_code,
    resource ->> '$.occurrenceDateTime' as occurred_at_text,
    replace(resource ->> '$.patient.reference', 'Patient/', '') as patient_id,
    try_cast(resource ->> '$.protocolApplied[0].doseNumberPositiveInt' as integer) as dose_number,
    replace(resource ->> '$.location.reference', 'Location/', '') as location_code,
    last_updated_text,
    export_month,
    source_file,
    source_line
from immunizations
