-- Transitive identity: records sharing any key are one person. Labels propagate between key sets and
-- keys (connected components); the person id is the smallest key of the component. Every visit of a
-- person repeats the same keys, so the components are found over the distinct key sets, not the records.
-- Kept by record (macros/incremental.sql, `replace_by_key`): a record is labelled again only when it is new
-- or changed, or when its person's component can change: the person lost a record or a version of one, or
-- holds a key of a key set never kept before. A new record of a key set already kept takes that set's
-- person. The other components keep their labels: their key sets are all unchanged and share no key with
-- the new ones.
{{ config(**kept_by_key('record_id', withdrawn_when='person_id is null')) }}
{% set iterations = 6 %}
{% set compares_with_kept = kept_rows_have('record_fingerprint') %}
with records as (
    select
        record_id,
        source,
        hash(source, nik, mother_nik, person_name, birth_date, sex, name_kelurahan_code, recorded_on)
            as record_fingerprint,
        nik,
        mother_nik,
        person_name,
        birth_date,
        sex,
        name_kelurahan_code
    from {{ ref('int_identity__records') }}
),

{% if compares_with_kept %}
    kept as (
        select * from {{ this }}
        where {{ kept_state_is_current() }}
    ),

    -- each record against its kept version: arrived (new, or in a new version), gone (kept in a version
    -- that is no longer current) or both
    compared as materialized (
        select
            coalesce(records.record_id, kept.record_id) as record_id,
            records.record_id is not null as is_current,
            records.record_fingerprint is distinct from kept.record_fingerprint as has_changed,
            kept.person_id as kept_person_id
        from records
        full outer join kept using (record_id)
    ),

    arrived_records as (
        select * from records
        where record_id in (select compared.record_id from compared where compared.is_current and compared.has_changed)
    ),

    arrived as materialized (
        {{ identity_keys('arrived_records') }}
    ),

    gone as (
        select
            record_id,
            kept_person_id as person_id,
            is_current
        from compared
        where has_changed and kept_person_id is not null
    ),

    new_key_sets as (
        select distinct
            {{ key_hash('nik_key') }} as nik_hash,
            {{ key_hash('mother_key') }} as mother_hash,
            {{ key_hash('name_key') }} as name_hash
        from arrived
        where
            key_set is not null
            and not exists (
                select 1 from kept
                where
                    kept.nik_hash is not distinct from {{ key_hash('arrived.nik_key') }}
                    and kept.mother_hash is not distinct from {{ key_hash('arrived.mother_key') }}
                    and kept.name_hash is not distinct from {{ key_hash('arrived.name_key') }}
            )
    ),

    touched_persons as (
        select person_id from gone
        union
        select kept.person_id from kept inner join new_key_sets on kept.nik_hash = new_key_sets.nik_hash
        union
        select kept.person_id from kept inner join new_key_sets on kept.mother_hash = new_key_sets.mother_hash
        union
        select kept.person_id from kept inner join new_key_sets on kept.name_hash = new_key_sets.name_hash
    ),

    -- an arrived record of a key set kept for a person whose component stays as it is (a key set is
    -- compared by the hashes of its three keys)
    assigned as (
        select
            arrived.*,
            kept_sets.person_id
        from arrived
        inner join (
            select
                nik_hash,
                mother_hash,
                name_hash,
                any_value(person_id) as person_id
            from kept
            group by nik_hash, mother_hash, name_hash
        ) as kept_sets
            on
                {{ key_hash('arrived.nik_key') }} is not distinct from kept_sets.nik_hash
                and {{ key_hash('arrived.mother_key') }} is not distinct from kept_sets.mother_hash
                and {{ key_hash('arrived.name_key') }} is not distinct from kept_sets.name_hash
        where
            arrived.key_set is not null
            and kept_sets.person_id not in (select touched_persons.person_id from touched_persons)
    ),

    -- the records of the persons to label again that stay as they were kept
    touched_records as (
        select * from records
        where
            record_id in (
                select kept.record_id from kept
                where kept.person_id in (select touched_persons.person_id from touched_persons)
            )
            and record_id not in (select arrived.record_id from arrived)
    ),

    to_label as materialized (
        {{ identity_keys('touched_records') }}
        union all
        select * from arrived
        where record_id not in (select assigned.record_id from assigned)
    ),
{% else %}
    to_label as materialized (
        {{ identity_keys('records') }}
    ),
{% endif %}

