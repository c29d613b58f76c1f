"""Configuration from the environment (outputs.md), resolved in one place."""

from __future__ import annotations

import os
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
CONTRACTS_DIR = PROJECT_ROOT / "data_contracts"
# dbt is installed beside this interpreter (the project's virtual environment), whatever PATH says.
DBT_EXECUTABLE = str(Path(sys.executable).parent / "dbt")
# What the dbt resource runs: hands the command to a dbt process started with the run, else runs dbt.
DBT_HANDOVER_EXECUTABLE = str(Path(sys.executable).parent / "ilp-dbt")

DEVELOPMENT_PSEUDONYM_KEY = "ilp-development-key-not-for-production"

# Rows per row group of the warehouse's tables, for every connection that writes it (dbt's and the pipeline's).
# DuckDB writes a statement's rows straight into the file once they fill a row group, and otherwise into its
# write-ahead log, uncompressed, to compress them again when it checkpoints. With its default (122,880 rows)
# a nightly build's tables and increments, most of them smaller, went through the log (about 170 MB a night)
# and its checkpoints. It is not kept in the file: a connection with another size rewrites the row groups of
# the tables it checkpoints.
WAREHOUSE_ROW_GROUP_SIZE = 32_768


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    warehouse: Path
    publish_dir: Path
    pg_url: str | None
    pseudonym_key: str

    @property
    def uses_development_key(self) -> bool:
        return self.pseudonym_key == DEVELOPMENT_PSEUDONYM_KEY


def _path(name: str, default: str) -> Path:
    return Path(os.environ.get(name) or default).expanduser().resolve()


def load_settings() -> Settings:
    key = os.environ.get("ILP_PSEUDONYM_KEY") or DEVELOPMENT_PSEUDONYM_KEY
    if key == DEVELOPMENT_PSEUDONYM_KEY:
        warnings.warn(
            "ILP_PSEUDONYM_KEY is not set: person keys use the development key. "
            "Set a secret key before processing real data.",
            stacklevel=2,
        )
    return Settings(
        data_dir=_path("ILP_DATA_DIR", "data/landing"),
        warehouse=_path("ILP_WAREHOUSE", "data/warehouse/ilp.duckdb"),
        publish_dir=_path("ILP_PUBLISH_DIR", "data/publish"),
        pg_url=os.environ.get("ILP_PG_URL") or None,
        pseudonym_key=key,
    )


def export_for_dbt(settings: Settings) -> dict[str, str]:
    """Environment for a dbt subprocess: the profile reads these variables."""
    env = dict(os.environ)
    env["ILP_WAREHOUSE"] = str(settings.warehouse)
    env["ILP_DATA_DIR"] = str(settings.data_dir)
    env["ILP_PSEUDONYM_KEY"] = settings.pseudonym_key
    env["ILP_WAREHOUSE_ROW_GROUP_SIZE"] = str(WAREHOUSE_ROW_GROUP_SIZE)
    return env
