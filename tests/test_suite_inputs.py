"""What the Great Expectations suites read: the staging suites' sample (as many rows as SAMPLE_ROWS, spread
over the rows in scope, drawn by key) and the quality gate's columns (those its suites name)."""

from __future__ import annotations

import duckdb

from ilp_pipeline import contracts
from ilp_pipeline.quality.expectations import (
    SAMPLE_ROWS,
    _growth_suite,
    _indicator_suite,
    _plausibility_suite,
    suite_columns,
)
from ilp_pipeline.quality.staging_suites import _sample_sql

REGISTER = contracts.tabular("posyandu_register")
FILES = 300
LINES_PER_FILE = 1_000


def _staging_register(con: duckdb.DuckDBPyConnection) -> None:
    """A stand-in staging model: every staged column of the contract, with the key of 300,000 rows."""
    staged = [c.staged_as for c in REGISTER.columns if c.staged_as and c.staged_as not in REGISTER.staging_key]
    con.execute("create schema staging")
    con.execute(
        f"""
        create table staging.{REGISTER.staging_model} as
        select
            'posyandu/2025-01/' || file::varchar || '.csv' as source_file,
            line as source_line,
            {", ".join(f"null::varchar as {column}" for column in staged)}
        from range({FILES}) as files(file), range(2, {LINES_PER_FILE + 2}) as lines(line)
        """
    )


def test_the_sample_holds_sample_rows_from_all_over_the_model() -> None:
    with duckdb.connect() as con:
        _staging_register(con)
        sample = con.execute(_sample_sql(REGISTER, None, FILES * LINES_PER_FILE)).df()
    assert len(sample) == SAMPLE_ROWS
    assert not sample.duplicated(["source_file", "source_line"]).any()
    # a third of the rows drawn at random leaves no file out and takes about a third of each
    per_file = sample.groupby("source_file").size()
    assert len(per_file) == FILES
    assert per_file.between(250, 420).all(), per_file.describe()


def test_the_sample_stays_within_the_files_loaded_last() -> None:
    latest = [f"posyandu/2025-01/{file}.csv" for file in range(150)]
    with duckdb.connect() as con:
        _staging_register(con)
        sample = con.execute(_sample_sql(REGISTER, latest, 150 * LINES_PER_FILE)).df()
    assert len(sample) == SAMPLE_ROWS
    assert set(sample["source_file"]) == set(latest)


def test_a_scope_smaller_than_the_sample_is_read_whole() -> None:
    latest = [f"posyandu/2025-01/{file}.csv" for file in range(90)]
    with duckdb.connect() as con:
        _staging_register(con)
        sample = con.execute(_sample_sql(REGISTER, latest, 90 * LINES_PER_FILE)).df()
    assert len(sample) == 90 * LINES_PER_FILE


def test_the_gate_reads_the_columns_its_suites_name_and_their_row_conditions() -> None:
    indicator = suite_columns(_indicator_suite(1) + _plausibility_suite(150.0))
    # grain, checked columns, and `kind` / `denominator_type`, named only in row conditions
    assert {"puskesmas_code", "kelurahan_code", "period_month", "indicator_code", "kind", "denominator_type"} <= set(
        indicator
    )
    assert {"numerator_month", "numerator_ytd", "denominator", "status", "trend", "coverage_ytd_pct"} <= set(indicator)
    assert "indicator_name" not in indicator and "rank_in_puskesmas" not in indicator
    assert len(indicator) == len(set(indicator))
    growth = suite_columns(_growth_suite(1))
    assert {"d", "n", "measured_haz", "stunted", "measured_whz", "wasted"} <= set(growth)
    assert "stunting_pct" not in growth
