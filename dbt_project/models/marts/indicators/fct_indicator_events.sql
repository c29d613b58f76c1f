-- Every event-kind indicator occurrence: one row per person (or pregnancy, delivery) and indicator, dated
-- when the condition is first met, with the domicile of the record that completes it and that record's
-- id (file and line, or the FHIR resource), so that a published numerator can be traced back.
with first_valid_dose as (
    select
        person_key,
        antigen_code,
        life_cycle_group,
        administered_on as met_on,
        strftime(administered_on, '%Y%m%d') || record_id as order_key,
        record_id,
        kelurahan_code,
        domicile_status,
        puskesmas_code
    from {{ ref('fct_immunisation') }}
    where is_first_valid_dose
),

complete_sets as (
    -- IDL: every infant antigen; IBADUTA_LENGKAP: every baduta antigen; dated by the last of them
    select
        first_valid_dose.person_key,
        case first_valid_dose.life_cycle_group when 'bayi' then 'IDL' else 'IBADUTA_LENGKAP' end as indicator_code,
        max(first_valid_dose.met_on) as met_on,
        arg_max(first_valid_dose.record_id, first_valid_dose.order_key) as record_id,
        arg_max(first_valid_dose.kelurahan_code, first_valid_dose.order_key) as kelurahan_code,
        arg_max(first_valid_dose.domicile_status, first_valid_dose.order_key) as domicile_status,
        arg_max(first_valid_dose.puskesmas_code, first_valid_dose.order_key) as puskesmas_code
    from first_valid_dose
    group by first_valid_dose.person_key, first_valid_dose.life_cycle_group
    having count(distinct first_valid_dose.antigen_code) = (
        select count(*) from {{ ref('immunisation_schedule') }} as schedule
        where schedule.life_cycle_group = first_valid_dose.life_cycle_group
    )
),

person_events as (
    select * from {{ ref('int_maternal__events') }}
    union all
    select * from {{ ref('int_screening__events') }}
)

select
    person_key,
    'IMM_' || antigen_code as indicator_code,
    met_on,
    record_id,
    kelurahan_code,
    domicile_status,
    puskesmas_code
from first_valid_dose
union all
select
    person_key,
    indicator_code,
    met_on,
    record_id,
    kelurahan_code,
    domicile_status,
    puskesmas_code
from complete_sets
union all
select
    persons.person_key,
    person_events.indicator_code,
    person_events.met_on,
    person_events.record_id,
    person_events.kelurahan_code,
    person_events.domicile_status,
    person_events.puskesmas_code
from person_events
inner join {{ ref('int_identity__persons') }} as persons on person_events.person_id = persons.person_id
