-- Transitive identity: records sharing any key are one person. Labels propagate between key sets and
-- keys (connected components); the person id is the smallest key of the component. Every visit of a
-- person repeats the same keys, so the components are found over the distinct key sets, not the records.
{% set iterations = 6 %}
with records as (
    select * from {{ ref('int_identity__records') }}
),

keyed as (
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

key_sets as (
    select distinct
        nik_key,
        mother_key,
        name_key,
        concat_ws('|', nik_key, mother_key, name_key) as key_set
    from keyed
    where coalesce(nik_key, mother_key, name_key) is not null
),

record_keys as (
    select
        key_set,
        nik_key as identity_key
    from key_sets
    where nik_key is not null
    union all
    select
        key_set,
        mother_key
    from key_sets
    where mother_key is not null
    union all
    select
        key_set,
        name_key
    from key_sets
    where name_key is not null
),

labels_0 as (
    select
        key_set,
        min(identity_key) as label
    from record_keys
    group by key_set
),

{% for i in range(1, iterations + 1) %}
    key_labels_{{ i }} as (
        select
            record_keys.identity_key,
            min(labels_{{ i - 1 }}.label) as label
        from record_keys inner join labels_{{ i - 1 }} using (key_set)
        group by record_keys.identity_key
    ),

    labels_{{ i }} as (
        select
            record_keys.key_set,
            min(key_labels_{{ i }}.label) as label
        from record_keys inner join key_labels_{{ i }} using (identity_key)
        group by record_keys.key_set
    ){{ "," if not loop.last }}
{% endfor %}

select
    keyed.record_id,
    keyed.source,
    coalesce(labels_{{ iterations }}.label, 'rec:' || keyed.record_id) as person_id
from keyed
left join labels_{{ iterations }}
    on concat_ws('|', keyed.nik_key, keyed.mother_key, keyed.name_key) = labels_{{ iterations }}.key_set
