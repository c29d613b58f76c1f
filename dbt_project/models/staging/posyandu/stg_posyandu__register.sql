-- Posyandu visit registers (sources.md "register kunjungan"): typed and renamed; text kept where the
-- quality rules need to tell a missing value from an unreadable one.
with source as (
    {{ current_version(source('raw', 'posyandu_register')) }}
)

select
    -- visit
    {{ parse_date('tanggal_kunjungan') }} as visit_date,
    tanggal_kunjungan as visit_date_text,
    upper(trim(kode_posyandu)) as posyandu_code,
    upper(trim(kode_kader)) as kader_code,
    lower(trim(kelompok_sasaran)) as target_group_written,
    -- person (restricted: identifies the person)
    regexp_replace(coalesce(nik, ''), '[ .\-]', '', 'g') as nik_text,
    nullif(trim(nama), '') as person_name,
    upper(trim(jenis_kelamin)) as sex_text,
    {{ parse_date('tanggal_lahir') }} as birth_date,
    tanggal_lahir as birth_date_text,
    regexp_replace(coalesce(nik_ibu, ''), '[ .\-]', '', 'g') as mother_nik_text,
    nullif(trim(nama_ibu), '') as mother_name,
    {{ region_code('kode_kelurahan_domisili') }} as domicile_code,
    trim(rt) as rt,
    trim(rw) as rw,
    -- measurements
    {{ parse_decimal('berat_badan_kg') }} as weight_kg,
    {{ parse_decimal('tinggi_badan_cm') }} as height_cm,
    lower(trim(cara_ukur)) as measure_position,
    {{ parse_decimal('lila_cm') }} as muac_cm,
    {{ parse_decimal('lingkar_kepala_cm') }} as head_circumference_cm,
    {{ parse_decimal('lingkar_perut_cm') }} as waist_cm,
    {{ parse_integer('sistolik') }} as systolic_mmhg,
    {{ parse_integer('diastolik') }} as diastolic_mmhg,
    {{ parse_integer('gula_darah_mg_dl') }} as glucose_mg_dl,
    upper(trim(gula_darah_puasa)) = 'Y' as glucose_fasting,
    {{ parse_integer('usia_kehamilan_minggu') }} as gestational_age_weeks,
    -- services
    upper(trim(imunisasi)) as antigen_list,
    upper(trim(vitamin_a)) = 'Y' as vitamin_a_given,
    {{ parse_integer('tablet_tambah_darah') }} as iron_tablets,
    lower(trim(skrining_tb)) as tb_screening_result,
    upper(trim(skrining_lansia)) = 'Y' as elderly_screened,
    {{ parse_integer('skor_adl') }} as adl_score,
    upper(trim(rujukan)) = 'Y' as referred,
    -- lineage
    _source_file as source_file,
    _line as source_line,
    _row_hash as row_hash,
    _file_hash as file_hash,
    _file_modified_at as file_modified_at,
    _loaded_at as loaded_at
from source
