"""The nightly schedule's months and the landing sensor's runs: late, changed and repeated files."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest
from dagster import DagsterInstance, build_schedule_context, build_sensor_context
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

from ilp_pipeline.defs.automation import JAKARTA, landing_sensor, nightly, nightly_months, plan_landing_run

UTC = dt.UTC
VALID = {f"{year}-{month:02d}" for year in (2025, 2026) for month in range(1, 13)}


@pytest.mark.parametrize(
    ("fires_at", "months"),
    [
        # 01:00 WIB on 1 March is still 28 February in UTC
        (dt.datetime(2026, 2, 28, 18, 0, tzinfo=UTC), ("2026-02", "2026-03")),
        (dt.datetime(2025, 12, 31, 18, 0, tzinfo=UTC), ("2025-12", "2026-01")),
        (dt.datetime(2026, 3, 15, 18, 0, tzinfo=UTC), ("2026-02", "2026-03")),
        (dt.datetime(2026, 3, 31, 17, 59, tzinfo=UTC), ("2026-03", "2026-04")),
    ],
)
def test_nightly_schedule_takes_the_previous_and_current_month_in_jakarta(fires_at, months) -> None:
    assert nightly_months(fires_at) == months


def test_nightly_schedule_definition_fires_at_one_in_jakarta() -> None:
    assert nightly.cron_schedule == "0 1 * * *"
    assert nightly.execution_timezone == "Asia/Jakarta"
    context = build_schedule_context(scheduled_execution_time=dt.datetime(2026, 3, 1, 1, 0, tzinfo=JAKARTA))
    request = nightly.evaluate_tick(context).run_requests[0]
    assert request.tags[ASSET_PARTITION_RANGE_START_TAG] == "2026-02"
    assert request.tags[ASSET_PARTITION_RANGE_END_TAG] == "2026-03"


@pytest.fixture
def landing(generated, tmp_path) -> Path:
    """A small landing directory: the reference masters and three registers of January and February."""
    root = tmp_path / "landing"
    shutil.copytree(generated / "reference", root / "reference")
    for month in ("2026-01", "2026-02"):
        (root / "posyandu" / month).mkdir(parents=True)
        for path in sorted((generated / "posyandu" / month).glob("*.csv"))[:3]:
            shutil.copy2(path, root / "posyandu" / month / path.name)
    return root


def _range(request) -> tuple[str, str]:
    return request.tags[ASSET_PARTITION_RANGE_START_TAG], request.tags[ASSET_PARTITION_RANGE_END_TAG]


def test_sensor_runs_the_late_month_and_later_published_months(landing, generated) -> None:
    request, cursor, changed = plan_landing_run(landing, None, set(), "2026-03", VALID)
    # registers of January and February; the reference masters count for the current month
    assert _range(request) == ("2026-01", "2026-03")
    assert len(changed) == 6 + len(list((landing / "reference").iterdir()))

    again, cursor, changed = plan_landing_run(landing, cursor, {"2026-01", "2026-02"}, "2026-03", VALID)
    assert again is None and changed == []

    # a January register arriving in March, after January to March were published
    late = sorted((generated / "posyandu" / "2026-01").glob("*.csv"))[5]
    shutil.copy(late, landing / "posyandu" / "2026-01" / late.name)
    published = {"2026-01", "2026-02", "2026-03"}
    request, cursor, changed = plan_landing_run(landing, cursor, published, "2026-03", VALID)
    assert changed == [f"posyandu/2026-01/{late.name}"]
    assert _range(request) == ("2026-01", "2026-03")


def test_sensor_reruns_a_changed_file_once_and_ignores_the_same_content_twice(landing) -> None:
    _request, cursor, _changed = plan_landing_run(landing, None, set(), "2026-03", VALID)
    register = sorted((landing / "posyandu" / "2026-02").glob("*.csv"))[0]
    original = register.read_bytes()

    register.write_bytes(original.replace(b"\n", b"\r\n", 1))  # corrected and sent again
    request, cursor, changed = plan_landing_run(landing, cursor, {"2026-01", "2026-02"}, "2026-03", VALID)
    assert changed == [f"posyandu/2026-02/{register.name}"]
    assert _range(request) == ("2026-02", "2026-02")
    run_key = request.run_key

    # the same bytes landing again: touched, copied over, or under another name
    os.utime(register, (1_900_000_000, 1_900_000_000))
    assert plan_landing_run(landing, cursor, set(), "2026-03", VALID)[0] is None
    shutil.copy(register, register.with_name("PSY_COPY.csv"))
    request, cursor, changed = plan_landing_run(landing, cursor, set(), "2026-03", VALID)
    assert request is None and changed == []

    # back to the original content: the file changed again, so its month runs again, under a new run key
    register.write_bytes(original)
    request = plan_landing_run(landing, cursor, set(), "2026-03", VALID)[0]
    assert _range(request) == ("2026-02", "2026-02")
    assert request.run_key != run_key


def test_sensor_reads_service_months_from_fhir_exports(landing, generated) -> None:
    _request, cursor, _changed = plan_landing_run(landing, None, set(), "2026-03", VALID)
    export = next(generated.glob("puskesmas/*/2026-01/Immunization.ndjson"))
    target = landing / export.relative_to(generated)
    target.parent.mkdir(parents=True)
    shutil.copy2(export, target)
    request, _cursor, _changed = plan_landing_run(landing, cursor, set(), "2026-03", VALID)
    first, last = _range(request)
    # the first export carries the puskesmas's backlog of the year before
    assert first.startswith("2025-")
    assert last == "2026-01"


def test_sensor_definition_keeps_its_cursor_between_ticks(landing, monkeypatch) -> None:
    from ilp_pipeline.definitions import defs

    monkeypatch.setenv("ILP_DATA_DIR", str(landing))
    with DagsterInstance.ephemeral() as instance:
        first = build_sensor_context(instance=instance, definitions=defs)
        requests = landing_sensor.evaluate_tick(first).run_requests
        assert len(requests) == 1
        second = build_sensor_context(instance=instance, definitions=defs, cursor=first.cursor)
        assert landing_sensor.evaluate_tick(second).run_requests == []
