"""Great Expectations suites on the staging models, as Dagster asset checks that warn."""

from collections.abc import Iterable

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetKey,
    MetadataValue,
    multi_asset_check,
)

from ilp_pipeline import contracts
from ilp_pipeline.defs.resources import WarehouseResource
from ilp_pipeline.quality.data_docs import record_outcomes, recorded_outcomes
from ilp_pipeline.quality.staging_suites import staging_check_name, validate_staging

STAGED = contracts.staged()


def _asset(contract: contracts.TableContract) -> AssetKey:
    return AssetKey(["staging", contract.staging_model])


@multi_asset_check(
    specs=[
        AssetCheckSpec(
            staging_check_name(contract),
            asset=_asset(contract),
            description="Completeness, value sets, ranges and key uniqueness from data_contracts/ (warns)",
        )
        for contract in STAGED
    ],
    can_subset=True,
)
def staging_suites(context: AssetCheckExecutionContext, warehouse: WarehouseResource) -> Iterable[AssetCheckResult]:
    selected_names = {key.name for key in context.selected_asset_check_keys}
    selected = [c for c in STAGED if staging_check_name(c) in selected_names]
    recorded = recorded_outcomes(warehouse.publish)
    with warehouse.connect() as con:
        validated = [validate_staging(con, c, recorded.get(staging_check_name(c))) for c in selected]
    outcomes = [outcome for outcome, _judged_now in validated]
    record_outcomes(warehouse.publish, [outcome for outcome, judged_now in validated if judged_now])
    for contract, outcome in zip(selected, outcomes, strict=True):
        if not outcome.passed:
            context.log.warning(f"{outcome.name} on {outcome.table}: {'; '.join(outcome.failures)}")
        yield AssetCheckResult(
            asset_key=_asset(contract),
            check_name=outcome.name,
            passed=outcome.passed,
            severity=AssetCheckSeverity.WARN,
            description=outcome.description,
            metadata={"failures": MetadataValue.md("\n".join(f"- {f}" for f in outcome.failures) or "none")},
        )
