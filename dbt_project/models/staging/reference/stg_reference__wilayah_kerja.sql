with source as (
    {{ current_version(source('raw', 'ref_wilayah_kerja')) }}
)

select
    upper(trim(kode_puskesmas)) as puskesmas_code,
    {{ region_code('kode_kelurahan') }} as kelurahan_code
from source
