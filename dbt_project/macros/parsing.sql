{#- Typing of landed text, shared by the staging models (sources.md "General rules"). -#}

{% macro parse_date(expr) -%}
    coalesce(
        try_strptime(trim({{ expr }}), '%Y-%m-%d'),
        try_strptime(trim({{ expr }}), '%d/%m/%Y'),
        try_strptime(left(trim({{ expr }}), 10), '%Y-%m-%d')
    )::date
{%- endmacro %}

{% macro parse_decimal(expr) -%}
    try_cast(replace(trim({{ expr }}), ',', '.') as double)
{%- endmacro %}

{% macro parse_integer(expr) -%}
    try_cast(round(try_cast(replace(trim({{ expr }}), ',', '.') as double)) as integer)
{%- endmacro %}

{% macro region_code(expr) -%}
    nullif(regexp_replace(trim({{ expr }}), '[^0-9]', '', 'g'), '')
{%- endmacro %}

{#- Local service date of an ISO 8601 date-time: with an offset it is shifted to the puskesmas's zone;
    without one it is already local. -#}
{% macro local_date(expr, offset_hours) -%}
    case
        when regexp_matches({{ expr }}, '(Z|[+-][0-9]{2}:?[0-9]{2})$')
            then (try_cast({{ expr }} as timestamptz) at time zone 'UTC' + to_hours({{ offset_hours }}))::date
        else try_cast(left({{ expr }}, 10) as date)
    end
{%- endmacro %}

{% macro person_key(expr) -%}
    sha256(
        unhex(getvariable('ilp_hmac_opad'))
        || unhex(sha256(unhex(getvariable('ilp_hmac_ipad')) || encode({{ expr }})))
    )
{%- endmacro %}

{#- Rows of a raw table that belong to the version of their file that counts now (raw.current_file). -#}
{% macro current_version(relation) -%}
    select raw_rows.*
    from {{ relation }} as raw_rows
    inner join {{ source('raw', 'current_file') }} as current_file
        on raw_rows._source_file = current_file.path
        and raw_rows._file_hash = current_file.file_hash
        and current_file.status = 'loaded'
{%- endmacro %}

{#- Age in completed months on a date (calendar months, as a kader counts them). -#}
{% macro completed_months(birth_date, on_date) -%}
    (date_part('year', age({{ on_date }}::timestamp, {{ birth_date }}::timestamp)) * 12
     + date_part('month', age({{ on_date }}::timestamp, {{ birth_date }}::timestamp)))::integer
{%- endmacro %}

{#- NIK checks of domain.md: 16 digits, known province (current or historical), real date, serial not 0000. -#}
{% macro nik_is_valid(nik) -%}
    (
        regexp_full_match(coalesce({{ nik }}, ''), '[0-9]{16}')
        and left({{ nik }}, 2) in (select province_code from {{ ref('province_codes') }})
        and substr({{ nik }}, 13, 4) <> '0000'
        and try_strptime(
            lpad((try_cast(substr({{ nik }}, 7, 2) as integer) % 40)::varchar, 2, '0') || substr({{ nik }}, 9, 4),
            '%d%m%y'
        ) is not null
        and try_cast(substr({{ nik }}, 7, 2) as integer) % 40 > 0
    )
{%- endmacro %}

{% macro normalised_name(expr) -%}
    nullif(regexp_replace(lower(trim({{ expr }})), '[^a-z]', '', 'g'), '')
{%- endmacro %}

{#- Person records with their identity keys (sources.md "Who is who") and the key set these make, null for
    a record without any key. A query over `relation`, which holds record_id, source, record_fingerprint and
    the identity fields of int_identity__records: the keys are computed only for the rows it holds. -#}
{% macro identity_keys(relation) -%}
    select
        record_id,
        source,
        record_fingerprint,
        nik_key,
        mother_key,
        name_key,
        nullif(concat_ws('|', nik_key, mother_key, name_key), '') as key_set
    from (
        select
            record_id,
            source,
            record_fingerprint,
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
        from {{ relation }}
    ) as keys_of_records
{%- endmacro %}

{#- An identity key as the registry keeps it (int_identity__record_person): a hash, null for no key. -#}
{% macro key_hash(key) -%}
    case when {{ key }} is not null then hash({{ key }}) end
{%- endmacro %}

{#- The version of each FHIR resource that counts (sources.md "Versions of one record"): latest
    meta.lastUpdated, then the later export month, then the later line. Kept by key (macros/incremental.sql,
    the `latest_version` strategy): a build chooses again only among the versions of the resources that a
    re-read path holds a version of or held the chosen one. -#}
{% macro latest_version(relation, id_column) -%}
    {%- if is_incremental() %}
    {%- set reread_paths = only_landed_paths_to_rebuild() %}
    with rechosen as (
        select puskesmas_code, {{ id_column }} from {{ relation }}
        where true{{ reread_paths }}
        union
        select puskesmas_code, {{ id_column }} from {{ this }}
        where true{{ reread_paths }}
    )

    {% endif -%}
    select versions.* from {{ relation }} as versions
    where not exists (
        select 1 from {{ ref('int_fhir__invalid_lines') }} as invalid
        where invalid.source_file = versions.source_file and invalid.source_line = versions.source_line
    )
    {%- if is_incremental() %}
        and exists (
            select 1 from rechosen
            where rechosen.puskesmas_code = versions.puskesmas_code
                and rechosen.{{ id_column }} = versions.{{ id_column }}
        )
    {%- endif %}
    qualify row_number() over (
        partition by versions.puskesmas_code, versions.{{ id_column }}
        order by try_cast(versions.last_updated_text as timestamptz) desc nulls last, versions.export_month desc,
            versions.source_file desc, versions.source_line desc
    ) = 1
{%- endmacro %}

{#- A valid NIK whose date part or sex disagrees with the recorded birth date or sex: suspect, not wrong
    (domain.md "Codes"); it still identifies, and the disagreement is flagged. -#}
{% macro nik_disagrees(nik, birth_date, sex) -%}
    (
        {{ nik }} is not null
        and (
            strftime({{ birth_date }}, '%d%m%y')
            <> lpad((try_cast(substr({{ nik }}, 7, 2) as integer) % 40)::varchar, 2, '0') || substr({{ nik }}, 9, 4)
            or ({{ sex }} = 'P') <> (try_cast(substr({{ nik }}, 7, 2) as integer) > 40)
        )
    )
{%- endmacro %}
