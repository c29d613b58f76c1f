"""`ilp generate`: one call that writes a whole landing directory."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb
import numpy as np

from ilp_pipeline.generator import writers
from ilp_pipeline.generator.region import build_region, population_by_age
from ilp_pipeline.generator.simulate import simulate
from ilp_pipeline.generator.truth import write_truth

SCALES = {"kabupaten": "1606"}


@dataclass(kw_only=True)
class LandingSummary:
    """What a generator wrote, at any scale."""

    out: str
    months: list[str]
    kelurahan: int
    puskesmas: int
    posyandu: int
    register_rows: int
    fhir_resources: int
    # lines of the reference files, the kader list and kader assessments: ingested like any other row
    reference_rows: int
    files: int
    seconds: float

    @property
    def rows(self) -> int:
        """Every data line written (headers aside)."""
        return self.register_rows + self.fhir_resources + self.reference_rows


@dataclass(kw_only=True)
class GenerationSummary(LandingSummary):
    kabkota_code: str


def generate(
    out: Path,
    months: list[dt.date],
    seed: int = 7,
    error_rate: float = 0.0,
    kabkota_code: str = SCALES["kabupaten"],
    progress=print,
) -> GenerationSummary:
    started = time.perf_counter()
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise FileExistsError(f"{out} is not empty: generate into a new directory")
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    # Faults draw from their own stream, so a faulted landing differs from the clean one of the same seed
    # only in its faults: the clean run is the yardstick for what quarantine removed.
    fault_rng = np.random.default_rng([seed, 1])
    region = build_region(kabkota_code, rng)
    years = sorted({m.year for m in months})
    progress(
        f"region {region.kabkota_name}: {len(region.wilayah)} kelurahan, {len(region.puskesmas)} puskesmas, "
        f"{len(region.posyandu)} posyandu"
    )
    writers.write_reference(region, out, population_by_age(region, years, rng), years, months[0])
    progress("simulating people and services")
    world = simulate(region, months, rng)
    con = duckdb.connect()
    try:
        # Partitioned writes keep row order only on one thread; the output must not depend on scheduling.
        con.execute("set preserve_insertion_order = true")
        con.execute("set threads = 1")
        con.execute("set enable_progress_bar = false")
        progress(f"writing {len(world.register):,} register rows")
        register_rows = writers.write_registers(con, world, out, rng, fault_rng, error_rate)
        writers.write_kader(world, out)
        progress("writing FHIR exports")
        fhir_rows = writers.write_fhir(con, world, out, fault_rng, error_rate)
    finally:
        con.close()
    progress("counting the ground truth")
    write_truth(world, out)
    for leftover in out.glob(".staging*"):
        shutil.rmtree(leftover, ignore_errors=True)
    summary = GenerationSummary(
        out=str(out),
        kabkota_code=region.kabkota_code,
        months=[f"{m:%Y-%m}" for m in months],
        kelurahan=len(region.wilayah),
        puskesmas=len(region.puskesmas),
        posyandu=len(region.posyandu),
        register_rows=register_rows,
        fhir_resources=fhir_rows,
        reference_rows=_data_lines([*out.glob("reference/*.csv"), *out.glob("posyandu/kader/*.csv")]),
        files=sum(1 for p in out.rglob("*") if p.is_file()),
        seconds=round(time.perf_counter() - started, 2),
    )
    (out.parent / f".{out.name}.generation.json").write_text(json.dumps(asdict(summary), indent=2))
    return summary


def _data_lines(paths: list[Path]) -> int:
    """Lines after the header of small CSV files."""
    total = 0
    for path in paths:
        with path.open("rb") as handle:
            total += max(sum(1 for _ in handle) - 1, 0)
    return total
