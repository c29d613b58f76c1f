"""LineWriter writes a file's parts in the order the queries give them, however its threads are scheduled."""

from __future__ import annotations

import threading
import time

import duckdb

from ilp_pipeline import file_lines
from ilp_pipeline.file_lines import LineWriter


def _lines(first: int, last: int, name: str = "a.csv") -> str:
    return f"select '{name}' as file, i::varchar || chr(10) as line, ',' as sep from range({first}, {last + 1}) t(i)"


def test_a_file_appended_by_a_later_query_keeps_its_first_part(tmp_path, monkeypatch) -> None:
    write_file = file_lines._write_file
    first_write = threading.Event()

    def slow_first_write(path, mode, head, body):
        # the file's first part is written late, as a busy thread would
        if path.name == "a.csv" and not first_write.is_set():
            first_write.set()
            time.sleep(0.3)
        write_file(path, mode, head, body)

    monkeypatch.setattr(file_lines, "_write_file", slow_first_write)
    writer = LineWriter(tmp_path, lambda _name, _sep: b"n\n")
    with duckdb.connect() as con:
        # rows sorted by file, as LineWriter takes them
        writer.write(con, f"select * from ({_lines(1, 3)} union all {_lines(1, 2, 'b.csv')}) order by file, line")
        writer.write(con, _lines(4, 6))
    writer.close()

    assert (tmp_path / "a.csv").read_text() == "n\n1\n2\n3\n4\n5\n6\n"
    assert (tmp_path / "b.csv").read_text() == "n\n1\n2\n"
