-- Immunisation invitations (outputs.md, restricted): per posyandu, before its next session after the last
-- month of the run, the children due or overdue for a dose by the schedule seed, with the names the kader
-- need to find them (child, mother, RT/RW) and no NIK. A child is invited through the posyandu of their
-- latest visit; past a dose's latest valid age the child is no longer invited for it.
with last_month as (
    select
        date '{{ last_month() }}' as period_month,
        (date '{{ last_month() }}' + interval 1 month)::date as next_month
),

register_visits as (
    select
        person_id,
        record_id,
        service_date
    from {{ ref('int_services__records') }}
    where source = 'posyandu' and service_date < (select next_month from last_month)
),

-- each person's latest visit (the later record of that day), found by two aggregates instead of sorting
-- every visit ever recorded
latest_day as (
    select
        person_id,
        max(service_date) as service_date
    from register_visits
    group by person_id
),

latest_record as (
    select
        register_visits.person_id,
        register_visits.service_date,
        max(register_visits.record_id) as record_id
    from register_visits
    semi join latest_day
        on
            register_visits.person_id = latest_day.person_id
            and register_visits.service_date = latest_day.service_date
    group by register_visits.person_id, register_visits.service_date
),

latest_visit as (
    select
        latest_record.person_id,
        visits.posyandu_code,
        visits.person_name,
        visits.mother_name,
        visits.rt,
        visits.rw,
        latest_record.service_date
    from latest_record
    inner join {{ ref('int_posyandu__visits_checked') }} as visits
        on latest_record.record_id = visits.record_id
),

sessions as (
    select
        posyandu.posyandu_code,
        make_date(
            year(last_month.next_month),
            month(last_month.next_month),
            least(
                coalesce(posyandu.session_day_of_month, day(last_visit.last_session), 1),
                day(last_day(last_month.next_month))
            )
        ) as next_session
    from {{ ref('stg_reference__posyandu') }} as posyandu
    cross join last_month
    left join (
        select
            posyandu_code,
            max(service_date) as last_session
        from latest_visit
        group by posyandu_code
    ) as last_visit on posyandu.posyandu_code = last_visit.posyandu_code
),

children as (
    select
        latest_visit.*,
        persons.person_key,
        persons.birth_date,
        persons.sex,
        sessions.next_session
    from latest_visit
    inner join {{ ref('int_identity__persons') }} as persons on latest_visit.person_id = persons.person_id
    inner join sessions on latest_visit.posyandu_code = sessions.posyandu_code
    where persons.birth_date > sessions.next_session - interval 24 month
),

doses as (
    select
        children.*,
        schedule.antigen_code,
        schedule.series,
        schedule.dose_number,
        (children.birth_date + to_days(schedule.due_age_days))::date as due_date,
        case
            when schedule.valid_max_age_days is not null
                then (children.birth_date + to_days(schedule.valid_max_age_days))::date
            else (children.birth_date + to_months(schedule.valid_max_age_months) - interval 1 day)::date
        end as last_valid_date
    from children
    cross join {{ ref('immunisation_schedule') }} as schedule
),

received as (
    select distinct
        person_key,
        antigen_code
    from {{ ref('fct_immunisation') }}
    where administered_on < (select next_month from last_month)
)

select
    doses.posyandu_code,
    doses.next_session,
    doses.person_name as child_name,
    doses.mother_name,
    doses.rt,
    doses.rw,
    doses.sex,
    {{ completed_months('doses.birth_date', 'doses.next_session') }} as age_months,
    doses.antigen_code,
    doses.due_date,
    greatest(doses.next_session - doses.due_date, 0) as days_overdue
from doses
left join received on doses.person_key = received.person_key and doses.antigen_code = received.antigen_code
where
    received.person_key is null
    and doses.due_date <= doses.next_session
    and doses.next_session <= doses.last_valid_date
