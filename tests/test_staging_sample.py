"""The staging suites' sample: as many rows as SAMPLE_ROWS, spread over the rows in scope, drawn by key."""

from __future__ import annotations

import duckdb

from ilp_pipeline import contracts
from ilp_pipeline.quality.expectations import SAMPLE_ROWS
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
