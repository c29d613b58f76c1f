"""Great Expectations 1.x suites for the candidate PWS tables of the months being published.

GX's SQL datasource cannot address a DuckDB schema through duckdb-engine with DuckDB 2 (it drops the
schema), so the suites validate the candidate rows of the run's months, which DuckDB selects: a
bounded batch (one kabupaten month is a few thousand rows per table). Results keep counts only: the
tables hold no person, and no unexpected-value lists are kept.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from ilp_pipeline.quality.gx_import import gx, progress_bars_off, row_condition_column

# Column expectations read at most this many rows: a reservoir sample decides "at least 95% conform" as well
# as all rows do, and a national month is not pulled into pandas.
SAMPLE_ROWS = 100_000
GRAIN = ["puskesmas_code", "kelurahan_code", "period_month", "indicator_code"]


@dataclass
class CheckOutcome:
    name: str
    table: str
    passed: bool
    blocking: bool
    description: str
    failures: list[str] = field(default_factory=list)
    observed: dict[str, float] = field(default_factory=dict)
    # what the suite judged, where a later run can tell that nothing of it has changed (staging suites)
    judged: str | None = None


def _indicator_suite(expected_rows: int) -> list:
    e = gx().expectations
    return [
        e.ExpectTableRowCountToEqual(value=expected_rows),
        e.ExpectCompoundColumnsToBeUnique(column_list=GRAIN),
        *(
            e.ExpectColumnValuesToNotBeNull(column=c)
            for c in ("period_month", "puskesmas_code", "indicator_code", "numerator_month", "numerator_ytd")
        ),
        # the drop-out (ratio_ytd) may be negative: more MR1 than DPT-HB-Hib1 doses this year
        e.ExpectColumnValuesToBeBetween(
            column="numerator_month", min_value=0, row_condition=row_condition_column("kind") != "ratio_ytd"
        ),
        e.ExpectColumnValuesToBeBetween(
            column="numerator_ytd", min_value=0, row_condition=row_condition_column("kind") != "ratio_ytd"
        ),
        e.ExpectColumnValuesToBeInSet(column="status", value_set=["baik", "kurang", "cukup", "jelek"]),
        e.ExpectColumnValuesToBeInSet(column="trend", value_set=["naik", "tetap", "turun"]),
        e.ExpectColumnValuesToBeInSet(
            column="kind", value_set=["event", "monthly", "prevalence", "ratio_ytd", "level"]
        ),
        e.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="denominator",
            column_B="numerator_month",
            or_equal=True,
            row_condition=row_condition_column("denominator_type") == "terukur",
        ),
    ]


def _growth_suite(expected_rows: int) -> list:
    e = gx().expectations
    return [
        e.ExpectTableRowCountToEqual(value=expected_rows),
        e.ExpectCompoundColumnsToBeUnique(column_list=["puskesmas_code", "kelurahan_code", "period_month"]),
        *(e.ExpectColumnValuesToBeBetween(column=c, min_value=0) for c in ("d", "n", "t", "o", "b")),
        e.ExpectColumnPairValuesAToBeGreaterThanB(column_A="measured_haz", column_B="stunted", or_equal=True),
        e.ExpectColumnPairValuesAToBeGreaterThanB(column_A="measured_whz", column_B="wasted", or_equal=True),
        e.ExpectColumnPairValuesAToBeGreaterThanB(column_A="d", column_B="n", or_equal=True),
    ]


def suite_columns(expectations: list) -> list[str]:
    """The columns a suite reads, its row conditions' included, in the order first named."""
    names: dict[str, None] = {}

    def collect(value, key: str | None = None) -> None:
        if isinstance(value, dict):
            for inner_key, inner in value.items():
                collect(inner, inner_key)
        elif isinstance(value, list) and key == "column_list":
            names.update(dict.fromkeys(value))
        elif isinstance(value, str) and key in {"column", "column_A", "column_B", "name"}:
            names[value] = None

    for expectation in expectations:
        collect(expectation.configuration.kwargs)
    return list(names)


