-- Every area (kelurahan, and each puskesmas's unknown-domicile row) x month of the spine x catalogue
-- indicator, zeros included: numerators, year-to-date sums, denominators and both sasaran, with UCI and
-- the drop-out derived from the indicators they are defined by. The PWS tables score these rows.
with spine as (
    {{ month_spine() }}
),

catalogue as (
    select * from {{ ref('indicator_catalogue') }}
),

grid as (
    select
        areas.*,
        spine.period_month,
        catalogue.*
    from {{ ref('int_region__areas') }} as areas
    cross join spine
    cross join catalogue
),

values as (
    select * from {{ ref('agg_indicator_area_month') }}
),

spine_start as (
    select min(period_month) as period_month from spine
),

earlier_in_year as (
    -- The spine's first month is a December (trends compare January with it): its year-to-date sums need
    -- that year's earlier months, which lie before the spine.
    select
        values.puskesmas_code,
        values.kelurahan_code,
        values.indicator_code,
        sum(values.numerator_month) as numerator
    from values
    cross join spine_start
    where
        values.period_month >= date_trunc('year', spine_start.period_month)
        and values.period_month < spine_start.period_month
    group by all
),

with_values as (
    select
        grid.*,
        coalesce(values.numerator_month, 0) as numerator_month,
        case
            when grid.period_month = (select spine_start.period_month from spine_start)
                then coalesce(earlier_in_year.numerator, 0)
            else 0
        end as numerator_earlier_in_year,
        values.measured_denominator,
        projected.sasaran as target_population_projected,
        case
            when grid.sasaran_key in (
                'bayi', 'baduta', 'balita', 'lahir_hidup', 'bumil', 'bulin', 'usia_pendidikan_dasar', 'remaja_putri',
                'usia_produktif', 'lansia', 'hipertensi_est', 'dm_est'
            ) then coalesce(by_name.persons, 0)
        end as target_population_by_name
    from grid
    left join values
        on
            values.puskesmas_code = grid.puskesmas_code
            and values.kelurahan_code is not distinct from grid.kelurahan_code
            and values.period_month = grid.period_month
            and values.indicator_code = grid.indicator_code
    left join earlier_in_year
        on
            earlier_in_year.puskesmas_code = grid.puskesmas_code
            and earlier_in_year.kelurahan_code is not distinct from grid.kelurahan_code
            and earlier_in_year.indicator_code = grid.indicator_code
    left join {{ ref('int_sasaran__projected') }} as projected
        on
            projected.kelurahan_code = grid.kelurahan_code
            and projected.target_year = year(grid.period_month)
            and projected.sasaran_key = grid.sasaran_key
    left join {{ ref('agg_sasaran_by_name') }} as by_name
        on
            by_name.puskesmas_code = grid.puskesmas_code
            and by_name.kelurahan_code is not distinct from grid.kelurahan_code
            and by_name.period_month = grid.period_month
            and by_name.sasaran_key = grid.sasaran_key
),

measured as (
    select
        *,
        case
            when kind = 'event'
                then sum(numerator_month + numerator_earlier_in_year) over (
                    partition by puskesmas_code, kelurahan_code, indicator_code, year(period_month)
                    order by period_month rows between unbounded preceding and current row
                )
            else numerator_month
        end as numerator_ytd,
        case denominator_type
            when 'proyeksi' then target_population_projected
            when 'riil' then target_population_by_name
            else coalesce(measured_denominator, 0)
        end::double as denominator
    from with_values
),

inputs as (
    -- indicators other indicators are derived from: UCI from IDL, the drop-out from DPT-HB-Hib1 and MR1
    select
        puskesmas_code,
        kelurahan_code,
        period_month,
        max(case when indicator_code = 'IDL' and denominator > 0 then numerator_ytd / denominator * 100 end)
            as idl_coverage_ytd,
        max(case when indicator_code = 'IMM_DPT_HB_HIB1' then numerator_ytd end) as dpt1_ytd,
        max(case when indicator_code = 'IMM_MR1' then numerator_ytd end) as mr1_ytd
    from measured
    where indicator_code in ('IDL', 'IMM_DPT_HB_HIB1', 'IMM_MR1')
    group by all
),

derived_values as (
    select
        measured.*,
        case measured.indicator_code
            when 'UCI'
                then (
                    coalesce(inputs.idl_coverage_ytd, 0)
                    >= {{ var('uci_idl_coverage_pct') }} * month(measured.period_month) / 12
                )::integer
            when 'DO_DPT1_MR1' then inputs.dpt1_ytd - inputs.mr1_ytd
        end as derived_numerator,
        case measured.indicator_code
            when 'UCI' then case when measured.kelurahan_code is not null then 1 else 0 end
            when 'DO_DPT1_MR1' then inputs.dpt1_ytd
        end as derived_denominator
    from measured
    left join inputs
        on
            measured.puskesmas_code = inputs.puskesmas_code
            and measured.kelurahan_code is not distinct from inputs.kelurahan_code
            and measured.period_month = inputs.period_month
),

derived as (
    -- for ratio_ytd and level indicators the month columns repeat the year-to-date ones
    select
        * exclude (derived_numerator, derived_denominator, numerator_earlier_in_year) replace (
            coalesce(derived_numerator, numerator_month) as numerator_month,
            coalesce(derived_numerator, numerator_ytd) as numerator_ytd,
            coalesce(derived_denominator, denominator)::double as denominator
        )
    from derived_values
)

select * from derived
