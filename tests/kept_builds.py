"""Builds of kept models on a test warehouse, outside the pipeline's dbt step: the rows a build selects, and
what it keeps against a build from nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
from conftest import dbt, rows_differing

from ilp_pipeline.dbt.pseudonym_plugin import hmac_pads
from ilp_pipeline.defs.dbt import code_fingerprint


def build(models: list[str], env: dict[str, str], warehouse: Path, target: Path, *flags: str) -> None:
    """`dbt run` of the models; with the pipeline's code fingerprint, so that it goes on from the state the
    pipeline kept."""
    env = {**env, "ILP_DBT_CODE_FINGERPRINT": code_fingerprint()}
    dbt(["run", *flags, "--select", *models, "--target-path", str(target)], env, warehouse)


def rows_selected(model_path: str, env: dict[str, str], warehouse: Path, target: Path) -> int:
    """The rows the model's next build selects (those it replaces), counted by running its compiled SQL;
    `model_path` is the model's file below `models/`."""
    model = Path(model_path).stem
    env = {**env, "ILP_DBT_CODE_FINGERPRINT": code_fingerprint()}
    dbt(["compile", "--select", model, "--target-path", str(target)], env, warehouse)
    sql = (target / "compiled" / "ilp" / "models" / model_path).read_text()
    inner, outer = hmac_pads(env["ILP_PSEUDONYM_KEY"])
    with duckdb.connect(str(warehouse), read_only=True) as con:
        con.execute(f"set variable ilp_hmac_ipad = '{inner}'")
        con.execute(f"set variable ilp_hmac_opad = '{outer}'")
        return con.execute(f"select count(*) from ({sql})").fetchone()[0]


def differing_from_a_build_from_nothing(
    tables: dict[str, str], env: dict[str, str], warehouse: Path, scratch: Path, *flags: str
) -> dict[str, int]:
    """Rows by which each kept model (name -> schema.table) differs from the same models built from nothing
    on a copy of the warehouse; `flags` go to that build's `dbt run`."""
    scratch.mkdir()
    full = scratch / "full.duckdb"
    shutil.copy(warehouse, full)
    build(list(tables), env, full, scratch / "target_full", "--full-refresh", *flags)
    with duckdb.connect(str(full)) as con:
        con.execute(f"attach '{warehouse}' as kept (read_only)")
        return {model: rows_differing(con, table, f"kept.{table}") for model, table in tables.items()}
