"""Shared fixtures: a generated landing directory and a pipeline run over it, built once per session."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from ilp_pipeline.settings import DBT_EXECUTABLE, DBT_PROJECT_DIR

ROOT = Path(__file__).resolve().parent.parent
ILP = str(Path(sys.executable).parent / "ilp")
MONTHS = "2026-01..2026-03"


# Each published cell of an event indicator beside what its drill-through (restricted.numerator_persons)
# lists for it, matched by month, indicator and area as the drill-through counts them.
DRILL_THROUGH_BESIDE_PUBLISHED = """
    with drill as (
        select period_month, indicator_code, coalesce(kelurahan_code, 'pkm:' || puskesmas_code) as area,
               count(*) as persons_listed, count(distinct person_key) as persons,
               count(*) filter (where source_file is null or source_line is null) as unsourced
        from restricted.numerator_persons
        group by all
    ),
    published as (
        select period_month, indicator_code, coalesce(kelurahan_code, 'pkm:' || puskesmas_code) as area,
               numerator_month
        from pws.kelurahan_indicator_monthly
        where indicator_code in (select indicator_code from restricted.numerator_persons)
    )
    select * from published left join drill using (period_month, indicator_code, area)
"""


def pipeline_env(base: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        ILP_DATA_DIR=str(base / "landing"),
        ILP_WAREHOUSE=str(base / "warehouse" / "ilp.duckdb"),
        ILP_PUBLISH_DIR=str(base / "publish"),
        DAGSTER_HOME=str(base / "dagster"),
        ILP_PSEUDONYM_KEY="test-key-for-the-test-suite-only",
    )
    return env


def copied_run_env(run: dict, base: Path) -> dict[str, str]:
    """The run's environment over a copy of its warehouse, with a publish folder and instance of its own."""
    env = dict(run["env"])
    env.update(
        ILP_WAREHOUSE=str(base / "ilp.duckdb"),
        ILP_PUBLISH_DIR=str(base / "publish"),
        DAGSTER_HOME=str(base / "dagster"),
    )
    shutil.copy(run["env"]["ILP_WAREHOUSE"], env["ILP_WAREHOUSE"])
    return env


def dbt(args: list[str], env: dict[str, str], warehouse: Path, project: Path = DBT_PROJECT_DIR) -> None:
    """dbt on a warehouse of the tests, outside the pipeline's dbt step."""
    result = subprocess.run(
        [DBT_EXECUTABLE, *args, "--project-dir", str(project), "--profiles-dir", str(project)],
        env={**env, "ILP_WAREHOUSE": str(warehouse), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-3000:]


def rows_differing(con: duckdb.DuckDBPyConnection, table: str, other: str) -> int:
    """Rows of either table missing from the other, duplicates counted."""
    return con.execute(
        f"select count(*) from ((from {table} except all from {other}) "
        f"union all (from {other} except all from {table}))"
    ).fetchone()[0]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def ilp(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([ILP, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=1200)


@pytest.fixture(scope="session")
def generated(tmp_path_factory) -> Path:
    """A clean kabupaten landing directory (seed 7, three months)."""
    base = tmp_path_factory.mktemp("generated")
    env = pipeline_env(base)
    result = ilp(["generate", "--months", MONTHS, "--seed", "7", "--out", env["ILP_DATA_DIR"]], env, base)
    assert result.returncode == 0, result.stderr
    return base / "landing"


@pytest.fixture(scope="session")
def pipeline_run(tmp_path_factory, generated) -> dict:
    """`ilp run` over the generated directory, then a second identical run."""
    base = tmp_path_factory.mktemp("pipeline")
    env = pipeline_env(base)
    env["ILP_DATA_DIR"] = str(generated)
    first = ilp(["run", "--from", "2026-01", "--to", "2026-03"], env, base)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    with duckdb.connect(env["ILP_WAREHOUSE"], read_only=True) as con:
        snapshot = con.execute("select * from pws.kelurahan_indicator_monthly order by all").fetchall()
        log = con.execute("select * from pws.publish_log order by all").fetchall()
    second = ilp(["run", "--from", "2026-01", "--to", "2026-03"], env, base)
    return {"env": env, "base": base, "first": first, "second": second, "snapshot": snapshot, "log": log}


def warehouse(run: dict) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(run["env"]["ILP_WAREHOUSE"], read_only=True)
