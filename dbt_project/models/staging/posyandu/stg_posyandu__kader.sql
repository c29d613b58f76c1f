with source as (
    {{ current_version(source('raw', 'kader')) }}
)

select
    upper(trim(kode_kader)) as kader_code,
    upper(trim(kode_posyandu)) as posyandu_code,
    upper(trim(jenis_kelamin)) as sex,
    {{ parse_date('tanggal_mulai') }} as active_from,
    upper(trim(aktif)) = 'Y' as is_active_flag,
    {{ parse_date('tanggal_nonaktif') }} as inactive_from,
    _source_file as source_file,
    _line as source_line
from source
