-- One row per person: birth date and sex from the puskesmas Patient when there is one, else the most
-- frequent value in the registers (the latest on a tie); every age uses these.
-- Kept by person (macros/incremental.sql, `replace_by_key`): a person is chosen again only when the
-- fingerprint of their records (which records, in which version) differs from the one kept.
{{ config(**kept_by_key('person_id', withdrawn_when='person_key is null')) }}
{% set compares_with_kept = kept_rows_have('records_fingerprint') %}
with registry as (
    select
        person_id,
        bit_xor(hash(record_id, record_fingerprint)) as records_fingerprint
    from {{ ref('int_identity__record_person') }}
    group by person_id
),

{% if compares_with_kept %}
    {{ kept_and_changed_keys('person_id', 'records_fingerprint', fingerprints='registry', rows_per_key='one') }}
{% endif %}

records as (
    select
        record_person.person_id,
        records.source,
        records.birth_date,
        records.sex,
        records.recorded_on
    from {{ ref('int_identity__records') }} as records
    inner join {{ ref('int_identity__record_person') }} as record_person using (record_id)
    {% if compares_with_kept %}
        where record_person.person_id in (select changed.person_id from changed)
    {% endif %}
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

-- The winning vote by one aggregate over a key that orders as the rule reads: puskesmas records, then
-- records, then the latest record (a vote without a date last), then the later date or 'L' before 'P'.
-- A window ranking the votes then keeping the first took 1.4 s more for a province.
birth as (
    select
        person_id,
        arg_max(
            birth_date,
            {
                from_puskesmas: from_puskesmas,
                record_count: record_count,
                latest: coalesce(latest, date '0001-01-01'),
                birth_date: birth_date
            }
        ) as birth_date
    from birth_votes
    group by person_id
),

sex as (
    select
        person_id,
        arg_max(
            sex,
            {
                from_puskesmas: from_puskesmas,
                record_count: record_count,
                latest: coalesce(latest, date '0001-01-01'),
                is_l: sex = 'L'
            }
        ) as sex
    from sex_votes
    group by person_id
)

select
    persons.person_id,
    {{ person_key('persons.person_id') }} as person_key,
    birth.birth_date,
    sex.sex,
    persons.records_fingerprint
from registry as persons
left join birth using (person_id)
left join sex using (person_id)
{% if compares_with_kept %}
    where persons.person_id in (select changed.person_id from changed)
    -- withdrawn: no record is the person's any more
    {{ withdrawn_keys('person_id', fingerprints='registry') }}
{% endif %}
