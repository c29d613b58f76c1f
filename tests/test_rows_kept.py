"""The service records are kept by row: a build computes every record but writes only those new or different
from their kept version, and withdraws the kept records gone from its inputs. What it keeps equals a build
from nothing."""

from __future__ import annotations

import shutil

import duckdb
import pytest
from kept_builds import build, differing_from_a_build_from_nothing, rows_selected

# each table's tampered records are of a source the other does not read, so that each build's selection is its own
SOURCE = {"int_services__records": "reg:%", "int_services__encounters": "enc:%"}
KEPT = {
    "int_services__records": "intermediate/services/int_services__records.sql",
    "int_services__encounters": "intermediate/services/int_services__encounters.sql",
}
TABLES = {model: f"intermediate.{model}" for model in KEPT}


@pytest.fixture(scope="module")
def rows(pipeline_run, tmp_path_factory) -> dict:
    base = tmp_path_factory.mktemp("rows_kept")
    warehouse = base / "kept.duckdb"
    shutil.copy(pipeline_run["env"]["ILP_WAREHOUSE"], warehouse)
    env = pipeline_run["env"]
    with duckdb.connect(str(warehouse)) as con:
        for model, table in TABLES.items():
            changed, missing = [
                row[0]
                for row in con.execute(
                    f"select record_id from {table} where record_id like ? order by record_id limit 2", [SOURCE[model]]
                ).fetchall()
            ]
            # a kept version older than the inputs (another date and fingerprint), a record never kept, and
            # one kept that no input holds any more
            con.execute(
                f"update {table} set service_date = service_date + 2, row_fingerprint = row_fingerprint + 1 "
                "where record_id = ?",
                [changed],
            )
            con.execute(f"delete from {table} where record_id = ?", [missing])
            con.execute(
                f"insert into {table} by name select * replace ('gone:' || record_id as record_id) from {table} "
                "where record_id = ?",
                [changed],
            )
        total = {model: con.execute(f"select count(*) from {table}").fetchone()[0] for model, table in TABLES.items()}
    selected = {
        model: rows_selected(path, env, warehouse, base / f"target_compiled_{model}") for model, path in KEPT.items()
    }
    build(list(KEPT), env, warehouse, base / "target_kept")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        kept = {model: con.execute(f"select count(*) from {table}").fetchone()[0] for model, table in TABLES.items()}
        gone = {
            model: con.execute(f"select count(*) from {table} where record_id like 'gone:%'").fetchone()[0]
            for model, table in TABLES.items()
        }
    differing = differing_from_a_build_from_nothing(TABLES, env, warehouse, base / "full")
    return {"total": total, "selected": selected, "kept": kept, "gone": gone, "differing": differing}


def test_only_the_changed_the_missing_and_the_gone_records_are_written(rows) -> None:
    assert rows["selected"] == dict.fromkeys(KEPT, 3)
    # the tampered table held one record too many and one too few: the build writes one and withdraws one
    assert rows["kept"] == rows["total"]
    assert rows["gone"] == dict.fromkeys(KEPT, 0)
    assert min(rows["kept"].values()) > 1000


def test_the_kept_rows_equal_a_build_from_nothing(rows) -> None:
    assert rows["differing"] == dict.fromkeys(KEPT, 0)
