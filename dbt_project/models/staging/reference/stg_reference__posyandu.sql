with source as (
    {{ current_version(source('raw', 'ref_posyandu')) }}
)

select
    -- identity and place
    upper(trim(kode_posyandu)) as posyandu_code,
    trim(nama_posyandu) as posyandu_name,
    {{ region_code('kode_kelurahan') }} as kelurahan_code,
    trim(rw) as rw,
    upper(trim(kode_puskesmas)) as puskesmas_code,
    -- activity
    upper(trim(aktif)) = 'Y' as is_active_flag,
    {{ parse_date('tanggal_aktif') }} as active_from,
    {{ parse_date('tanggal_nonaktif') }} as inactive_from,
    {{ parse_integer('hari_buka') }} as session_day_of_month
from source
