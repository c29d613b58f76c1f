"""Great Expectations suites on the staging models, derived from the data contracts.

A contract column with `staged_as` names its typed staging column: a required column must be complete, an
`allowed` list is a value set (compared without case, as staging normalises case), `min`/`max` a range.
The staging key (`staging.key`) must be complete and unique. DuckDB computes key duplicates over the whole
model and draws a bounded sample of rows for the column expectations, so a national-size model never
travels into pandas whole. The sample is drawn from the files the latest ingestion loaded when they are
not all of the source's files: a nightly run judges the rows that arrived with it, whose typing it pays
for, instead of typing all history again (earlier rows were judged when they arrived). For the same reason
a source none of whose files changed since its suite was last judged, with the same staging view and
contract, keeps the recorded outcome (the reference and the kader roster, on most nights). Results keep
counts only; no value of a row leaves DuckDB in a result.
"""

from __future__ import annotations

import duckdb

from ilp_pipeline.contracts import TableContract
from ilp_pipeline.quality.expectations import SAMPLE_ROWS, CheckOutcome, validate_frame
from ilp_pipeline.quality.gx_import import gx
from ilp_pipeline.sql_text import sql_string

MOSTLY = 0.95


def staging_check_name(contract: TableContract) -> str:
    return f"ge_{contract.staging_model}"


def latest_load(con: duckdb.DuckDBPyConnection, contract: TableContract) -> list[str] | None:
    """The source's current files that the latest ingestion loaded, or None when that is all of them."""
    latest, current = con.execute(
        """
        select
            list(path order by path) filter (where loaded_at = (
                select max(loaded_at) from raw.current_file where source = $source and status = 'loaded'
            )),
            count(*)
        from raw.current_file
        where source = $source and status = 'loaded'
        """,
        {"source": contract.name},
    ).fetchone()
    return latest if latest and len(latest) < current else None


def _scope_conditions(paths: list[str] | None) -> list[str]:
    """The rows the sample is drawn from: the model's, or those of the files loaded last."""
    if paths is None:
        return []
    # a list of constants, which DuckDB applies where the raw rows are scanned, below the view's typing
    return [f"source_file in ({', '.join(sql_string(path) for path in paths)})"]


def _where(conditions: list[str]) -> str:
    return f" where {' and '.join(conditions)}" if conditions else ""


def _sample_sql(contract: TableContract, paths: list[str] | None, rows_in_scope: int) -> str:
    columns = []
    for column in contract.columns:
        if not column.staged_as:
            continue
        if column.allowed and column.type != "flag":
            columns.append(f"lower({column.staged_as}::varchar) as {column.staged_as}")
        else:
            columns.append(column.staged_as)
    columns += [key for key in contract.staging_key if key not in {c.staged_as for c in contract.columns}]
    conditions = _scope_conditions(paths)
    share = 1.25 * SAMPLE_ROWS / max(rows_in_scope, 1)
    if share < 1:
        # A quarter more rows than the sample, chosen by the hash of their key: a condition on the key alone,
        # which DuckDB applies before the view types a row, where a reservoir would first type every row.
        conditions.append(f"hash({', '.join(contract.staging_key)}) <= {int(share * 2**64)}::ubigint")
    rows = f"select {', '.join(columns)} from staging.{contract.staging_model}{_where(conditions)}"
    # the sample is drawn from the filtered rows: USING SAMPLE alone comes before WHERE
    return f"select * from ({rows}) using sample reservoir({SAMPLE_ROWS} rows) repeatable (7)"


def _key_sql(contract: TableContract) -> str:
    key = ", ".join(contract.staging_key)
    return f"""
        select count(*) as model_rows, count(*) - count(distinct ({key})) as duplicate_keys
        from staging.{contract.staging_model}
    """


