"""Many small CSV files of one header read by DuckDB as one file.

DuckDB spends about 0.3 ms opening and setting up the scan of each file it reads, more than it needs to
parse a posyandu's month of rows: a kabupaten's year is 9,000 register files, a province's month 33,000.
Their bytes are copied, header dropped, into one scratch file that DuckDB reads in one scan (on every
core), and each row finds its file and line again from the row ranges the copy recorded.

A row is a line only if no quoted value holds a line break: the rows DuckDB reads must number the lines
copied, or the batch is read as before, by one multi-file statement (`RowsAreNotLines`). Files with blank
lines or bare carriage returns, whose rows DuckDB does not count line by line, are never copied.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from ilp_pipeline.sql_text import sql_string

SCRATCH_PREFIX = "ilp-ingest-"


def remove_stale_copies(directory: Path | None) -> None:
    """Copies a killed loading left in the warehouse's scratch folder: only one process writes a warehouse,
    so none is in use when its ingestion starts. The shared temporary directory of an in-memory database
    is left alone."""
    if directory is None:
        return
    for stale in directory.glob(f"{SCRATCH_PREFIX}*.csv"):
        stale.unlink(missing_ok=True)


class RowsAreNotLines(Exception):
    """DuckDB read a different number of rows than the copied files have lines."""


@dataclass
class Concatenated:
    path: Path
    absolute_paths: list[str]
    first_rows: list[int]  # each file's first row number in the copy, counted from 1
    rows: int

    def ranges(self) -> pa.Table:
        return pa.table(
            {"absolute": pa.array(self.absolute_paths, pa.string()), "first_row": pa.array(self.first_rows, pa.int64())}
        )

    def relation_sql(self, delimiter: str, ranges: str) -> str:
        """The copy's rows with `filename` and `_line` as a multi-file read gives them; `ranges` names the
        registered `ranges()`."""
        return (
            f"select csv.* exclude (_rn), {ranges}.absolute as filename, csv._rn - {ranges}.first_row + 2 as _line "
            f"from (select *, row_number() over () as _rn from read_csv({sql_string(str(self.path))}, "
            f"header = true, delim = {sql_string(delimiter)}, quote = '\"', all_varchar = true, "
            "union_by_name = false, null_padding = true, auto_detect = true)) as csv "
            f"asof join {ranges} on csv._rn >= {ranges}.first_row"
        )

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)


def counts_lines_as_rows(data: bytes) -> bool:
    """Whether DuckDB reads a row for every line of this file: no blank line, no bare carriage return."""
    return b"\n\n" not in data and b"\n\r\n" not in data and data.count(b"\r") == data.count(b"\r\n")


def concatenate(files: list[Path], directory: Path | None = None) -> tuple[Concatenated | None, list[Path]]:
    """One scratch CSV of the files whose lines are rows (the first file's header, then every file's
    lines); and the files left for a multi-file read."""
    handle, name = tempfile.mkstemp(prefix=SCRATCH_PREFIX, suffix=".csv", dir=directory)
    copied: list[str] = []
    first_rows: list[int] = []
    left: list[Path] = []
    rows = 0
    with os.fdopen(handle, "wb") as out:
        for path in files:
            data = path.read_bytes()
            if not counts_lines_as_rows(data):
                left.append(path)
                continue
            # One line ending for the copy, which DuckDB detects once: a Windows file's CRLF becomes LF,
            # as DuckDB reading that file alone would take it.
            if b"\r" in data:
                data = data.replace(b"\r\n", b"\n")
            header_end = data.find(b"\n")
            body = memoryview(data)[header_end + 1 :] if header_end >= 0 else memoryview(b"")
            lines = data.count(b"\n", header_end + 1) + (1 if len(body) and body[-1] != ord("\n") else 0)
            # A file of a header alone has no rows; it takes no range, which would share its first row.
            if lines == 0:
                continue
            if not copied:
                out.write(data[:header_end] + b"\n")
            copied.append(str(path))
            first_rows.append(rows + 1)
            out.write(body)
            if body[-1] != ord("\n"):
                out.write(b"\n")
            rows += lines
    if not copied:
        Path(name).unlink()
        return None, left
    return Concatenated(Path(name), copied, first_rows, rows), left
