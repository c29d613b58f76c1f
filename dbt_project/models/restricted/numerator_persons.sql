-- Drill-through for the health office: the pseudonymous persons behind every event indicator's published
-- numerator_month (kelurahan x month x indicator), each with the source row that completed the event: the
-- register file and line, or the FHIR export file and line of the resource's counted version. Counted as
-- agg_indicator_area_month counts them: residents outside the reference are in no area, an unknown
-- domicile is the puskesmas's row with kelurahan_code NULL. A run replaces the lists of its own months, the
-- months it publishes, and keeps those of the other months (macros/incremental.sql).
{{ config(
    materialized='incremental',
    incremental_strategy='months_of_the_run',
    on_schema_change='sync_all_columns',
) }}

with events as (
    select * from {{ ref('fct_indicator_events') }}
    where
        domicile_status <> 'luar_wilayah'
        and met_on between date '{{ first_month() }}' and last_day(date '{{ last_month() }}')
),

fhir_rows as (
    select
        {{ fhir_record_id('enc', 'puskesmas_code', 'encounter_id') }} as record_id,
        source_file,
        source_line
    from {{ ref('int_fhir__encounter_latest') }}
    union all
    select
        {{ fhir_record_id('imm', 'puskesmas_code', 'immunization_id') }},
        source_file,
        source_line
    from {{ ref('int_fhir__immunization_latest') }}
)

select
    date_trunc('month', events.met_on)::date as period_month,
    events.puskesmas_code,
    case when events.domicile_status = 'wilayah' then events.kelurahan_code end as kelurahan_code,
    events.indicator_code,
    events.person_key,
    events.met_on,
    events.record_id,
    coalesce(
        fhir_rows.source_file,
        case when events.record_id like 'reg:%' then regexp_extract(events.record_id, '^reg:(.*):[0-9]+$', 1) end
    ) as source_file,
    coalesce(
        fhir_rows.source_line,
        case when events.record_id like 'reg:%' then regexp_extract(events.record_id, ':([0-9]+)$', 1)::bigint end
    ) as source_line
from events
left join fhir_rows on events.record_id = fhir_rows.record_id
