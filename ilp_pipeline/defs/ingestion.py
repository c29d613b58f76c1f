"""Ingestion: the landing directory's new and changed files into the raw tables, with lineage."""

from dagster import (
    AssetExecutionContext,
    AssetSpec,
    BackfillPolicy,
    MaterializeResult,
    MetadataValue,
    multi_asset,
)

from ilp_pipeline import contracts
from ilp_pipeline.defs.partitions import monthly_partitions
from ilp_pipeline.defs.resources import WarehouseResource
from ilp_pipeline.ingest.landing import ingest

RAW_TABLES = {
    "posyandu_register": "Posyandu visit registers (CSV, XLSX), one row per person per visit",
    "kader": "Kader roster",
    "kader_penilaian": "Kader skill assessments",
    "fhir_resource": "Puskesmas FHIR NDJSON exports, one line per resource",
    "landed_file": "Every landed file version with its status and reason",
    "current_file": "The version of each landed path that counts now",
    "contract_column": "The data contracts' columns, for SQL checks",
    **{f"ref_{name}": f"Reference {path}" for name, (path, _c) in contracts.reference_tables().items()},
}


@multi_asset(
    name="ingest_landing",
    specs=[
        AssetSpec(["raw", table], description=description, group_name="ingestion", kinds={"duckdb"})
        for table, description in RAW_TABLES.items()
    ],
    partitions_def=monthly_partitions,
    backfill_policy=BackfillPolicy.single_run(),
    can_subset=False,
)
def ingest_landing(context: AssetExecutionContext, warehouse: WarehouseResource):
    """Load what landed since the last run; a file seen before (same content) is not read again."""
    with warehouse.connect() as con:
        summary = ingest(con, warehouse.landing, log=context.log.info)
        rejected = [o for o in summary.outcomes if o.status == "rejected"]
        for outcome in rejected[:50]:
            context.log.warning(f"rejected {outcome.file.path}: {outcome.reason_code} ({outcome.detail})")
        if len(rejected) > 50:
            context.log.warning(f"... and {len(rejected) - 50} more rejected files (see raw.landed_file)")
    months = context.partition_key_range
    context.log.info(
        f"run for {months.start}..{months.end}: "
        f"{summary.files_seen} files in {warehouse.landing}: {summary.count('loaded')} loaded, "
        f"{len(rejected)} rejected, {summary.count('duplicate')} duplicates, {summary.rows_loaded:,} rows"
    )
    for table in RAW_TABLES:
        yield MaterializeResult(
            asset_key=["raw", table],
            metadata={
                "files_seen": summary.files_seen,
                "files_loaded": summary.count("loaded"),
                "files_rejected": len(rejected),
                "rows_loaded": summary.rows_loaded,
                "landing_dir": MetadataValue.path(str(warehouse.landing)),
            },
        )
