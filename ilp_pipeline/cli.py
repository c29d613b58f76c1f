"""The `ilp` command line (outputs.md): every command drives the same Dagster definitions as the UI."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import shutil
import sys
import time
from pathlib import Path

import duckdb

from ilp_pipeline.settings import PROJECT_ROOT, load_settings


def _dagster_home() -> Path:
    """Runs launched here are recorded in the same instance the UI reads (DAGSTER_HOME)."""
    home = Path(os.environ.get("DAGSTER_HOME") or "data/dagster").expanduser().resolve()
    home.mkdir(parents=True, exist_ok=True)
    if not (home / "dagster.yaml").exists():
        shutil.copy(PROJECT_ROOT / "dagster.yaml", home / "dagster.yaml")
    os.environ["DAGSTER_HOME"] = str(home)
    return home


def _months(args: argparse.Namespace) -> tuple[str, str]:
    if args.period:
        return args.period, args.period
    if args.from_ and args.to:
        return args.from_, args.to
    raise SystemExit("ilp run: give --period YYYY-MM, or --from YYYY-MM and --to YYYY-MM")


def run_months(first: str, last: str) -> str | None:
    """Materialise every asset for the months first..last in one run; returns the run id when it
    succeeded, None when a step or a blocking check failed."""
    from dagster import DagsterInstance
    from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

    from ilp_pipeline.definitions import MONTHLY_JOB, defs

    _dagster_home()
    job = defs.resolve_job_def(MONTHLY_JOB)
    known = set(job.partitions_def.get_partition_keys())
    for key in (first, last):
        if key not in known:
            raise SystemExit(f"ilp run: {key} is not a monthly partition (YYYY-MM from 2024-01 to this month)")
    print(f"ilp: materialising {first}..{last} (ingest, dbt build, quality gate, publish)", flush=True)
    started = time.perf_counter()
    with DagsterInstance.get() as instance:
        result = job.execute_in_process(
            instance=instance,
            tags={ASSET_PARTITION_RANGE_START_TAG: first, ASSET_PARTITION_RANGE_END_TAG: last},
            raise_on_error=False,
        )
    elapsed = time.perf_counter() - started
    failed_checks = [
        evaluation.check_name
        for evaluation in result.get_asset_check_evaluations()
        if not evaluation.passed and evaluation.severity.value == "ERROR"
    ]
    if result.success and not failed_checks:
        print(f"ilp: run {result.run_id} succeeded in {elapsed:.1f} s", flush=True)
        return result.run_id
    failed_steps = [event.step_key for event in result.all_events if event.event_type_value == "STEP_FAILURE"]
    print(f"ilp: run {result.run_id} FAILED after {elapsed:.1f} s", file=sys.stderr)
    if failed_checks:
        print(
            f"ilp: blocking checks failed: {', '.join(failed_checks)}; nothing was published for "
            f"{first}..{last}, the previous version stays visible",
            file=sys.stderr,
        )
    if failed_steps:
        print(f"ilp: failed steps: {', '.join(failed_steps)} (see `ilp ui` for the logs)", file=sys.stderr)
    return None


def cmd_generate(args: argparse.Namespace) -> int:
    from ilp_pipeline.generator import generate
    from ilp_pipeline.generator.months import default_months, parse_month_range

    months = parse_month_range(args.months) if args.months else default_months()
    out = Path(args.out).expanduser().resolve()
    say = lambda m: print(f"ilp generate: {m}", flush=True)  # noqa: E731
    if args.scale != "kabupaten":
        from ilp_pipeline.generator.scale import generate_scaled

        if args.error_rate:
            raise SystemExit("ilp generate: faults are injected at kabupaten scale only")
        scaled = generate_scaled(out, months, args.scale, args.province, args.fraction, args.seed, progress=say)
        seconds = scaled.seconds - scaled.template_seconds
        print(
            f"ilp generate: {scaled.register_rows:,} register rows, {scaled.fhir_resources:,} FHIR resources and "
            f"{scaled.reference_rows:,} reference and kader rows in {scaled.files:,} files for "
            f"{scaled.kelurahan:,} kelurahan ({scaled.area}), in {scaled.seconds:.1f} s "
            f"({scaled.rows / seconds:,.0f} rows/s after {scaled.template_seconds:.1f} s of template) -> {out}"
        )
        return 0
    summary = generate(
        out,
        months,
        seed=args.seed,
        error_rate=args.error_rate,
        progress=say,
    )
    print(
        f"ilp generate: {summary.register_rows:,} register rows, {summary.fhir_resources:,} FHIR resources and "
        f"{summary.reference_rows:,} reference and kader rows in {summary.files:,} files for "
        f"{summary.kelurahan} kelurahan, {summary.months[0]}..{summary.months[-1]}, "
        f"in {summary.seconds:.1f} s -> {out}"
    )
    return 0


def latest_published_month(warehouse: Path) -> str | None:
    from ilp_pipeline.defs.resources import no_writer

    if not warehouse.exists():
        return None

    def say(message: str) -> None:
        print(f"ilp: {message}", flush=True)

    with no_writer(warehouse, log=say), duckdb.connect(str(warehouse), read_only=True) as con:
        if not con.execute(
            "select count(*) from duckdb_tables() where schema_name = 'pws' and table_name = 'publish_log'"
        ).fetchone()[0]:
            return None
        latest = con.execute("select max(period_month) from pws.publish_log").fetchone()[0]
    return f"{latest:%Y-%m}" if latest else None


def cmd_run(args: argparse.Namespace) -> int:
    first, last = _months(args)
    published = latest_published_month(load_settings().warehouse)
    if published and first <= published and last < published:
        # new data for a month changes every later month already published (year-to-date sums, first-met
        # events, trends): they are re-computed in the same run and re-published if their numbers moved
        print(f"ilp run: {first}..{last} extends to {published}, the latest published month", flush=True)
        last = published
    return 0 if run_months(first, last) is not None else 1


def _read_warehouse() -> duckdb.DuckDBPyConnection:
    warehouse = load_settings().warehouse
    if not warehouse.exists():
        raise SystemExit(f"ilp: no warehouse at {warehouse}: run `ilp demo` or `ilp run` first")
    try:
        return duckdb.connect(str(warehouse), read_only=True)
    except duckdb.IOException as error:
        raise SystemExit(f"ilp: the warehouse is being written by a run; try again when it ends ({error})") from None


def cmd_history(args: argparse.Namespace) -> int:
    from ilp_pipeline.publish.history import period_history

    period = dt.datetime.strptime(args.period, "%Y-%m").date()
    with _read_warehouse() as con:
        print("\n".join(period_history(con, period, args.kelurahan, args.indicator, args.limit)))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from ilp_pipeline.publish.open_data import export_open_data

    if not args.open_data:
        raise SystemExit("ilp export: only --open-data is available")
    folder = Path(args.out).expanduser().resolve() if args.out else load_settings().publish_dir / "open_data"
    with _read_warehouse() as con:
        outcome = export_open_data(con, folder)
    for table, rows in outcome.rows.items():
        print(f"ilp export: {table}: {rows:,} rows, {outcome.suppressed_cells[table]:,} counts of 1-4 suppressed")
    print(f"ilp export: open data (Parquet and CSV) in {outcome.folder}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from ilp_pipeline.report.build import build_reports, print_pdf, report_dir

    period = dt.datetime.strptime(args.period, "%Y-%m").date()
    publish_dir = load_settings().publish_dir
    started = time.perf_counter()
    with _read_warehouse() as con:
        reports = build_reports(con, [period], publish_dir, log=lambda m: print(f"ilp report: {m}", flush=True))
    if not reports:
        raise SystemExit(f"ilp report: {args.period} has not been published: run `ilp run --period {args.period}`")
    if args.code:
        reports = [r for r in reports if r.code in args.code]
        if not reports:
            raise SystemExit(f"ilp report: no report for {', '.join(args.code)} in {args.period}")
    written = [r for r in reports if r.built]
    print(
        f"ilp report: {len(reports)} reports of {args.period} ({len(written)} written now) in "
        f"{time.perf_counter() - started:.1f} s -> {report_dir(publish_dir, period)}"
    )
    if args.pdf:
        for report in reports:
            pdf = print_pdf(report.path)
            print(f"ilp report: {pdf} ({pdf.stat().st_size / 1024:,.0f} KiB)", flush=True)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from ilp_pipeline.generator import generate
    from ilp_pipeline.generator.months import default_months

    settings = load_settings()
    started = time.perf_counter()
    landing = settings.data_dir
    if not landing.exists() or not any(landing.iterdir()):
        months = default_months()
        print(f"ilp demo: generating Kabupaten Musi Banyuasin {months[0]:%Y-%m}..{months[-1]:%Y-%m} into {landing}")
        if landing.exists():
            shutil.rmtree(landing)
        generate(
            landing,
            months,
            seed=args.seed,
            error_rate=args.error_rate,
            progress=lambda m: print(f"ilp demo: {m}", flush=True),
        )
    months = sorted(p.name for p in (landing / "posyandu").glob("[0-9][0-9][0-9][0-9]-[0-9][0-9]"))
    if not months:
        raise SystemExit(f"ilp demo: {landing} holds no posyandu registers; empty it or point ILP_DATA_DIR elsewhere")
    ok = run_months(months[0], months[-1]) is not None
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print()
    print(
        f"ilp demo: {'done' if ok else 'FAILED'} in {time.perf_counter() - started:.0f} s "
        f"(peak memory {peak_mib:,.0f} MiB)"
    )
    print(f"  landing directory  {landing}")
    print(f"  warehouse (DuckDB) {settings.warehouse}  -> schema pws")
    print(f"  Parquet            {settings.publish_dir / 'pws'}")
    print(f"  PWS reports        {settings.publish_dir / 'laporan'}/<YYYY-MM>/index.html")
    print("  Dagster UI         ilp ui  (then open http://127.0.0.1:3000)")
    return 0 if ok else 1


def cmd_ui(args: argparse.Namespace) -> int:
    home = _dagster_home()
    dagster = Path(sys.executable).parent / "dagster"
    print(f"ilp ui: Dagster UI on http://{args.host}:{args.port} (instance {home})", flush=True)
    os.execv(
        str(dagster),
        [str(dagster), "dev", "-w", str(PROJECT_ROOT / "workspace.yaml"), "-h", args.host, "-p", str(args.port)],
    )
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from ilp_pipeline.bench import format_report, run_bench, write_json

    workdir = Path(args.workdir).expanduser().resolve()
    result = run_bench(
        args.scale,
        args.months,
        workdir,
        seed=args.seed,
        nightly=not args.no_nightly,
        province=args.province,
        fraction=args.fraction,
        progress=lambda m: print(f"ilp bench: {m}", flush=True),
    )
    path = write_json(result, Path(args.json) if args.json else workdir / f"bench-{args.scale}-{args.months}m.json")
    print(format_report(result))
    print(f"ilp bench: results written to {path}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ilp", description="ILP pipeline: PWS tables per kelurahan")
    commands = parser.add_subparsers(dest="command", required=True)

    demo = commands.add_parser(
        "demo",
        help="generate a demo kabupaten (when the landing directory is empty), materialise every month and publish",
    )
    demo.add_argument("--seed", type=int, default=7)
    demo.add_argument("--error-rate", type=float, default=0.01)
    demo.set_defaults(handler=cmd_demo)

    generate = commands.add_parser("generate", help="write a synthetic landing directory")
    generate.add_argument("--scale", choices=["kabupaten", "provinsi", "nasional"], default="kabupaten")
    generate.add_argument("--months", help="YYYY-MM..YYYY-MM (default: this year up to last month)")
    generate.add_argument("--out", default=os.environ.get("ILP_DATA_DIR") or "data/landing")
    generate.add_argument("--seed", type=int, default=7)
    generate.add_argument("--error-rate", type=float, default=0.0)
    generate.add_argument("--province", help="provinsi scale: the 2-digit province code (default 33, Jawa Tengah)")
    generate.add_argument(
        "--fraction", type=float, default=1.0, help="share of the scale's kelurahan, whole kabupaten in code order"
    )
    generate.set_defaults(handler=cmd_generate)

    run = commands.add_parser("run", help="materialise every asset of the given monthly partitions")
    run.add_argument("--period", help="YYYY-MM")
    run.add_argument("--from", dest="from_", help="YYYY-MM")
    run.add_argument("--to", help="YYYY-MM")
    run.set_defaults(handler=cmd_run)

    bench = commands.add_parser("bench", help="generate (or reuse) data, run the pipeline, time every stage")
    bench.add_argument("--scale", choices=["kabupaten", "provinsi", "nasional"], default="kabupaten")
    bench.add_argument("--months", type=int, default=12, help="months in the full run (then one more, nightly)")
    bench.add_argument("--seed", type=int, default=7)
    bench.add_argument("--workdir", default="data/bench", help="generated data is kept here and reused")
    bench.add_argument("--json", help="where to write the results (default: WORKDIR/bench-SCALE-Nm.json)")
    bench.add_argument("--no-nightly", action="store_true", help="skip the one-more-month run")
    bench.add_argument("--province", help="provinsi scale: the 2-digit province code (default 33, Jawa Tengah)")
    bench.add_argument("--fraction", type=float, default=1.0, help="nasional scale: the share of the nation")
    bench.set_defaults(handler=cmd_bench)

    history = commands.add_parser("history", help="how a period's published numbers changed between versions")
    history.add_argument("--period", required=True, help="YYYY-MM")
    history.add_argument("--kelurahan", help="10-digit kelurahan code")
    history.add_argument("--indicator", help="catalogue indicator code")
    history.add_argument("--limit", type=int, default=40, help="at most this many files and values per change")
    history.set_defaults(handler=cmd_history)

    export = commands.add_parser("export", help="export the published tables for others")
    export.add_argument("--open-data", action="store_true", help="counts of 1 to 4 suppressed, Parquet and CSV")
    export.add_argument("--out", help="folder (default: ILP_PUBLISH_DIR/open_data)")
    export.set_defaults(handler=cmd_export)

    report = commands.add_parser("report", help="the PWS report per puskesmas and kabupaten/kota of a month")
    report.add_argument("--period", required=True, help="YYYY-MM")
    report.add_argument("--pdf", action="store_true", help="also print each report to PDF with headless Chromium")
    report.add_argument("--code", nargs="+", help="only these puskesmas or kabupaten/kota codes (for --pdf)")
    report.set_defaults(handler=cmd_report)

    ui = commands.add_parser("ui", help="start the Dagster UI on the project's workspace.yaml")
    ui.add_argument("--host", default="127.0.0.1")
    ui.add_argument("--port", type=int, default=3000)
    ui.set_defaults(handler=cmd_ui)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
