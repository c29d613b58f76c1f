"""Discover the landing directory's files by source and load what is new or changed."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path

import duckdb

from ilp_pipeline import contracts
from ilp_pipeline.ingest import fhir, manifest, tabular
from ilp_pipeline.ingest.batches import WORKERS, split
from ilp_pipeline.ingest.concatenated import remove_stale_copies
from ilp_pipeline.ingest.manifest import FileOutcome, LandedFile

REGISTER_SUFFIXES = {".csv", ".xlsx"}
# the order paths compare in, part by part, without a Python comparison per pair of paths
BY_PARTS = attrgetter("parts")


@dataclass
class IngestSummary:
    loaded_at: dt.datetime | None = None
    files_seen: int = 0
    outcomes: list[FileOutcome] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def rows_loaded(self) -> int:
        return sum(o.rows_received for o in self.outcomes if o.status == "loaded")


def discover(root: Path) -> dict[str, list[Path]]:
    """Landed files by source, in a stable order."""
    found: dict[str, list[Path]] = {
        name: [] for name in ("reference", "posyandu_register", "kader", "kader_penilaian", "fhir")
    }
    for name, (relative, _contract) in contracts.reference_tables().items():
        path = root / relative
        if path.is_file():
            found["reference"].append(path)
        del name
    found["posyandu_register"] = sorted(
        (
            p
            for p in (root / "posyandu").glob("[0-9][0-9][0-9][0-9]-[0-9][0-9]/*")
            if p.is_file() and p.suffix.lower() in REGISTER_SUFFIXES
        ),
        key=BY_PARTS,
    )
    kader = root / "posyandu" / "kader" / "kader.csv"
    found["kader"] = [kader] if kader.is_file() else []
    found["kader_penilaian"] = sorted((root / "posyandu" / "kader").glob("penilaian_*.csv"), key=BY_PARTS)
    found["fhir"] = sorted((root / "puskesmas").glob("*/[0-9][0-9][0-9][0-9]-[0-9][0-9]/*.ndjson"), key=BY_PARTS)
    return found


def ingest(con: duckdb.DuckDBPyConnection, root: Path, log=lambda message: None) -> IngestSummary:
    if not root.is_dir():
        raise FileNotFoundError(f"landing directory {root} does not exist: set ILP_DATA_DIR or run `ilp generate`")
    manifest.ensure(con)
    remove_stale_copies(tabular.scratch_directory(con))
    write_contract_columns(con)
    loaded_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    summary = IngestSummary(loaded_at=loaded_at)
    reference = contracts.reference_tables()
    reference_by_path = {relative: contract for relative, contract in reference.values()}
    known = manifest.recorded_versions(con)
    for source, paths in discover(root).items():
        described = describe_all(source, root, paths, known)
        summary.files_seen += len(described)
        to_load, duplicates = manifest.triage(con, described)
        outcomes = list(duplicates)
        if to_load:
            log(f"{source}: loading {len(to_load)} new or changed file(s) of {len(described)}")
        if source == "fhir":
            outcomes += fhir.load(con, to_load, loaded_at)
        elif source == "reference":
            for landed in to_load:
                outcomes += tabular.load(con, reference_by_path[landed.path], [landed], loaded_at)
        elif to_load:
            outcomes += tabular.load(con, contracts.tabular(source), to_load, loaded_at)
        for contract_file in reference_by_path.values() if source == "reference" else ():
            tabular.ensure_table(con, contract_file)
        for outcome in outcomes:
            if outcome.status == "rejected":
                log(f"rejected {outcome.file.path}: {outcome.reason_code} ({outcome.detail})")
        manifest.record(con, outcomes, loaded_at)
        summary.outcomes += outcomes
    for source in ("posyandu_register", "kader", "kader_penilaian"):
        tabular.ensure_table(con, contracts.tabular(source))
    con.execute(fhir.DDL)
    return summary


def describe_all(source: str, root: Path, paths: list[Path], known) -> list[LandedFile]:
    """The files described in order, hashed on every core: hashlib lets go of the interpreter while it
    digests a block, and the new files of a kabupaten year are 1 GB to hash."""

    def describe(share: list[Path]) -> list[LandedFile]:
        return [manifest.describe(source, root, path, known) for path in share]

    shares = split(paths, -(-len(paths) // WORKERS)) if paths else []
    with ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="hash") as pool:
        return [landed for described in pool.map(describe, shares) for landed in described]


def file_month(relative: str) -> str | None:
    """The month a landed file is filed under: a register's month folder, an export's month folder, an
    assessment's month; None for masters and the kader roster."""
    parts = relative.split("/")
    if parts[0] == "posyandu" and len(parts) == 3 and parts[1] != "kader":
        return parts[1]
    if parts[0] == "puskesmas" and len(parts) == 4:
        return parts[2]
    if parts[-1].startswith("penilaian_"):
        return parts[-1].removeprefix("penilaian_")[:7]
    return None


def write_contract_columns(con: duckdb.DuckDBPyConnection) -> None:
    """The contracts' columns as a table, so that SQL checks read ranges and value sets from one place."""
    import pandas as pd

    rows = []
    for source in ("posyandu_register", "kader", "kader_penilaian"):
        contract = contracts.tabular(source)
        rows += [(source, c) for c in contract.columns]
    for name, (_relative, contract) in contracts.reference_tables().items():
        rows += [(f"reference_{name}", c) for c in contract.columns]
    for resource, spec in contracts.fhir()["resources"].items():
        # a FHIR field is a JSON path; its name in the contract is the path below the resource
        rows += [
            (f"fhir_{resource}", contracts.Column(path, "json", required=True, pii=spec.get("pii", "none")))
            for path in spec.get("required", [])
        ]
    frame = pd.DataFrame(
        {
            "source_name": [s for s, _ in rows],
            "column_name": [c.name for _, c in rows],
            "column_type": [c.type for _, c in rows],
            "is_required": [c.required for _, c in rows],
            "pii_class": [c.pii for _, c in rows],
            "allowed_values": [list(c.allowed) if c.allowed else None for _, c in rows],
            "min_value": [c.min for _, c in rows],
            "max_value": [c.max for _, c in rows],
            "max_under_five": [c.max_under_five for _, c in rows],
        }
    )
    con.register("contract_rows", frame)
    con.execute("create or replace table raw.contract_column as select * from contract_rows")
    con.unregister("contract_rows")
