-- PWS per kelurahan (domain.md "PWS"; indicators.md "Common rules"): every area x month x indicator,
-- zeros included, with sasaran, cumulative target, trend, status and rank. Publish columns are filled
-- when a period is published.
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
    select * from {{ ref('int_pws__indicator_values') }}
),

with_values as (
    select
        grid.*,
        coalesce(values.numerator_month, 0) as numerator_month,
        values.measured_denominator,
        projected.sasaran as target_population_projected,
        coalesce(by_name.persons, 0) as target_population_by_name
    from grid
    left join values
        on
            values.puskesmas_code = grid.puskesmas_code
            and values.kelurahan_code is not distinct from grid.kelurahan_code
            and values.period_month = grid.period_month
            and values.indicator_code = grid.indicator_code
    left join {{ ref('int_sasaran__projected') }} as projected
        on
            projected.kelurahan_code = grid.kelurahan_code
            and projected.target_year = year(grid.period_month)
            and projected.sasaran_key = grid.sasaran_key
    left join {{ ref('int_sasaran__by_name') }} as by_name
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
                then sum(numerator_month) over (
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

covered as (
    select
        *,
        case
            when denominator > 0
                then numerator_month / denominator * (case unit when 'percent' then 100 else 1 end)
        end
            as coverage_month_pct,
        case
            when denominator > 0
                then numerator_ytd / denominator * (case unit when 'percent' then 100 else 1 end)
        end
            as coverage_ytd_pct,
        target_annual as target_annual_pct,
        case when kind = 'event' then target_annual * month(period_month) / 12 else target_annual end
            as target_ytd_pct
    from measured
),

trended as (
    select
        covered.*,
        lag(round(coverage_month_pct, 2)) over (
            partition by puskesmas_code, kelurahan_code, indicator_code order by period_month
        ) as previous_coverage,
        lag(period_month) over (
            partition by puskesmas_code, kelurahan_code, indicator_code order by period_month
        ) as previous_month
    from covered
),

classified as (
    select
        trended.*,
        case
            when
                previous_month is null
                or previous_month < (select min(period_month) from {{ ref('int_posyandu__register_months') }})
                or round(coverage_month_pct, 2) is null or previous_coverage is null then null
            when round(coverage_month_pct, 2) > previous_coverage then 'naik'
            when round(coverage_month_pct, 2) < previous_coverage then 'turun'
            else 'tetap'
        end as trend
    from trended
),

statused as (
    select
        classified.*,
        case
            when direction = 'higher_better' then coverage_ytd_pct - target_ytd_pct
            else target_ytd_pct - coverage_ytd_pct
        end as gap_pct,
        rule.status
    from classified
    left join {{ ref('pws_status_rule') }} as rule
        on
            classified.coverage_ytd_pct is not null
            and rule.at_or_better_than_target = (
                case
                    when
                        classified.direction = 'higher_better'
                        then classified.coverage_ytd_pct >= classified.target_ytd_pct
                    else classified.coverage_ytd_pct <= classified.target_ytd_pct
                end
            )
            and rule.trend_movement = case
                when classified.trend = 'naik' and classified.direction = 'higher_better' then 'improving'
                when classified.trend = 'turun' and classified.direction = 'lower_better' then 'improving'
                when classified.trend in ('naik', 'turun') then 'worsening'
                else 'flat'
            end
)

select
    period_month,
    year(period_month)::integer as year,
    month(period_month)::integer as month,
    province_code,
    regency_code,
    district_code,
    kelurahan_code,
    kelurahan_name,
    puskesmas_code,
    puskesmas_name,
    indicator_code,
    indicator_name,
    life_cycle_group,
    kind,
    direction,
    unit,
    numerator_month::bigint as numerator_month,
    numerator_ytd::bigint as numerator_ytd,
    denominator,
    denominator_type,
    target_population_projected::double as target_population_projected,
    target_population_by_name::double as target_population_by_name,
    coverage_month_pct,
    coverage_ytd_pct,
    target_annual_pct,
    target_ytd_pct,
    gap_pct,
    trend,
    status,
    case
        when kelurahan_code is not null and coverage_ytd_pct is not null then
            rank() over (
                partition by
                    puskesmas_code, period_month, indicator_code,
                    kelurahan_code is not null and coverage_ytd_pct is not null
                order by case when direction = 'higher_better' then -coverage_ytd_pct else coverage_ytd_pct end
            )
    end::integer as rank_in_puskesmas,
    null::varchar as publish_id,
    null::timestamp as published_at
from statused
where period_month between date '{{ var("first_month") }}' and date '{{ var("last_month") }}'
