"""CSV and XLSX files into raw tables: text as received, column names matched by the contract, lineage.

CSV files with the same header are parsed together by one DuckDB `read_csv`; a file that breaks the batch
is retried alone and, if it still cannot be read, rejected with a reason while the rest goes on.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path

import duckdb
import pyarrow as pa
from python_calamine import CalamineWorkbook

from ilp_pipeline.contracts import TableContract
from ilp_pipeline.ingest.batches import WORKERS, load_concurrently, split
from ilp_pipeline.ingest.concatenated import RowsAreNotLines, concatenate
from ilp_pipeline.ingest.manifest import FileOutcome, LandedFile, files_frame
from ilp_pipeline.sql_text import quoted_identifier, sql_string

LINEAGE_DDL = """
    _extra json,
    _source_file varchar not null,
    _line bigint not null,
    _row_hash varchar not null,
    _file_hash varchar not null,
    _file_modified_at timestamp,
    _loaded_at timestamp not null
"""


# The smallest share of one header's CSV files loaded by one statement: a statement of few small files
# writes fewer rows than a DuckDB row group, and those go through its write-ahead log at every commit.
MIN_FILES_PER_STATEMENT = 500


class FileRejected(Exception):
    def __init__(self, reason_code: str, detail: str):
        super().__init__(detail)
        self.reason_code = reason_code
        self.detail = detail


def ensure_table(con: duckdb.DuckDBPyConnection, contract: TableContract) -> None:
    columns = ",\n".join(f"    {name} varchar" for name in contract.column_names)
    con.execute(f"create table if not exists {contract.raw_table} (\n{columns},\n{LINEAGE_DDL})")


def normalise(name: str) -> str:
    return name.replace("\ufeff", "").strip().lower()


def csv_header(path: Path) -> tuple[str, list[str]]:
    head = path.open("rb").read(65536)
    if not head.strip():
        raise FileRejected("file_kosong", "the file is empty")
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        # A cut in the middle of a multi-byte character at the block's end is not an encoding fault.
        if error.start < len(head) - 4:
            raise FileRejected("encoding_salah", f"not UTF-8 (byte {error.start})") from None
        text = head[: error.start].decode("utf-8-sig")
    first = text.splitlines()[0] if text.splitlines() else ""
    delimiter = ";" if first.count(";") > first.count(",") else ","
    header = [h.strip().strip('"') for h in first.split(delimiter)]
    return delimiter, header


def _column_mapping(contract: TableContract, header: list[str]) -> tuple[dict[str, str], list[str]]:
    """contract column -> header name as written; and the header names the contract does not know."""
    by_name: dict[str, str] = {}
    for raw in header:
        by_name.setdefault(normalise(raw), raw)
    missing = [c for c in contract.required if c not in by_name]
    if missing:
        raise FileRejected("kolom_wajib_hilang", "required column missing: " + ", ".join(missing))
    mapping = {c: by_name[c] for c in contract.column_names if c in by_name}
    extra = [raw for key, raw in by_name.items() if key not in contract.column_names and key]
    return mapping, extra


def _select_list(contract: TableContract, mapping: dict[str, str], extra: list[str]) -> str:
    parts = []
    for column in contract.column_names:
        if column in mapping:
            parts.append(f"nullif(trim(cast({quoted_identifier(mapping[column])} as varchar)), '') as {column}")
        else:
            parts.append(f"cast(null as varchar) as {column}")
    if extra:
        pack = ", ".join(f"{quoted_identifier(normalise(e))} := cast({quoted_identifier(e)} as varchar)" for e in extra)
        parts.append(f"to_json(struct_pack({pack})) as _extra")
    else:
        parts.append("cast(null as json) as _extra")
    return ", ".join(parts)


def _insert(con: duckdb.DuckDBPyConnection, contract: TableContract, relation_sql: str, select: str) -> dict[str, int]:
    """Insert rows of a relation that carries `filename` and each row's `_line`; returns rows per file."""
    # concat_ws over coalesced values is the same text as chaining `||`, built in one pass
    values = "concat_ws('|', " + ", ".join(f"coalesce({c}, '')" for c in contract.column_names) + ")"
    con.execute(
        f"""
        insert into {contract.raw_table} by name
        select parsed.* exclude (filename),
               f._source_file,
               md5({values}) as _row_hash,
               f._file_hash, f._file_modified_at, f._loaded_at
        from (select {select}, filename, _line from ({relation_sql})) as parsed
        join ingest_files as f on f.absolute = parsed.filename
        """
    )
    counts = con.execute(
        f"select _source_file, count(*) from {contract.raw_table} where _file_hash in "
        "(select _file_hash from ingest_files) group by all"
    ).fetchall()
    return dict(counts)


