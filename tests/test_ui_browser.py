"""The Dagster UI in a real browser: the graph with its checks, and one partition materialised from the UI.

Debian's chromium, driven by Playwright through `executable_path`; nothing is downloaded. Screenshots and
the timings go to test-artifacts/ui/.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import copied_run_env, free_port
from dagster import DagsterInstance, DagsterRunStatus
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts" / "ui"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PARTITION = "2026-03"


@pytest.fixture(scope="module")
def dagster_ui(pipeline_run, tmp_path_factory):
    """`dagster dev` (webserver and daemon) on the project's workspace.yaml, over a copy of the test warehouse."""
    base = tmp_path_factory.mktemp("ui")
    env = copied_run_env(pipeline_run, base)
    Path(env["DAGSTER_HOME"]).mkdir()
    shutil.copy(ROOT / "dagster.yaml", Path(env["DAGSTER_HOME"]) / "dagster.yaml")
    port = free_port()
    started = time.perf_counter()
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "dagster"),
            "dev",
            "-w",
            "workspace.yaml",
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
        ],
        cwd=ROOT,
        env=env,
        stdout=(base / "dagster-dev.log").open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            try:
                with urllib.request.urlopen(f"{url}/server_info", timeout=2):
                    break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("the Dagster webserver did not start: " + (base / "dagster-dev.log").read_text()[-3000:])
        yield {"url": url, "env": env, "startup_seconds": time.perf_counter() - started}
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


def _dismiss_welcome(page) -> None:
    # the welcome dialog shows only on a fresh instance
    with contextlib.suppress(PlaywrightTimeout):
        page.get_by_role("button", name="Skip").click(timeout=3000)


def _text(page) -> str:
    return " ".join(page.inner_text("body").split())


def _text_once_it_shows(page, *expected: str, timeout_ms: int = 20_000) -> str:
    """The page's text after every expected piece appeared or the time ran out: the UI renders graph
    nodes, lists and checks after the network goes quiet, later on a slow machine."""
    # on a timeout the assertion that follows names what is missing
    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_function(
            "pieces => pieces.every(piece => document.body.innerText.replace(/\\s+/g, ' ').includes(piece))",
            arg=list(expected),
            timeout=timeout_ms,
        )
    return _text(page)


def test_graph_checks_and_a_partition_materialised_from_the_ui(dagster_ui) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    url = dagster_ui["url"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        page = browser.new_page(viewport={"width": 1600, "height": 1000})

        page.goto(f"{url}/asset-groups", wait_until="networkidle")
        _dismiss_welcome(page)
        page.wait_for_timeout(1500)
        lineage = _text(page)
        for group in ("ingestion", "staging", "intermediate", "marts", "pws_candidate", "publish"):
            assert group in lineage
        page.screenshot(path=str(ARTIFACTS / "asset-lineage.png"))

        # A group's lineage opens on part of the graph: the kept models read the manifest tables, so the
        # ingestion graph is tall. Each group's list names every asset; an asset's own lineage shows its
        # node with the checks row.
        for group, assets, focus in (
            ("ingestion", ("posyandu_register", "landed_file"), "raw/posyandu_register"),
            ("publish", ("pws_quality_gate", "published"), "quality/pws_quality_gate"),
        ):
            page.goto(f"{url}/locations/ilp_pipeline/asset-groups/{group}", wait_until="networkidle")
            page.get_by_role("tab", name="List", exact=True).click()
            text = _text_once_it_shows(page, *assets)
            assert all(asset in text for asset in assets), text[:2000]
            page.goto(f"{url}/assets/{focus}?view=lineage", wait_until="networkidle")
            assert "Asset checks" in _text_once_it_shows(page, "Asset checks")
            page.screenshot(path=str(ARTIFACTS / f"group-{group}.png"))

        for asset, checks in (
            ("quality/pws_quality_gate", ("ge_row_conservation", "ge_kelurahan_indicator_monthly")),
            ("staging/stg_posyandu__register", ("ge_stg_posyandu__register",)),
            ("raw/posyandu_register", ("contract_posyandu_register",)),
        ):
            page.goto(f"{url}/assets/{asset}?view=checks", wait_until="networkidle")
            text = _text_once_it_shows(page, *checks)
            assert all(check in text for check in checks), text[:2000]

        page.goto(f"{url}/locations/ilp_pipeline/jobs/ilp_monthly", wait_until="networkidle")
        _dismiss_welcome(page)
        page.get_by_role("button", name="Materialize all…").click()
        partitions = page.get_by_placeholder("ex: 2024-01", exact=False)
        partitions.fill(PARTITION)
        partitions.press("Enter")
        page.screenshot(path=str(ARTIFACTS / "launch-dialog.png"))
        launched = time.perf_counter()
        page.get_by_role("button", name="Launch 1 run").click()

        os.environ["DAGSTER_HOME"] = dagster_ui["env"]["DAGSTER_HOME"]
        with DagsterInstance.get() as instance:
            run = None
            for _ in range(120):
                runs = instance.get_runs(limit=1)
                if runs:
                    run = runs[0]
                    break
                time.sleep(1)
            assert run is not None, "the UI launched no run"
            assert run.tags.get("dagster/partition") == PARTITION
            page.goto(f"{url}/runs/{run.run_id}", wait_until="networkidle")
            status = run.status
            for _ in range(300):
                status = instance.get_run_by_id(run.run_id).status
                if status in (DagsterRunStatus.SUCCESS, DagsterRunStatus.FAILURE, DagsterRunStatus.CANCELED):
                    break
                time.sleep(2)
        duration = time.perf_counter() - launched
        assert status == DagsterRunStatus.SUCCESS
        page.reload(wait_until="networkidle")
        page.wait_for_timeout(2000)
        assert "Success" in _text(page)
        page.screenshot(path=str(ARTIFACTS / "run-success.png"))
        browser.close()
    (ARTIFACTS / "timings.json").write_text(
        json.dumps(
            {
                "webserver_start_seconds": round(dagster_ui["startup_seconds"], 1),
                "partition": PARTITION,
                "launch_to_success_seconds": round(duration, 1),
            },
            indent=2,
        )
    )
