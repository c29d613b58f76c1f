-- Each known person at each month of the spine: where they live at month end (their latest service
-- record up to then) and their last record within the month (indicators.md "Area").
with records as (
    -- "latest record" orders by day, then by record id: one key, so that the as-of join below picks one
    -- record without first reducing all history to one record per person and day (twice as fast)
    select
        records.*,
        persons.person_key,
        persons.birth_date,
        strftime(records.service_date, '%Y-%m-%d') || '|' || records.record_id as record_order
    from {{ ref('int_services__records') }} as records
    inner join {{ ref('int_identity__persons') }} as persons on records.person_id = persons.person_id
),

spine as (
    {{ month_spine() }}
),

first_seen as (
    select
        person_key,
        min(service_date) as known_from,
        any_value(birth_date) as birth_date
    from records
    group by person_key
),

person_months as (
    select
        first_seen.person_key,
        first_seen.birth_date,
        first_seen.known_from,
        spine.period_month,
        spine.month_end
    from first_seen
    inner join spine on first_seen.known_from <= spine.month_end
),

month_end_domicile as (
    select
        person_months.*,
        records.kelurahan_code,
        records.domicile_status,
        records.puskesmas_code,
        records.service_date as latest_record_on
    from person_months
    asof left join records
        on
            person_months.person_key = records.person_key
            -- U+10FFFF sorts after every record id of the month's last day
            and strftime(person_months.month_end, '%Y-%m-%d') || '|' || chr(1114111) >= records.record_order
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
