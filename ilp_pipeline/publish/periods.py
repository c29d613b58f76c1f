"""Publish a period only when its content changed: one transaction per period in DuckDB, then Parquet.

A period's publish_id is derived from its content, so a re-run on unchanged data finds the same id and
publishes nothing; readers see the previous complete version until the new one is committed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb

PUBLISHED_TABLES = (
    "kelurahan_indicator_monthly",
    "kelurahan_growth_monthly",
    "puskesmas_indicator_monthly",
    "district_indicator_monthly",
    "regency_indicator_monthly",
    "posyandu_monthly",
    "data_quality_monthly",
)
# Tables without a period, replaced whole when their content changes.
REFERENCE_TABLES = ("dim_indicator",)
PUBLISH_LOG_DDL = """
create schema if not exists pws;
create table if not exists pws.publish_log (
    period_month date not null,
    publish_id varchar not null,
    published_at timestamp not null,
    data_as_of timestamp,
    rows_published bigint not null
);
"""


@dataclass
class PeriodOutcome:
    period_month: dt.date
    publish_id: str
    changed: bool
    rows: int


def table_columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[tuple[str, str]]:
    return con.execute(
        "select column_name, data_type from duckdb_columns() "
        "where database_name = current_database() and schema_name = ? and table_name = ? order by column_index",
        [schema, table],
    ).fetchall()


def _ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create the published tables; when a model's contract gained or changed columns, carry the published
    rows over by column name (new columns NULL in earlier versions) instead of failing the publish."""
    con.execute(PUBLISH_LOG_DDL)
    for table in PUBLISHED_TABLES + REFERENCE_TABLES:
        con.execute(f"create table if not exists pws.{table} as select * from pws_candidate.{table} with no data")
        if table_columns(con, "pws", table) == table_columns(con, "pws_candidate", table):
            continue
        con.execute("begin transaction")
        con.execute(f"create table pws.{table}__next as select * from pws_candidate.{table} with no data")
        kept = [name for name, _type in table_columns(con, "pws", table)]
        wanted = {name for name, _type in table_columns(con, "pws_candidate", table)}
        shared = ", ".join(f'"{name}"' for name in kept if name in wanted)
        con.execute(f"insert into pws.{table}__next ({shared}) select {shared} from pws.{table}")
        con.execute(f"drop table pws.{table}")
        con.execute(f"alter table pws.{table}__next rename to {table}")
        con.execute("commit")


def content_id(con: duckdb.DuckDBPyConnection, period: dt.date) -> tuple[str, int]:
    digest = hashlib.sha256(period.isoformat().encode())
    rows = 0
    for table in PUBLISHED_TABLES:
        total, count = con.execute(
            "select coalesce(sum(hash(period_rows)::hugeint), 0)::varchar, count(*) from ("
            f"select * exclude (publish_id, published_at) from pws_candidate.{table} where period_month = ?"
            ") as period_rows",
            [period],
        ).fetchone()
        digest.update(f"{table}:{total}:{count}".encode())
        rows += count
    return f"{period:%Y-%m}-{digest.hexdigest()[:12]}", rows


def publish_reference_tables(con: duckdb.DuckDBPyConnection, publish_dir: Path) -> None:
    """Tables without a period (the catalogue): replaced whole, in one transaction, when they change."""
    for table in REFERENCE_TABLES:
        changed = con.execute(
            f"select count(*) from ((select * from pws_candidate.{table} except select * from pws.{table}) "
            f"union all (select * from pws.{table} except select * from pws_candidate.{table}))"
        ).fetchone()[0]
        if changed:
            con.execute("begin transaction")
            con.execute(f"delete from pws.{table}")
            con.execute(f"insert into pws.{table} select * from pws_candidate.{table}")
            con.execute("commit")
        target = publish_dir / "pws" / table / "data.parquet"
        if changed or not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            temporary = target.with_name(".data.parquet.tmp")
            con.execute(f"copy (select * from pws.{table} order by all) to '{temporary}' (format parquet)")
            os.replace(temporary, target)


def publish_periods(
    con: duckdb.DuckDBPyConnection, months: list[dt.date], publish_dir: Path, log=lambda message: None
) -> list[PeriodOutcome]:
    _ensure_tables(con)
    publish_reference_tables(con, publish_dir)
    data_as_of = con.execute("select max(modified_at) from raw.current_file").fetchone()[0]
    outcomes = []
    for period in months:
        publish_id, rows = content_id(con, period)
        current = con.execute(
            "select publish_id from pws.publish_log where period_month = ? order by published_at desc limit 1",
            [period],
        ).fetchone()
        if current and current[0] == publish_id:
            outcomes.append(PeriodOutcome(period, publish_id, False, rows))
            continue
        published_at = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
        con.execute("begin transaction")
        try:
            for table in PUBLISHED_TABLES:
                con.execute(f"delete from pws.{table} where period_month = ?", [period])
                con.execute(
                    f"insert into pws.{table} select * replace (? as publish_id, ?::timestamp as published_at) "
                    f"from pws_candidate.{table} where period_month = ?",
                    [publish_id, published_at, period],
                )
            con.execute(
                "insert into pws.publish_log values (?, ?, ?, ?, ?)",
                [period, publish_id, published_at, data_as_of, rows],
            )
            con.execute("commit")
        except Exception:
            con.execute("rollback")
            raise
        for table in PUBLISHED_TABLES:
            write_parquet(con, table, period, publish_dir)
        log(f"published {period:%Y-%m} as {publish_id} ({rows:,} rows)")
        outcomes.append(PeriodOutcome(period, publish_id, True, rows))
    return outcomes


def write_parquet(con: duckdb.DuckDBPyConnection, table: str, period: dt.date, publish_dir: Path) -> Path:
    """One file per table and month, swapped in whole so a reader never sees half a month."""
    folder = publish_dir / "pws" / table / f"year={period.year}" / f"month={period.month:02d}"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "data.parquet"
    temporary = folder / ".data.parquet.tmp"
    con.execute(
        f"copy (select * from pws.{table} where period_month = date '{period.isoformat()}' order by all) "
        f"to '{temporary}' (format parquet)"
    )
    os.replace(temporary, target)
    return target
