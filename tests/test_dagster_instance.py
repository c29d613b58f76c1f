"""The Dagster instance's bookkeeping: the event log written through kept engines in write-ahead-log mode is
Dagster's own SQLite files, readable by Dagster's own storage and watched live; the dbt resource skips
only what the pipeline does not use."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import time
from pathlib import Path

from dagster import AssetKey, DagsterInstance, StaticPartitionsDefinition, asset, materialize
from dagster._core.events.log import EventLogEntry
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
from dagster._core.utils import make_new_run_id

from ilp_pipeline.event_log_storage import KeptEngineSqliteEventLogStorage

ROOT = Path(__file__).resolve().parent.parent


@asset(partitions_def=StaticPartitionsDefinition(["2026-01", "2026-02"]))
def monthly_table() -> None:
    return None


def test_the_instance_event_log_is_dagsters_sqlite_in_wal_mode(tmp_path, monkeypatch) -> None:
    home = tmp_path / "dagster"
    home.mkdir()
    shutil.copy(ROOT / "dagster.yaml", home / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    with DagsterInstance.get() as instance:
        assert isinstance(instance.event_log_storage, KeptEngineSqliteEventLogStorage)
        run_ids = [
            materialize([monthly_table], instance=instance, partition_key=month).run_id
            for month in ("2026-01", "2026-02")
        ]
        with sqlite3.connect(home / "history" / "runs" / f"{run_ids[0]}.db") as con:
            assert con.execute("pragma journal_mode").fetchone()[0] == "wal"
    # Dagster's own storage, as a process without this project's dagster.yaml would open it
    plain = SqliteEventLogStorage(str(home / "history" / "runs"))
    records = plain.fetch_materializations(AssetKey("monthly_table"), limit=10).records
    assert sorted(r.partition_key for r in records) == ["2026-01", "2026-02"]
    assert {r.run_id for r in records} == set(run_ids)


def test_a_watcher_sees_events_committed_to_the_write_ahead_log(tmp_path) -> None:
    """The UI's live view of a run: committed events land in the -wal file, not the database file."""
    viewer = KeptEngineSqliteEventLogStorage(str(tmp_path))
    writer = KeptEngineSqliteEventLogStorage(str(tmp_path))
    run_id = make_new_run_id()
    received: list[str] = []
    viewer.watch(run_id, None, lambda entry, _cursor: received.append(entry.user_message))
    try:
        for count, message in enumerate(("first", "second"), start=1):
            # one at a time: the second lands after the database file was last touched
            writer.store_event(
                EventLogEntry(error_info=None, level="INFO", user_message=message, run_id=run_id, timestamp=time.time())
            )
            deadline = time.monotonic() + 15
            while len(received) < count and time.monotonic() < deadline:
                time.sleep(0.1)
            time.sleep(0.5)
        assert received == ["first", "second"]
        assert (tmp_path / f"{run_id}.db-wal").exists()
    finally:
        viewer.dispose()
        writer.dispose()


def test_the_dbt_resource_reports_the_version_of_the_dbt_executable() -> None:
    from ilp_pipeline.definitions import defs
    from ilp_pipeline.settings import DBT_EXECUTABLE

    resource = defs.resources["dbt"]
    printed = subprocess.run([DBT_EXECUTABLE, "--version"], capture_output=True, text=True, check=True).stdout
    assert f"installed: {resource._cli_version}" in printed
    assert resource._initialize_dbt_core_adapter(["build"]) is None
