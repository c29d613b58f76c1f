-- Person records of both sources with the identity keys of sources.md "Who is who", in order of
-- strength: a valid NIK; for a child, mother's NIK + birth date + sex; normalised name + birth date +
-- sex + kelurahan. Restricted layer: NIK, names and birth dates are read here. A view: its two readers,
-- the person registry and the persons, read it once a build each, and writing its rows took 0.75 s of a
-- night.
{{ config(materialized='view') }}

with register as (
    select
        record_id,
        'posyandu' as source,
        nik,
        mother_nik,
        person_name,
        sex_text as sex,
        birth_date,
        coalesce(domicile_code, posyandu_kelurahan_code) as name_kelurahan_code,
        visit_date as recorded_on
    from {{ ref('int_posyandu__visits_checked') }}
    where quarantine_reason is null and not is_duplicate
),

patients as (
    select
        {{ fhir_record_id('fhir', 'puskesmas_code', 'patient_id') }} as record_id,
        'puskesmas' as source,
        case when {{ nik_is_valid('nik_text') }} then nik_text end as nik,
        case when {{ nik_is_valid('mother_nik_text') }} then mother_nik_text end as mother_nik,
        person_name,
        sex_text as sex,
        birth_date,
        village_code as name_kelurahan_code,
        cast(null as date) as recorded_on
    from {{ ref('int_fhir__patient_latest') }}
),

all_records as (
    select * from register
    union all
    select * from patients
)

select
    *,
    {{ nik_disagrees('nik', 'birth_date', 'sex') }} as nik_disagrees_with_record
from all_records
