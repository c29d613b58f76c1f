"""Mirror the published `pws` schema into PostgreSQL for BI tools, one transaction per period.

Only the `pws` tables travel (no person-level row exists in them). A period is copied when its latest
`publish_id` in PostgreSQL differs from the warehouse's, so a first publish copies every period, a re-run
copies nothing, and a reader never sees half a period: the period's rows in every table and its log entry
are replaced in one transaction. Rows travel as CSV written by DuckDB and streamed through COPY.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import psycopg
from psycopg import sql

from ilp_pipeline.publish.periods import PUBLISHED_TABLES, REFERENCE_TABLES, table_columns

READER_ROLE = "pws_reader"
PG_TYPES = {
    "VARCHAR": "text",
    "INTEGER": "integer",
    "BIGINT": "bigint",
    "DOUBLE": "double precision",
    "FLOAT": "real",
    "DATE": "date",
    "TIMESTAMP": "timestamp",
    "BOOLEAN": "boolean",
    "HUGEINT": "numeric",
}
# what BI tools filter and join on; the first columns present of each table are indexed together
INDEX_COLUMNS = ("period_month", "kelurahan_code", "puskesmas_code", "district_code", "posyandu_code", "indicator_code")
COPY_CHUNK = 1 << 20


class DevelopmentKeyRefused(RuntimeError):
    pass


@dataclass
class PostgresOutcome:
    periods_copied: list[dt.date]
    rows_copied: int
    seconds: float


def _pg_type(duckdb_type: str) -> str:
    if duckdb_type.startswith("DECIMAL"):
        return duckdb_type.replace("DECIMAL", "numeric")
    return PG_TYPES[duckdb_type]


def _ensure_schema(
    pg: psycopg.Connection, con: duckdb.DuckDBPyConnection, tables: tuple[str, ...], schema: str = "pws"
) -> set[str]:
    """Create (or, when the warehouse's columns changed, re-create) the tables; returns those re-created."""
    recreated = set()
    pg.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(schema)))
    for table in tables:
        wanted = [(name, _pg_type(kind)) for name, kind in table_columns(con, schema, table)]
        existing = pg.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = %s and table_name = %s order by ordinal_position",
            [schema, table],
        ).fetchall()
        if existing and [name for name, _ in existing] == [name for name, _ in wanted]:
            continue
        identifier = sql.Identifier(schema, table)
        pg.execute(sql.SQL("drop table if exists {}").format(identifier))
        columns = sql.SQL(", ").join(
            sql.SQL("{} {}").format(sql.Identifier(name), sql.SQL(kind)) for name, kind in wanted
        )
        pg.execute(sql.SQL("create table {} ({})").format(identifier, columns))
        indexed = [name for name in INDEX_COLUMNS if name in {n for n, _ in wanted}]
        if indexed:
            pg.execute(
                sql.SQL("create index {} on {} ({})").format(
                    sql.Identifier(f"{table}_bi_idx"), identifier, sql.SQL(", ").join(map(sql.Identifier, indexed))
                )
            )
        recreated.add(table)
    return recreated


def _grant_reader(pg: psycopg.Connection) -> None:
    grants = "".join(
        f"""
        create schema if not exists {schema};
        grant usage on schema {schema} to {READER_ROLE};
        grant select on all tables in schema {schema} to {READER_ROLE};
        alter default privileges in schema {schema} grant select on tables to {READER_ROLE};"""
        for schema in ("pws", "pws_history")
    )
    pg.execute(
        f"""
        do $$ begin
            if not exists (select from pg_roles where rolname = '{READER_ROLE}') then
                create role {READER_ROLE} nologin;
            end if;
        end $$;
        {grants}
        revoke all on schema public from {READER_ROLE};
        """
    )