def _read_csv_sql(paths: list[Path], delimiter: str) -> str:
    files = ", ".join(sql_string(str(p)) for p in paths)
    # Scan order is file order and line order, so a row's line is its rank within its file after the header.
    return (
        "select * exclude (_rn), _rn - min(_rn) over (partition by filename) + 2 as _line from ("
        f"select *, row_number() over () as _rn from read_csv([{files}], header = true, delim = "
        f"{sql_string(delimiter)}, quote = '\"', all_varchar = true, filename = true, union_by_name = false, "
        "null_padding = true, auto_detect = true))"
    )


def _xlsx_columns(path: Path) -> tuple[dict[str, list[str | None]], int]:
    """First sheet as text columns, header in the first non-empty row; and the first data row's line."""
    try:
        rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as error:  # calamine raises several types for damaged workbooks
        raise FileRejected("xlsx_tidak_terbaca", f"cannot read the workbook: {error}") from None
    header_index = next((i for i, row in enumerate(rows) if sum(1 for v in row if v not in ("", None)) > 1), None)
    if header_index is None:
        raise FileRejected("file_kosong", "the workbook has no header row")
    header = [str(v).strip() for v in rows[header_index]]
    body = rows[header_index + 1 :]
    cells = list(zip(*body, strict=True)) if body else [() for _ in header]
    columns = {name: [_excel_text(v) for v in column] for name, column in zip(header, cells, strict=True) if name}
    return columns, header_index + 2


