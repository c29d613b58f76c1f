-- Transitive identity: records sharing any key are one person. Labels propagate between records and
-- keys (connected components); the person id is the smallest key of the component.
{% set iterations = 6 %}
with records as (
    select * from {{ ref('int_identity__records') }}
),

record_keys as (
    select
        record_id,
        'nik:' || nik as identity_key
    from records
    where nik is not null
    union
    select
        record_id,
        'ibu:' || mother_nik || ':' || birth_date || ':' || sex as identity_key
    from records
    where mother_nik is not null and birth_date is not null and sex in ('L', 'P')
    union
    select
        record_id,
        'nama:' || {{ normalised_name('person_name') }} || ':' || birth_date || ':' || sex || ':'
        || coalesce(name_kelurahan_code, '')
    from records
    where {{ normalised_name('person_name') }} is not null and birth_date is not null
),

labels_0 as (
    select
        record_id,
        min(identity_key) as label
    from record_keys
    group by record_id
),

{% for i in range(1, iterations + 1) %}
    key_labels_{{ i }} as (
        select
            record_keys.identity_key,
            min(labels_{{ i - 1 }}.label) as label
        from record_keys inner join labels_{{ i - 1 }} using (record_id)
        group by record_keys.identity_key
    ),

    labels_{{ i }} as (
        select
            record_keys.record_id,
            min(key_labels_{{ i }}.label) as label
        from record_keys inner join key_labels_{{ i }} using (identity_key)
        group by record_keys.record_id
    ){{ "," if not loop.last }}
{% endfor %}

select
    records.record_id,
    records.source,
    coalesce(labels_{{ iterations }}.label, 'rec:' || records.record_id) as person_id
from records
left join labels_{{ iterations }} using (record_id)
