-- DHIS2-style outliers (indicators.md data quality): a kelurahan's monthly numerator against its own
-- previous months. More than N standard deviations from their mean, or else a modified z-score
-- 0.6745 x (x - median) / MAD above the limit; the median test still works when one past spike has
-- inflated the standard deviation. Only months with enough history are judged, and a difference of a few
-- counts (small numbers) never is.
with base as (
    select
        base.period_month,
        base.puskesmas_code,
        base.kelurahan_code,
        base.indicator_code,
        base.numerator_month
    from {{ ref('agg_indicator_kelurahan_base') }} as base
    inner join {{ ref('indicator_catalogue') }} as catalogue on base.indicator_code = catalogue.indicator_code
    where base.kelurahan_code is not null and catalogue.kind in ('event', 'monthly', 'prevalence')
),

history as (
    select
        *,
        count(numerator_month) over past_months as history_months,
        avg(numerator_month) over past_months as history_mean,
        stddev_samp(numerator_month) over past_months as history_sd,
        median(numerator_month) over past_months as history_median,
        mad(numerator_month) over past_months as history_mad
    from base
    window past_months as (
        partition by kelurahan_code, indicator_code
        order by period_month
        rows between {{ var('dq_outlier_history_months') }} preceding and 1 preceding
    )
),

tested as (
    select
        *,
        coalesce(
            history_sd > 0
            and abs(numerator_month - history_mean) > {{ var('dq_outlier_standard_deviations') }} * history_sd
            and abs(numerator_month - history_mean) >= {{ var('dq_outlier_min_difference') }},
            false
        ) as beyond_sd,
        coalesce(
            history_mad > 0
            and abs(0.6745 * (numerator_month - history_median) / history_mad) > {{ var('dq_outlier_modified_z') }}
            and abs(numerator_month - history_median) >= {{ var('dq_outlier_min_difference') }},
            false
        ) as beyond_modified_z
    from history
    where history_months >= {{ var('dq_outlier_min_history_months') }}
)

select
    period_month,
    puskesmas_code,
    kelurahan_code,
    indicator_code,
    numerator_month,
    history_months,
    history_mean,
    history_sd,
    history_median,
    history_mad,
    case when beyond_sd then 'di_luar_3_sd' else 'z_modifikasi_tinggi' end as reason_code,
    case
        when beyond_sd
            then
                history_mean + sign(numerator_month - history_mean)
                * {{ var('dq_outlier_standard_deviations') }} * history_sd
        else
            history_median + sign(numerator_month - history_median)
            * {{ var('dq_outlier_modified_z') }} * history_mad / 0.6745
    end as bound_crossed
from tested
where beyond_sd or beyond_modified_z
