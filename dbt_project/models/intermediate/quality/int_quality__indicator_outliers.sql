-- DHIS2-style outliers (indicators.md data quality): a kelurahan's monthly numerator against its own
-- previous months. More than N standard deviations from their mean, or else a modified z-score
-- 0.6745 x (x - median) / MAD above the limit; the median test still works when one past spike has
-- inflated the standard deviation. Only months with enough history are judged, and a difference of a few
-- counts (small numbers) never is.
-- The history is the previous months whatever months the run covers: a run of January alone judges it
-- against last year's months, kept by int_quality__numerator_history. Months before the first month with
-- registers (the start of the PWS series) are not history; a kept month without a count is a zero.
with judged as (
    select
        base.period_month,
        base.puskesmas_code,
        base.kelurahan_code,
        base.indicator_code,
        base.numerator_month
    from {{ ref('agg_indicator_kelurahan_base') }} as base
    inner join {{ ref('indicator_catalogue') }} as catalogue on base.indicator_code = catalogue.indicator_code
    where
        base.kelurahan_code is not null
        and catalogue.kind in ('event', 'monthly', 'prevalence')
        and base.period_month between date '{{ first_month() }}' and date '{{ last_month() }}'
),

kept as (
    select kept.*
    from {{ ref('int_quality__numerator_history') }} as kept
    where kept.period_month >= (select min(period_month) from {{ ref('int_posyandu__register_months') }})
),

history_months as (
    -- how many kept months each judged month has within its window
    select
        judged_months.period_month,
        count(kept_months.period_month) as history_months
    from (select distinct period_month from judged) as judged_months
    left join (select distinct period_month from kept) as kept_months
        on
            kept_months.period_month < judged_months.period_month
            and kept_months.period_month
            >= judged_months.period_month - interval {{ var('dq_outlier_history_months') }} month
    group by judged_months.period_month
),

history_values as (
    select
        judged.period_month,
        judged.puskesmas_code,
        judged.kelurahan_code,
        judged.indicator_code,
        judged.numerator_month,
        history_months.history_months,
        list_resize(
            coalesce(
                list(kept.numerator_month order by kept.period_month) filter (where kept.numerator_month is not null),
                []
            ),
            history_months.history_months,
            0
        ) as past_months
    from judged
    inner join history_months on judged.period_month = history_months.period_month
    left join kept
        on
            judged.kelurahan_code = kept.kelurahan_code
            and judged.indicator_code = kept.indicator_code
            and kept.period_month < judged.period_month
            and kept.period_month >= judged.period_month - interval {{ var('dq_outlier_history_months') }} month
    where history_months.history_months >= {{ var('dq_outlier_min_history_months') }}
    group by
        judged.period_month,
        judged.puskesmas_code,
        judged.kelurahan_code,
        judged.indicator_code,
        judged.numerator_month,
        history_months.history_months
),

history as (
    select
        * exclude (past_months),
        list_aggregate(past_months, 'avg') as history_mean,
        list_aggregate(past_months, 'stddev_samp') as history_sd,
        list_aggregate(past_months, 'median') as history_median,
        list_aggregate(past_months, 'mad') as history_mad
    from history_values
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
