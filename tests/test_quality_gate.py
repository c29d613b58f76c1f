"""A failed blocking Great Expectations check stops the publish; the published version stays."""

from __future__ import annotations

import json
import shutil

import duckdb
from conftest import copied_run_env
from dagster import AssetCheckSeverity, DagsterInstance, materialize

from ilp_pipeline.defs.publishing import pws_published, pws_quality_gate
from ilp_pipeline.defs.resources import WarehouseResource


def test_corrupted_candidate_blocks_publish(pipeline_run, tmp_path) -> None:
    copy = tmp_path / "ilp.duckdb"
    shutil.copy(pipeline_run["env"]["ILP_WAREHOUSE"], copy)
    with duckdb.connect(str(copy)) as con:
        before = con.execute("select * from pws.kelurahan_indicator_monthly where month = 3 order by all").fetchall()
        log_before = con.execute("select * from pws.publish_log order by all").fetchall()
        # a duplicated row at the grain and a negative numerator
        con.execute(
            "insert into pws_candidate.kelurahan_indicator_monthly "
            "select * from pws_candidate.kelurahan_indicator_monthly where month = 3 limit 1"
        )
        con.execute(
            "update pws_candidate.kelurahan_indicator_monthly set numerator_month = -1 "
            "where month = 3 and indicator_code = 'IMM_MR1' and kelurahan_code is not null "
            "and kelurahan_code = (select min(kelurahan_code) from pws_candidate.kelurahan_indicator_monthly)"
        )
    warehouse = WarehouseResource(warehouse_path=str(copy), publish_dir=str(tmp_path / "publish"))
    with DagsterInstance.ephemeral() as instance:
        result = materialize(
            [pws_quality_gate, pws_published],
            partition_key="2026-03",
            resources={"warehouse": warehouse},
            instance=instance,
            raise_on_error=False,
        )
    evaluations = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    assert evaluations["ge_kelurahan_indicator_monthly"] is False
    assert not result.success
    published_steps = [
        e for e in result.get_asset_materialization_events() if e.asset_key.to_user_string() == "pws/published"
    ]
    assert published_steps == []
    with duckdb.connect(str(copy), read_only=True) as con:
        after = con.execute("select * from pws.kelurahan_indicator_monthly where month = 3 order by all").fetchall()
        log_after = con.execute("select * from pws.publish_log order by all").fetchall()
    assert after == before
    assert log_after == log_before
    assert not (tmp_path / "publish" / "pws").exists()
    docs = json.loads((tmp_path / "publish" / "data_docs" / "results.json").read_text())
    assert docs["ge_kelurahan_indicator_monthly"]["passed"] is False
    assert docs["ge_kelurahan_indicator_monthly"]["blocking"] is True


def test_ilp_run_exits_non_zero_naming_the_failed_check(pipeline_run, tmp_path) -> None:
    """A file whose rows do not add up fails row conservation: nothing is published, the CLI says which check."""
    import subprocess
    import sys
    from pathlib import Path

    env = copied_run_env(pipeline_run, tmp_path)
    with duckdb.connect(env["ILP_WAREHOUSE"]) as con:
        log_before = con.execute("select * from pws.publish_log order by all").fetchall()
        con.execute(
            "update raw.landed_file set rows_received = rows_received + 1 where path = "
            "(select min(path) from raw.landed_file where source = 'posyandu_register' and status = 'loaded' "
            "and path like 'posyandu/2026-03/%')"
        )
    result = subprocess.run(
        [str(Path(sys.executable).parent / "ilp"), "run", "--period", "2026-03"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 1
    assert "ge_row_conservation" in result.stderr
    with duckdb.connect(env["ILP_WAREHOUSE"], read_only=True) as con:
        assert con.execute("select * from pws.publish_log order by all").fetchall() == log_before


def test_implausible_coverage_warns_and_still_publishes(pipeline_run, tmp_path) -> None:
    """The coverage ceiling is run config; crossing it is a warning, not a reason to withhold the month."""
    copy = tmp_path / "ilp.duckdb"
    shutil.copy(pipeline_run["env"]["ILP_WAREHOUSE"], copy)
    warehouse = WarehouseResource(warehouse_path=str(copy), publish_dir=str(tmp_path / "publish"))
    with DagsterInstance.ephemeral() as instance:
        result = materialize(
            [pws_quality_gate, pws_published],
            partition_key="2026-03",
            resources={"warehouse": warehouse},
            instance=instance,
            run_config={"ops": {"quality__pws_quality_gate": {"config": {"coverage_ceiling_pct": 1.0}}}},
        )
    evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert evaluations["ge_coverage_plausible"].passed is False
    assert evaluations["ge_coverage_plausible"].severity == AssetCheckSeverity.WARN
    assert evaluations["ge_kelurahan_indicator_monthly"].passed is True
    assert result.success
    docs = json.loads((tmp_path / "publish" / "data_docs" / "results.json").read_text())
    assert docs["ge_coverage_plausible"]["passed"] is False
    assert docs["ge_coverage_plausible"]["failures"]
