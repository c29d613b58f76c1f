"""The dbt process started with a run takes the first dbt command handed to it, with its streams,
exit code and interrupts; later commands, and commands with no process waiting, run dbt themselves."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import pytest
from conftest import pipeline_env

from ilp_pipeline.dbt.prestart import SOCKET_VARIABLE, PrestartedDbt
from ilp_pipeline.settings import DBT_HANDOVER_EXECUTABLE, DBT_PROJECT_DIR


@pytest.fixture
def prestarted():
    waiting = PrestartedDbt()
    yield waiting
    waiting.stop()


def _handed(command: list[str], prestarted: PrestartedDbt, **options) -> subprocess.CompletedProcess:
    env = {**os.environ, SOCKET_VARIABLE: prestarted.socket_path, **options.pop("env", {})}
    return subprocess.run(
        [DBT_HANDOVER_EXECUTABLE, *command], env=env, capture_output=True, text=True, timeout=120, **options
    )


def test_the_waiting_process_runs_the_first_command_and_ends(prestarted) -> None:
    result = _handed(["--version"], prestarted)
    assert result.returncode == 0, result.stderr
    assert "installed:" in result.stdout
    # it served the command: a process that did not would still be waiting for one
    assert prestarted.process.wait(timeout=30) == 0


def test_a_failing_command_returns_dbt_s_exit_code_and_output(prestarted) -> None:
    result = _handed(["not-a-command"], prestarted)
    assert prestarted.process.wait(timeout=30) == 2
    assert result.returncode == 2
    assert "No such command" in result.stderr


def test_a_second_command_runs_dbt_itself(prestarted) -> None:
    assert _handed(["--version"], prestarted).returncode == 0
    prestarted.process.wait(timeout=30)
    result = _handed(["not-a-command"], prestarted)
    assert result.returncode == 2
    assert "No such command" in result.stderr


def test_an_unused_process_stops_with_the_run_and_leaves_no_socket() -> None:
    waiting = PrestartedDbt()
    waiting.stop()
    assert waiting.process.returncode is not None
    assert not Path(waiting.folder).exists()


def test_an_interrupt_reaches_the_handed_command(prestarted, tmp_path) -> None:
    """dagster-dbt stops a build by interrupting the executable it started."""
    target = tmp_path / "target"
    env = {
        **pipeline_env(tmp_path),
        SOCKET_VARIABLE: prestarted.socket_path,
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    client = subprocess.Popen(
        [
            DBT_HANDOVER_EXECUTABLE,
            "parse",
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(target),
            "--no-partial-parse",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    # a whole project's parse takes seconds: interrupted once dbt has started it
    for line in client.stdout:
        if "Running with dbt" in line:
            break
    client.send_signal(signal.SIGINT)
    output = client.communicate(timeout=60)[0]
    assert client.returncode != 0, output
    assert prestarted.process.wait(timeout=30) != 0
    assert not (target / "manifest.json").exists()
