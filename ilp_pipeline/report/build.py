"""Write the month's reports: one HTML file per kabupaten/kota and puskesmas, rebuilt when the published
version (or the report's own code) changed, and printed to PDF by headless Chromium on request."""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import multiprocessing
import os
import shutil
import subprocess
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import duckdb

from ilp_pipeline.report.bundle import vega_bundle
from ilp_pipeline.report.data import Area, ReportData, ReportKey, load_reports, report_areas
from ilp_pipeline.report.render import month_label, render_report

MANIFEST = "manifest.json"


@dataclass
class ReportFile:
    period: dt.date
    code: str
    level: str
    path: Path
    publish_id: str
    built: bool
    seconds: float
    bytes: int


def reports_root(publish_dir: Path) -> Path:
    return publish_dir / "laporan"


def report_dir(publish_dir: Path, period: dt.date) -> Path:
    return reports_root(publish_dir) / f"{period:%Y-%m}"


def report_code_version() -> str:
    """A hash of the report's template and code: a new layout rebuilds reports of unchanged periods too."""
    digest = hashlib.sha256()
    package = resources.files("ilp_pipeline.report")
    for name in sorted(["bundle.py", "charts.py", "data.py", "render.py", "templates/laporan.html.j2"]):
        digest.update(package.joinpath(name).read_bytes())
    return digest.hexdigest()[:12]


def build_reports(
    con: duckdb.DuckDBPyConnection,
    periods: list[dt.date],
    publish_dir: Path,
    log: Callable[[str], None] = print,
    force: bool = False,
) -> list[ReportFile]:
    """Every area's report of every published period among `periods`; periods never published are skipped."""
    versions = dict(
        con.execute(
            "select period_month, arg_max(publish_id, published_at) from pws.publish_log "
            "where list_contains(?, period_month) group by period_month",
            [list(periods)],
        ).fetchall()
    )
    code_version = report_code_version()
    manifests: dict[dt.date, dict] = {}
    current: list[ReportFile] = []
    stale: dict[dt.date, list[Area]] = {}
    for period, publish_id in sorted(versions.items()):
        folder = report_dir(publish_dir, period)
        folder.mkdir(parents=True, exist_ok=True)
        manifest_path = folder / MANIFEST
        manifests[period] = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
        same_layout = manifests[period].get("code_version") == code_version
        entries = manifests[period].get("reports", {})
        for area in report_areas(con, period):
            path = folder / f"{area.code}.html"
            if (
                same_layout
                and entries.get(area.code, {}).get("publish_id") == publish_id
                and path.exists()
                and not force
            ):
                current.append(ReportFile(period, area.code, area.level.name, path, publish_id, False, 0.0, 0))
            else:
                stale.setdefault(period, []).append(area)
    loading = time.perf_counter()
    loaded = load_reports(con, stale) if stale else {}
    bundle = vega_bundle(reports_root(publish_dir)) if stale else None
    load_share = (time.perf_counter() - loading) / max(len(loaded), 1)
    rendered = _render(publish_dir, loaded, bundle)
    written: list[ReportFile] = []
    for period in sorted(versions):
        folder = report_dir(publish_dir, period)
        entries = manifests[period].get("reports", {})
        built = []
        for area in stale.get(period, []):
            report = loaded[(period, area.code)]
            size, seconds = rendered[(period, area.code)]
            entries[area.code] = {
                "name": area.name,
                "level": area.level.name,
                "publish_id": report.publish_id,
                "bytes": size,
            }
            built.append(
                ReportFile(
                    period,
                    area.code,
                    area.level.name,
                    folder / f"{area.code}.html",
                    report.publish_id,
                    True,
                    load_share + seconds,
                    size,
                )
            )
        manifest = {"period": f"{period:%Y-%m}", "code_version": code_version, "reports": entries}
        (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True))
        _write_index(folder, period, entries)
        written += [f for f in current if f.period == period] + built
        log(f"laporan {period:%Y-%m}: {len(built)} reports written, {len(entries) - len(built)} already current")
    return written


# The reports being written, for the process forked to render half of them: it inherits them with its
# memory instead of receiving them pickled.
_BATCH: dict = {}
# Below this many reports a second process costs more than it saves.
RENDER_IN_TWO_PROCESSES_FROM = 8


def _render(
    publish_dir: Path, loaded: dict[ReportKey, ReportData], bundle: str | None
) -> dict[ReportKey, tuple[int, float]]:
    """Each report's HTML file, written; bytes and seconds by (period, area code).

    Rendering is Python and holds the interpreter lock, so on a machine with two cores or more a forked
    process renders every other report while this one renders the rest: one fork for all the run's months."""
    keys = sorted(loaded)
    _BATCH.update(publish_dir=publish_dir, loaded=loaded, bundle=bundle)
    try:
        if len(keys) < RENDER_IN_TWO_PROCESSES_FROM or (os.cpu_count() or 1) < 2:
            return _render_reports(keys)
        with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork")) as other:
            theirs = other.submit(_render_reports, keys[1::2])
            mine = _render_reports(keys[0::2])
            return mine | theirs.result()
    finally:
        _BATCH.clear()


def _render_reports(keys: list[ReportKey]) -> dict[ReportKey, tuple[int, float]]:
    publish_dir, loaded, bundle = _BATCH["publish_dir"], _BATCH["loaded"], _BATCH["bundle"]
    rendered = {}
    for period, code in keys:
        started = time.perf_counter()
        text = render_report(loaded[(period, code)], dt.datetime.now(dt.UTC).replace(tzinfo=None), bundle)
        encoded = text.encode("utf-8")
        path = report_dir(publish_dir, period) / f"{code}.html"
        partial = path.with_suffix(".html.partial")
        partial.write_bytes(encoded)
        os.replace(partial, path)
        rendered[(period, code)] = (len(encoded), time.perf_counter() - started)
    return rendered


def _write_index(folder: Path, period: dt.date, entries: dict) -> None:
    """A plain list of the month's reports, kabupaten/kota first."""
    items = sorted(entries.items(), key=lambda item: (item[1]["level"] != "kabkota", item[1]["name"]))
    links = "\n".join(
        f'<li><a href="{html.escape(code)}.html">{html.escape(entry["name"])}</a> ({html.escape(code)})</li>'
        for code, entry in items
    )
    (folder / "index.html").write_text(
        f'<!DOCTYPE html><html lang="id"><head><meta charset="utf-8"><title>Laporan PWS {month_label(period)}'
        f"</title></head><body><h1>Laporan PWS {month_label(period)}</h1><ul>\n{links}\n</ul></body></html>\n",
        encoding="utf-8",
    )


def chromium_path() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    raise FileNotFoundError("no Chromium on PATH: install Debian's chromium to print reports to PDF")


def print_pdf(html_path: Path, pdf_path: Path | None = None, timeout: float = 120) -> Path:
    """The report as Chromium prints it (A4 landscape from the page's own @page rule), charts drawn first."""
    pdf_path = pdf_path or html_path.with_suffix(".pdf")
    partial = pdf_path.with_suffix(".pdf.partial")
    command = [
        chromium_path(),
        "--headless",
        "--disable-gpu",
        "--no-sandbox",  # the sandbox refuses to start as root, as in containers
        "--no-pdf-header-footer",
        "--virtual-time-budget=30000",
        f"--print-to-pdf={partial}",
        html_path.resolve().as_uri(),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0 or not partial.exists():
        raise RuntimeError(f"chromium could not print {html_path}: {result.stderr[-2000:]}")
    os.replace(partial, pdf_path)
    return pdf_path
