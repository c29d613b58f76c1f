with source as (
    {{ current_version(source('raw', 'ref_puskesmas')) }}
)

select
    upper(trim(kode_puskesmas)) as puskesmas_code,
    trim(nama_puskesmas) as puskesmas_name,
    {{ region_code('kode_kabkota') }} as regency_code,
    {{ region_code('kode_kelurahan') }} as seat_kelurahan_code
from source
