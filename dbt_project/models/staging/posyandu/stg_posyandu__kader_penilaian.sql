with source as (
    {{ current_version(source('raw', 'kader_penilaian')) }}
)

select
    upper(trim(kode_kader)) as kader_code,
    {{ parse_date('tanggal_penilaian') }} as assessed_on,
    upper(trim(kode_keterampilan)) as skill_code,
    lower(trim(hasil)) = 'kompeten' as is_competent,
    _source_file as source_file,
    _line as source_line
from source
