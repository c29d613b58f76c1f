-- Transitive identity: records sharing any key are one person. Labels propagate between key sets and
-- keys (connected components); the person id is the smallest key of the component. Every visit of a
-- person repeats the same keys, so the components are found over the distinct key sets, not the records.
{% set iterations = 6 %}
with records as (
    select * from {{ ref('int_identity__records') }}
),

keyed as materialized (
    select
        record_id,
        source,
        'nik:' || nik as nik_key,
        case
            when mother_nik is not null and birth_date is not null and sex in ('L', 'P')
                then 'ibu:' || mother_nik || ':' || birth_date || ':' || sex
        end as mother_key,
        case
            when {{ normalised_name('person_name') }} is not null and birth_date is not null
                then
                    'nama:' || {{ normalised_name('person_name') }} || ':' || birth_date || ':' || sex || ':'
                    || coalesce(name_kelurahan_code, '')
        end as name_key
    from records
),

key_sets as materialized (
    select
        nik_key,
        mother_key,
        name_key,
        concat_ws('|', nik_key, mother_key, name_key) as key_set,
        row_number() over () as set_id
    from (
        select distinct
            nik_key,
            mother_key,
            name_key
        from keyed
    ) as distinct_sets
    where coalesce(nik_key, mother_key, name_key) is not null
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
    keyed.record_id,
    keyed.source,
    coalesce(set_persons.person_id, 'rec:' || keyed.record_id) as person_id
from keyed
left join set_persons
    on concat_ws('|', keyed.nik_key, keyed.mother_key, keyed.name_key) = set_persons.key_set
