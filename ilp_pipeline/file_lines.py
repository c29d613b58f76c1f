"""Many files from one sorted query: rows of (file, line, sep) written file by file from Arrow buffers.

DuckDB's partitioned COPY slows down badly with tens of thousands of partitions (one file per posyandu of
a province); here SQL formats and sorts the lines and Python only cuts the buffer at file boundaries.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


class LineWriter:
    """Writes (file, line, sep) rows sorted by file: one write per file straight from the Arrow buffers,
    on a few threads, while DuckDB formats the next batch."""

    def __init__(self, root: Path, header: Callable[[str, str], bytes], threads: int = 4):
        self.root = root
        self.header = header
        self.created: set[str] = set()
        self.pool = ThreadPoolExecutor(threads)
        self.pending: list[Future] = []
        # each file's latest write not yet drained: a later part of the file is written after it
        self.latest_write: dict[str, Future] = {}

    def write(self, con: duckdb.DuckDBPyConnection, sql: str) -> int:
        written = 0
        for batch in con.sql(sql).to_arrow_reader(1_000_000):
            written += self._write_batch(batch)
        return written

    def close(self) -> None:
        self._drain()
        self.pool.shutdown()

    def _drain(self) -> None:
        for future in self.pending:
            future.result()
        self.pending = []
        self.latest_write = {}

    def _write_batch(self, batch: pa.RecordBatch) -> int:
        n = batch.num_rows
        if n == 0:
            return 0
        files = batch.column(0)
        lines = batch.column(1).cast(pa.large_string())
        seps = batch.column(2)
        changes = pc.not_equal(files.slice(1), files.slice(0, n - 1)).to_numpy(zero_copy_only=False)
        starts = np.concatenate([[0], np.flatnonzero(changes) + 1, [n]])
        buffers = lines.buffers()
        offsets = np.frombuffer(buffers[1], dtype=np.int64)[lines.offset : lines.offset + n + 1]
        data = memoryview(buffers[2])
        for start, end in zip(starts[:-1], starts[1:], strict=True):
            name = files[int(start)].as_py()
            path = self.root / name
            head = b"" if name in self.created else self.header(name, seps[int(start)].as_py())
            mode = "ab" if name in self.created else "wb"
            self.created.add(name)
            # a file goes on from the previous batch or an earlier query: its earlier part is written first
            earlier = self.latest_write.get(name)
            if earlier is not None:
                earlier.result()
            future = self.pool.submit(_write_file, path, mode, head, data[offsets[start] : offsets[end]])
            self.pending.append(future)
            self.latest_write[name] = future
        if len(self.pending) > 20_000:
            self._drain()
        return n


def _write_file(path: Path, mode: str, head: bytes, body: memoryview) -> None:
    try:
        handle = path.open(mode)
    except FileNotFoundError:  # the first file of its folder
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = path.open(mode)
    with handle:
        handle.write(head)
        handle.write(body)
