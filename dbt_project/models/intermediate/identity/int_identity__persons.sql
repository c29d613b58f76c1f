-- One row per person: birth date and sex from the puskesmas Patient when there is one, else the most
-- frequent value in the registers (the latest on a tie); every age uses these.
with records as (
    select
        record_person.person_id,
        records.source,
        records.birth_date,
        records.sex,
        records.recorded_on
    from {{ ref('int_identity__records') }} as records
    inner join {{ ref('int_identity__record_person') }} as record_person using (record_id)
),

birth_votes as (
    select
        person_id,
        birth_date,
        count(*) filter (where source = 'puskesmas') as from_puskesmas,
        count(*) as record_count,
        max(recorded_on) as latest
    from records
    where birth_date is not null
    group by person_id, birth_date
),

sex_votes as (
    select
        person_id,
        sex,
        count(*) filter (where source = 'puskesmas') as from_puskesmas,
        count(*) as record_count,
        max(recorded_on) as latest
    from records
    where sex in ('L', 'P')
    group by person_id, sex
),

birth as (
    select
        person_id,
        birth_date
    from birth_votes
    qualify row_number() over (
        partition by person_id order by from_puskesmas desc, record_count desc, latest desc nulls last, birth_date desc
    ) = 1
),

sex as (
    select
        person_id,
        sex
    from sex_votes
    qualify row_number() over (
        partition by person_id order by from_puskesmas desc, record_count desc, latest desc nulls last, sex asc
    ) = 1
)

select
    persons.person_id,
    {{ person_key('persons.person_id') }} as person_key,
    birth.birth_date,
    sex.sex
from (select distinct person_id from records) as persons
left join birth using (person_id)
left join sex using (person_id)
