with source as (
    {{ current_version(source('raw', 'ref_parameter_sasaran')) }}
)

select
    {{ parse_integer('tahun') }} as parameter_year,
    {{ region_code('kode_kabkota') }} as regency_code,
    -- rates per 1,000 and shares of the population aged 15 and over
    {{ parse_decimal('cbr') }} as crude_birth_rate,
    {{ parse_decimal('imr') }} as infant_mortality_rate,
    {{ parse_decimal('prevalensi_hipertensi') }} as hypertension_prevalence,
    {{ parse_decimal('prevalensi_dm') }} as diabetes_prevalence
from source
