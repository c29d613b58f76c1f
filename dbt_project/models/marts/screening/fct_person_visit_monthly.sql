-- Persons with any service record in a month of the run's spine (as fct_person_month, which it is read
-- with), and whether they were screened for TB symptoms that month (a register `skrining_tb` result or an
-- Encounter SKRINING_TB): the SKRINING_TB indicator.
{{ config(materialized='view') }}

with records as (
    select
        services.person_id,
        date_trunc('month', services.service_date)::date as period_month,
        coalesce(visits.tb_screening_result in ('positif', 'negatif'), false)
        or coalesce(encounters.encounter_type = 'SKRINING_TB', false) as tb_screened
    from {{ ref('int_services__records') }} as services
    left join {{ ref('int_posyandu__visits_checked') }} as visits
        on services.record_id = visits.record_id
    left join {{ ref('int_services__encounters') }} as encounters on services.record_id = encounters.record_id
    -- a constant, so that the records before the spine are dropped where they are scanned
    where services.service_date >= date '{{ spine_start() }}'
)

select
    persons.person_key,
    records.period_month,
    bool_or(records.tb_screened) as tb_screened
from records
inner join {{ ref('int_identity__persons') }} as persons on records.person_id = persons.person_id
group by all
