"""Two runs that write the warehouse at once: the second waits for the first, both succeed, nothing breaks."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import duckdb
import yaml
from conftest import ILP

ROOT = Path(__file__).resolve().parent.parent


def test_concurrent_runs_wait_for_the_writer_lock(pipeline_run, tmp_path) -> None:
    env = dict(pipeline_run["env"])
    env["ILP_WAREHOUSE"] = str(tmp_path / "ilp.duckdb")
    env["ILP_PUBLISH_DIR"] = str(tmp_path / "publish")
    env["DAGSTER_HOME"] = str(tmp_path / "dagster")
    shutil.copy(pipeline_run["env"]["ILP_WAREHOUSE"], env["ILP_WAREHOUSE"])
    command = [ILP, "run", "--period", "2026-03"]
    first = subprocess.Popen(
        command, env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    time.sleep(3)
    second = subprocess.run(command, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=900)
    first_output, _ = first.communicate(timeout=900)
    assert first.returncode == 0, first_output[-3000:]
    assert second.returncode == 0, second.stdout[-3000:] + second.stderr[-3000:]
    logs = first_output + second.stdout + second.stderr
    assert "waiting for the warehouse writer lock, held by run" in logs
    assert "warehouse writer lock acquired after" in logs
    with duckdb.connect(env["ILP_WAREHOUSE"], read_only=True) as con:
        published = con.execute("select * from pws.kelurahan_indicator_monthly order by all").fetchall()
    assert published == pipeline_run["snapshot"]


def test_instance_queues_warehouse_writers_one_at_a_time() -> None:
    instance = yaml.safe_load((ROOT / "dagster.yaml").read_text())
    coordinator = instance["run_coordinator"]
    assert coordinator["class"] == "QueuedRunCoordinator"
    assert {"key": "ilp/warehouse", "value": "writer", "limit": 1} in coordinator["config"]["tag_concurrency_limits"]
    assert instance["run_retries"]["enabled"] is True
    from ilp_pipeline.definitions import MONTHLY_JOB, defs

    assert defs.resolve_job_def(MONTHLY_JOB).tags["ilp/warehouse"] == "writer"
