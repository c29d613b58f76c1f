"""Invitation lists for the kader (restricted): one CSV per posyandu, readable by the owner only."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb

FOLDER = "undangan"


def write_invitations(con: duckdb.DuckDBPyConnection, publish_dir: Path) -> int:
    """Replace the folder's lists with today's; returns the number of posyandu with a list."""
    folder = publish_dir / FOLDER
    staging = publish_dir / f".{FOLDER}.staging"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True, mode=0o700)
    old_umask = os.umask(0o077)
    try:
        con.execute(
            f"""copy (select *, posyandu_code as _posyandu from restricted.invitations
                      order by posyandu_code, rw, rt, child_name, due_date, antigen_code)
                to '{staging}' (format csv, header, partition_by (_posyandu))"""
        )
    finally:
        os.umask(old_umask)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(folder, 0o700)
    written = set()
    for part in staging.glob("_posyandu=*/*.csv"):
        code = part.parent.name.split("=", 1)[1]
        target = folder / f"{code}.csv"
        os.chmod(part, 0o600)
        os.replace(part, target)
        written.add(target.name)
    for stale in folder.glob("*.csv"):
        if stale.name not in written:
            stale.unlink()
    shutil.rmtree(staging, ignore_errors=True)
    return len(written)
