-- By-name targets (indicators.md "Sasaran", riil): known persons of a group living in the kelurahan.
-- For monthly indicators, counted at month end (balita); for event indicators, persons in the group and
-- living in the kelurahan at any time from 1 January to month end (month-end domiciles from the December
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

sex as (
    select
        persons.person_key,
        persons.sex
    from {{ ref('int_identity__persons') }} as persons
),

age_bands as (
    select * from (
        values
        ('bayi', 0, 12, null),
        ('baduta', 12, 24, null),
        ('usia_pendidikan_dasar', 84, 192, null),
        ('remaja_putri', 144, 228, 'P'),
        ('usia_produktif', 180, 720, null),
        ('lansia', 720, 1800, null)
    ) as bands (sasaran_key, from_months, to_months, only_sex)
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

spine_years as (
    select distinct year(period_month) as target_year from spine
),

year_to_date_first as (
    -- the first month of a year from which a person counts in a kelurahan's group: lived there in a month
    -- from the December before to that month, and in the age band at some day from 1 January to its end
    select
        person_months.person_key,
        person_months.puskesmas_code,
        case when person_months.domicile_status = 'wilayah' then person_months.kelurahan_code end as kelurahan_code,
        age_bands.sasaran_key,
        spine_years.target_year,
        min(greatest(
            case
                when year(person_months.period_month) = spine_years.target_year then person_months.period_month
                else make_date(spine_years.target_year, 1, 1)
            end,
            -- the first month whose end is past the band's lower age (birth_date <= month end - from_months)
            case
                when
                    person_months.birth_date
                    <= last_day(person_months.birth_date + to_months(age_bands.from_months))
                    - to_months(age_bands.from_months)
                    then date_trunc('month', person_months.birth_date + to_months(age_bands.from_months))
                else date_trunc('month', person_months.birth_date + to_months(age_bands.from_months)) + interval 1 month
            end::date
        )) as first_month
    from (
        -- the person's sex joined before the months fan out into age bands: a join of every band row
        -- afterwards cost more than the rest of the model
        select
            person_months.*,
            sex.sex
        from person_months
        left join sex on person_months.person_key = sex.person_key
    ) as person_months
    inner join spine_years
        on
            person_months.period_month between make_date(spine_years.target_year - 1, 12, 1)
            and make_date(spine_years.target_year, 12, 1)
    inner join age_bands
        on
            person_months.birth_date + to_months(age_bands.to_months) > make_date(spine_years.target_year, 1, 1)
            and (age_bands.only_sex is null or person_months.sex = age_bands.only_sex)
    group by all
),

year_to_date_groups as (
    select
        year_to_date_first.puskesmas_code,
        year_to_date_first.kelurahan_code,
        spine.period_month,
        year_to_date_first.sasaran_key,
        count(*) as persons
    from spine
    inner join year_to_date_first
        on
            year(spine.period_month) = year_to_date_first.target_year
            and year_to_date_first.first_month <= spine.period_month
    group by all
),

births as (
    select
        person_months.puskesmas_code,
        case when person_months.domicile_status = 'wilayah' then person_months.kelurahan_code end as kelurahan_code,
        spine.period_month,
        'lahir_hidup' as sasaran_key,
        count(distinct person_months.person_key) as persons
    from spine
    inner join person_months
        on
            person_months.period_month between make_date(year(spine.period_month), 1, 1) and spine.period_month
            and person_months.birth_date between make_date(year(spine.period_month), 1, 1) and spine.month_end
    group by all
),

event_groups as (
    -- pregnant (an ANC contact), delivering, hypertension and diabetes patients known this year
    select
        events.puskesmas_code,
        case when events.domicile_status = 'wilayah' then events.kelurahan_code end as kelurahan_code,
        spine.period_month,
        groups.sasaran_key,
        count(distinct events.person_key) as persons
    from spine
    inner join {{ ref('fct_indicator_events') }} as events
        on events.met_on between make_date(year(spine.period_month), 1, 1) and spine.month_end
    inner join (
        values ('K1', 'bumil'), ('PERSALINAN', 'bulin'), ('HIPERTENSI_TERLAYANI', 'hipertensi_est'),
        ('DM_TERLAYANI', 'dm_est')
    ) as groups (indicator_code, sasaran_key)
        on events.indicator_code = groups.indicator_code
    where events.domicile_status <> 'luar_wilayah'
    group by all
)

select * from month_end_groups
union all
select * from year_to_date_groups
union all
select * from births
union all
select * from event_groups
