with source as (
    {{ current_version(source('raw', 'ref_penduduk')) }}
)

select
    {{ parse_integer('tahun') }} as population_year,
    {{ region_code('kode_kelurahan') }} as kelurahan_code,
    upper(trim(jenis_kelamin)) as sex,
    {{ parse_integer('umur') }} as age_years,
    {{ parse_integer('jumlah') }} as population
from source