def staging_expectations(contract: TableContract) -> list:
    e = gx().expectations
    expectations = [e.ExpectColumnValuesToNotBeNull(column=key) for key in contract.staging_key]
    for column in contract.columns:
        if not column.staged_as:
            continue
        if column.required:
            expectations.append(e.ExpectColumnValuesToNotBeNull(column=column.staged_as, mostly=MOSTLY))
        if column.allowed and column.type != "flag":
            expectations.append(
                e.ExpectColumnValuesToBeInSet(
                    column=column.staged_as, value_set=[v.lower() for v in column.allowed], mostly=MOSTLY
                )
            )
        if column.min is not None or column.max is not None:
            expectations.append(
                e.ExpectColumnValuesToBeBetween(
                    column=column.staged_as, min_value=column.min, max_value=column.max, mostly=MOSTLY
                )
            )
    return expectations


def judged_inputs(con: duckdb.DuckDBPyConnection, contract: TableContract) -> str | None:
    """A fingerprint of all a staging suite judges: the source's current files (and the reference files),
    the staging view's SQL and the contract. None when the staging model is not a view."""
    fingerprint = con.execute(
        """
        select md5(concat_ws(
            '|',
            (
                select string_agg(path || ':' || file_hash, ',' order by path)
                from raw.current_file
                where source in ($source, 'reference')
            ),
            views.sql,
            $contract
        ))
        from duckdb_views() as views
        where views.database_name = current_database() and views.schema_name = 'staging' and views.view_name = $model
        """,
        {"source": contract.name, "model": contract.staging_model, "contract": repr(contract)},
    ).fetchall()
    return fingerprint[0][0] if fingerprint else None


def outcome_if_unchanged(recorded: dict | None, judged: str | None) -> CheckOutcome | None:
    """The recorded outcome again when nothing it judged has changed since: a nightly run judges the rows
    that arrived with it, and a source none arrived for (the reference, the kader roster) stands as judged."""
    if not recorded or judged is None or recorded.get("judged") != judged:
        return None
    fields = {key: recorded[key] for key in ("name", "table", "passed", "blocking", "failures", "observed")}
    return CheckOutcome(
        **fields,
        description=f"Unchanged since {recorded['checked_at']}: {recorded['description']}",
        judged=judged,
    )


def validate_staging(
    con: duckdb.DuckDBPyConnection, contract: TableContract, recorded: dict | None = None
) -> tuple[CheckOutcome, bool]:
    """The suite's outcome, and whether it was judged now (False when `recorded`, the outcome last recorded,
    stands)."""
    judged = judged_inputs(con, contract)
    unchanged = outcome_if_unchanged(recorded, judged)
    if unchanged is not None:
        return unchanged, False
    return _judge(con, contract, judged), True


def _judge(con: duckdb.DuckDBPyConnection, contract: TableContract, judged: str | None) -> CheckOutcome:
    name = staging_check_name(contract)
    table = f"staging.{contract.staging_model}"
    keys = con.execute(_key_sql(contract)).df()
    model_rows = int(keys["model_rows"].iloc[0])
    if model_rows == 0:
        return CheckOutcome(name, table, True, False, f"{table} holds no rows.", judged=judged)
    paths = latest_load(con, contract)
    rows_in_scope = (
        model_rows
        if paths is None
        else con.execute(f"select count(*) from {table}{_where(_scope_conditions(paths))}").fetchall()[0][0]
    )
    sample = con.execute(_sample_sql(contract, paths, rows_in_scope)).df()
    keys_passed, key_failures, key_observed = validate_frame(
        keys,
        f"{name}_keys",
        [gx().expectations.ExpectColumnValuesToBeBetween(column="duplicate_keys", min_value=0, max_value=0)],
    )
    passed, failures, observed = validate_frame(sample, name, staging_expectations(contract))
    return CheckOutcome(
        name,
        table,
        passed and keys_passed,
        False,
        f"{model_rows:,} rows, key ({', '.join(contract.staging_key)}) unique over all of them; completeness, "
        f"value sets and ranges of data_contracts/ on a sample of {len(sample):,} rows "
        + (f"of the {len(paths):,} file(s) loaded last " if paths is not None else "")
        + f"(at least {MOSTLY:.0%} conform)",
        key_failures + failures,
        {**key_observed, **observed},
        judged,
    )
