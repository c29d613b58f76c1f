"""Publish a period only when its content changed: the changed periods in one DuckDB transaction, then Parquet.

A period's publish_id is derived from its content, so a re-run on unchanged data finds the same id and
publishes nothing; readers see the previous complete version until the new one is committed. Every
version stays in `pws_history` with the catalogue and reference versions it used and the landed files
that arrived since the period's previous version, so a restated number can be explained.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import duckdb

from ilp_pipeline.ingest.batches import load_concurrently
from ilp_pipeline.ingest.landing import file_month

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
create schema if not exists pws_history;
create table if not exists pws.publish_log (
    period_month date not null,
    publish_id varchar not null,
    published_at timestamp not null,
    data_as_of timestamp,
    rows_published bigint not null
);
alter table pws.publish_log add column if not exists catalogue_version varchar;
alter table pws.publish_log add column if not exists reference_version varchar;
-- every version's log row beside its rows, so pws_history reads alone (as it does in PostgreSQL)
create or replace view pws_history.publish_log as select * from pws.publish_log;
create table if not exists pws_history.version_file (
    period_month date not null,
    publish_id varchar not null,
    path varchar not null,
    source varchar not null,
    change varchar not null,          -- added / replaced
    file_hash varchar not null,
    previous_file_hash varchar,
    loaded_at timestamp not null,
    rows_received bigint
);
"""
# A landed file can change a period when it is filed under that month or earlier (year-to-date sums and
# first-met events carry forward), when it has no month (masters, roster), or when it is a FHIR export:
# an export may hold services of earlier months.
FILES_SINCE_SQL = """
    select path, source, case when previous_file_hash is null then 'added' else 'replaced' end as change,
           file_hash, previous_file_hash, loaded_at, rows_received
    from (
        select *, lag(file_hash) over (partition by path order by loaded_at) as previous_file_hash
        from raw.landed_file
        where status = 'loaded'
    ) as versions
    where loaded_at > ?
    order by path
"""


@dataclass
class PeriodOutcome:
    period_month: dt.date
    publish_id: str
    changed: bool
    rows: int


def copy_swapped(con: duckdb.DuckDBPyConnection, query: str, target: Path, options: str = "format parquet") -> Path:
    """Write a query's rows beside the target, then swap the file in: a reader never sees half a file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.tmp")
    con.execute(f"copy ({query}) to '{temporary}' ({options})")
    os.replace(temporary, target)
    return target


def table_columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[tuple[str, str]]:
    return con.execute(
        "select column_name, data_type from duckdb_columns() "
        "where database_name = current_database() and schema_name = ? and table_name = ? order by column_index",
        [schema, table],
    ).fetchall()


def _ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create the published and history tables; when a model's contract gained or changed columns, carry
    the rows over by column name (new columns NULL in earlier versions) instead of failing the publish."""
    con.execute(PUBLISH_LOG_DDL)
    tables = [("pws", t) for t in PUBLISHED_TABLES + REFERENCE_TABLES] + [("pws_history", t) for t in PUBLISHED_TABLES]
    for schema, table in tables:
        con.execute(f"create table if not exists {schema}.{table} as select * from pws_candidate.{table} with no data")
        if table_columns(con, schema, table) == table_columns(con, "pws_candidate", table):
            continue
        con.execute("begin transaction")
        con.execute(f"create table {schema}.{table}__next as select * from pws_candidate.{table} with no data")
        kept = [name for name, _type in table_columns(con, schema, table)]
        wanted = {name for name, _type in table_columns(con, "pws_candidate", table)}
        shared = ", ".join(f'"{name}"' for name in kept if name in wanted)
        con.execute(f"insert into {schema}.{table}__next ({shared}) select {shared} from {schema}.{table}")
        con.execute(f"drop table {schema}.{table}")
        con.execute(f"alter table {schema}.{table}__next rename to {table}")
        con.execute("commit")


def catalogue_version(con: duckdb.DuckDBPyConnection) -> str:
    """The indicator catalogue a version was computed with, as a short content hash."""
    total = con.execute(
        "select coalesce(sum(hash(c)::hugeint), 0)::varchar from pws_candidate.dim_indicator as c"
    ).fetchone()[0]
    return hashlib.sha256(total.encode()).hexdigest()[:12]


def reference_version(con: duckdb.DuckDBPyConnection) -> str:
    """The reference files (region, masters, population) a version used, as a hash of their contents."""
    files = con.execute(
        "select path, file_hash from raw.current_file where source = 'reference' and status = 'loaded' order by path"
    ).fetchall()
    return hashlib.sha256("\n".join(f"{path}:{digest}" for path, digest in files).encode()).hexdigest()[:12]


def _files_since(con: duckdb.DuckDBPyConnection, period: dt.date, since: dt.datetime) -> list[tuple]:
    rows = con.execute(FILES_SINCE_SQL, [since]).fetchall()
    label = f"{period:%Y-%m}"
    return [row for row in rows if row[1] == "fhir" or (file_month(row[0]) or label) <= label]


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
            copy_swapped(con, f"select * from pws.{table} order by all", target)


