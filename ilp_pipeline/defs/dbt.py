"""dbt models as Dagster assets; dbt tests become asset checks. One dbt build per run, however many
months the run covers (single-run backfill policy)."""

import contextlib
import hashlib
import os
import shutil
import subprocess
from collections.abc import Iterable, Mapping
from functools import cached_property
from importlib import metadata
from pathlib import Path
from typing import Any

from dagster import AssetExecutionContext, AssetKey, BackfillPolicy, InitResourceContext
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, DbtProject, dbt_assets
from packaging import version
from pydantic import PrivateAttr

from ilp_pipeline.dbt.prestart import SOCKET_VARIABLE, PrestartedDbt
from ilp_pipeline.defs.partitions import month_range, monthly_partitions
from ilp_pipeline.defs.resources import WarehouseResource
from ilp_pipeline.quality.gx_import import gx, import_aside
from ilp_pipeline.report.build import reports_root
from ilp_pipeline.report.bundle import make_bundle_aside
from ilp_pipeline.settings import DBT_EXECUTABLE, DBT_PROJECT_DIR, export_for_dbt, load_settings

PARTIAL_PARSE_FILE = "partial_parse.msgpack"
KEPT_BUILD_FOLDERS = 30
KEPT_PARSE_STATES = 10

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def _manifest_is_stale() -> bool:
    manifest = dbt_project.manifest_path
    if not manifest.exists():
        return True
    sources = [DBT_PROJECT_DIR / "dbt_project.yml"]
    for folder in ("models", "macros", "seeds", "tests"):
        sources += (DBT_PROJECT_DIR / folder).rglob("*.*")
    return max(p.stat().st_mtime for p in sources if p.is_file()) > manifest.stat().st_mtime