def _excel_text(value: object) -> str | None:
    """An Excel cell as the text a CSV export would hold: ISO dates, integers without '.0'."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def load(
    con: duckdb.DuckDBPyConnection, contract: TableContract, files: list[LandedFile], loaded_at: dt.datetime
) -> list[FileOutcome]:
    ensure_table(con, contract)
    outcomes: list[FileOutcome] = []
    groups: dict[tuple[str, tuple[str, ...]], list[LandedFile]] = defaultdict(list)
    plans: dict[str, tuple[dict[str, str], list[str]]] = {}
    workbooks: list[LandedFile] = []
    for landed in files:
        if landed.absolute.suffix.lower() == ".xlsx":
            workbooks.append(landed)
            continue
        try:
            delimiter, header = csv_header(landed.absolute)
            plans[landed.path] = _column_mapping(contract, header)
        except FileRejected as rejected:
            outcomes.append(FileOutcome(landed, "rejected", rejected.reason_code, rejected.detail))
            continue
        groups[(delimiter, tuple(header))].append(landed)

    def load_csv(connection: duckdb.DuckDBPyConnection, delimiter: str, members: list[LandedFile]):
        mapping, extra = plans[members[0].path]
        select = _select_list(contract, mapping, extra)

        def insert(batch: list[LandedFile]) -> dict[str, int]:
            if len(batch) == 1:
                relation = _read_csv_sql([batch[0].absolute], delimiter)
                return _load_batch(connection, contract, batch, relation, select, loaded_at)
            return _load_concatenated(connection, contract, batch, delimiter, select, loaded_at)

        return _load_group(members, insert, extra, "csv_tidak_terbaca")

    def load_workbooks(connection: duckdb.DuckDBPyConnection, members: list[LandedFile]) -> list[FileOutcome]:
        """Workbooks are read in Python (calamine) while the other connection's CSV statement runs."""
        read: list[FileOutcome] = []
        by_header: dict[tuple[str, ...], list[LandedFile]] = defaultdict(list)
        tables: dict[str, pa.Table] = {}
        mappings: dict[str, tuple[dict[str, str], list[str]]] = {}
        for landed in members:
            try:
                columns, first_line = _xlsx_columns(landed.absolute)
                mappings[landed.path] = _column_mapping(contract, list(columns))
            except FileRejected as rejected:
                read.append(FileOutcome(landed, "rejected", rejected.reason_code, rejected.detail))
                continue
            tables[landed.path] = _workbook_table(landed, columns, first_line)
            by_header[tuple(columns)].append(landed)
        for group in by_header.values():
            mapping, extra = mappings[group[0].path]
            select = _select_list(contract, mapping, extra)

            def insert(batch: list[LandedFile], select=select) -> dict[str, int]:
                connection.register("xlsx_rows", pa.concat_tables([tables[m.path] for m in batch]))
                try:
                    return _load_batch(connection, contract, batch, "select * from xlsx_rows", select, loaded_at)
                finally:
                    connection.unregister("xlsx_rows")

            read += _load_group(group, insert, extra, "xlsx_tidak_terbaca")
        return read

    # The workbooks go first, to one connection, while the CSV statements take the other. A large CSV group
    # is shared out over the connections; pieces stay large, so that DuckDB writes their rows straight to
    # the database file instead of through its write-ahead log.
    jobs: list[tuple[str | None, list[LandedFile]]] = [(None, workbooks)] if workbooks else []
    for (delimiter, _header), members in groups.items():
        size = max(MIN_FILES_PER_STATEMENT, -(-len(members) // WORKERS))
        jobs += [(delimiter, list(piece)) for piece in split(members, size)]

    def load_job(connection: duckdb.DuckDBPyConnection, job) -> list[FileOutcome]:
        delimiter, members = job
        return load_workbooks(connection, members) if delimiter is None else load_csv(connection, delimiter, members)

    return outcomes + load_concurrently(con, jobs, load_job)


def _load_group(members, insert, extra, unreadable) -> list[FileOutcome]:
    """Files of one header inserted together; when one breaks the batch, each is retried alone and the
    unreadable one is rejected while the rest loads."""
    try:
        counts = insert(members)
        return [FileOutcome(m, "loaded", rows_received=counts.get(m.path, 0), extra_columns=extra) for m in members]
    except duckdb.Error:
        outcomes = []
        for member in members:
            try:
                counts = insert([member])
                outcomes.append(
                    FileOutcome(member, "loaded", rows_received=counts.get(member.path, 0), extra_columns=extra)
                )
            except duckdb.Error as error:
                outcomes.append(FileOutcome(member, "rejected", unreadable, str(error).splitlines()[0]))
        return outcomes


def scratch_directory(con: duckdb.DuckDBPyConnection) -> Path | None:
    """A folder beside the warehouse file (`<warehouse>.scratch`) for the copies of small files: on the
    warehouse's disk, sized for the data, unlike a temporary directory that may live in memory, and the
    warehouse's own. None for an in-memory database."""
    # fetchall: DuckDB 2 refuses to register a table on a connection whose last result is not drained
    path = con.execute("select path from duckdb_databases() where database_name = current_database()").fetchall()[0][0]
    if not path:
        return None
    folder = Path(f"{path}.scratch")
    folder.mkdir(exist_ok=True)
    return folder


def _load_concatenated(con, contract, members, delimiter, select, loaded_at) -> dict[str, int]:
    """Files of one header read as one scratch copy (ingest/concatenated.py). The files whose rows are not
    their lines, and the whole batch when the copy cannot be read or its rows do not number its lines, are
    read by one multi-file statement; a file that breaks that one is then read alone by `_load_group`."""
    by_path = {str(m.absolute): m for m in members}
    copy, left = concatenate([m.absolute for m in members], scratch_directory(con))
    counts: dict[str, int] = {}
    if copy is not None:
        copied = [by_path[p] for p in copy.absolute_paths]
        con.register("ingest_ranges", copy.ranges())
        try:
            relation = copy.relation_sql(delimiter, "ingest_ranges")
            counts = _load_batch(con, contract, copied, relation, select, loaded_at, expected_rows=copy.rows)
        except (RowsAreNotLines, duckdb.Error):
            # what the copy cannot hold is read as before: the files together, then each alone
            left += [m.absolute for m in copied]
        finally:
            con.unregister("ingest_ranges")
            copy.remove()
    if left:
        rest = [by_path[str(p)] for p in left]
        relation = _read_csv_sql(left, delimiter)
        counts |= _load_batch(con, contract, rest, relation, select, loaded_at)
    return counts


def _load_batch(con, contract, members, relation_sql, select, loaded_at, expected_rows=None) -> dict[str, int]:
    con.register("ingest_files", files_frame(members, loaded_at))
    try:
        con.execute("begin transaction")
        counts = _insert(con, contract, relation_sql, select)
        if expected_rows is not None and sum(counts.values()) != expected_rows:
            raise RowsAreNotLines(f"{sum(counts.values())} rows read from {expected_rows} lines")
        con.execute("commit")
        return counts
    except (duckdb.Error, RowsAreNotLines):
        con.execute("rollback")
        raise
    finally:
        con.unregister("ingest_files")


def _workbook_table(landed: LandedFile, columns: dict[str, list[str | None]], first_line: int) -> pa.Table:
    rows = len(next(iter(columns.values()), []))
    table = pa.table({name: pa.array(values, pa.string()) for name, values in columns.items()})
    return table.append_column("filename", pa.array([str(landed.absolute)] * rows, pa.string())).append_column(
        "_line", pa.array(range(first_line, first_line + rows), pa.int64())
    )
