"""The code location loads, and its graph holds ingestion, dbt, quality gate and publish with checks."""

from __future__ import annotations

import subprocess
import sys

from dagster import AssetKey

from ilp_pipeline.definitions import MONTHLY_JOB, defs


def test_graph_has_every_layer_and_blocking_checks() -> None:
    graph = defs.resolve_asset_graph()
    keys = {key.to_user_string() for key in graph.get_all_asset_keys()}
    assert {"raw/posyandu_register", "raw/fhir_resource", "raw/ref_wilayah"} <= keys
    assert {"staging/stg_posyandu__register", "marts/fct_anthropometry"} <= keys
    assert {"pws_candidate/kelurahan_indicator_monthly", "quality/pws_quality_gate", "pws/published"} <= keys
    assert "pws/laporan" in keys
    checks = {(c.asset_key, c.name) for c in graph.asset_check_keys}
    gate = AssetKey(["quality", "pws_quality_gate"])
    assert (gate, "ge_kelurahan_indicator_monthly") in checks
    assert (AssetKey(["raw", "posyandu_register"]), "contract_posyandu_register") in checks
    assert any(name.startswith("assert_pws_indicator_grain_unique") for _key, name in checks)
    from ilp_pipeline.defs.publishing import pws_quality_gate

    specs = {spec.name: spec for spec in pws_quality_gate.check_specs}
    assert specs["ge_kelurahan_indicator_monthly"].blocking
    assert specs["ge_kelurahan_growth_monthly"].blocking
    assert not specs["ge_coverage_plausible"].blocking
    staging = {key.to_user_string(): name for key, name in checks if name.startswith("ge_stg_")}
    assert staging["staging/stg_posyandu__register"] == "ge_stg_posyandu__register"
    assert {"staging/stg_posyandu__kader", "staging/stg_reference__wilayah"} <= set(staging)


def test_monthly_job_is_partitioned_by_service_month() -> None:
    job = defs.resolve_job_def(MONTHLY_JOB)
    keys = job.partitions_def.get_partition_keys()
    assert keys[0] == "2024-01" and "2026-03" in keys


def test_indicator_page_lists_every_catalogue_code() -> None:
    import csv
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    codes = [
        row["indicator_code"] for row in csv.DictReader((root / "dbt_project/seeds/indicator_catalogue.csv").open())
    ]
    page = (root / "docs" / "indicators.md").read_text()
    assert len(codes) == 50
    assert all(f"`{code}`" in page for code in codes)


def test_loading_the_definitions_leaves_great_expectations_to_the_first_suite() -> None:
    """The webserver, the daemon and every run load the definitions; the suites run in a few steps only."""
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, ilp_pipeline.definitions; print('great_expectations' in sys.modules)"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert loaded.stdout.strip() == "False"
