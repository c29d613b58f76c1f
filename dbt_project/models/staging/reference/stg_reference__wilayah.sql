with source as (
    {{ current_version(source('raw', 'ref_wilayah')) }}
)

select
    -- region codes, 10/6/4/2 digits without dots
    {{ region_code('kode_kelurahan') }} as kelurahan_code,
    {{ region_code('kode_kecamatan') }} as district_code,
    {{ region_code('kode_kabkota') }} as regency_code,
    {{ region_code('kode_provinsi') }} as province_code,
    -- names
    trim(nama_kelurahan) as kelurahan_name,
    lower(trim(jenis)) as kelurahan_kind,
    trim(nama_kecamatan) as district_name,
    trim(nama_kabkota) as regency_name,
    trim(nama_provinsi) as province_name
from source