key_sets as materialized (
    select
        nik_key,
        mother_key,
        name_key,
        key_set,
        row_number() over () as set_id
    from (
        select distinct
            nik_key,
            mother_key,
            name_key,
            key_set
        from to_label
    ) as distinct_sets
    where key_set is not null
),

set_key_texts as (
    select
        set_id,
        nik_key as identity_key
    from key_sets
    where nik_key is not null
    union all
    select
        set_id,
        mother_key
    from key_sets
    where mother_key is not null
    union all
    select
        set_id,
        name_key
    from key_sets
    where name_key is not null
),

-- Keys numbered in their text order, so that the smallest number is the smallest key: the propagation
-- then moves integers, not text, which keeps a nation's worth of keys in memory.
identity_keys as materialized (
    select
        identity_key,
        row_number() over (order by identity_key) as key_id
    from (select distinct identity_key from set_key_texts) as distinct_keys
),

record_keys as materialized (
    select
        set_key_texts.set_id,
        identity_keys.key_id
    from set_key_texts
    inner join identity_keys using (identity_key)
),

-- A key set that shares no key with another set is a person on its own: its label is its smallest key.
-- Only the sets linked to others by a shared key (a few percent) go through the propagation.
labels_0 as materialized (
    select
        set_id,
        min(key_id) as label
    from record_keys
    group by set_id
),

linked_sets as (
    select distinct set_id
    from record_keys
    where key_id in (
        select shared.key_id from record_keys as shared
        group by shared.key_id
        having count(*) > 1
    )
),

linked_record_keys as materialized (
    select
        set_id,
        key_id
    from record_keys
    where set_id in (select set_id from linked_sets)
),

linked_labels_0 as (
    select * from labels_0
    where set_id in (select set_id from linked_sets)
),

{% for i in range(1, iterations + 1) %}
    key_labels_{{ i }} as (
        select
            linked_record_keys.key_id,
            min(linked_labels_{{ i - 1 }}.label) as label
        from linked_record_keys inner join linked_labels_{{ i - 1 }} using (set_id)
        group by linked_record_keys.key_id
    ),

    linked_labels_{{ i }} as (
        select
            linked_record_keys.set_id,
            min(key_labels_{{ i }}.label) as label
        from linked_record_keys inner join key_labels_{{ i }} using (key_id)
        group by linked_record_keys.set_id
    ),
{% endfor %}

set_labels as (
    select
        labels_0.set_id,
        coalesce(linked_labels_{{ iterations }}.label, labels_0.label) as label
    from labels_0
    left join linked_labels_{{ iterations }} using (set_id)
),

set_persons as (
    select
        key_sets.key_set,
        identity_keys.identity_key as person_id
    from set_labels
    inner join key_sets using (set_id)
    inner join identity_keys on set_labels.label = identity_keys.key_id
)

select
    to_label.record_id,
    to_label.source,
    coalesce(set_persons.person_id, 'rec:' || to_label.record_id) as person_id,
    to_label.record_fingerprint,
    {{ key_hash('to_label.nik_key') }} as nik_hash,
    {{ key_hash('to_label.mother_key') }} as mother_hash,
    {{ key_hash('to_label.name_key') }} as name_hash
from to_label
left join set_persons using (key_set)
{% if compares_with_kept %}
    union all
    select
        record_id,
        source,
        person_id,
        record_fingerprint,
        {{ key_hash('nik_key') }},
        {{ key_hash('mother_key') }},
        {{ key_hash('name_key') }}
    from assigned
    -- withdrawn: the record is gone from every source
    union all by name
    select record_id from gone
    where not is_current
{% endif %}
