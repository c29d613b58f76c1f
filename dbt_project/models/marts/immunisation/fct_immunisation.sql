-- One row per administration of an antigen to a child (domain.md schedule; indicators.md
-- "Immunisation"). The same antigen recorded again within the duplicate window (posyandu register and
-- puskesmas export of one visit) counts once, at the earliest date; a later administration is a repeat.
-- Valid age: HB0 at 0-6 days, infant antigens under 12 completed months, baduta antigens under 24.
-- Kept by child (macros/incremental.sql, `replace_by_key`): a child's history is sequenced again only when
-- the fingerprint of their recorded doses and birth date differs from the one kept.
{{ config(**kept_by_key('person_key', withdrawn_when='antigen_code is null')) }}
{% set compares_with_kept = kept_rows_have('doses_fingerprint') %}
with recorded as (
    select
        administrations.*,
        persons.person_key,
        persons.birth_date
    from {{ ref('int_immunisation__administrations') }} as administrations
    inner join {{ ref('int_identity__persons') }} as persons on administrations.person_id = persons.person_id
),

fingerprints as (
    -- a sum, not a xor: one register row may list the same antigen twice
    select
        person_key,
        sum(hash(
            record_id, source, administered_on, antigen_code,
            kelurahan_code, domicile_status, puskesmas_code, birth_date
        )) as doses_fingerprint
    from recorded
    group by person_key
),

{% if compares_with_kept %}
    {{ kept_and_changed_keys('person_key', 'doses_fingerprint') }}
{% endif %}

administrations as (
    select * from recorded
    {% if compares_with_kept %}
        where person_key in (select changed.person_key from changed)
    {% endif %}
),

sequenced as (
    select
        *,
        administered_on - lag(administered_on) over (
            partition by person_key, antigen_code order by administered_on, source, record_id
        ) as days_since_previous
    from administrations
),

clustered as (
    select
        *,
        sum(case
            when
                days_since_previous is null
                or days_since_previous > {{ var('immunisation_duplicate_window_days') }} then 1
            else 0
        end)
            over (
                partition by person_key, antigen_code order by administered_on, source, record_id
                rows between unbounded preceding and current row
            ) as administration_number,
        count(*) over (partition by person_key, antigen_code, administered_on) as same_day_records
    from sequenced
),

administration as (
    select
        person_key,
        antigen_code,
        administration_number,
        min(administered_on) as administered_on,
        arg_min(kelurahan_code, strftime(administered_on, '%Y%m%d') || record_id) as kelurahan_code,
        arg_min(domicile_status, strftime(administered_on, '%Y%m%d') || record_id) as domicile_status,
        arg_min(puskesmas_code, strftime(administered_on, '%Y%m%d') || record_id) as puskesmas_code,
        arg_min(record_id, strftime(administered_on, '%Y%m%d') || record_id) as record_id,
        count(*) as records_merged,
        -- sorted: list_distinct keeps no order, and a rebuild must give the same row
        list_sort(list_distinct(list(source))) as sources,
        min(birth_date) as birth_date
    from clustered
    group by person_key, antigen_code, administration_number
),

doses as (
    select
        administration.person_key,
        administration.antigen_code,
        schedule.life_cycle_group,
        administration.administration_number,
        administration.administered_on,
        administration.administered_on - administration.birth_date as age_days,
        {{ completed_months('administration.birth_date', 'administration.administered_on') }} as age_months,
        case
            when schedule.valid_max_age_days is not null
                then
                    administration.administered_on - administration.birth_date
                    between 0 and schedule.valid_max_age_days
            else
                administration.administered_on >= administration.birth_date
                and {{ completed_months('administration.birth_date', 'administration.administered_on') }}
                < schedule.valid_max_age_months
        end as is_valid_age,
        administration.records_merged,
        administration.sources,
        administration.record_id,
        administration.kelurahan_code,
        administration.domicile_status,
        administration.puskesmas_code,
        fingerprints.doses_fingerprint
    from administration
    inner join {{ ref('immunisation_schedule') }} as schedule on administration.antigen_code = schedule.antigen_code
    inner join fingerprints on administration.person_key = fingerprints.person_key
)

select
    *,
    -- the first administration of its antigen at a valid age: the dose an immunisation indicator counts
    coalesce(
        is_valid_age and row_number() over (
            partition by person_key, antigen_code, life_cycle_group, is_valid_age order by administered_on, record_id
        ) = 1,
        false
    ) as is_first_valid_dose
from doses
{% if compares_with_kept %}
    -- withdrawn: no dose is the child's any more
    {{ withdrawn_keys('person_key') }}
{% endif %}
