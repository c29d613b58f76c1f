"""`ilp bench`: the whole pipeline on generated data, timed by stage, against the time DuckDB alone needs
to parse the same files (the floor).

The landing directory is generated once per scale, month count and seed (N + 1 months) and reused. A
benchmark runs the first N months from an empty warehouse, as `ilp run --from --to` would, then lands
month N + 1 and runs that month alone: the nightly case.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import resource
import shutil
import time
from importlib.metadata import version
from pathlib import Path

import duckdb

from ilp_pipeline.generator.months import add_months
from ilp_pipeline.ingest.landing import file_month
from ilp_pipeline.ingest.tabular import FileRejected, csv_header

FIRST_MONTH = dt.date(2025, 1, 1)
STAGES = {
    "ingest": ("ingest_landing",),
    "dbt": ("ilp_dbt_models",),
    "checks": ("contract_suites", "quality__pws_quality_gate", "staging_suites"),
    "publish": ("pws__published",),
    "report": ("pws__laporan",),
}


def _link_landing(source: Path, target: Path, months: set[str]) -> None:
    """Hard-link the files of these months (and the files without a month) into the bench landing."""
    for path in sorted(source.rglob("*")):
        if not path.is_file():
            continue
        relative = path.relative_to(source)
        month = file_month(relative.as_posix())
        if month is not None and month not in months:
            continue
        destination = target / relative
        if destination.exists():
            continue
        destination.parent.mkdir(parents=True, exist_ok=True)
        os.link(path, destination)


def parse_floor(landing: Path) -> dict[str, float]:
    """DuckDB alone: the CSV registers through read_csv (one call per delimiter, read from the header as
    ingestion reads it) and the NDJSON exports through read_json_objects, counted."""
    started = time.perf_counter()
    by_delimiter: dict[str, list[str]] = {",": [], ";": []}
    for path in sorted(landing.glob("posyandu/[0-9]*/*.csv")):
        try:
            by_delimiter[csv_header(path)[0]].append(str(path))
        except FileRejected:
            continue  # empty or not UTF-8: the pipeline rejects it without parsing, so does the floor
    ndjson_files = [str(p) for p in sorted(landing.glob("puskesmas/*/*/*.ndjson"))]
    csv_rows = json_rows = 0
    with duckdb.connect() as con:
        con.execute("set enable_progress_bar = false")
        for delimiter, files in by_delimiter.items():
            if files:
                csv_rows += con.execute(
                    "select count(*) from read_csv(?, delim = ?, header = true, all_varchar = true, "
                    "null_padding = true, ignore_errors = true)",
                    [files, delimiter],
                ).fetchone()[0]
        if ndjson_files:
            json_rows = con.execute(
                "select count(*) from read_json_objects(?, format = 'newline_delimited', ignore_errors = true)",
                [ndjson_files],
            ).fetchone()[0]
    return {"seconds": time.perf_counter() - started, "csv_rows": csv_rows, "ndjson_rows": json_rows}


def _stage_seconds(run_id: str) -> dict[str, float]:
    from dagster import DagsterEventType, DagsterInstance

    starts, durations = {}, {}
    with DagsterInstance.get() as instance:
        for entry in instance.all_logs(run_id):
            event = entry.dagster_event
            if event is None or event.step_key is None:
                continue
            if event.event_type == DagsterEventType.STEP_START:
                starts[event.step_key] = entry.timestamp
            elif event.event_type == DagsterEventType.STEP_SUCCESS:
                durations[event.step_key] = entry.timestamp - starts.get(event.step_key, entry.timestamp)
    return {stage: round(sum(durations.get(step, 0.0) for step in steps), 2) for stage, steps in STAGES.items()}


def _rows_landed(warehouse: Path, since: dt.datetime | None = None) -> int:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            "select coalesce(sum(rows_received), 0) from raw.landed_file where status = 'loaded'"
            + (" and loaded_at > ?" if since else ""),
            [since] if since else [],
        ).fetchone()[0]


def _peak_rss_mib() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round(max(own, children) / 1024, 1)


def _timed_run(first: str, last: str, warehouse: Path) -> dict:
    from ilp_pipeline.cli import run_months

    before = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    started = time.perf_counter()
    run_id = run_months(first, last)
    wall = time.perf_counter() - started
    if run_id is None:
        raise RuntimeError(f"the benchmark run {first}..{last} failed")
    rows = _rows_landed(warehouse, since=before)
    return {
        "months": f"{first}..{last}",
        "run_id": run_id,
        "wall_seconds": round(wall, 2),
        "stages_seconds": _stage_seconds(run_id),
        "rows_in": rows,
        "rows_per_second": round(rows / wall) if wall else None,
    }


def _generate(scale: str, source: Path, months: list[dt.date], seed: int, province, fraction, progress) -> dict:
    from ilp_pipeline.generator import generate
    from ilp_pipeline.generator.run import SCALES
    from ilp_pipeline.generator.scale import generate_scaled

    if scale in SCALES:
        summary = generate(source, months, seed=seed, kabkota_code=SCALES[scale], progress=progress)
        rows, seconds, fixed = summary.rows, summary.seconds, 0.0
    else:
        scaled = generate_scaled(source, months, scale, province, fraction, seed, progress=progress)
        rows, seconds, fixed = scaled.rows, scaled.seconds, scaled.template_seconds
    return {
        "seconds": seconds,
        "template_seconds": fixed,
        "rows": rows,
        "rows_per_second": round(rows / seconds),
        "rows_per_second_after_template": round(rows / (seconds - fixed)),
    }


def _area_label(scale: str, province: str | None, fraction: float) -> str:
    if scale == "provinsi":
        return f"provinsi-{province or '33'}"
    if scale == "nasional":
        return f"nasional-{round(fraction * 100)}pct"
    return scale


def run_bench(
    scale: str,
    months: int,
    workdir: Path,
    seed: int = 7,
    nightly: bool = True,
    province: str | None = None,
    fraction: float = 1.0,
    progress=print,
) -> dict:
    all_months = [add_months(FIRST_MONTH, i) for i in range(months + 1)]
    labels = [f"{m:%Y-%m}" for m in all_months]
    area = _area_label(scale, province, fraction)
    source = workdir / f"landing-{area}-{months + 1}m-seed{seed}"
    generation = None
    if not source.exists():
        progress(f"generating {area} {labels[0]}..{labels[-1]} into {source}")
        generation = _generate(scale, source, all_months, seed, province, fraction, progress)
    run_dir = workdir / f"run-{area}-{months}m"
    shutil.rmtree(run_dir, ignore_errors=True)
    landing = run_dir / "landing"
    os.environ.update(
        ILP_DATA_DIR=str(landing),
        ILP_WAREHOUSE=str(run_dir / "warehouse" / "ilp.duckdb"),
        ILP_PUBLISH_DIR=str(run_dir / "publish"),
        DAGSTER_HOME=str(run_dir / "dagster"),
    )
    os.environ.setdefault("ILP_PSEUDONYM_KEY", "benchmark-key-not-for-real-data")
    warehouse = Path(os.environ["ILP_WAREHOUSE"])
    _link_landing(source, landing, set(labels[:-1]))
    landed_bytes = sum(p.stat().st_size for p in landing.rglob("*") if p.is_file())

    progress(f"pipeline over {labels[0]}..{labels[-2]} from an empty warehouse")
    history = _timed_run(labels[0], labels[-2], warehouse)
    floor = parse_floor(landing)
    result = {
        "scale": scale,
        "area": area,
        "months": months,
        "seed": seed,
        "landing_bytes": landed_bytes,
        "files": sum(1 for p in landing.rglob("*") if p.is_file()),
        "generation": generation,
        "full": history,
        "floor": {
            "seconds": round(floor["seconds"], 2),
            "rows": floor["csv_rows"] + floor["ndjson_rows"],
            "note": "DuckDB read_csv of the CSV registers + read_json_objects of the NDJSON exports, counted; "
            "XLSX registers are outside the floor (DuckDB reads them only through a downloaded extension)",
        },
        "pipeline_over_floor": round(history["wall_seconds"] / floor["seconds"], 1) if floor["seconds"] else None,
    }
    if nightly:
        progress(f"nightly: landing {labels[-1]} and running it alone")
        _link_landing(source, landing, set(labels))
        result["nightly"] = _timed_run(labels[-1], labels[-1], warehouse)
    result["peak_rss_mib"] = _peak_rss_mib()
    result["machine"] = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "duckdb": version("duckdb"),
        "dagster": version("dagster"),
        "dbt-core": version("dbt-core"),
        "measured_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }
    return result


def format_report(result: dict) -> str:
    full = result["full"]
    lines = [
        f"ilp bench: {result['area']}, {result['months']} months ({full['months']}), seed {result['seed']}",
        f"  landed: {result['files']:,} files, {result['landing_bytes'] / 1e6:,.0f} MB, {full['rows_in']:,} rows in",
        f"  full run: {full['wall_seconds']:.1f} s wall, {full['rows_per_second']:,} rows/s; stages "
        + ", ".join(f"{k} {v:.1f} s" for k, v in full["stages_seconds"].items()),
        f"  floor (DuckDB parse only): {result['floor']['seconds']:.1f} s for {result['floor']['rows']:,} rows; "
        f"pipeline / floor = {result['pipeline_over_floor']}",
    ]
    if "nightly" in result:
        nightly = result["nightly"]
        lines.append(
            f"  nightly ({nightly['months']}): {nightly['wall_seconds']:.1f} s wall, {nightly['rows_in']:,} rows in; "
            + ", ".join(f"{k} {v:.1f} s" for k, v in nightly["stages_seconds"].items())
        )
    if result["generation"]:
        generation = result["generation"]
        lines.append(
            f"  generation: {generation['rows']:,} rows in {generation['seconds']:.1f} s "
            f"({generation['rows_per_second']:,} rows/s; {generation['rows_per_second_after_template']:,} rows/s "
            f"after {generation['template_seconds']:.1f} s of template simulation)"
        )
    lines.append(f"  peak resident memory: {result['peak_rss_mib']:,.0f} MiB")
    return "\n".join(lines)


def write_json(result: dict, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return path
