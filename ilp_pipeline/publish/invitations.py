"""Invitation lists for the kader (restricted): one CSV per posyandu, readable by the owner only."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb

from ilp_pipeline.file_lines import LineWriter
from ilp_pipeline.sql_text import csv_field

FOLDER = "undangan"


def write_invitations(con: duckdb.DuckDBPyConnection, publish_dir: Path) -> int:
    """Replace the folder's lists with today's; returns the number of posyandu with a list."""
    folder = publish_dir / FOLDER
    staging = publish_dir / f".{FOLDER}.staging"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True, mode=0o700)
    columns = [row[0] for row in con.execute("describe restricted.invitations").fetchall()]
    header = (",".join(columns) + "\n").encode()
    old_umask = os.umask(0o077)
    try:
        writer = LineWriter(staging, lambda _name, _sep: header)
        fields = ", ".join(csv_field(f'cast("{column}" as varchar)') for column in columns)
        writer.write(
            con,
            f"""select posyandu_code || '.csv' as _file, concat_ws(',', {fields})
                       || chr(10) as line, ',' as sep
                from restricted.invitations
                order by posyandu_code, rw, rt, child_name, due_date, antigen_code""",
        )
        writer.close()
    finally:
        os.umask(old_umask)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(folder, 0o700)
    written = set()
    for part in staging.glob("*.csv"):
        os.replace(part, folder / part.name)
        written.add(part.name)
    for stale in folder.glob("*.csv"):
        if stale.name not in written:
            stale.unlink()
    shutil.rmtree(staging, ignore_errors=True)
    return len(written)
