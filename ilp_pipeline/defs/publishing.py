"""The quality gate (blocking Great Expectations checks) and the publish step it guards."""

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    BackfillPolicy,
    Config,
    MaterializeResult,
    MetadataValue,
    asset,
)

from ilp_pipeline.defs.partitions import month_range, monthly_partitions, months_between
from ilp_pipeline.defs.resources import WarehouseResource
from ilp_pipeline.publish.invitations import write_invitations
from ilp_pipeline.publish.periods import PUBLISHED_TABLES, REFERENCE_TABLES, publish_periods
from ilp_pipeline.publish.postgres import publish_to_postgres
from ilp_pipeline.quality.data_docs import record_outcomes
from ilp_pipeline.quality.expectations import validate_candidates
from ilp_pipeline.settings import load_settings

CANDIDATES = [AssetKey(["pws_candidate", table]) for table in PUBLISHED_TABLES + REFERENCE_TABLES]
GATE_KEY = AssetKey(["quality", "pws_quality_gate"])
GATE_CHECKS = (
    "ge_row_conservation",
    "ge_aggregates_reconcile",
    "ge_kelurahan_indicator_monthly",
    "ge_kelurahan_growth_monthly",
)
WARNING_CHECKS = ("ge_coverage_plausible",)


class QualityGateConfig(Config):
    coverage_ceiling_pct: float = 150.0
    """A kelurahan coverage above this (per cent of sasaran) is reported as implausible."""


@asset(
    key=GATE_KEY,
    deps=CANDIDATES,
    group_name="publish",
    partitions_def=monthly_partitions,
    backfill_policy=BackfillPolicy.single_run(),
    check_specs=[
        *(
            AssetCheckSpec(
                name, asset=GATE_KEY, blocking=True, description="Great Expectations suite; blocks publishing"
            )
            for name in GATE_CHECKS
        ),
        *(
            AssetCheckSpec(name, asset=GATE_KEY, description="Great Expectations suite; warns")
            for name in WARNING_CHECKS
        ),
    ],
    kinds={"great_expectations", "duckdb"},
    description="Validates the candidate PWS tables of the run's months; a failed suite stops the publish.",
)
def pws_quality_gate(context: AssetExecutionContext, config: QualityGateConfig, warehouse: WarehouseResource):
    first, last = month_range(context.partition_key_range)
    with warehouse.connect() as con:
        outcomes = validate_candidates(con, first, last, config.coverage_ceiling_pct)
    docs = record_outcomes(warehouse.publish, outcomes)
    failed = [o.name for o in outcomes if not o.passed and o.blocking]
    yield MaterializeResult(
        metadata={
            "months": f"{first:%Y-%m}..{last:%Y-%m}",
            "failed_suites": ", ".join(failed),
            "data_docs": MetadataValue.path(str(docs)),
        }
    )
    for outcome in outcomes:
        if not outcome.passed:
            log = context.log.error if outcome.blocking else context.log.warning
            kind = "blocking" if outcome.blocking else "warning"
            log(f"{kind} check {outcome.name} failed: {'; '.join(outcome.failures)}")
        yield AssetCheckResult(
            check_name=outcome.name,
            passed=outcome.passed,
            severity=AssetCheckSeverity.ERROR if outcome.blocking else AssetCheckSeverity.WARN,
            description=outcome.description,
            metadata={
                "table": outcome.table,
                "failures": MetadataValue.md("\n".join(f"- {f}" for f in outcome.failures) or "none"),
            },
        )


@asset(
    key=AssetKey(["pws", "published"]),
    deps=[GATE_KEY, AssetKey(["restricted", "invitations"])],
    group_name="publish",
    partitions_def=monthly_partitions,
    backfill_policy=BackfillPolicy.single_run(),
    kinds={"duckdb", "parquet"},
    description="Publishes each month of the run to the pws schema and Parquet, atomically per period.",
)
def pws_published(context: AssetExecutionContext, warehouse: WarehouseResource):
    first, last = month_range(context.partition_key_range)
    settings = load_settings()
    with warehouse.connect() as con:
        outcomes = publish_periods(con, months_between(first, last), warehouse.publish, log=context.log.info)
        invited = write_invitations(con, warehouse.publish)
        postgres = (
            publish_to_postgres(con, settings.pg_url, settings.uses_development_key, log=context.log.info)
            if settings.pg_url
            else None
        )
    context.log.info(f"invitation lists for {invited} posyandu in {warehouse.publish / 'undangan'} (mode 0600)")
    changed = [o for o in outcomes if o.changed]
    context.log.info(f"{len(changed)} of {len(outcomes)} periods changed and were published")
    return MaterializeResult(
        metadata={
            "periods_published": len(changed),
            "periods_unchanged": len(outcomes) - len(changed),
            "publish_ids": ", ".join(o.publish_id for o in outcomes),
            "rows": sum(o.rows for o in outcomes),
            "parquet": MetadataValue.path(str(warehouse.publish / "pws")),
            "postgres_periods_copied": len(postgres.periods_copied) if postgres else 0,
            "postgres_seconds": round(postgres.seconds, 2) if postgres else 0.0,
        }
    )
