"""A staging suite whose source, staging view and contract are as they were when it was last judged keeps
that outcome; any of them changed, it is judged again."""

from __future__ import annotations

import dataclasses
import re
import shutil

import pytest

from ilp_pipeline import contracts
from ilp_pipeline.defs.resources import connect_writer
from ilp_pipeline.quality.staging_suites import validate_staging

WILAYAH = next(c for c in contracts.staged() if c.staging_model == "stg_reference__wilayah")


@pytest.fixture
def warehouse(pipeline_run, tmp_path):
    copy = tmp_path / "ilp.duckdb"
    shutil.copy(pipeline_run["env"]["ILP_WAREHOUSE"], copy)
    con = connect_writer(copy)
    yield con
    con.close()


def _recorded(outcome) -> dict:
    return {**dataclasses.asdict(outcome), "checked_at": "2026-01-31 23:00:00 UTC"}


def test_an_unchanged_source_keeps_its_recorded_outcome(warehouse) -> None:
    judged, judged_now = validate_staging(warehouse, WILAYAH)
    assert judged_now and judged.passed and judged.judged
    kept, judged_now = validate_staging(warehouse, WILAYAH, _recorded(judged))
    assert not judged_now
    assert kept.description == f"Unchanged since 2026-01-31 23:00:00 UTC: {judged.description}"
    assert (kept.passed, kept.observed, kept.judged) == (judged.passed, judged.observed, judged.judged)


@pytest.mark.parametrize("change", ["file", "view", "contract"])
def test_a_changed_file_view_or_contract_is_judged_again(warehouse, change) -> None:
    judged, _ = validate_staging(warehouse, WILAYAH)
    contract = WILAYAH
    if change == "file":
        warehouse.execute("update raw.landed_file set file_hash = 'another' where source = 'reference'")
    elif change == "view":
        (sql,) = warehouse.execute(
            "select sql from duckdb_views() where schema_name = 'staging' and view_name = 'stg_reference__wilayah'"
        ).fetchone()
        replaced = re.sub(r"(?i)^create view", "create or replace view", sql.strip().rstrip(";"))
        warehouse.execute(replaced + " where true")
    else:
        contract = dataclasses.replace(WILAYAH, columns=WILAYAH.columns[:-1])
    again, judged_now = validate_staging(warehouse, contract, _recorded(judged))
    assert judged_now
    assert not again.description.startswith("Unchanged since")


def test_the_second_identical_run_keeps_the_reference_suites_and_says_since_when(pipeline_run) -> None:
    def description(output: str) -> str:
        (found,) = re.findall(r"Asset check 'ge_stg_reference__wilayah'.*?Description: '([^']*)'", output)
        return found

    first, second = (pipeline_run[run].stdout + pipeline_run[run].stderr for run in ("first", "second"))
    assert not description(first).startswith("Unchanged since")
    assert description(second).startswith("Unchanged since")