def validate_frame(frame: pd.DataFrame, name: str, expectations: list) -> tuple[bool, list[str], dict[str, float]]:
    context = gx().get_context(mode="ephemeral")
    context.variables.progress_bars = progress_bars_off()
    source = context.data_sources.add_pandas(name=f"{name}_source")
    batch_definition = source.add_dataframe_asset(name=name).add_batch_definition_whole_dataframe("batch")
    suite = context.suites.add(gx().ExpectationSuite(name=name, expectations=expectations))
    validation = context.validation_definitions.add(
        gx().ValidationDefinition(name=f"{name}_validation", data=batch_definition, suite=suite)
    )
    # no partial lists of unexpected values: they would carry NIK or names into logs and Data Docs
    result = validation.run(
        batch_parameters={"dataframe": frame},
        result_format={"result_format": "BASIC", "partial_unexpected_count": 0},
    )
    failures, observed = [], {}
    for item in result.results:
        kwargs = item.expectation_config.kwargs
        label = item.expectation_config.type + (f"({kwargs.get('column') or kwargs.get('column_A') or ''})")
        observed[label] = float(item.result.get("unexpected_count") or item.result.get("observed_value") or 0)
        if not item.success:
            failures.append(f"{label}: {item.result.get('unexpected_count', item.result.get('observed_value'))}")
    return result.success, failures, observed


def _reconciliation_suite() -> list:
    e = gx().expectations
    return [
        e.ExpectColumnValuesToBeBetween(column=f"{level}_difference", min_value=-1e-6, max_value=1e-6)
        for level in ("puskesmas", "district", "regency")
    ]


RECONCILIATION_SQL = """
    with kelurahan as (
        select period_month, indicator_code, puskesmas_code, district_code, regency_code, kelurahan_code,
            numerator_ytd, denominator
        from pws_candidate.kelurahan_indicator_monthly where period_month between ? and ?
    ),
    by_puskesmas as (
        select k.period_month, k.indicator_code,
            max(abs(coalesce(p.numerator_ytd, 0) - k.numerator_ytd)
                + abs(coalesce(p.denominator, 0) - k.denominator)) as puskesmas_difference
        from (select period_month, indicator_code, puskesmas_code, sum(numerator_ytd) as numerator_ytd,
                     sum(denominator) as denominator from kelurahan group by all) as k
        left join pws_candidate.puskesmas_indicator_monthly as p using (period_month, indicator_code, puskesmas_code)
        group by all
    ),
    by_district as (
        select k.period_month, k.indicator_code,
            max(abs(coalesce(d.numerator_ytd, 0) - k.numerator_ytd)
                + abs(coalesce(d.denominator, 0) - k.denominator)) as district_difference
        from (select period_month, indicator_code, district_code, sum(numerator_ytd) as numerator_ytd,
                     sum(denominator) as denominator from kelurahan where kelurahan_code is not null
              group by all) as k
        left join pws_candidate.district_indicator_monthly as d using (period_month, indicator_code, district_code)
        group by all
    ),
    by_regency as (
        select k.period_month, k.indicator_code,
            max(abs(coalesce(r.numerator_ytd, 0) - k.numerator_ytd)
                + abs(coalesce(r.denominator, 0) - k.denominator)) as regency_difference
        from (select period_month, indicator_code, regency_code, sum(numerator_ytd) as numerator_ytd,
                     sum(denominator) as denominator from kelurahan group by all) as k
        left join pws_candidate.regency_indicator_monthly as r using (period_month, indicator_code, regency_code)
        group by all
    )
    select * from by_puskesmas join by_district using (period_month, indicator_code)
    join by_regency using (period_month, indicator_code)
"""


def expected_areas(con: duckdb.DuckDBPyConnection) -> int:
    """Working-area kelurahan plus one unknown-domicile row per puskesmas."""
    return con.execute("select count(*) from intermediate.int_region__areas").fetchone()[0]


