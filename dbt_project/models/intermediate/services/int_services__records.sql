-- Every service record that makes a person known (a register visit, a finished encounter, a counted
-- observation, a completed immunisation), with its local service date and resolved domicile.
-- Domicile (indicators.md "Area"): the kelurahan on the record, or the posyandu's kelurahan for a
-- register row without one; a code outside the reference is `luar_wilayah`, a missing or invalid code
-- `tidak_diketahui` (counted under the recording puskesmas).
-- Kept by row (macros/incremental.sql): a night's new month changes a few percent of the records.
{{ config(**kept_by_row('record_id')) }}

with record_person as (
    select * from {{ ref('int_identity__record_person') }}
),

patients as (
    select
        patients.puskesmas_code,
        patients.patient_id,
        record_person.person_id,
        patients.village_code
    from {{ ref('int_fhir__patient_latest') }} as patients
    inner join
        record_person
        on record_person.record_id = {{ fhir_record_id('fhir', 'patients.puskesmas_code', 'patients.patient_id') }}
),

puskesmas as (
    select * from {{ ref('int_region__puskesmas') }}
),

register as (
    select
        record_person.person_id,
        'posyandu' as source,
        visits.record_id,
        visits.visit_date as service_date,
        coalesce(visits.domicile_code, visits.posyandu_kelurahan_code) as stated_domicile_code,
        visits.posyandu_puskesmas_code as recording_puskesmas_code,
        visits.posyandu_code,
        visits.source_file,
        visits.source_line
    from {{ ref('int_posyandu__visits_checked') }} as visits
    inner join record_person on record_person.record_id = visits.record_id
    where visits.quarantine_reason is null and not visits.is_duplicate
),

encounters as (
    select
        patients.person_id,
        'puskesmas' as source,
        {{ fhir_record_id('enc', 'encounters.puskesmas_code', 'encounters.encounter_id') }} as record_id,
        {{ local_date('encounters.started_at_text', 'puskesmas.utc_offset_hours') }} as service_date,
        patients.village_code as stated_domicile_code,
        encounters.puskesmas_code as recording_puskesmas_code,
        cast(null as varchar) as posyandu_code,
        encounters.source_file,
        encounters.source_line
    from {{ ref('int_fhir__encounter_latest') }} as encounters
    inner join puskesmas on encounters.puskesmas_code = puskesmas.puskesmas_code
    inner join patients
        on encounters.puskesmas_code = patients.puskesmas_code and encounters.patient_id = patients.patient_id
    where encounters.encounter_status = 'finished'
),

immunizations as (
    select
        patients.person_id,
        'puskesmas' as source,
        {{ fhir_record_id('imm', 'immunizations.puskesmas_code', 'immunizations.immunization_id') }} as record_id,
        {{ local_date('immunizations.occurred_at_text', 'puskesmas.utc_offset_hours') }} as service_date,
        patients.village_code as stated_domicile_code,
        immunizations.puskesmas_code as recording_puskesmas_code,
        immunizations.location_code as posyandu_code,
        immunizations.source_file,
        immunizations.source_line
    from {{ ref('int_fhir__immunization_latest') }} as immunizations
    inner join puskesmas on immunizations.puskesmas_code = puskesmas.puskesmas_code
    inner join patients
        on immunizations.puskesmas_code = patients.puskesmas_code and immunizations.patient_id = patients.patient_id
    where immunizations.immunization_status = 'completed'
),

all_records as (
    select * from register
    union all
    select * from encounters
    union all
    select * from immunizations
),

service_records as (
    select
        all_records.*,
        kelurahan.kelurahan_code,
        case
            when kelurahan.kelurahan_code is not null then 'wilayah'
            when all_records.stated_domicile_code is null then 'tidak_diketahui'
            when
                length(all_records.stated_domicile_code) = 10
                and left(all_records.stated_domicile_code, 2) in (select province_code from {{ ref('province_codes') }})
                then 'luar_wilayah'
            else 'tidak_diketahui'
        end as domicile_status,
        coalesce(kelurahan.puskesmas_code, all_records.recording_puskesmas_code) as puskesmas_code
    from all_records
    left join {{ ref('int_region__kelurahan') }} as kelurahan
        on all_records.stated_domicile_code = kelurahan.kelurahan_code
    where all_records.service_date is not null
),

{{ changed_rows('service_records', 'record_id') }}
