-- Pregnant women's last mid-upper arm circumference of each month (BUMIL_KEK, LiLA < 23.5 cm): register
-- rows of pregnant women (written as `bumil` or with a gestational age) and ANC encounters. The area is the
-- woman's last record of the month. Like fct_person_month, which it is read with, it covers the run's spine.
{{ config(materialized='view') }}

with measurements as (
    select
        services.person_id,
        services.record_id,
        services.service_date,
        visits.muac_cm
    from {{ ref('int_posyandu__visits_checked') }} as visits
    inner join {{ ref('int_services__records') }} as services
        on services.record_id = visits.record_id
    where
        visits.muac_cm is not null
        and (visits.target_group_written = 'bumil' or visits.gestational_age_weeks is not null)
        and services.service_date >= date '{{ spine_start() }}'
    union all
    select
        person_id,
        record_id,
        service_date,
        muac_cm
    from {{ ref('int_services__encounters') }}
    where encounter_type = 'ANC' and muac_cm is not null and service_date >= date '{{ spine_start() }}'
),

last_of_month as (
    select
        persons.person_key,
        date_trunc('month', measurements.service_date)::date as period_month,
        arg_max(measurements.muac_cm, strftime(measurements.service_date, '%Y%m%d') || measurements.record_id)
            as muac_cm
    from measurements
    inner join {{ ref('int_identity__persons') }} as persons on measurements.person_id = persons.person_id
    group by all
)

select
    last_of_month.*,
    person_month.kelurahan_code,
    person_month.domicile_status,
    person_month.puskesmas_code
from last_of_month
inner join {{ ref('fct_person_month') }} as person_month
    on last_of_month.person_key = person_month.person_key and last_of_month.period_month = person_month.period_month
