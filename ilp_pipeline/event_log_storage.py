"""Dagster's SQLite event log, with one engine per database file kept for the life of the process, and
SQLite's write-ahead log.

Dagster's own SQLite event log creates an SQLAlchemy engine, opens a connection and compiles the insert
again for every event it stores, and it stores an asset event twice (the run's database and the cross-run
index), each in a transaction that SQLite syncs to disk. A month of the pipeline writes about 350 events,
a year about 2,400: that bookkeeping took more time than the checks. Keeping the engine keeps its
connection pool and its compiled-statement cache. In write-ahead-log mode with `synchronous = normal` a
commit is not synced to disk; a crash of the machine may lose the last events but leaves the database
intact (SQLite's guarantee for that mode). The files, their schema and what is written to them stay
Dagster's, so the UI and the daemon read them as before; the UI's live view of a run also watches the
run's `-wal` file, where committed events land first.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager

from dagster import Field, StringSource
from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    SqliteEventLogStorage,
    SqliteEventLogStorageWatchdog,
)
from dagster._core.storage.sql import create_engine
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS, create_db_conn_string
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool
from watchdog.events import FileSystemEvent, PatternMatchingEventHandler
from watchdog.observers import Observer

# The UI opens the databases of the runs it shows; a few engines cover a run being written and viewed.
KEPT_ENGINES = 8


def _write_ahead_log(dbapi_connection, _connection_record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("pragma journal_mode = wal")
    cursor.execute("pragma synchronous = normal")
    cursor.close()


def default_base_dir() -> str:
    """Where Dagster's default instance keeps its event logs."""
    return os.path.join(os.environ["DAGSTER_HOME"], "history", "runs")


class KeptEngineSqliteEventLogStorage(SqliteEventLogStorage):
    def __init__(self, base_dir: str | None = None, inst_data=None):
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        super().__init__(base_dir or default_base_dir(), inst_data=inst_data)

    @classmethod
    def config_type(cls):
        return {"base_dir": Field(StringSource, is_required=False)}

    @classmethod
    def from_config_value(cls, inst_data, config_value):
        return cls(inst_data=inst_data, **config_value)

    def _engine(self, shard: str) -> Engine:
        engine = self._engines.get(shard)
        if engine is not None:
            self._engines.move_to_end(shard)
        else:
            conn_string = create_db_conn_string(self._base_dir, shard)
            if shard not in self._initialized_dbs:
                # Creating the schema opens a second connection while holding the first (Dagster's own way)
                initial = create_engine(
                    conn_string, poolclass=NullPool, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS}
                )
                self._initdb(initial)
                initial.dispose()
                self._initialized_dbs.add(shard)
            engine = create_engine(
                conn_string,
                # The watcher thread reads through the same engine; Dagster's lock serialises every use.
                connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
                pool_size=1,
                max_overflow=0,
            )
            event.listen(engine, "connect", _write_ahead_log)
            self._engines[shard] = engine
            if len(self._engines) > KEPT_ENGINES:
                _shard, oldest = self._engines.popitem(last=False)
                oldest.dispose()
        return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock, self._engine(shard).connect() as conn, conn.begin():
            yield conn

    def watch(self, run_id: str, cursor: str | None, callback) -> None:
        if not self._obs:
            self._obs = Observer()
            self._obs.start()
        watchdog = WriteAheadLogWatchdog(self, run_id, callback, cursor)
        self._watchers[run_id][callback] = (watchdog, self._obs.schedule(watchdog, self._base_dir, recursive=True))

    def wipe(self) -> None:
        self.dispose_engines()
        super().wipe()

    def dispose_engines(self) -> None:
        with self._db_lock:
            for engine in self._engines.values():
                engine.dispose()
            self._engines.clear()

    def dispose(self) -> None:
        self.dispose_engines()
        super().dispose()


class WriteAheadLogWatchdog(SqliteEventLogStorageWatchdog):
    """Dagster's watcher of a run's database, also woken by the run's `-wal` file."""

    def __init__(self, event_log_storage, run_id: str, callback, cursor: str | None):
        super().__init__(event_log_storage, run_id, callback, cursor)
        PatternMatchingEventHandler.__init__(self, patterns=[self._log_path, self._log_path + "-wal"])

    def on_modified(self, event: FileSystemEvent) -> None:
        self._process_log()