def _plausibility_suite(coverage_ceiling_pct: float) -> list:
    e = gx().expectations
    counted = row_condition_column("kind").is_in(["event", "monthly"])
    return [
        e.ExpectColumnValuesToBeBetween(
            column="coverage_ytd_pct", min_value=0, max_value=coverage_ceiling_pct, row_condition=counted
        ),
        e.ExpectColumnValuesToBeBetween(
            column="coverage_month_pct", min_value=0, max_value=coverage_ceiling_pct, row_condition=counted
        ),
        e.ExpectColumnValuesToBeBetween(
            column="denominator",
            min_value=0,
            strict_min=True,
            row_condition=row_condition_column("denominator_type") == "proyeksi",
        ),
    ]


def validate_candidates(
    con: duckdb.DuckDBPyConnection, first: dt.date, last: dt.date, coverage_ceiling_pct: float = 150.0
) -> list[CheckOutcome]:
    months = con.execute(
        "select count(*) from generate_series(?::date, ?::date, interval 1 month)", [first, last]
    ).fetchone()[0]
    areas = expected_areas(con)
    indicators = con.execute("select count(*) from seeds.indicator_catalogue").fetchone()[0]
    indicator_suite = _indicator_suite(areas * months * indicators)
    plausibility_suite = _plausibility_suite(coverage_ceiling_pct)
    growth_suite = _growth_suite(areas * months)
    window = "where period_month between ? and ?"
    # only the columns the suites read: GX filters whole frames by row condition, column by column
    indicator_columns = suite_columns(indicator_suite + plausibility_suite)
    indicator_rows = con.execute(
        f"select {', '.join(indicator_columns)} from pws_candidate.kelurahan_indicator_monthly {window}",
        [first, last],
    ).df()
    growth_rows = con.execute(
        f"select {', '.join(suite_columns(growth_suite))} from pws_candidate.kelurahan_growth_monthly {window}",
        [first, last],
    ).df()
    reconciliation = con.execute(RECONCILIATION_SQL, [first, last]).df()
    conservation = con.execute(
        "select source_file, passed from pws_candidate.data_quality_monthly "
        f"{window} and check_name = 'row_conservation'",
        [first, last],
    ).df()
    outcomes = []
    for name, table, frame, suite, description in (
        (
            "ge_row_conservation",
            "data_quality_monthly",
            conservation,
            [gx().expectations.ExpectColumnValuesToBeInSet(column="passed", value_set=[True])],
            "Every received row of every file is accepted, quarantined with a reason or merged as a duplicate.",
        ),
        (
            "ge_aggregates_reconcile",
            "puskesmas/district/regency_indicator_monthly",
            reconciliation,
            _reconciliation_suite(),
            "Puskesmas, kecamatan and regency numerators and denominators equal the sums of their kelurahan.",
        ),
        (
            "ge_kelurahan_indicator_monthly",
            "kelurahan_indicator_monthly",
            indicator_rows,
            indicator_suite,
            "Every working-area kelurahan x indicator x month present once, numerators >= 0 and not above "
            "a measured denominator, valid status/trend/kind values.",
        ),
        (
            "ge_kelurahan_growth_monthly",
            "kelurahan_growth_monthly",
            growth_rows,
            growth_suite,
            "Every kelurahan x month present once, SKDN counts >= 0, numerators not above measured children.",
        ),
    ):
        passed, failures, observed = validate_frame(frame, name, suite)
        outcomes.append(CheckOutcome(name, table, passed, True, description, failures, observed))
    working_area = indicator_rows[indicator_rows["kelurahan_code"].notna()]
    passed, failures, observed = validate_frame(working_area, "ge_coverage_plausible", plausibility_suite)
    outcomes.append(
        CheckOutcome(
            "ge_coverage_plausible",
            "kelurahan_indicator_monthly",
            passed,
            False,
            f"Kelurahan coverage between 0 and {coverage_ceiling_pct:g}% (numerators not above sasaran by more "
            "than the ceiling allows) and projected denominators positive; warns.",
            failures,
            observed,
        )
    )
    return outcomes
