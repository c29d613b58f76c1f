-- ANC contacts grouped into pregnancies (indicators.md "Pregnancy"): the implied first day of the last
-- menstrual period (HPHT) = contact date - gestational age; contacts whose HPHT lies within 42 days of the
-- pregnancy's first HPHT belong to it; a contact without gestational age joins the open pregnancy. A
-- delivery closes the pregnancy; without one it closes 44 weeks after its HPHT.
-- Kept by mother (macros/incremental.sql, `replace_by_key`): a mother's pregnancies are grouped again only
-- when the fingerprint of her ANC contacts and deliveries differs from the one kept.
{{ config(**kept_by_key('person_id', withdrawn_when='record_id is null')) }}
{% set compares_with_kept = kept_rows_have('encounters_fingerprint') %}
with recursive maternal_encounters as (
    select * exclude (row_fingerprint) from {{ ref('int_services__encounters') }}
    where encounter_type in ('ANC', 'PERSALINAN')
),

fingerprints as (
    select
        person_id,
        bit_xor(hash(
            record_id, encounter_type, service_date, gestational_age_weeks, participant_role,
            kelurahan_code, domicile_status, puskesmas_code
        )) as encounters_fingerprint
    from maternal_encounters
    group by person_id
    -- deliveries alone make no contacts to keep
    having bool_or(encounter_type = 'ANC')
),

{% if compares_with_kept %}
    {{ kept_and_changed_keys('person_id', 'encounters_fingerprint') }}
{% endif %}

encounters as (
    select * from maternal_encounters
    {% if compares_with_kept %}
        where person_id in (select changed.person_id from changed)
    {% endif %}
),

anc as (
    select
        person_id,
        record_id,
        service_date as contact_date,
        floor(gestational_age_weeks)::integer as stated_weeks,
        service_date - (floor(gestational_age_weeks)::integer * 7) as implied_hpht,
        participant_role = 'dokter' as with_doctor,
        kelurahan_code,
        domicile_status,
        puskesmas_code,
        row_number() over (partition by person_id order by service_date, record_id) as contact_number
    from encounters
    where encounter_type = 'ANC'
),

deliveries as (
    select
        person_id,
        service_date as delivered_on
    from encounters
    where encounter_type = 'PERSALINAN'
),

contacts as (
    -- the latest delivery before each contact: a pregnancy open before it is closed
    select
        anc.*,
        (
            select max(deliveries.delivered_on) from deliveries
            where deliveries.person_id = anc.person_id and deliveries.delivered_on < anc.contact_date
        ) as delivered_before
    from anc
),

episodes as (
    select
        contacts.person_id,
        contacts.contact_number,
        1 as pregnancy_number,
        contacts.implied_hpht as pregnancy_hpht,
        contacts.contact_date as opened_on
    from contacts
    where contacts.contact_number = 1

    union all

    select
        person_id,
        contact_number,
        case when is_new then pregnancy_number + 1 else pregnancy_number end,
        case when is_new then implied_hpht else coalesce(pregnancy_hpht, implied_hpht) end,
        case when is_new then contact_date else opened_on end
    from (
        select
            contacts.person_id,
            contacts.contact_number,
            contacts.contact_date,
            contacts.implied_hpht,
            episodes.pregnancy_number,
            episodes.pregnancy_hpht,
            episodes.opened_on,
            coalesce(contacts.delivered_before >= episodes.opened_on, false)
            or contacts.contact_date > coalesce(episodes.pregnancy_hpht, episodes.opened_on) + 308
            or coalesce(abs(contacts.implied_hpht - episodes.pregnancy_hpht) > 42, false) as is_new
        from episodes
        inner join contacts
            on
                episodes.person_id = contacts.person_id
                and contacts.contact_number = episodes.contact_number + 1
    ) as step
),

pregnancies as (
    -- a pregnancy's HPHT is the first one its contacts imply; contacts before it take their age from it
    select
        person_id,
        contact_number,
        pregnancy_number,
        first_value(pregnancy_hpht ignore nulls) over (
            partition by person_id, pregnancy_number order by contact_number
            rows between unbounded preceding and unbounded following
        ) as pregnancy_hpht
    from episodes
)

select
    contacts.*,
    pregnancies.pregnancy_number,
    contacts.person_id || ':' || pregnancies.pregnancy_number as pregnancy_id,
    pregnancies.pregnancy_hpht,
    case
        when pregnancies.pregnancy_hpht is not null
            then coalesce(contacts.stated_weeks, (contacts.contact_date - pregnancies.pregnancy_hpht) // 7)
    end as gestational_weeks,
    fingerprints.encounters_fingerprint
from contacts
inner join pregnancies
    on contacts.person_id = pregnancies.person_id and contacts.contact_number = pregnancies.contact_number
inner join fingerprints on contacts.person_id = fingerprints.person_id
{% if compares_with_kept %}
    -- withdrawn: no ANC contact or delivery is hers any more
    {{ withdrawn_keys('person_id') }}
{% endif %}
