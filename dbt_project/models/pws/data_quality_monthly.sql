-- Data quality per source, puskesmas, month and check (outputs.md pws.data_quality_monthly), so a reader
-- can see how much to trust a number: row conservation and quarantine by reason per file, rejected files,
-- flagged values, reporting completeness and timeliness, implausible anthropometry, and the DHIS2-style
-- checks on the published numbers (outliers against the kelurahan's own history, coverage over 100%,
-- by-name sasaran far from the projection). No personal values.
with file_rows as (
    select * from {{ ref('int_quality__file_rows') }}
),

conservation as (
    select
        period_month,
        source,
        puskesmas_code,
        source_file,
        'row_conservation' as check_name,
        'error' as severity,
        rows_received = rows_accepted + rows_quarantined + rows_duplicate as passed,
        rows_received,
        rows_accepted,
        rows_quarantined,
        rows_duplicate,
        cast((rows_accepted + rows_quarantined + rows_duplicate) as double) as observed_value,
        cast(rows_received as double) as threshold
    from file_rows
),

quarantine as (
    select
        file_rows.period_month,
        file_rows.source,
        file_rows.puskesmas_code,
        file_rows.source_file,
        'quarantine' as check_name,
        reasons.reason_code,
        'warning' as severity,
        false as passed,
        reasons.row_count as rows_quarantined,
        cast(reasons.row_count as double) as observed_value,
        0.0 as threshold
    from file_rows
    cross join unnest(map_entries(file_rows.quarantined_by_reason)) as entries (entry)
    cross join lateral (
        select
            entries.entry.key as reason_code,
            entries.entry.value as row_count
    ) as reasons
),

flags as (
    select
        cast(strptime(regexp_extract(visits.source_file, '([0-9]{4}-[0-9]{2})', 1), '%Y-%m') as date) as period_month,
        'posyandu_register' as source,
        visits.posyandu_puskesmas_code as puskesmas_code,
        visits.source_file,
        'value_flag' as check_name,
        unnest(visits.value_flags) as reason_code
    from {{ ref('int_posyandu__visits_checked') }} as visits
    where len(visits.value_flags) > 0
),

flagged as (
    select
        period_month,
        source,
        puskesmas_code,
        source_file,
        check_name,
        reason_code,
        'info' as severity,
        false as passed,
        count(*) as values_flagged,
        cast(count(*) as double) as observed_value,
        0.0 as threshold
    from flags
    group by all
),

rejected as (
    select
        cast(strptime(regexp_extract(path, '([0-9]{4}-[0-9]{2})', 1), '%Y-%m') as date) as period_month,
        source,
        case when source = 'fhir' then split_part(path, '/', 2) end as puskesmas_code,
        path as source_file,
        'file_rejected' as check_name,
        reason_code,
        'error' as severity,
        false as passed,
        1.0 as observed_value,
        0.0 as threshold
    from {{ source('raw', 'current_file') }}
    where status = 'rejected'
),

posyandu_counts as (
    select
        period_month,
        puskesmas_code,
        count(*) as active,
        count(*) filter (where reported) as reported,
        count(*) filter (where on_time) as on_time
    from {{ ref('int_posyandu__monthly') }}
    group by all
),

reporting as (
    select
        period_month,
        'posyandu_register' as source,
        puskesmas_code,
        checks.check_name,
        'warning' as severity,
        checks.numerator = active as passed,
        checks.numerator / active * 100 as observed_value,
        100.0 as threshold
    from posyandu_counts
    cross join lateral (
        select
            'reporting_completeness' as check_name,
            posyandu_counts.reported as numerator
        union all
        select
            'reporting_timeliness',
            posyandu_counts.on_time
    ) as checks
),

implausible as (
    select
        period_month,
        'anthropometry' as source,
        puskesmas_code,
        'implausible_z_excluded' as check_name,
        'info' as severity,
        sum(implausible_excluded) = 0 as passed,
        sum(implausible_excluded) as values_flagged,
        cast(sum(implausible_excluded) as double) as observed_value,
        0.0 as threshold
    from {{ ref('agg_growth_area_month') }}
    group by all
),

outliers as (
    select
        period_month,
        'pws' as source,
        puskesmas_code,
        kelurahan_code,
        indicator_code,
        'outlier' as check_name,
        reason_code,
        'warning' as severity,
        false as passed,
        cast(numerator_month as double) as observed_value,
        bound_crossed as threshold
    from {{ ref('int_quality__indicator_outliers') }}
),

published as (
    select * from {{ ref('kelurahan_indicator_monthly') }}
    where kelurahan_code is not null
),

coverage_above_100 as (
    select
        period_month,
        'pws' as source,
        puskesmas_code,
        kelurahan_code,
        indicator_code,
        'coverage_above_100' as check_name,
        denominator_type as reason_code,
        'warning' as severity,
        false as passed,
        coverage_ytd_pct as observed_value,
        100.0 as threshold
    from published
    where kind in ('event', 'monthly') and coverage_ytd_pct > 100
),

sasaran_pairs as (
    select
        published.period_month,
        published.puskesmas_code,
        published.kelurahan_code,
        catalogue.sasaran_key,
        max(published.target_population_projected) as projected,
        max(published.target_population_by_name) as by_name
    from published
    inner join {{ ref('indicator_catalogue') }} as catalogue on published.indicator_code = catalogue.indicator_code
    where
        published.target_population_projected > 0
        and published.target_population_by_name is not null
        and catalogue.sasaran_key in ('{{ var("dq_sasaran_gap_groups") | join("', '") }}')
    group by all
),

sasaran_gaps as (
    select
        period_month,
        'sasaran' as source,
        puskesmas_code,
        kelurahan_code,
        'sasaran_gap' as check_name,
        sasaran_key as reason_code,
        'warning' as severity,
        false as passed,
        by_name / projected * 100 as observed_value,
        {{ var('dq_sasaran_gap_pct') }}::double as threshold
    from sasaran_pairs
    where abs(by_name / projected * 100 - 100) > {{ var('dq_sasaran_gap_pct') }}
),

all_checks as (
    -- each check names only the columns it measures; the others are NULL, and counts 0, below
    select * from conservation
    union all by name
    select * from quarantine
    union all by name
    select * from flagged
    union all by name
    select * from rejected
    union all by name
    select * from reporting
    union all by name
    select * from implausible
    union all by name
    select * from outliers
    union all by name
    select * from coverage_above_100
    union all by name
    select * from sasaran_gaps
)

select
    period_month,
    cast(year(period_month) as integer) as year,
    cast(month(period_month) as integer) as month,
    source,
    puskesmas_code,
    kelurahan_code,
    indicator_code,
    source_file,
    check_name,
    reason_code,
    severity,
    passed,
    cast(coalesce(rows_received, 0) as bigint) as rows_received,
    cast(coalesce(rows_accepted, 0) as bigint) as rows_accepted,
    cast(coalesce(rows_quarantined, 0) as bigint) as rows_quarantined,
    cast(coalesce(rows_duplicate, 0) as bigint) as rows_duplicate,
    cast(coalesce(values_flagged, 0) as bigint) as values_flagged,
    observed_value,
    threshold,
    cast(null as varchar) as publish_id,
    cast(null as timestamp) as published_at
from all_checks
where period_month between date '{{ first_month() }}' and date '{{ last_month() }}'
