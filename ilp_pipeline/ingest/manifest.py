"""Which landed files are new, changed, unchanged or duplicated: the manifest of every file version seen.

Raw tables are append-only: each loaded file version keeps its rows under its content hash, and
`raw.current_file` names the version of each path that counts now. A corrected file with the same name is
a new version of that path and replaces the earlier version's rows downstream; the same bytes landed again
under any name are not loaded twice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

MANIFEST_DDL = """
create schema if not exists raw;
create table if not exists raw.landed_file (
    source varchar not null,
    path varchar not null,
    file_hash varchar not null,
    size_bytes bigint,
    modified_at timestamp,
    loaded_at timestamp not null,
    status varchar not null,         -- loaded / rejected / duplicate
    reason_code varchar,
    detail varchar,
    rows_received bigint,
    extra_columns varchar
);
create or replace view raw.current_file as
select * exclude (version_rank) from (
    select *, row_number() over (partition by path order by loaded_at desc, file_hash) as version_rank
    from raw.landed_file
    where status <> 'duplicate'
) where version_rank = 1;
"""


@dataclass
class LandedFile:
    source: str
    absolute: Path
    path: str  # relative to the landing directory, with forward slashes
    file_hash: str
    size_bytes: int
    modified_at: dt.datetime


@dataclass
class FileOutcome:
    file: LandedFile
    status: str
    reason_code: str | None = None
    detail: str | None = None
    rows_received: int = 0
    extra_columns: list[str] = field(default_factory=list)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def describe(
    source: str, root: Path, absolute: Path, known: dict[str, tuple[int, dt.datetime, str]] | None = None
) -> LandedFile:
    """A landed file with its content hash. A path whose size and modification time are those of its last
    recorded version keeps that version's hash without being read again, as the landing sensor, git and
    rsync decide; any other file is hashed."""
    stat = absolute.stat()
    path = absolute.relative_to(root).as_posix()
    modified_at = dt.datetime.fromtimestamp(stat.st_mtime, dt.UTC).replace(tzinfo=None)
    recorded = (known or {}).get(path)
    if recorded is not None and recorded[0] == stat.st_size and recorded[1] == modified_at:
        file_hash = recorded[2]
    else:
        file_hash = sha256_of(absolute)
    return LandedFile(
        source=source,
        absolute=absolute,
        path=path,
        file_hash=file_hash,
        size_bytes=stat.st_size,
        modified_at=modified_at,
    )


def recorded_versions(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[int, dt.datetime, str]]:
    """Each path's last recorded version: size, modification time and content hash."""
    rows = con.execute(
        "select path, arg_max(size_bytes, loaded_at), arg_max(modified_at, loaded_at), arg_max(file_hash, loaded_at) "
        "from raw.landed_file group by path"
    ).fetchall()
    return {path: (size, modified_at, file_hash) for path, size, modified_at, file_hash in rows}


def ensure(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(MANIFEST_DDL)


def triage(con: duckdb.DuckDBPyConnection, files: list[LandedFile]) -> tuple[list[LandedFile], list[FileOutcome]]:
    """Split files into those to load and duplicates of content already loaded; unchanged files drop out."""
    if not files:
        return [], []
    # fetched as tuples: a kabupaten year's 11,000 known paths, iterated from a data frame, took 0.4 s a run
    current = dict(
        con.execute(
            "select path, file_hash from raw.current_file union all "
            "select path, file_hash from raw.landed_file where status = 'duplicate'"
        ).fetchall()
    )
    loaded_hashes = {
        row[0] for row in con.execute("select file_hash from raw.current_file where status = 'loaded'").fetchall()
    }
    to_load, duplicates, seen = [], [], set()
    for landed in files:
        if current.get(landed.path) == landed.file_hash:
            continue
        if landed.file_hash in loaded_hashes or landed.file_hash in seen:
            duplicates.append(FileOutcome(landed, "duplicate", "file_duplikat", "same content as a loaded file"))
            continue
        seen.add(landed.file_hash)
        to_load.append(landed)
    return to_load, duplicates


def record(con: duckdb.DuckDBPyConnection, outcomes: list[FileOutcome], loaded_at: dt.datetime) -> None:
    if not outcomes:
        return
    frame = pd.DataFrame(
        {
            "source": [o.file.source for o in outcomes],
            "path": [o.file.path for o in outcomes],
            "file_hash": [o.file.file_hash for o in outcomes],
            "size_bytes": [o.file.size_bytes for o in outcomes],
            "modified_at": [o.file.modified_at for o in outcomes],
            "loaded_at": loaded_at,
            "status": [o.status for o in outcomes],
            "reason_code": [o.reason_code for o in outcomes],
            "detail": [o.detail for o in outcomes],
            "rows_received": [o.rows_received for o in outcomes],
            "extra_columns": [",".join(o.extra_columns) or None for o in outcomes],
        }
    )
    con.register("manifest_rows", frame)
    con.execute("insert into raw.landed_file by name select * from manifest_rows")
    con.unregister("manifest_rows")


def files_frame(files: list[LandedFile], loaded_at: dt.datetime) -> pd.DataFrame:
    """Lineage of a batch, joined to rows in SQL by absolute path."""
    return pd.DataFrame(
        {
            "absolute": [str(f.absolute) for f in files],
            "_source_file": [f.path for f in files],
            "_file_hash": [f.file_hash for f in files],
            "_file_modified_at": [f.modified_at for f in files],
            "_loaded_at": loaded_at,
        }
    )
