-- Puskesmas with the time zone of their province (service dates are local dates).
{{ config(materialized='view') }}

select
    puskesmas.puskesmas_code,
    puskesmas.puskesmas_name,
    puskesmas.regency_code,
    left(puskesmas.regency_code, 2) as province_code,
    coalesce(provinces.utc_offset_hours, 7) as utc_offset_hours
from {{ ref('stg_reference__puskesmas') }} as puskesmas
left join {{ ref('province_codes') }} as provinces on left(puskesmas.regency_code, 2) = provinces.province_code
