-- Each known person at each month of the spine: where they live at month end (their latest service
-- record up to then) and their last record within the month (indicators.md "Area").
with records as (
    -- "latest record" orders by day, then by record id: one key, so that the as-of join below picks one
    -- record without first reducing all history to one record per person and day (twice as fast)
    select
        person_id,
        service_date,
        kelurahan_code,
        domicile_status,
        puskesmas_code,
        strftime(service_date, '%Y-%m-%d') || '|' || record_id as record_order
    from {{ ref('int_services__records') }}
),

spine as (
    {{ month_spine() }}
),

people as (
    -- of the records before the spine only each person's latest can be the latest at a month's end in it:
    -- the as-of join then sorts that one and the spine's records instead of all history
    select
        person_id,
        min(service_date) as known_from,
        arg_max(
            {
                kelurahan_code: kelurahan_code,
                domicile_status: domicile_status,
                puskesmas_code: puskesmas_code,
                service_date: service_date,
                record_order: record_order
            },
            record_order
        ) filter (where service_date < date '{{ spine_start() }}') as latest_before_spine
    from records
    group by person_id
),

candidates as (
    select
        person_id,
        kelurahan_code,
        domicile_status,
        puskesmas_code,
        service_date,
        record_order
    from records
    where service_date >= date '{{ spine_start() }}'
    union all
    select
        person_id,
        unnest(latest_before_spine)
    from people
    where latest_before_spine is not null
),

person_months as (
    select
        people.person_id,
        persons.person_key,
        persons.birth_date,
        people.known_from,
        spine.period_month,
        spine.month_end
    from people
    inner join {{ ref('int_identity__persons') }} as persons on people.person_id = persons.person_id
    inner join spine on people.known_from <= spine.month_end
),

month_end_domicile as (
    select
        person_months.*,
        candidates.kelurahan_code,
        candidates.domicile_status,
        candidates.puskesmas_code,
        candidates.service_date as latest_record_on
    from person_months
    asof left join candidates
        on
            person_months.person_id = candidates.person_id
            -- U+10FFFF sorts after every record id of the month's last day
            and strftime(person_months.month_end, '%Y-%m-%d') || '|' || chr(1114111) >= candidates.record_order
)

select
    person_key,
    period_month,
    month_end,
    known_from,
    month_end - birth_date as age_days_at_month_end,
    {{ completed_months('birth_date', 'month_end') }} as age_months_at_month_end,
    latest_record_on >= period_month as seen_this_month,
    kelurahan_code,
    domicile_status,
    puskesmas_code
from month_end_domicile
