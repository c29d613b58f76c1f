-- Finished puskesmas encounters with the person, local service date, type, role and the observations
-- recorded at them (indicators.md "Contacts"): observations of an encounter that does not count do not
-- count either. Kept by row (macros/incremental.sql).
{{ config(**kept_by_row('record_id')) }}

with encounters as (
    select * exclude (row_fingerprint) from {{ ref('int_services__records') }}
    where record_id like 'enc:%'
),

details as (
    select
        {{ fhir_record_id('enc', 'puskesmas_code', 'encounter_id') }} as record_id,
        encounter_type,
        participant_role,
        location_type
    from {{ ref('int_fhir__encounter_latest') }}
),

observations as (
    select
        {{ fhir_record_id('enc', 'puskesmas_code', 'encounter_id') }} as record_id,
        max(value_number) filter (where loinc_code = '18185-9') as gestational_age_weeks,
        max(value_number) filter (where loinc_code = '56072-2') as muac_cm,
        max(value_number) filter (where loinc_code = '29463-7') as weight_kg,
        max(value_number) filter (where loinc_code in ('8302-2', '8306-3')) as height_cm,
        max(coalesce(systolic_component, case when loinc_code = '8480-6' then value_number end)) as systolic_mmhg,
        max(coalesce(diastolic_component, case when loinc_code = '8462-4' then value_number end)) as diastolic_mmhg,
        max(value_number) filter (where loinc_code = '2339-0') as glucose_mg_dl,
        max(value_number) filter (where loinc_code = '718-7') as haemoglobin_g_dl
    from {{ ref('int_fhir__observation_latest') }}
    where observation_status in ('final', 'amended')
    group by all
),

encounter_records as (
    select
        encounters.*,
        details.encounter_type,
        details.participant_role,
        details.location_type,
        observations.gestational_age_weeks,
        observations.muac_cm,
        observations.weight_kg,
        observations.height_cm,
        observations.systolic_mmhg,
        observations.diastolic_mmhg,
        observations.glucose_mg_dl,
        observations.haemoglobin_g_dl
    from encounters
    inner join details on encounters.record_id = details.record_id
    left join observations on encounters.record_id = observations.record_id
),

{{ changed_rows('encounter_records', 'record_id') }}
