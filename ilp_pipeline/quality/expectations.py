"""Great Expectations 1.x suites for the candidate PWS tables of the months being published.

GX's SQL datasource cannot address a DuckDB schema through duckdb-engine with DuckDB 2 (it drops the
schema), so the suites validate the candidate rows of the run's months, which DuckDB selects: a
bounded batch (one kabupaten month is a few thousand rows per table). Results keep counts only: the
tables hold no person, and no unexpected-value lists are kept.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from dataclasses import dataclass, field

import duckdb
import pandas as pd

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

import great_expectations as gx  # noqa: E402 - the variable above must be set before import

logging.getLogger("great_expectations").setLevel(logging.ERROR)

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


def _indicator_suite(expected_rows: int) -> list:
    e = gx.expectations
    return [
        e.ExpectTableRowCountToEqual(value=expected_rows),
        e.ExpectCompoundColumnsToBeUnique(column_list=GRAIN),
        *(
            e.ExpectColumnValuesToNotBeNull(column=c)
            for c in ("period_month", "puskesmas_code", "indicator_code", "numerator_month", "numerator_ytd")
        ),
        e.ExpectColumnValuesToBeBetween(column="numerator_month", min_value=0),
        e.ExpectColumnValuesToBeBetween(column="numerator_ytd", min_value=0),
        e.ExpectColumnValuesToBeInSet(column="status", value_set=["baik", "kurang", "cukup", "jelek"]),
        e.ExpectColumnValuesToBeInSet(column="trend", value_set=["naik", "tetap", "turun"]),
        e.ExpectColumnValuesToBeInSet(
            column="kind", value_set=["event", "monthly", "prevalence", "ratio_ytd", "level"]
        ),
        e.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="denominator",
            column_B="numerator_month",
            or_equal=True,
            row_condition='denominator_type=="terukur"',
            condition_parser="pandas",
        ),
    ]


def _growth_suite(expected_rows: int) -> list:
    e = gx.expectations
    return [
        e.ExpectTableRowCountToEqual(value=expected_rows),
        e.ExpectCompoundColumnsToBeUnique(column_list=["puskesmas_code", "kelurahan_code", "period_month"]),
        *(e.ExpectColumnValuesToBeBetween(column=c, min_value=0) for c in ("d", "n", "t", "o", "b")),
        e.ExpectColumnPairValuesAToBeGreaterThanB(column_A="measured_haz", column_B="stunted", or_equal=True),
        e.ExpectColumnPairValuesAToBeGreaterThanB(column_A="measured_whz", column_B="wasted", or_equal=True),
        e.ExpectColumnPairValuesAToBeGreaterThanB(column_A="d", column_B="n", or_equal=True),
    ]


def _validate(frame: pd.DataFrame, name: str, expectations: list) -> tuple[bool, list[str], dict[str, float]]:
    context = gx.get_context(mode="ephemeral")
    source = context.data_sources.add_pandas(name=f"{name}_source")
    batch_definition = source.add_dataframe_asset(name=name).add_batch_definition_whole_dataframe("batch")
    suite = context.suites.add(gx.ExpectationSuite(name=name, expectations=expectations))
    validation = context.validation_definitions.add(
        gx.ValidationDefinition(name=f"{name}_validation", data=batch_definition, suite=suite)
    )
    result = validation.run(batch_parameters={"dataframe": frame}, result_format="BASIC")
    failures, observed = [], {}
    for item in result.results:
        kwargs = item.expectation_config.kwargs
        label = item.expectation_config.type + (f"({kwargs.get('column') or kwargs.get('column_A') or ''})")
        observed[label] = float(item.result.get("unexpected_count") or item.result.get("observed_value") or 0)
        if not item.success:
            failures.append(f"{label}: {item.result.get('unexpected_count', item.result.get('observed_value'))}")
    return result.success, failures, observed


def expected_areas(con: duckdb.DuckDBPyConnection) -> int:
    """Working-area kelurahan plus one unknown-domicile row per puskesmas."""
    return con.execute("select count(*) from intermediate.int_region__areas").fetchone()[0]


def validate_candidates(con: duckdb.DuckDBPyConnection, first: dt.date, last: dt.date) -> list[CheckOutcome]:
    months = con.execute(
        "select count(*) from generate_series(?::date, ?::date, interval 1 month)", [first, last]
    ).fetchone()[0]
    areas = expected_areas(con)
    indicators = con.execute("select count(*) from seeds.indicator_catalogue").fetchone()[0]
    window = "where period_month between ? and ?"
    indicator_rows = con.execute(
        f"select * exclude (publish_id, published_at) from pws_candidate.kelurahan_indicator_monthly {window}",
        [first, last],
    ).df()
    growth_rows = con.execute(
        f"select * exclude (publish_id, published_at) from pws_candidate.kelurahan_growth_monthly {window}",
        [first, last],
    ).df()
    outcomes = []
    for name, table, frame, suite, description in (
        (
            "ge_kelurahan_indicator_monthly",
            "kelurahan_indicator_monthly",
            indicator_rows,
            _indicator_suite(areas * months * indicators),
            "Every working-area kelurahan x indicator x month present once, numerators >= 0 and not above "
            "a measured denominator, valid status/trend/kind values.",
        ),
        (
            "ge_kelurahan_growth_monthly",
            "kelurahan_growth_monthly",
            growth_rows,
            _growth_suite(areas * months),
            "Every kelurahan x month present once, SKDN counts >= 0, numerators not above measured children.",
        ),
    ):
        passed, failures, observed = _validate(frame, name, suite)
        outcomes.append(CheckOutcome(name, table, passed, True, description, failures, observed))
    return outcomes
