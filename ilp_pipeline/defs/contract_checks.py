"""Great Expectations suites on the rows the latest ingestion landed, against their data contracts, as
Dagster asset checks on the raw assets that warn."""

from collections.abc import Iterable

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    MetadataValue,
    multi_asset_check,
)

from ilp_pipeline import contracts
from ilp_pipeline.defs.resources import WarehouseResource
from ilp_pipeline.quality.contract_suites import latest_loading, validate_landed_rows
from ilp_pipeline.quality.data_docs import record_outcomes

CONTRACT_CHECKED = ("posyandu_register", "kader", "kader_penilaian")


@multi_asset_check(
    specs=[
        AssetCheckSpec(
            f"contract_{source}",
            asset=["raw", source],
            description=f"Rows of the latest ingestion against data_contracts/{source}.yml (warns)",
        )
        for source in CONTRACT_CHECKED
    ],
    # Among the steps ready after ingestion the dbt build goes first: Great Expectations, whose import
    # takes about 2 s of one core, is then imported beside the build (defs/dbt.py), not before it.
    op_tags={"dagster/priority": -1},
)
def contract_suites(context: AssetCheckExecutionContext, warehouse: WarehouseResource) -> Iterable[AssetCheckResult]:
    with warehouse.connect() as con:
        loaded_at = latest_loading(con)
        outcomes = [validate_landed_rows(con, contracts.tabular(source), loaded_at) for source in CONTRACT_CHECKED]
    record_outcomes(warehouse.publish, outcomes)
    for source, outcome in zip(CONTRACT_CHECKED, outcomes, strict=True):
        if not outcome.passed:
            context.log.warning(f"{outcome.name} on {outcome.table}: {'; '.join(outcome.failures)}")
        yield AssetCheckResult(
            asset_key=["raw", source],
            check_name=outcome.name,
            passed=outcome.passed,
            severity=AssetCheckSeverity.WARN,
            description=outcome.description,
            metadata={"failures": MetadataValue.md("\n".join(f"- {f}" for f in outcome.failures) or "none")},
        )
