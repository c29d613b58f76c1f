"""FHIR NDJSON exports into raw.fhir_resource: every line kept whole with its file and line number.

Lines are split by DuckDB (`read_text`), so a line that is not valid JSON still has a place and a number
for quarantine; staging parses the valid ones with DuckDB's JSON reader.
"""

from __future__ import annotations

import datetime as dt

import duckdb

from ilp_pipeline.ingest.batches import load_concurrently, split
from ilp_pipeline.ingest.manifest import FileOutcome, LandedFile, files_frame
from ilp_pipeline.sql_text import sql_string

RAW_TABLE = "raw.fhir_resource"
DDL = f"""
create table if not exists {RAW_TABLE} (
    puskesmas_code varchar not null,
    export_month varchar not null,
    file_resource_type varchar not null,
    raw_line varchar,
    _source_file varchar not null,
    _line bigint not null,
    _row_hash varchar not null,
    _file_hash varchar not null,
    _file_modified_at timestamp,
    _loaded_at timestamp not null
)
"""


def _insert_sql(paths: list[str]) -> str:
    files = ", ".join(sql_string(p) for p in paths)
    return f"""
        insert into {RAW_TABLE} by name
        select split_part(f._source_file, '/', 2) as puskesmas_code,
               split_part(f._source_file, '/', 3) as export_month,
               regexp_extract(f._source_file, '([A-Za-z]+)\\.ndjson$', 1) as file_resource_type,
               -- rtrim copies every string it is given: only a line ending in a carriage return needs it
               case when ends_with(s.line, chr(13)) then rtrim(s.line, chr(13)) else s.line end as raw_line,
               f._source_file, s.line_no as _line, md5(s.line) as _row_hash,
               f._file_hash, f._file_modified_at, f._loaded_at
        from (
            select filename, unnest(lines) as line, generate_subscripts(lines, 1) as line_no
            from (select filename, string_split(content, chr(10)) as lines from read_text([{files}]))
        ) as s
        join ingest_files as f on f.absolute = s.filename
        -- a line opening a JSON object is not blank; only the others go through trim, which copies them
        where s.line[1] = '{{' or trim(s.line) <> ''
    """


def load(
    con: duckdb.DuckDBPyConnection, files: list[LandedFile], loaded_at: dt.datetime, batch_size: int = 500
) -> list[FileOutcome]:
    con.execute(DDL)

    def load_or_reject(connection: duckdb.DuckDBPyConnection, batch: list[LandedFile]) -> list[FileOutcome]:
        """A batch at once; when one file breaks it, each file alone, and the unreadable one rejected."""
        try:
            return _load_batch(connection, batch, loaded_at)
        except duckdb.Error:
            outcomes: list[FileOutcome] = []
            for landed in batch:
                try:
                    outcomes.extend(_load_batch(connection, [landed], loaded_at))
                except duckdb.Error as error:
                    outcomes.append(FileOutcome(landed, "rejected", "file_tidak_terbaca", str(error).splitlines()[0]))
            return outcomes

    return load_concurrently(con, split(files, batch_size), load_or_reject)


def _load_batch(con: duckdb.DuckDBPyConnection, batch: list[LandedFile], loaded_at: dt.datetime) -> list[FileOutcome]:
    empty = [f for f in batch if f.size_bytes == 0]
    batch = [f for f in batch if f.size_bytes > 0]
    outcomes = [FileOutcome(f, "rejected", "file_kosong", "the file is empty") for f in empty]
    if not batch:
        return outcomes
    con.register("ingest_files", files_frame(batch, loaded_at))
    try:
        con.execute("begin transaction")
        con.execute(_insert_sql([str(f.absolute) for f in batch]))
        counts = dict(
            con.execute(
                f"select _source_file, count(*) from {RAW_TABLE} where _file_hash in "
                "(select _file_hash from ingest_files) group by all"
            ).fetchall()
        )
        con.execute("commit")
    except duckdb.Error:
        con.execute("rollback")
        raise
    finally:
        con.unregister("ingest_files")
    return outcomes + [FileOutcome(f, "loaded", rows_received=counts.get(f.path, 0)) for f in batch]
