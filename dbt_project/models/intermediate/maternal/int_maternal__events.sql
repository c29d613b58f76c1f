-- Maternal and neonatal events (indicators.md catalogue, Permenkes 21/2021), one row per pregnancy,
-- delivery or neonate, in the month the condition is first met and the domicile of the completing record.
{{ config(materialized='view') }}

with contacts as (
    select * from {{ ref('int_maternal__anc_contacts') }}
),

minimums as (
    select * from {{ ref('anc_contact_minimum') }}
),

running as (
    select
        contacts.*,
        count(*) over pregnancy_so_far as contacts_so_far,
        count(*) filter (where gestational_weeks <= 12) over pregnancy_so_far as trimester_1,
        count(*) filter (where gestational_weeks between 13 and 24) over pregnancy_so_far as trimester_2,
        count(*) filter (where gestational_weeks >= 25) over pregnancy_so_far as trimester_3,
        count(*) filter (where gestational_weeks <= 12 and with_doctor) over pregnancy_so_far as doctor_trimester_1,
        count(*) filter (where gestational_weeks >= 25 and with_doctor) over pregnancy_so_far as doctor_trimester_3,
        bool_or(gestational_weeks is not null) over (partition by pregnancy_id) as has_gestational_age
    from contacts
    window pregnancy_so_far as (
        partition by pregnancy_id order by contact_date, record_id rows between unbounded preceding and current row
    )
),

first_contact as (
    select * from running
    where contacts_so_far = 1
),

anc_events as (
    select
        person_id,
        'K1' as indicator_code,
        contact_date as met_on,
        record_id,
        kelurahan_code,
        domicile_status,
        puskesmas_code
    from first_contact
    union all
    select
        person_id,
        'K1_MURNI',
        contact_date,
        record_id,
        kelurahan_code,
        domicile_status,
        puskesmas_code
    from first_contact
    where gestational_weeks <= 12
    union all
    select
        running.person_id,
        minimums.indicator_code,
        min(running.contact_date),
        arg_min(running.record_id, strftime(running.contact_date, '%Y%m%d') || running.record_id),
        arg_min(running.kelurahan_code, strftime(running.contact_date, '%Y%m%d') || running.record_id),
        arg_min(running.domicile_status, strftime(running.contact_date, '%Y%m%d') || running.record_id),
        arg_min(running.puskesmas_code, strftime(running.contact_date, '%Y%m%d') || running.record_id)
    from running
    inner join minimums
        on
            running.has_gestational_age
            and running.contacts_so_far >= minimums.total_contacts
            and running.trimester_1 >= minimums.trimester_1
            and running.trimester_2 >= minimums.trimester_2
            and running.trimester_3 >= minimums.trimester_3
            and running.doctor_trimester_1 >= minimums.doctor_trimester_1
            and running.doctor_trimester_3 >= minimums.doctor_trimester_3
    group by running.person_id, running.pregnancy_id, minimums.indicator_code
),

encounters as (
    select * exclude (row_fingerprint) from {{ ref('int_services__encounters') }}
),

deliveries as (
    select * from encounters
    where encounter_type = 'PERSALINAN'
    qualify row_number() over (partition by person_id, service_date order by record_id) = 1
),

delivery_events as (
    -- PERSALINAN (every delivery) is not published; it is the by-name denominator of deliveries
    select
        person_id,
        'PERSALINAN' as indicator_code,
        service_date as met_on,
        record_id,
        kelurahan_code,
        domicile_status,
        puskesmas_code
    from deliveries
    union all
    select
        person_id,
        'PF',
        service_date,
        record_id,
        kelurahan_code,
        domicile_status,
        puskesmas_code
    from deliveries
    where location_type is not null and location_type <> 'rumah'
),

windowed_contacts as (
    -- postpartum contacts per delivery (day 0 = delivery) and neonatal contacts per child (day 0 = birth)
    select
        'KF_LENGKAP' as indicator_code,
        deliveries.person_id,
        deliveries.record_id as episode_id,
        encounters.service_date,
        encounters.record_id,
        encounters.kelurahan_code,
        encounters.domicile_status,
        encounters.puskesmas_code,
        encounters.service_date - deliveries.service_date as day_number
    from deliveries
    inner join encounters
        on
            deliveries.person_id = encounters.person_id
            and encounters.encounter_type = 'NIFAS'
            and encounters.service_date - deliveries.service_date between 0 and 42
    union all
    select
        'KN_LENGKAP',
        encounters.person_id,
        encounters.person_id,
        encounters.service_date,
        encounters.record_id,
        encounters.kelurahan_code,
        encounters.domicile_status,
        encounters.puskesmas_code,
        encounters.service_date - persons.birth_date
    from encounters
    inner join {{ ref('int_identity__persons') }} as persons on encounters.person_id = persons.person_id
    where encounters.encounter_type = 'NEONATAL' and encounters.service_date - persons.birth_date between 0 and 28
),

windows as (
    select * from (
        values
        ('KF_LENGKAP', 1, 0, 2), ('KF_LENGKAP', 2, 3, 7), ('KF_LENGKAP', 3, 8, 28), ('KF_LENGKAP', 4, 29, 42),
        ('KN_LENGKAP', 1, 0, 2), ('KN_LENGKAP', 2, 3, 7), ('KN_LENGKAP', 3, 8, 28)
    ) as window_table (indicator_code, window_number, first_day, last_day)
),

first_in_window as (
    select
        windowed_contacts.indicator_code,
        windowed_contacts.person_id,
        windowed_contacts.episode_id,
        windows.window_number,
        min(strftime(windowed_contacts.service_date, '%Y%m%d') || windowed_contacts.record_id) as first_key,
        arg_min(
            windowed_contacts.service_date, strftime(windowed_contacts.service_date, '%Y%m%d')
            || windowed_contacts.record_id
        ) as service_date,
        arg_min(
            windowed_contacts.record_id, strftime(windowed_contacts.service_date, '%Y%m%d')
            || windowed_contacts.record_id
        ) as record_id,
        arg_min(
            windowed_contacts.kelurahan_code, strftime(windowed_contacts.service_date, '%Y%m%d')
            || windowed_contacts.record_id
        ) as kelurahan_code,
        arg_min(
            windowed_contacts.domicile_status, strftime(windowed_contacts.service_date, '%Y%m%d')
            || windowed_contacts.record_id
        ) as domicile_status,
        arg_min(
            windowed_contacts.puskesmas_code, strftime(windowed_contacts.service_date, '%Y%m%d')
            || windowed_contacts.record_id
        ) as puskesmas_code
    from windowed_contacts
    inner join windows
        on
            windowed_contacts.indicator_code = windows.indicator_code
            and windowed_contacts.day_number between windows.first_day and windows.last_day
    group by all
),

window_events as (
    -- KN1: the first window alone; complete sets: when the last window is first covered
    select
        person_id,
        'KN1' as indicator_code,
        service_date as met_on,
        record_id,
        kelurahan_code,
        domicile_status,
        puskesmas_code
    from first_in_window
    where indicator_code = 'KN_LENGKAP' and window_number = 1
    union all
    select
        person_id,
        indicator_code,
        max(service_date),
        arg_max(record_id, first_key),
        arg_max(kelurahan_code, first_key),
        arg_max(domicile_status, first_key),
        arg_max(puskesmas_code, first_key)
    from first_in_window
    group by person_id, episode_id, indicator_code
    having count(*) = max(case indicator_code when 'KF_LENGKAP' then 4 else 3 end)
)

select * from anc_events
union all
select * from delivery_events
union all
select * from window_events