def publish_periods(
    con: duckdb.DuckDBPyConnection, months: list[dt.date], publish_dir: Path, log=lambda message: None
) -> list[PeriodOutcome]:
    """Every changed period of `months` in one transaction, then its Parquet files.

    One transaction for all of them keeps each period atomic (readers see all of a period's new version or
    none of it) and costs one commit instead of one per month: a year's backfill commits once."""
    _ensure_tables(con)
    publish_reference_tables(con, publish_dir)
    data_as_of = con.execute("select max(modified_at) from raw.current_file").fetchone()[0]
    versions = (catalogue_version(con), reference_version(con))
    outcomes, causes = [], []
    for period in months:
        publish_id, rows = content_id(con, period)
        current = con.execute(
            "select publish_id, published_at from pws.publish_log where period_month = ? "
            "order by published_at desc limit 1",
            [period],
        ).fetchone()
        changed = not (current and current[0] == publish_id)
        outcomes.append(PeriodOutcome(period, publish_id, changed, rows))
        # the first version is explained by everything landed; a restatement by what landed since
        if changed and current:
            causes += [(period, publish_id, *cause) for cause in _files_since(con, period, current[1])]
    publishing = [outcome for outcome in outcomes if outcome.changed]
    if not publishing:
        return outcomes
    published_at = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    con.execute("begin transaction")
    try:
        _insert_versions(con, publishing, published_at)
        con.executemany(
            "insert into pws.publish_log by name select ? as period_month, ? as publish_id, "
            "?::timestamp as published_at, ?::timestamp as data_as_of, ? as rows_published, "
            "? as catalogue_version, ? as reference_version",
            [(o.period_month, o.publish_id, published_at, data_as_of, o.rows, *versions) for o in publishing],
        )
        if causes:
            con.executemany("insert into pws_history.version_file values (?, ?, ?, ?, ?, ?, ?, ?, ?)", causes)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    write_period_parquet(con, publishing, publish_dir)
    for outcome in publishing:
        log(f"published {outcome.period_month:%Y-%m} as {outcome.publish_id} ({outcome.rows:,} rows)")
    write_history_logs(con, publish_dir)
    return outcomes


def _insert_versions(con: duckdb.DuckDBPyConnection, publishing: list[PeriodOutcome], published_at) -> None:
    """Replace the periods' rows in `pws` by the candidate's, stamped with their publish_id, and keep them
    in `pws_history`: three statements per table whatever the number of periods."""
    con.execute(
        "create or replace temporary table publishing as "
        "select unnest(?::date[]) as period_month, unnest(?::varchar[]) as publish_id",
        [[o.period_month for o in publishing], [o.publish_id for o in publishing]],
    )
    for table in PUBLISHED_TABLES:
        con.execute(f"delete from pws.{table} where period_month in (select period_month from publishing)")
        con.execute(
            f"insert into pws.{table} select candidate.* replace "
            "(publishing.publish_id as publish_id, ?::timestamp as published_at) "
            f"from pws_candidate.{table} as candidate join publishing using (period_month)",
            [published_at],
        )
        con.execute(
            f"insert into pws_history.{table} select * from pws.{table} "
            "where period_month in (select period_month from publishing)"
        )


def write_period_parquet(con: duckdb.DuckDBPyConnection, publishing: list[PeriodOutcome], publish_dir: Path) -> None:
    """Each published period's file per table, current and history.

    A file this small costs DuckDB more in setting up the copy than in writing rows, and the setting up
    holds one core: the files are shared out over cursors as landed files are at ingestion."""
    writes = []
    for outcome in publishing:
        for table in PUBLISHED_TABLES:
            writes.append(partial(write_parquet, table=table, period=outcome.period_month, publish_dir=publish_dir))
            writes.append(
                partial(
                    write_history_parquet,
                    table=table,
                    period=outcome.period_month,
                    publish_id=outcome.publish_id,
                    publish_dir=publish_dir,
                )
            )

    load_concurrently(con, writes, lambda cursor, write: [write(cursor)])


def write_parquet(con: duckdb.DuckDBPyConnection, table: str, period: dt.date, publish_dir: Path) -> Path:
    """One file per table and month, replaced whole."""
    folder = publish_dir / "pws" / table / f"year={period.year}" / f"month={period.month:02d}"
    return copy_swapped(
        con,
        f"select * from pws.{table} where period_month = date '{period.isoformat()}' order by all",
        folder / "data.parquet",
    )


def write_history_parquet(
    con: duckdb.DuckDBPyConnection, table: str, period: dt.date, publish_id: str, publish_dir: Path
) -> Path:
    """Every version of a period kept as its own file: pws_history/<table>/year=/month=/publish_id=/."""
    folder = publish_dir / "pws_history" / table / f"year={period.year}" / f"month={period.month:02d}"
    return copy_swapped(
        con,
        f"select * exclude (publish_id) from pws_history.{table} where publish_id = '{publish_id}' order by all",
        folder / f"publish_id={publish_id}" / "data.parquet",
    )


def write_history_logs(con: duckdb.DuckDBPyConnection, publish_dir: Path) -> None:
    """The version log and the files behind each restatement, whole (they are small)."""
    for name in ("publish_log", "version_file"):
        copy_swapped(
            con, f"select * from pws_history.{name} order by all", publish_dir / "pws_history" / name / "data.parquet"
        )
