-- Register rows checked one by one: quarantined with a reason, or accepted with faulty values nulled and
-- flagged, not the row (sources.md "Faulty values versus faulty rows"). Checked once per landed file
-- version (macros/incremental.sql); a change of the contracts, reference files or seeds checks all again.
{{ config(**kept_by_landed_file()) }}

with registers as (
    select * from {{ ref('stg_posyandu__register') }}
    where true{{ only_landed_paths_to_rebuild() }}
),

posyandu as (
    select * from {{ ref('stg_reference__posyandu') }}
),

-- the contract's plausible ranges (data_contracts/posyandu_register.yml), as one row
limits as (
    select
        max(min_value) filter (where column_name = 'berat_badan_kg') as weight_min,
        max(max_value) filter (where column_name = 'berat_badan_kg') as weight_max,
        max(max_under_five) filter (where column_name = 'berat_badan_kg') as weight_max_under_five,
        max(min_value) filter (where column_name = 'tinggi_badan_cm') as height_min,
        max(max_value) filter (where column_name = 'tinggi_badan_cm') as height_max,
        max(max_under_five) filter (where column_name = 'tinggi_badan_cm') as height_max_under_five,
        max(min_value) filter (where column_name = 'sistolik') as systolic_min,
        max(max_value) filter (where column_name = 'sistolik') as systolic_max,
        max(min_value) filter (where column_name = 'diastolik') as diastolic_min,
        max(max_value) filter (where column_name = 'diastolik') as diastolic_max
    from {{ source('raw', 'contract_column') }}
    where source_name = 'posyandu_register'
),

antigens as (
    select list(antigen_code) as known_antigens from {{ ref('immunisation_schedule') }}
),

checked as (
    select
        registers.*,
        posyandu.kelurahan_code as posyandu_kelurahan_code,
        posyandu.puskesmas_code as posyandu_puskesmas_code,
        regexp_extract(registers.source_file, '/([^/]+)\.[A-Za-z]+$', 1) as file_stem,
        {{ nik_is_valid('registers.nik_text') }} as nik_valid,
        {{ nik_is_valid('registers.mother_nik_text') }} as mother_nik_valid,
        coalesce({{ completed_months('registers.birth_date', 'registers.visit_date') }} < 60, false) as under_five,
        case
            when registers.visit_date_text is null then 'kolom_wajib_kosong'
            when registers.visit_date is null then 'tanggal_kunjungan_tidak_valid'
            when registers.person_name is null then 'kolom_wajib_kosong'
            when registers.sex_text not in ('L', 'P') or registers.sex_text is null then 'jenis_kelamin_tidak_valid'
            when registers.birth_date is null then 'tanggal_lahir_tidak_valid'
            when registers.posyandu_code is null then 'kolom_wajib_kosong'
            when registers.visit_date > registers.file_modified_at::date then 'tanggal_di_masa_depan'
            when registers.visit_date < registers.birth_date then 'tanggal_sebelum_lahir'
            when posyandu.posyandu_code is null then 'kode_posyandu_tidak_dikenal'
            when regexp_full_match(file_stem, 'PSY[0-9]+') and file_stem <> registers.posyandu_code
                then 'kode_posyandu_berbeda'
        end as quarantine_reason
    from registers
    left join posyandu on registers.posyandu_code = posyandu.posyandu_code
),

valued as (
    select
        checked.* exclude (weight_kg, height_cm, systolic_mmhg, diastolic_mmhg, antigen_list, under_five),
        case when nik_valid then nik_text end as nik,
        case when mother_nik_valid then mother_nik_text end as mother_nik,
        case
            when
                weight_kg between limits.weight_min and limits.weight_max
                and (not under_five or weight_kg <= coalesce(limits.weight_max_under_five, limits.weight_max))
                then weight_kg
        end as weight_kg,
        case
            when
                height_cm between limits.height_min and limits.height_max
                and (not under_five or height_cm <= coalesce(limits.height_max_under_five, limits.height_max))
                then height_cm
        end as height_cm,
        case when systolic_mmhg between limits.systolic_min and limits.systolic_max then systolic_mmhg end
            as systolic_mmhg,
        case when diastolic_mmhg between limits.diastolic_min and limits.diastolic_max then diastolic_mmhg end
            as diastolic_mmhg,
        list_filter(
            list_transform(
                string_split(regexp_replace(coalesce(antigen_list, ''), ',', ';', 'g'), ';'),
                lambda a: trim(a)
            ),
            lambda a: a <> ''
        ) as antigens_written,
        list_filter(antigens_written, lambda a: list_contains(antigens.known_antigens, a)) as antigens,
        weight_kg as weight_kg_written,
        height_cm as height_cm_written,
        systolic_mmhg as systolic_written,
        diastolic_mmhg as diastolic_written
    from checked
    cross join antigens
    cross join limits
),

flagged as (
    select
        *,
        list_filter([
            case when nik_text <> '' and not nik_valid then 'nik_invalid' end,
            case when mother_nik_text <> '' and not mother_nik_valid then 'nik_ibu_invalid' end,
            case when weight_kg_written is not null and weight_kg is null then 'berat_tidak_mungkin' end,
            case when height_cm_written is not null and height_cm is null then 'tinggi_tidak_mungkin' end,
            case
                when
                    (systolic_written is not null and systolic_mmhg is null)
                    or (diastolic_written is not null and diastolic_mmhg is null) then 'tekanan_darah_tidak_mungkin'
            end,
            case when len(antigens_written) > len(antigens) then 'imunisasi_tidak_dikenal' end
        ], lambda f: f is not null) as value_flags,
        coalesce(
            case when nik_valid then 'nik:' || nik_text end,
            case when mother_nik_valid then 'ibu:' || mother_nik_text || ':' || birth_date || ':' || sex_text end,
            'nama:' || {{ normalised_name('person_name') }} || ':' || birth_date || ':' || sex_text
        ) as visit_person_hint
    from valued
)

select
    *,
    -- the register row's id wherever it is joined: its file and line
    'reg:' || source_file || ':' || source_line as record_id
from flagged
