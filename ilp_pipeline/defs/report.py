"""The monthly PWS report (laporan), drawn from the version each month just published."""

from dagster import AssetExecutionContext, AssetKey, BackfillPolicy, MaterializeResult, MetadataValue, asset

from ilp_pipeline.defs.partitions import month_range, monthly_partitions, months_between
from ilp_pipeline.defs.resources import WarehouseResource
from ilp_pipeline.report.build import build_reports


@asset(
    key=AssetKey(["pws", "laporan"]),
    deps=[AssetKey(["pws", "published"])],
    group_name="publish",
    partitions_def=monthly_partitions,
    backfill_policy=BackfillPolicy.single_run(),
    kinds={"html"},
    description="The PWS report per kabupaten/kota and puskesmas and month: one self-contained HTML file each, "
    "in ILP_PUBLISH_DIR/laporan/<YYYY-MM>/<code>.html, rebuilt when the month's published version changes.",
)
def pws_report(context: AssetExecutionContext, warehouse: WarehouseResource):
    first, last = month_range(context.partition_key_range)
    with warehouse.connect() as con:
        reports = build_reports(con, months_between(first, last), warehouse.publish, log=context.log.info)
    built = [r for r in reports if r.built]
    return MaterializeResult(
        metadata={
            "reports_written": len(built),
            "reports_current": len(reports) - len(built),
            "bytes_written": sum(r.bytes for r in built),
            "seconds_per_report": round(sum(r.seconds for r in built) / len(built), 3) if built else 0.0,
            "folder": MetadataValue.path(str(warehouse.publish / "laporan")),
        }
    )
