-- Doses as recorded: antigens listed on register rows and completed Immunization resources.
-- Unknown antigen codes were flagged and dropped in the register checks; `not-done` does not count.
{{ config(materialized='view') }}

with services as (
    select * from {{ ref('int_services__records') }}
),

register as (
    select
        services.person_id,
        services.record_id,
        services.source,
        services.service_date as administered_on,
        unnest(visits.antigens) as antigen_code,
        services.kelurahan_code,
        services.domicile_status,
        services.puskesmas_code
    from {{ ref('int_posyandu__visits_checked') }} as visits
    inner join services on services.record_id = visits.record_id
    where len(visits.antigens) > 0
),

puskesmas as (
    select
        services.person_id,
        services.record_id,
        services.source,
        services.service_date as administered_on,
        immunizations.antigen_code,
        services.kelurahan_code,
        services.domicile_status,
        services.puskesmas_code
    from {{ ref('int_fhir__immunization_latest') }} as immunizations
    inner join services
        on
            services.record_id
            = {{ fhir_record_id('imm', 'immunizations.puskesmas_code', 'immunizations.immunization_id') }}
    where immunizations.antigen_code in (select antigen_code from {{ ref('immunisation_schedule') }})
)

select * from register
union all
select * from puskesmas
