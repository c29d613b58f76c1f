-- Projected annual targets per kelurahan (indicators.md "Sasaran"): from the population by single age
-- and sex and the kabupaten/kota's parameters for the year (the latest earlier year when the year is
-- missing, flagged). Each value is computed from unrounded inputs and rounded half up once.
with spine_years as (
    select distinct year(period_month) as target_year from ({{ month_spine() }})
),

population as (
    select * from {{ ref('stg_reference__penduduk') }}
),

population_year as (
    select
        spine_years.target_year,
        coalesce(
            max(population_years.population_year) filter (
                where population_years.population_year <= spine_years.target_year
            ),
            min(population_years.population_year)
        ) as population_year
    from spine_years
    cross join (select distinct population_year from population) as population_years
    group by spine_years.target_year
),

groups as (
    select
        population_year.target_year,
        population.kelurahan_code,
        sum(population.population) as total,
        sum(population.population) filter (where population.age_years = 1) as aged_one,
        sum(population.population) filter (where population.age_years between 0 and 4) as aged_0_4,
        sum(population.population) filter (where population.age_years between 7 and 15) as aged_7_15,
        sum(population.population) filter (where population.sex = 'P' and population.age_years between 12 and 18)
            as girls_12_18,
        sum(population.population) filter (where population.age_years between 15 and 59) as aged_15_59,
        sum(population.population) filter (where population.age_years >= 60) as aged_60_plus,
        sum(population.population) filter (where population.age_years >= 15) as aged_15_plus
    from population_year
    inner join population on population.population_year = population_year.population_year
    group by population_year.target_year, population.kelurahan_code
),

parameters as (
    select
        groups.target_year,
        groups.kelurahan_code,
        arg_max(parameters.crude_birth_rate, parameters.parameter_year) as crude_birth_rate,
        arg_max(parameters.infant_mortality_rate, parameters.parameter_year) as infant_mortality_rate,
        arg_max(parameters.hypertension_prevalence, parameters.parameter_year) as hypertension_prevalence,
        arg_max(parameters.diabetes_prevalence, parameters.parameter_year) as diabetes_prevalence,
        max(parameters.parameter_year) as parameter_year
    from groups
    inner join {{ ref('stg_reference__parameter_sasaran') }} as parameters
        on
            parameters.regency_code = left(groups.kelurahan_code, 4)
            and parameters.parameter_year <= groups.target_year
    group by groups.target_year, groups.kelurahan_code
),

unrounded as (
    select
        groups.*,
        parameters.parameter_year,
        parameters.parameter_year < groups.target_year as parameter_year_fallback,
        parameters.crude_birth_rate / 1000 * groups.total::double as lahir_hidup,
        parameters.infant_mortality_rate,
        parameters.hypertension_prevalence,
        parameters.diabetes_prevalence
    from groups
    left join
        parameters
        on groups.target_year = parameters.target_year and groups.kelurahan_code = parameters.kelurahan_code
),

target_values as (
    select
        target_year,
        kelurahan_code,
        parameter_year,
        parameter_year_fallback,
        lahir_hidup,
        1.1 * lahir_hidup as bumil,
        1.05 * lahir_hidup as bulin,
        lahir_hidup * (1 - infant_mortality_rate / 1000) as bayi,
        aged_one as baduta,
        aged_0_4 as balita,
        aged_7_15 as usia_pendidikan_dasar,
        girls_12_18 as remaja_putri,
        aged_15_59 as usia_produktif,
        aged_60_plus as lansia,
        hypertension_prevalence * aged_15_plus as hipertensi_est,
        diabetes_prevalence * aged_15_plus as dm_est
    from unrounded
),

long_targets as (
    select * from target_values
    unpivot (unrounded_value for sasaran_key in (  -- noqa: PRS
        lahir_hidup, bumil, bulin, bayi, baduta, balita, usia_pendidikan_dasar, remaja_putri, usia_produktif,
        lansia, hipertensi_est, dm_est
    ))
)

select
    target_year,
    kelurahan_code,
    parameter_year,
    parameter_year_fallback,
    sasaran_key,
    floor(unrounded_value::double + 0.5) as sasaran
from long_targets
