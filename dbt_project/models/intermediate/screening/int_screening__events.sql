-- Yearly screening and chronic-care events (indicators.md catalogue, SPM Permenkes 6/2024): each person
-- counts once a year, in the month of the first qualifying record. A hypertension (diabetes) patient is
-- served by the first blood pressure (glucose) measurement of the year made on or after the day the
-- active diagnosis was first recorded.
{{ config(materialized='view') }}

with persons as (
    select * from {{ ref('int_identity__persons') }}
),

register as (
    select
        services.person_id,
        services.record_id,
        services.service_date,
        services.kelurahan_code,
        services.domicile_status,
        services.puskesmas_code,
        visits.systolic_mmhg is not null and visits.diastolic_mmhg is not null as blood_pressure_measured,
        visits.weight_kg is not null and visits.height_cm is not null as weight_and_height_measured,
        visits.glucose_mg_dl is not null as glucose_measured,
        visits.elderly_screened,
        false as school_screening,
        false as haemoglobin_measured
    from {{ ref('int_posyandu__visits_checked') }} as visits
    inner join {{ ref('int_services__records') }} as services
        on services.record_id = visits.record_id
),

encounters as (
    select
        person_id,
        record_id,
        service_date,
        kelurahan_code,
        domicile_status,
        puskesmas_code,
        systolic_mmhg is not null and diastolic_mmhg is not null as blood_pressure_measured,
        weight_kg is not null and height_cm is not null as weight_and_height_measured,
        glucose_mg_dl is not null as glucose_measured,
        encounter_type = 'SKRINING_LANSIA' as elderly_screened,
        encounter_type = 'SKRINING_SEKOLAH' as school_screening,
        haemoglobin_g_dl is not null as haemoglobin_measured
    from {{ ref('int_services__encounters') }}
),

records as (
    select
        all_records.*,
        persons.sex,
        date_diff('year', persons.birth_date, all_records.service_date)
        - case
            when strftime(all_records.service_date, '%m%d') < strftime(persons.birth_date, '%m%d') then 1 else 0
        end as age_years
    from (
        select * from register
        union all
        select * from encounters
    ) as all_records
    inner join persons on all_records.person_id = persons.person_id
),

diagnoses as (
    select
        patients.person_id,
        case
            when conditions.icd10_code similar to 'I1[0-5].*' then 'HIPERTENSI_TERLAYANI'
            when conditions.icd10_code similar to 'E1[0-4].*' then 'DM_TERLAYANI'
        end as indicator_code,
        min({{ local_date('conditions.recorded_at_text', 'puskesmas.utc_offset_hours') }}) as diagnosed_on
    from {{ ref('int_fhir__condition_latest') }} as conditions
    inner join {{ ref('int_region__puskesmas') }} as puskesmas on conditions.puskesmas_code = puskesmas.puskesmas_code
    inner join {{ ref('int_identity__record_person') }} as patients
        on patients.record_id = {{ fhir_record_id('fhir', 'conditions.puskesmas_code', 'conditions.patient_id') }}
    where
        conditions.clinical_status = 'active'
        and (conditions.icd10_code similar to 'I1[0-5].*' or conditions.icd10_code similar to 'E1[0-4].*')
    group by all
),

qualifying as (
    select
        'SKRINING_USIA_SEKOLAH' as indicator_code,
        *
    from records
    where school_screening and age_years between 7 and 15
    union all
    select
        'SKRINING_ANEMIA_RP',
        *
    from records
    where haemoglobin_measured and sex = 'P' and age_years between 12 and 18
    union all
    select
        'SKRINING_USIA_PRODUKTIF',
        *
    from records
    where blood_pressure_measured and weight_and_height_measured and age_years between 15 and 59
    union all
    select
        'SKRINING_LANSIA',
        *
    from records
    where elderly_screened and age_years >= 60
    union all
    select
        'HIPERTENSI_TERLAYANI',
        records.*
    from records
    inner join diagnoses
        on
            records.person_id = diagnoses.person_id
            and diagnoses.indicator_code = 'HIPERTENSI_TERLAYANI'
            and records.service_date >= diagnoses.diagnosed_on
    where records.blood_pressure_measured and records.age_years >= 15
    union all
    select
        'DM_TERLAYANI',
        records.*
    from records
    inner join diagnoses
        on
            records.person_id = diagnoses.person_id
            and diagnoses.indicator_code = 'DM_TERLAYANI'
            and records.service_date >= diagnoses.diagnosed_on
    where records.glucose_measured and records.age_years >= 15
)

select
    person_id,
    indicator_code,
    service_date as met_on,
    record_id,
    kelurahan_code,
    domicile_status,
    puskesmas_code
from qualifying
qualify row_number() over (
    partition by person_id, indicator_code, year(service_date) order by service_date, record_id
) = 1
