-- Kelurahan of the reference with their parents and the puskesmas whose working area holds them.
{{ config(materialized='view') }}

select
    wilayah.kelurahan_code,
    wilayah.kelurahan_name,
    wilayah.district_code,
    wilayah.district_name,
    wilayah.regency_code,
    wilayah.regency_name,
    wilayah.province_code,
    wilayah.province_name,
    kerja.puskesmas_code,
    puskesmas.puskesmas_name,
    provinces.utc_offset_hours
from {{ ref('stg_reference__wilayah') }} as wilayah
left join {{ ref('stg_reference__wilayah_kerja') }} as kerja on wilayah.kelurahan_code = kerja.kelurahan_code
left join {{ ref('stg_reference__puskesmas') }} as puskesmas on kerja.puskesmas_code = puskesmas.puskesmas_code
left join {{ ref('province_codes') }} as provinces on wilayah.province_code = provinces.province_code
