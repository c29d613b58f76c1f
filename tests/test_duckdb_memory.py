"""dbt's connection and the pipeline's keep the buffer memory DuckDB took, up to their memory limit, until
they close: given back after every query, it was zeroed again by the kernel at its next use."""

from __future__ import annotations

import json
import subprocess

from conftest import pipeline_env

from ilp_pipeline.defs.resources import WarehouseResource
from ilp_pipeline.settings import DBT_EXECUTABLE, DBT_PROJECT_DIR

SETTINGS = "select current_setting('block_allocator_memory') as kept, current_setting('memory_limit') as memory_limit"


def test_the_pipeline_s_connection_keeps_buffer_memory_up_to_its_limit(tmp_path) -> None:
    with WarehouseResource(warehouse_path=str(tmp_path / "ilp.duckdb")).connect() as con:
        kept, limit = con.execute(SETTINGS).fetchone()
    assert kept == limit
    assert kept != "0 bytes"


def test_dbt_s_connection_keeps_buffer_memory_as_the_pipeline_s_does(tmp_path) -> None:
    env = pipeline_env(tmp_path)
    env.update(ILP_WAREHOUSE=str(tmp_path / "ilp.duckdb"), DBT_SEND_ANONYMOUS_USAGE_STATS="false")
    shown = subprocess.run(
        [
            DBT_EXECUTABLE,
            "show",
            "--inline",
            SETTINGS,
            "--output",
            "json",
            "--log-format",
            "json",
            "--target-path",
            str(tmp_path / "target"),
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    assert shown.returncode == 0, shown.stdout[-3000:]
    previews = [
        json.loads(line)["data"]["preview"]
        for line in shown.stdout.splitlines()
        if line.startswith("{") and '"preview"' in line
    ]
    (row,) = json.loads(previews[-1])
    with WarehouseResource(warehouse_path=str(tmp_path / "writer.duckdb")).connect() as con:
        pipeline_kept, _ = con.execute(SETTINGS).fetchone()
    assert row == {"kept": pipeline_kept, "memory_limit": pipeline_kept}