def _copy(
    pg: psycopg.Connection,
    con: duckdb.DuckDBPyConnection,
    table: str,
    where: str,
    scratch: Path,
    schema: str = "pws",
) -> int:
    """Rows of a warehouse table into the PostgreSQL table of the same schema and name."""
    columns = [name for name, _ in table_columns(con, schema, table)]
    csv_path = scratch / f"{table}.csv"
    written = con.execute(
        f"copy (select * from {schema}.{table} {where}) to '{csv_path}' (format csv, header false)"
    ).fetchone()[0]
    target = sql.SQL("copy {} ({}) from stdin (format csv)").format(
        sql.Identifier(schema, table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    with pg.cursor() as cursor, cursor.copy(target) as copy, csv_path.open("rb") as rows:
        while chunk := rows.read(COPY_CHUNK):
            copy.write(chunk)
    return written


LATEST_SQL = """
    select period_month, publish_id from (
        select period_month, publish_id,
               row_number() over (partition by period_month order by published_at desc) as newest
        from pws.publish_log) as log
    where newest = 1
"""


def publish_to_postgres(
    con: duckdb.DuckDBPyConnection, url: str, uses_development_key: bool, log=lambda message: None
) -> PostgresOutcome:
    if uses_development_key:
        raise DevelopmentKeyRefused(
            "ILP_PSEUDONYM_KEY is the development key: publishing to PostgreSQL is refused, because person "
            "keys made with a public key can be reversed. Set ILP_PSEUDONYM_KEY to the health office's secret."
        )
    started = time.perf_counter()
    warehouse_ids = dict(con.execute(LATEST_SQL).fetchall())
    copied, rows = [], 0
    with psycopg.connect(url) as pg, tempfile.TemporaryDirectory(prefix="ilp-pg-") as scratch_dir:
        scratch = Path(scratch_dir)
        with pg.transaction():
            recreated = _ensure_schema(pg, con, ("publish_log", *PUBLISHED_TABLES, *REFERENCE_TABLES))
            _grant_reader(pg)
        if recreated & set(PUBLISHED_TABLES):
            with pg.transaction():
                pg.execute("delete from pws.publish_log")
        postgres_ids = dict(pg.execute(LATEST_SQL).fetchall())
        with pg.transaction():
            for table in REFERENCE_TABLES:
                pg.execute(sql.SQL("delete from {}").format(sql.Identifier("pws", table)))
                _copy(pg, con, table, "", scratch)
        for period in sorted(p for p, publish_id in warehouse_ids.items() if postgres_ids.get(p) != publish_id):
            where = f"where period_month = date '{period.isoformat()}'"
            with pg.transaction():
                for table in PUBLISHED_TABLES:
                    pg.execute(
                        sql.SQL("delete from {} where period_month = %s").format(sql.Identifier("pws", table)),
                        [period],
                    )
                    rows += _copy(pg, con, table, where, scratch)
                _copy(pg, con, "publish_log", f"{where} and publish_id = '{warehouse_ids[period]}'", scratch)
            copied.append(period)
            log(f"PostgreSQL: {period:%Y-%m} as {warehouse_ids[period]}")
        _copy_history(pg, con, scratch, log)
    return PostgresOutcome(copied, rows, time.perf_counter() - started)


HISTORY_TABLES = ("publish_log", *PUBLISHED_TABLES, "version_file")


def _copy_history(pg: psycopg.Connection, con: duckdb.DuckDBPyConnection, scratch: Path, log) -> None:
    """Every version the warehouse holds and PostgreSQL does not, each with its log row in one transaction."""
    with pg.transaction():
        if _ensure_schema(pg, con, HISTORY_TABLES, schema="pws_history"):
            # a table re-created for new columns lost its versions: copy every version again
            for table in HISTORY_TABLES:
                pg.execute(sql.SQL("delete from {}").format(sql.Identifier("pws_history", table)))
    held = {publish_id for (publish_id,) in pg.execute("select publish_id from pws_history.publish_log").fetchall()}
    versions = con.execute("select publish_id from pws.publish_log order by published_at, publish_id").fetchall()
    for (publish_id,) in versions:
        if publish_id in held:
            continue
        where = f"where publish_id = '{publish_id}'"
        with pg.transaction():
            for table in HISTORY_TABLES:
                _copy(pg, con, table, where, scratch, schema="pws_history")
        log(f"PostgreSQL: history version {publish_id}")
