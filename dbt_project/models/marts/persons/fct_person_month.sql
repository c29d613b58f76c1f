-- Each known person at each month of the spine: where they live at month end (their latest service
-- record up to then) and their last record within the month (indicators.md "Area").
with records as (
    -- one record per person and day (the last by record id), so that "latest record" is well defined
    select
        records.*,
        persons.person_key,
        persons.birth_date
    from {{ ref('int_services__records') }} as records
    inner join {{ ref('int_identity__persons') }} as persons on records.person_id = persons.person_id
    qualify row_number() over (
        partition by records.person_id, records.service_date order by records.record_id desc
    ) = 1
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
            and person_months.month_end >= records.service_date
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
