{#- Coverage, cumulative target, trend, status and rank of PWS rows (domain.md "PWS"; indicators.md
    "Common rules"), shared by the kelurahan table and its aggregates. `rows` must carry the catalogue
    columns, period_month, numerator_month, numerator_ytd and denominator; `area` names the columns that
    identify an area; `rank_within` the columns of the group an area is ranked in, and `ranked_when` a
    condition for rows that take a rank. -#}
{% macro pws_scored(rows, area, rank_within, ranked_when='true') -%}
    with covered as (
        select
            *,
            case when denominator > 0
                    then (case when kind in ('ratio_ytd', 'level') then numerator_ytd else numerator_month end)
                    / denominator * (case unit when 'percent' then 100 else 1 end)
            end as coverage_month_pct,
            case when denominator > 0
                    then numerator_ytd / denominator * (case unit when 'percent' then 100 else 1 end)
            end as coverage_ytd_pct,
            target_annual as target_annual_pct,
            case when kind = 'event' then target_annual * month(period_month) / 12 else target_annual end
                as target_ytd_pct
        from {{ rows }}
    ),

    trended as (
        select
            covered.*,
            lag(round(coverage_month_pct, 2)) over (
                partition by {{ area | join(', ') }}, indicator_code order by period_month
            ) as previous_coverage,
            lag(period_month) over (
                partition by {{ area | join(', ') }}, indicator_code order by period_month
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
                    or previous_month <> period_month - interval 1 month
                    or round(coverage_month_pct, 2) is null or previous_coverage is null
                    then null
                when round(coverage_month_pct, 2) > previous_coverage then 'naik'
                when round(coverage_month_pct, 2) < previous_coverage then 'turun'
                else 'tetap'
            end as trend
        from trended
    )

    select
        classified.*,
        case
            when classified.direction = 'higher_better' then classified.coverage_ytd_pct - classified.target_ytd_pct
            else classified.target_ytd_pct - classified.coverage_ytd_pct
        end as gap_pct,
        rule.status,
        case when {{ ranked_when }} and classified.coverage_ytd_pct is not null then
            rank() over (
                partition by {{ rank_within | join(', ') }}, classified.period_month, classified.indicator_code,
                    {{ ranked_when }} and classified.coverage_ytd_pct is not null
                order by
                    case
                        when classified.direction = 'higher_better' then -classified.coverage_ytd_pct
                        else classified.coverage_ytd_pct
                    end
            )
        end::integer as area_rank
    from classified
    left join {{ ref('pws_status_rule') }} as rule
        on
            classified.coverage_ytd_pct is not null
            and rule.at_or_better_than_target = (
                case
                    when classified.direction = 'higher_better'
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
{%- endmacro %}

{#- The published column list of a PWS table at one area level (outputs.md): finer area columns absent. -#}
{% macro pws_columns(area_columns) -%}
    period_month,
    year(period_month)::integer as year,
    month(period_month)::integer as month,
    {% for column in area_columns %}{{ column }},
    {% endfor -%}
    indicator_code,
    indicator_name,
    life_cycle_group,
    kind,
    direction,
    unit,
    numerator_month::bigint as numerator_month,
    numerator_ytd::bigint as numerator_ytd,
    denominator::double as denominator,
    denominator_type,
    target_population_projected::double as target_population_projected,
    target_population_by_name::double as target_population_by_name,
    coverage_month_pct,
    coverage_ytd_pct,
    target_annual_pct,
    target_ytd_pct,
    gap_pct,
    trend,
    status
{%- endmacro %}

{#- A PWS table one area level above the kelurahan (outputs.md): numerators and denominators summed over
    the kelurahan (and the unknown-domicile rows unless `kelurahan_only`), then coverage recomputed, never
    averaged; `level` indicators give the share of kelurahan (UCI) or the ratio of sums. -#}
{% macro pws_aggregate(area_columns, area_key, rank_within, rank_column, kelurahan_only=false) -%}
    with kelurahan as (
        select
            base.*,
            districts.district_name,
            regencies.regency_name
        from {{ ref('agg_indicator_kelurahan_base') }} as base
        left join (
            select distinct
                district_code,
                district_name
            from {{ ref('int_region__kelurahan') }}
        ) as districts
            on base.district_code = districts.district_code
        left join (
            select distinct
                regency_code,
                regency_name
            from {{ ref('int_region__kelurahan') }}
        ) as regencies
            on base.regency_code = regencies.regency_code
        {% if kelurahan_only %}where base.kelurahan_code is not null{% endif %}
    ),

    summed as (
        select
            {{ area_columns | join(', ') }},
            period_month,
            indicator_code,
            any_value(indicator_name) as indicator_name,
            any_value(life_cycle_group) as life_cycle_group,
            any_value(kind) as kind,
            any_value(direction) as direction,
            any_value(unit) as unit,
            any_value(denominator_type) as denominator_type,
            any_value(target_annual) as target_annual,
            sum(numerator_month) as numerator_month,
            sum(numerator_ytd) as numerator_ytd,
            sum(denominator) as denominator,
            sum(target_population_projected) as target_population_projected,
            sum(target_population_by_name) as target_population_by_name
        from kelurahan
        group by {{ area_columns | join(', ') }}, period_month, indicator_code
    ),

    scored as (
        {{ pws_scored('summed', area_key, rank_within) }}
    )

    select
        {{ pws_columns(area_columns) }},
        area_rank as {{ rank_column }},
        cast(null as varchar) as publish_id,
        cast(null as timestamp) as published_at
    from scored
    where period_month between date '{{ first_month() }}' and date '{{ last_month() }}'
{%- endmacro %}
