-- The areas a PWS table lists for each puskesmas: every kelurahan of its working area, and one row for
-- records whose domicile is unknown (kelurahan_code NULL).
{{ config(materialized='view') }}

select
    kelurahan.province_code,
    kelurahan.regency_code,
    kelurahan.district_code,
    kelurahan.kelurahan_code,
    kelurahan.kelurahan_name,
    kelurahan.puskesmas_code,
    kelurahan.puskesmas_name
from {{ ref('int_region__kelurahan') }} as kelurahan
where kelurahan.puskesmas_code is not null

union all

select
    puskesmas.province_code,
    puskesmas.regency_code,
    cast(null as varchar) as district_code,
    cast(null as varchar) as kelurahan_code,
    'Domisili tidak diketahui' as kelurahan_name,
    puskesmas.puskesmas_code,
    puskesmas.puskesmas_name
from {{ ref('int_region__puskesmas') }} as puskesmas
