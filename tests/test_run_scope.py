"""A month publishes the same numbers whether the nightly run takes it alone, after the earlier months'
runs, or one run takes it with all of them: what the month needs from before its run (the year's earlier
months in December's year-to-date, the previous year's months an outlier is judged against) is not lost
to the run's month spine. What the nightly run keeps of earlier months, and what it judges anew, is
checked against the same runs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pytest
from conftest import DRILL_THROUGH_BESIDE_PUBLISHED, ROOT, ilp, pipeline_env

from ilp_pipeline.bench import _link_landing

HISTORY = [f"2025-{month:02d}" for month in range(7, 13)]
NIGHTLY = "2026-01"
# when a file arrived and when a version was published differ from one run to the other by nature
RUN_COLUMNS = {"publish_id", "published_at", "received_at"}
WAREHOUSES = ("nightly", "one_run")


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, str]:
    base = tmp_path_factory.mktemp("run_scope")
    source = base / "generated"
    env = pipeline_env(base)
    generated = ilp(
        ["generate", "--months", f"{HISTORY[0]}..{NIGHTLY}", "--seed", "11", "--out", str(source)], env, base
    )
    assert generated.returncode == 0, generated.stderr[-3000:]

    # the nightly warehouse's January runs after a run of another warehouse, as a checkout that builds
    # several warehouses does
    steps = [
        ("nightly", set(HISTORY), HISTORY[0], HISTORY[-1]),
        ("one_run", {*HISTORY, NIGHTLY}, HISTORY[0], NIGHTLY),
        ("nightly", {*HISTORY, NIGHTLY}, NIGHTLY, NIGHTLY),
    ]
    outcome = {}
    for name, months, first, last in steps:
        env = pipeline_env(base / name)
        _link_landing(source, base / name / "landing", months)
        result = ilp(["run", "--from", first, "--to", last], env, base)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        outcome[name] = env["ILP_WAREHOUSE"]
        outcome[f"{name}_last_run"] = re.search(r"ilp: run ([0-9a-f-]+) succeeded", result.stdout).group(1)
        outcome[f"{name}_last_output"] = result.stdout + result.stderr
    return outcome


def test_a_build_starts_from_its_own_warehouse_s_parse_state(runs) -> None:
    """dbt would parse the whole project again for January: the run before it built another warehouse."""
    (build,) = (ROOT / "dbt_project" / "target").glob(f"ilp_dbt_models-{runs['nightly_last_run'][:7]}-*")
    events = [json.loads(line)["info"]["name"] for line in (build / "dbt.log").read_text().splitlines()]
    assert "StateCheckVarsHash" in events
    assert "UnableToPartialParse" not in events


def test_the_build_runs_in_the_dbt_process_started_with_the_run(runs) -> None:
    """dbt is imported while ingestion works, not after it (ilp_pipeline/dbt/prestart.py)."""
    (started,) = re.findall(r"dbt process (\d+) started", runs["nightly_last_output"])
    (build,) = (ROOT / "dbt_project" / "target").glob(f"ilp_dbt_models-{runs['nightly_last_run'][:7]}-*")
    first_event = json.loads((build / "dbt.log").read_text().splitlines()[0])
    assert first_event["info"]["pid"] == int(started)


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
        for name in WAREHOUSES:
            con.execute(f"attach '{runs[name]}' as {name} (read_only)")
        tables = _published_tables(con)
        assert {"kelurahan_indicator_monthly", "data_quality_monthly", "kelurahan_growth_monthly"} <= set(tables)
        for table, columns in tables.items():
            select = ", ".join(columns)
            rows = {
                name: con.execute(
                    f"select {select} from {name}.pws.{table} where period_month = ? order by all", [f"{NIGHTLY}-01"]
                ).fetchall()
                for name in WAREHOUSES
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


def test_the_drill_through_of_earlier_months_survives_the_nightly_run(runs) -> None:
    """The nightly run lists January's persons and keeps those listed for the months it did not run."""
    with duckdb.connect(runs["nightly"], read_only=True) as con:
        by_month = con.execute(
            f"""
            select
                strftime(period_month, '%Y-%m'),
                count(*) filter (where numerator_month > 0),
                count(*) filter (where numerator_month <> coalesce(persons_listed, 0))
            from ({DRILL_THROUGH_BESIDE_PUBLISHED})
            group by all
            order by 1
            """
        ).fetchall()
    assert [month for month, _, _ in by_month] == [*HISTORY, NIGHTLY]
    assert all(counted > 100 for _, counted, _ in by_month), by_month
    assert [mismatched for _, _, mismatched in by_month] == [0] * (len(HISTORY) + 1)


def test_the_nightly_staging_suite_samples_the_rows_that_arrived_with_it(runs) -> None:
    """The one run over all months samples all register rows; the nightly run January's files only."""
    descriptions = {}
    for name in WAREHOUSES:
        publish = Path(runs[name]).parent.parent / "publish"
        results = json.loads((publish / "data_docs" / "results.json").read_text(encoding="utf-8"))
        descriptions[name] = results["ge_stg_posyandu__register"]["description"]
    with duckdb.connect(runs["nightly"], read_only=True) as con:
        january_files = con.execute(
            "select count(*) from raw.current_file where source = 'posyandu_register' and status = 'loaded' "
            "and path like ?",
            [f"posyandu/{NIGHTLY}/%"],
        ).fetchone()[0]
    assert january_files > 100
    assert f"of the {january_files:,} file(s) loaded last" in descriptions["nightly"]
    assert "loaded last" not in descriptions["one_run"]
