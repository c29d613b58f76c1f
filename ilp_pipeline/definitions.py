"""The Dagster code location: assembles assets, checks, resources and jobs; no logic here."""

from __future__ import annotations

import gc

from dagster import AssetSelection, Definitions, define_asset_job, in_process_executor

from ilp_pipeline.defs.automation import MONTHLY_JOB, landing_sensor, nightly
from ilp_pipeline.defs.contract_checks import contract_suites
from ilp_pipeline.defs.dbt import ProjectDbtCliResource, dbt_project, ilp_dbt_models
from ilp_pipeline.defs.ingestion import ingest_landing
from ilp_pipeline.defs.publishing import pws_published, pws_quality_gate
from ilp_pipeline.defs.report import pws_report
from ilp_pipeline.defs.resources import WarehouseResource
from ilp_pipeline.defs.staging_checks import staging_suites
from ilp_pipeline.settings import DBT_HANDOVER_EXECUTABLE, DBT_PROJECT_DIR

# Runs carrying this tag are limited to one at a time by the run queue (dagster.yaml).
WAREHOUSE_WRITER_TAG = {"ilp/warehouse": "writer"}

ilp_monthly = define_asset_job(
    MONTHLY_JOB,
    selection=AssetSelection.all(),
    description="Ingest the landing directory, build the dbt models, check and publish the selected months, "
    "and draw their reports.",
    tags=WAREHOUSE_WRITER_TAG,
)


def build_definitions(warehouse: WarehouseResource | None = None) -> Definitions:
    return Definitions(
        assets=[ingest_landing, ilp_dbt_models, pws_quality_gate, pws_published, pws_report],
        asset_checks=[contract_suites, staging_suites],
        jobs=[ilp_monthly],
        schedules=[nightly],
        sensors=[landing_sensor],
        resources={
            "warehouse": warehouse or WarehouseResource(),
            "dbt": ProjectDbtCliResource(
                project_dir=dbt_project, profiles_dir=str(DBT_PROJECT_DIR), dbt_executable=DBT_HANDOVER_EXECUTABLE
            ),
        },
        # One step at a time in one process: the DuckDB file has a single writer.
        executor=in_process_executor,
    )


defs = build_definitions()
# What is loaded by now lives as long as the process: a run's garbage collections need not walk it again.
gc.freeze()
