-- Child weights and lengths/heights from both sources, one row per measuring occasion, with the
-- record's domicile. Position: `l` lying, `h` standing, NULL when not recorded.
{{ config(materialized='view') }}

with services as (
    select * from {{ ref('int_services__records') }}
),

register as (
    select
        services.person_id,
        services.record_id,
        services.source,
        services.service_date as measured_on,
        visits.weight_kg,
        visits.height_cm,
        case visits.measure_position when 'terlentang' then 'l' when 'berdiri' then 'h' end as measure_position,
        services.kelurahan_code,
        services.domicile_status,
        services.puskesmas_code
    from {{ ref('int_posyandu__visits_checked') }} as visits
    inner join services on services.record_id = visits.record_id
    where visits.weight_kg is not null or visits.height_cm is not null
),

observations as (
    select
        observations.puskesmas_code,
        observations.encounter_id,
        max(observations.value_number) filter (where observations.loinc_code = '29463-7') as weight_kg,
        max(observations.value_number) filter (where observations.loinc_code in ('8302-2', '8306-3')) as height_cm,
        max(case observations.loinc_code when '8306-3' then 'l' when '8302-2' then 'h' end) as measure_position
    from {{ ref('int_fhir__observation_latest') }} as observations
    where
        observations.observation_status in ('final', 'amended')
        and observations.loinc_code in ('29463-7', '8302-2', '8306-3')
    group by observations.puskesmas_code, observations.encounter_id
),

puskesmas as (
    select
        services.person_id,
        services.record_id,
        services.source,
        services.service_date as measured_on,
        observations.weight_kg,
        observations.height_cm,
        observations.measure_position,
        services.kelurahan_code,
        services.domicile_status,
        services.puskesmas_code
    from observations
    inner join services
        on services.record_id = {{ fhir_record_id('enc', 'observations.puskesmas_code', 'observations.encounter_id') }}
)

select * from register
union all
select * from puskesmas
