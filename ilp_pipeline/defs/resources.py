"""The warehouse: one DuckDB file, opened by one step at a time on the run's single writer process.

A run holds the warehouse's writer lock (an advisory lock on `<warehouse>.writer.lock`) from its first
step to its end, whoever started it (the command line, the UI, the schedule or the sensor), so a second
run waits for the first instead of failing on DuckDB's file lock between two steps of the first.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import duckdb
from dagster import ConfigurableResource, InitResourceContext
from pydantic import PrivateAttr

from ilp_pipeline.settings import WAREHOUSE_ROW_GROUP_SIZE, load_settings
from ilp_pipeline.sql_text import quoted_identifier, sql_string

# DuckDB's default (80% of RAM) let one province month take 16 GiB; the writer's connection and dbt's each
# get less and spill to disk beyond it, leaving room for Dagster, the daemon and the page cache.
DUCKDB_MEMORY_LIMIT = "40%"
# Memory DuckDB's buffers took stays with the connection until it closes, up to this share of the memory
# limit, instead of going back to the system after each query to be zeroed again by the kernel at its next
# use: a nightly run spent about 1.8 s of CPU there.
DUCKDB_BLOCK_ALLOCATOR_MEMORY = "100%"


def connect_writer(warehouse: Path) -> duckdb.DuckDBPyConnection:
    """The warehouse attached under its file's name, as DuckDB would open it, with the row group size and
    memory settings dbt's connection uses too (dbt_project/profiles.yml)."""
    con = duckdb.connect(config={"temp_directory": f"{warehouse}.tmp"})
    con.execute(f"set memory_limit = '{DUCKDB_MEMORY_LIMIT}'")
    # a share of the memory limit set just before; the connection's configuration would not read it as one
    con.execute(f"set block_allocator_memory = '{DUCKDB_BLOCK_ALLOCATOR_MEMORY}'")
    catalog = warehouse.name.rsplit(".", 1)[0]
    con.execute(
        f"attach {sql_string(str(warehouse))} as {quoted_identifier(catalog)} "
        f"(row_group_size {WAREHOUSE_ROW_GROUP_SIZE})"
    )
    con.execute(f"use {quoted_identifier(catalog)}")
    return con


def writer_lock_path(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.name + ".writer.lock")


def _lock_holder(lock: IO[str]) -> str:
    lock.seek(0)
    return lock.read().strip() or "another process"


@contextmanager
def no_writer(warehouse: Path, log: Callable[[str], None] | None = None) -> Iterator[None]:
    """Wait until no run writes the warehouse (DuckDB refuses even read-only opens while one does),
    saying so through `log` when it has to wait."""
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    with writer_lock_path(warehouse).open("a+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            started = time.monotonic()
            if log:
                log(f"waiting for the warehouse writer lock, held by {_lock_holder(lock)}")
            fcntl.flock(lock, fcntl.LOCK_SH)
            if log:
                log(f"warehouse writer lock acquired after {time.monotonic() - started:.0f} s")
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


class WarehouseResource(ConfigurableResource):
    """Paths come from the environment (outputs.md) unless set here, as tests do."""

    warehouse_path: str | None = None
    data_dir: str | None = None
    publish_dir: str | None = None
    lock_wait_seconds: float = 6 * 3600

    _lock: IO[str] | None = PrivateAttr(default=None)

    @property
    def path(self) -> Path:
        return Path(self.warehouse_path) if self.warehouse_path else load_settings().warehouse

    @property
    def landing(self) -> Path:
        return Path(self.data_dir) if self.data_dir else load_settings().data_dir

    @property
    def publish(self) -> Path:
        return Path(self.publish_dir) if self.publish_dir else load_settings().publish_dir

    @property
    def lock_path(self) -> Path:
        return writer_lock_path(self.path)

    def setup_for_execution(self, context: InitResourceContext) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock = self.lock_path.open("a+")
        run_id = context.run.run_id if context.run else "?"
        waited, started = False, time.monotonic()
        while True:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() - started > self.lock_wait_seconds:
                    lock.close()
                    raise TimeoutError(f"the warehouse {self.path} stayed locked by another run") from None
                if not waited:
                    if context.log:
                        context.log.info(f"waiting for the warehouse writer lock, held by {_lock_holder(lock)}")
                    waited = True
                time.sleep(1)
        lock.seek(0)
        lock.truncate()
        lock.write(f"run {run_id} (pid {os.getpid()})")
        lock.flush()
        if waited and context.log:
            context.log.info(f"warehouse writer lock acquired after {time.monotonic() - started:.0f} s")
        self._lock = lock

    def teardown_after_execution(self, context: InitResourceContext) -> None:
        if self._lock is not None:
            fcntl.flock(self._lock, fcntl.LOCK_UN)
            self._lock.close()
            self._lock = None

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        con = connect_writer(self.path)
        try:
            yield con
        finally:
            con.close()
