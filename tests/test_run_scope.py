"""A month publishes the same numbers whether the nightly run takes it alone, after the earlier months'
runs, or one run takes it with all of them: what the month needs from before its run (the year's earlier
months in December's year-to-date, the previous year's months an outlier is judged against) is not lost
to the run's month spine."""

from __future__ import annotations

import duckdb
import pytest
from conftest import ilp, pipeline_env

from ilp_pipeline.bench import _link_landing

HISTORY = [f"2025-{month:02d}" for month in range(7, 13)]
NIGHTLY = "2026-01"
# when a file arrived and when a version was published differ from one run to the other by nature
RUN_COLUMNS = {"publish_id", "published_at", "received_at"}


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, str]:
    base = tmp_path_factory.mktemp("run_scope")
    source = base / "generated"
    env = pipeline_env(base)
    generated = ilp(
        ["generate", "--months", f"{HISTORY[0]}..{NIGHTLY}", "--seed", "11", "--out", str(source)], env, base
    )
    assert generated.returncode == 0, generated.stderr[-3000:]

    warehouses = {}
    for name, steps in {
        "nightly": [(set(HISTORY), HISTORY[0], HISTORY[-1]), ({*HISTORY, NIGHTLY}, NIGHTLY, NIGHTLY)],
        "one_run": [({*HISTORY, NIGHTLY}, HISTORY[0], NIGHTLY)],
    }.items():
        env = pipeline_env(base / name)
        for months, first, last in steps:
            _link_landing(source, base / name / "landing", months)
            result = ilp(["run", "--from", first, "--to", last], env, base)
            assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        warehouses[name] = env["ILP_WAREHOUSE"]
    return warehouses


def _published_tables(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    columns: dict[str, list[str]] = {}
    for table, column in con.execute(
        "select table_name, column_name from information_schema.columns "
        "where table_catalog = 'nightly' and table_schema = 'pws' "
        "and table_name not in ('publish_log', 'dim_indicator') "
        "order by table_name, ordinal_position"
    ).fetchall():
        if column not in RUN_COLUMNS:
            columns.setdefault(table, []).append(column)
    return columns


def test_the_nightly_month_equals_the_same_month_of_one_run_over_all_months(runs) -> None:
    with duckdb.connect() as con:
        for name, path in runs.items():
            con.execute(f"attach '{path}' as {name} (read_only)")
        tables = _published_tables(con)
        assert {"kelurahan_indicator_monthly", "data_quality_monthly", "kelurahan_growth_monthly"} <= set(tables)
        for table, columns in tables.items():
            select = ", ".join(columns)
            rows = {
                name: con.execute(
                    f"select {select} from {name}.pws.{table} where period_month = ? order by all", [f"{NIGHTLY}-01"]
                ).fetchall()
                for name in runs
            }
            assert rows["nightly"], table
            assert rows["nightly"] == rows["one_run"], table


def test_the_nightly_month_is_judged_against_the_previous_months(runs) -> None:
    """Six months before January: its outliers are judged (at least six months of history)."""
    with duckdb.connect(runs["nightly"], read_only=True) as con:
        history = con.execute(
            "select distinct history_months from intermediate.int_quality__indicator_outliers where period_month = ?",
            [f"{NIGHTLY}-01"],
        ).fetchall()
        judged = con.execute(
            "select count(*) from pws.data_quality_monthly where check_name = 'outlier' and period_month = ?",
            [f"{NIGHTLY}-01"],
        ).fetchone()[0]
    assert history == [(len(HISTORY),)]
    assert judged > 0