def ensure_manifest() -> None:
    """Parse the dbt project when its manifest is missing or older than the project, so definitions load."""
    if _manifest_is_stale():
        subprocess.run(
            [
                DBT_EXECUTABLE,
                "parse",
                "--quiet",
                "--project-dir",
                str(DBT_PROJECT_DIR),
                "--profiles-dir",
                str(DBT_PROJECT_DIR),
                "--target-path",
                str(dbt_project.manifest_path.parent),
            ],
            check=True,
            env={**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
        )


def code_fingerprint() -> str:
    """A hash of the dbt code that models do not carry in their own checksum (macros, seeds, project
    settings): incremental models rebuild all they hold when it changes (macros/incremental.sql)."""
    digest = hashlib.sha256()
    files = [DBT_PROJECT_DIR / "dbt_project.yml"]
    for folder in ("macros", "seeds"):
        files += sorted(p for p in (DBT_PROJECT_DIR / folder).rglob("*") if p.is_file())
    for path in files:
        digest.update(path.relative_to(DBT_PROJECT_DIR).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


class LayerTranslator(DagsterDbtTranslator):
    """Asset keys say schema and name (pws_candidate/kelurahan_indicator_monthly); groups follow folders."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return AssetKey([dbt_resource_props["source_name"], dbt_resource_props["name"]])
        return AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "seeds"
        folder = dbt_resource_props.get("fqn", ["", "other"])[1]
        return {"pws": "pws_candidate"}.get(folder, folder)


ensure_manifest()


@dbt_assets(
    manifest=dbt_project.manifest_path,
    dagster_dbt_translator=LayerTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True)),
    partitions_def=monthly_partitions,
    backfill_policy=BackfillPolicy.single_run(),
)
def ilp_dbt_models(context: AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    first, last = month_range(context.partition_key_range)
    context.log.info(f"dbt build for service months {first:%Y-%m} to {last:%Y-%m}")
    # dbt runs as a subprocess of this step and inherits the environment: the profile and the
    # pseudonym plugin read the warehouse path and key from it.
    os.environ.update(export_for_dbt(load_settings()))
    os.environ["ILP_WAREHOUSE"] = str(warehouse.path)
    # The run's months go through the environment, not --vars: vars that change from run to run make
    # dbt re-parse the whole project (macros/run_scope.sql).
    os.environ.update(
        ILP_DBT_FIRST_MONTH=first.isoformat(),
        ILP_DBT_LAST_MONTH=last.isoformat(),
        ILP_DBT_CODE_FINGERPRINT=code_fingerprint(),
    )
    # Unit tests (given/expect rows) run in CI, not on every nightly build.
    args = ["build", "--exclude", "test_type:unit"]
    restore_parse_state(warehouse.path)
    # dbt's first seconds (starting, reading its parse state) keep one core busy: the reports' Vega bundle,
    # when the publish folder has none yet, is made on the other meanwhile
    bundler = make_bundle_aside(reports_root(warehouse.publish))
    try:
        invocation = dbt.cli(args, context=context)
        for event in invocation.stream():
            # Once dbt runs its models (its own start keeps a core busy), the checks' Great Expectations
            # is imported beside them, in this process that only relays dbt's events meanwhile.
            import_aside(gx)
            yield event
    finally:
        if bundler is not None:
            bundler.wait()
    keep_parse_state(invocation.target_path, warehouse.path)
    prune_build_folders(invocation.target_path)


def _parse_state_paths(warehouse_path: Path) -> tuple[Path, Path]:
    """The parse state dagster-dbt hands to a build, and the one kept for this warehouse.

    dbt discards a parse state made for another profile, and the profile holds the warehouse path, so one
    checkout that builds several warehouses (tests, a benchmark, development beside production) would
    parse the whole project again (about 2 s) whenever the path changed. A state is kept per path."""
    target = DBT_PROJECT_DIR / os.environ.get("DBT_TARGET_PATH", "target")
    key = hashlib.sha256(str(warehouse_path.resolve()).encode()).hexdigest()[:16]
    return target / PARTIAL_PARSE_FILE, target / "parse_states" / f"{key}.msgpack"


def _replace_atomically(source: Path, destination: Path) -> None:
    destination.parent.mkdir(parents=True, exist_ok=True)
    staged = destination.with_suffix(f".{os.getpid()}.staged")
    shutil.copyfile(source, staged)
    staged.replace(destination)


def restore_parse_state(warehouse_path: Path) -> None:
    """Put this warehouse's parse state where dagster-dbt picks it up for the next build."""
    handed_over, kept = _parse_state_paths(warehouse_path)
    # none kept yet, or pruned as one of the oldest: dbt then parses the whole project once
    with contextlib.suppress(FileNotFoundError):
        _replace_atomically(kept, handed_over)


def keep_parse_state(build_target: Path, warehouse_path: Path) -> None:
    """The build's parse state becomes the one the next build of this warehouse starts from.

    dagster-dbt gives each build a target folder of its own and copies the project target's
    partial_parse.msgpack into it, but never back."""
    produced = build_target / PARTIAL_PARSE_FILE
    if not produced.exists():
        return
    handed_over, kept = _parse_state_paths(warehouse_path)
    _replace_atomically(produced, kept)
    _replace_atomically(produced, handed_over)
    prune_parse_states(kept)


def _modified_at(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return 0.0


def _all_but_newest(paths: Iterable[Path], keep: int) -> list[Path]:
    return sorted(paths, key=_modified_at, reverse=True)[keep:]


def prune_parse_states(kept: Path, keep: int = KEPT_PARSE_STATES) -> list[Path]:
    """Remove all but the newest `keep` warehouses' parse states, never `kept`; returns the removed ones.

    A state (about 1 MB) is kept per warehouse path, and every test run or benchmark building a warehouse of
    its own adds one, which nothing would ever read again. Production builds one warehouse, whose state is
    the newest after each of its builds."""
    removed = [state for state in _all_but_newest(kept.parent.glob(f"*{kept.suffix}"), keep) if state != kept]
    for state in removed:
        state.unlink(missing_ok=True)
    return removed


def prune_build_folders(build_target: Path, keep: int = KEPT_BUILD_FOLDERS) -> list[Path]:
    """Remove all but the newest `keep` build folders; returns the removed ones.

    dagster-dbt writes a target folder for every build (about 11 MB at kabupaten scale: manifest, compiled
    SQL, dbt.log) and never removes one, so a nightly schedule would pile up 4 GB a year. The newest
    stay, about a month of nights, for reading a recent build's log and compiled SQL."""
    prefix = build_target.name.split("-")[0]
    removed = _all_but_newest((path for path in build_target.parent.glob(f"{prefix}-*") if path.is_dir()), keep)
    for folder in removed:
        shutil.rmtree(folder, ignore_errors=True)
    return removed


class ProjectDbtCliResource(DbtCliResource):
    """dagster-dbt's CLI resource without two set-up costs it pays on every run and that the pipeline does
    not use (3.5 s a run): asking the dbt executable for its version in a subprocess, and opening a dbt
    adapter in this process, which serves only row counts and column metadata fetched after a build.
    The executable is `ilp-dbt`, installed beside this interpreter with dbt, so its version is the
    installed dbt-core's.

    When a run starts, a dbt process starts with it and imports dbt while the steps before the build
    work; `ilp-dbt` hands it the build's command (ilp_pipeline/dbt/prestart.py)."""

    _prestarted: PrestartedDbt | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: InitResourceContext) -> None:
        super().setup_for_execution(context)
        self._prestarted = PrestartedDbt()
        os.environ[SOCKET_VARIABLE] = self._prestarted.socket_path
        if context.log:
            context.log.info(f"dbt process {self._prestarted.process.pid} started, to take the build's command")

    def teardown_after_execution(self, context: InitResourceContext) -> None:
        if self._prestarted is not None:
            if os.environ.get(SOCKET_VARIABLE) == self._prestarted.socket_path:
                del os.environ[SOCKET_VARIABLE]
            self._prestarted.stop()
            self._prestarted = None

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(metadata.version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args):
        return None
