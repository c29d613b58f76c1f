-- By-name targets (indicators.md "Sasaran", riil): known persons of a group living in the kelurahan.
-- For monthly indicators, counted at month end; for event indicators, persons in the group and living
-- in the kelurahan at any time from 1 January to month end (month-end domiciles from the December
-- before, which stands for 1 January, to the month). Unknown domicile counts in the NULL row.
with person_months as (
    select
        *,
        month_end - age_days_at_month_end::integer as birth_date
    from {{ ref('fct_person_month') }}
    where domicile_status <> 'luar_wilayah'
),

spine as (
    {{ month_spine() }}
),

month_end_groups as (
    select
        puskesmas_code,
        case when domicile_status = 'wilayah' then kelurahan_code end as kelurahan_code,
        period_month,
        'balita' as sasaran_key,
        count(*) as persons
    from person_months
    where age_months_at_month_end between 0 and 59 and age_days_at_month_end >= 0
    group by all
),

year_to_date_groups as (
    select
        person_months.puskesmas_code,
        case when person_months.domicile_status = 'wilayah' then person_months.kelurahan_code end as kelurahan_code,
        spine.period_month,
        groups.sasaran_key,
        count(distinct person_months.person_key) as persons
    from spine
    inner join person_months
        on person_months.period_month between make_date(year(spine.period_month) - 1, 12, 1) and spine.period_month
    inner join (values ('bayi', 0, 12), ('baduta', 12, 24)) as groups (sasaran_key, from_months, to_months)
        -- in the age band at some day between 1 January and month end
        on
            person_months.birth_date <= spine.month_end - to_months(groups.from_months)
            and person_months.birth_date + to_months(groups.to_months) > make_date(year(spine.period_month), 1, 1)
    where person_months.birth_date >= spine.month_end - interval 25 month
    group by all
)

select * from month_end_groups
union all
select * from year_to_date_groups
