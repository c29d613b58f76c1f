"""Great Expectations suites derived from the data contracts, for the rows a run has just landed.

Each contract column gives its expectations: a required column is complete, an `allowed` list is a value
set, `min`/`max` a range (decimals read with a comma or a point, as staging reads them). DuckDB selects and
types the batch (the rows of the files loaded by this run, a bounded sample of them when there are more),
so the suite never reads the whole history.
These checks warn: a row that breaks them is quarantined or its value nulled downstream, not published.
"""

from __future__ import annotations

import datetime as dt

import duckdb

from ilp_pipeline.contracts import TableContract
from ilp_pipeline.quality.expectations import SAMPLE_ROWS, CheckOutcome, validate_frame
from ilp_pipeline.quality.gx_import import gx


def _typed(column) -> str:
    if column.type in ("decimal", "integer"):
        return f"try_cast(replace(trim({column.name}), ',', '.') as double) as {column.name}"
    if column.allowed:
        return f"upper(trim({column.name})) as {column.name}"
    return column.name


def contract_expectations(contract: TableContract) -> list:
    e = gx().expectations
    expectations = []
    for column in contract.columns:
        if column.required:
            expectations.append(e.ExpectColumnValuesToNotBeNull(column=column.name, mostly=0.95))
        if column.allowed:
            expectations.append(
                e.ExpectColumnValuesToBeInSet(
                    column=column.name, value_set=[v.upper() for v in column.allowed], mostly=0.95
                )
            )
        if column.min is not None or column.max is not None:
            expectations.append(
                e.ExpectColumnValuesToBeBetween(
                    column=column.name, min_value=column.min, max_value=column.max, mostly=0.95
                )
            )
    return expectations


def validate_landed_rows(
    con: duckdb.DuckDBPyConnection, contract: TableContract, loaded_at: dt.datetime
) -> CheckOutcome:
    columns = ", ".join(_typed(c) for c in contract.columns)
    frame = con.execute(
        f"select * from (select {columns} from {contract.raw_table} where _loaded_at = ?) "
        f"using sample reservoir({SAMPLE_ROWS} rows) repeatable (7)",
        [loaded_at],
    ).df()
    name = f"contract_{contract.name}"
    if frame.empty:
        return CheckOutcome(name, contract.raw_table, True, False, "No rows landed in this run.")
    passed, failures, observed = validate_frame(frame, name, contract_expectations(contract))
    return CheckOutcome(
        name,
        contract.raw_table,
        passed,
        False,
        f"{len(frame):,} landed rows (sampled above {SAMPLE_ROWS:,}) against data_contracts/{contract.name}.yml "
        "(at least 95% conform)",
        failures,
        observed,
    )
