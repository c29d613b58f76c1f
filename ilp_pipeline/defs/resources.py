"""The warehouse: one DuckDB file, opened by one step at a time on the run's single writer process."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
from dagster import ConfigurableResource

from ilp_pipeline.settings import load_settings


class WarehouseResource(ConfigurableResource):
    """Paths come from the environment (outputs.md) unless set here, as tests do."""

    warehouse_path: str | None = None
    data_dir: str | None = None
    publish_dir: str | None = None

    @property
    def path(self) -> Path:
        return Path(self.warehouse_path) if self.warehouse_path else load_settings().warehouse

    @property
    def landing(self) -> Path:
        return Path(self.data_dir) if self.data_dir else load_settings().data_dir

    @property
    def publish(self) -> Path:
        return Path(self.publish_dir) if self.publish_dir else load_settings().publish_dir

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(self.path))
        try:
            yield con
        finally:
            con.close()
