-- Parsed once per landed file version (macros/incremental.sql): a build parses only new files' lines.
{{ config(**kept_by_landed_file()) }}
{%- set fields = {
    "identifier": [{"system": "VARCHAR", "value": "VARCHAR"}],
    "name": [{"text": "VARCHAR"}],
    "gender": "VARCHAR",
    "birthDate": "VARCHAR",
    "address": [{"extension": [{"extension": [{"url": "VARCHAR", "valueCode": "VARCHAR"}]}]}]
} -%}

with patients as (
    select
        *,
        {{ fhir_fields(fields) }} as fields
    from {{ ref('stg_fhir__resource') }}
    where resource_type = 'Patient' and file_resource_type = 'Patient'{{ only_landed_paths_to_rebuild() }}
)

select
    puskesmas_code,
    resource_id as patient_id,
    -- identity (restricted)
    list_filter(fields.identifier, lambda i: i.system = 'https://fhir.kemkes.go.id/id/nik')[1].value as nik_text,
    list_filter(fields.identifier, lambda i: i.system = 'https://fhir.kemkes.go.id/id/nik-ibu')[1].value
        as mother_nik_text,
    fields.name[1].text as person_name,
    case fields.gender when 'male' then 'L' when 'female' then 'P' end as sex_text,
    try_cast(fields.birthdate as date) as birth_date,
    -- domicile: the administrativeCode extension's village
    {{ region_code("list_filter(fields.address[1].extension[1].extension, lambda e: e.url = 'village')[1].valuecode") }}
        as village_code,
    -- versions
    last_updated_text,
    export_month,
    source_file,
    source_line
from patients
