"""Two runs that write the warehouse at once: the second waits for the first, both succeed, nothing breaks."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import duckdb
import yaml
from conftest import ILP, copied_run_env

ROOT = Path(__file__).resolve().parent.parent


def test_concurrent_runs_wait_for_the_writer_lock(pipeline_run, tmp_path) -> None:
    env = copied_run_env(pipeline_run, tmp_path)
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
    # the second waits where it first meets the lock: reading the publish log for its months, or in its run
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


def test_a_run_killed_mid_build_is_retried_to_the_same_result(pipeline_run, tmp_path) -> None:
    """A crash (the run's process killed during dbt) leaves no lock behind; the retry publishes the same."""
    import os
    import signal

    env = copied_run_env(pipeline_run, tmp_path)
    with duckdb.connect(env["ILP_WAREHOUSE"]) as con:
        # forget March's publication, so the retry has to publish it again
        con.execute("delete from pws.kelurahan_indicator_monthly where period_month = date '2026-03-01'")
        con.execute("delete from pws.publish_log where period_month = date '2026-03-01'")
    command = [ILP, "run", "--period", "2026-03"]
    log_path = tmp_path / "killed.log"
    with log_path.open("w") as log:
        crashed = subprocess.Popen(
            command, env=env, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        for _ in range(600):
            if 'Started execution of step "ilp_dbt_models"' in log_path.read_text():
                break
            time.sleep(0.2)
        time.sleep(3)
        os.killpg(crashed.pid, signal.SIGKILL)
        crashed.wait(timeout=60)
    assert crashed.returncode != 0
    retry = subprocess.run(command, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=900)
    assert retry.returncode == 0, retry.stdout[-3000:] + retry.stderr[-3000:]
    assert "waiting for the warehouse writer lock" not in retry.stdout + retry.stderr
    with duckdb.connect(env["ILP_WAREHOUSE"], read_only=True) as con:
        published = con.execute(
            "select * exclude (published_at) from pws.kelurahan_indicator_monthly order by all"
        ).fetchall()
    snapshot = [row[:-1] for row in pipeline_run["snapshot"]]
    assert published == snapshot
