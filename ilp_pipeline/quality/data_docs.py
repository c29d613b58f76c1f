"""Data Docs: the latest result of every Great Expectations suite as a static site readable offline.

GX's own Data Docs load Bootstrap and Vega from CDNs, which closed health-office networks cannot reach, so
the site is written here: one HTML file with inline styles, and the same results as JSON. Results hold
counts and expectation names only, never a value of a row.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path

from ilp_pipeline.quality.expectations import CheckOutcome

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem; color: #1f2933; }
table { border-collapse: collapse; width: 100%; margin-bottom: 1.5rem; }
th, td { border: 1px solid #cbd2d9; padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #f0f4f8; }
.passed { color: #1b7f3b; font-weight: 600; }
.failed { color: #b42318; font-weight: 600; }
.warned { color: #b54708; font-weight: 600; }
small { color: #52606d; }
"""


def docs_dir(publish_dir: Path) -> Path:
    return Path(publish_dir) / "data_docs"


def recorded_outcomes(publish_dir: Path) -> dict[str, dict]:
    """The latest recorded result of each suite, by suite name, with the time it was checked."""
    store = docs_dir(publish_dir) / "results.json"
    return json.loads(store.read_text(encoding="utf-8")) if store.exists() else {}


def record_outcomes(publish_dir: Path, outcomes: Iterable[CheckOutcome]) -> Path:
    """Store these suites' latest results next to the others' and re-render the site; returns index.html."""
    folder = docs_dir(publish_dir)
    folder.mkdir(parents=True, exist_ok=True)
    store = folder / "results.json"
    results = recorded_outcomes(publish_dir)
    checked_at = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    for outcome in outcomes:
        results[outcome.name] = {**asdict(outcome), "checked_at": checked_at}
    store.write_text(json.dumps(results, indent=1, sort_keys=True), encoding="utf-8")
    index = folder / "index.html"
    index.write_text(render(results), encoding="utf-8")
    return index


def _status(result: dict) -> str:
    if result["passed"]:
        return '<span class="passed">lulus</span>'
    return (
        '<span class="failed">gagal (memblokir)</span>'
        if result["blocking"]
        else '<span class="warned">peringatan</span>'
    )


def render(results: dict[str, dict]) -> str:
    rows, sections = [], []
    for name in sorted(results):
        result = results[name]
        anchor = html.escape(name)
        rows.append(
            f'<tr><td><a href="#{anchor}">{anchor}</a></td><td>{html.escape(result["table"])}</td>'
            f"<td>{_status(result)}</td><td>{'ya' if result['blocking'] else 'tidak'}</td>"
            f"<td>{html.escape(result['checked_at'])}</td></tr>"
        )
        expectations = "".join(
            f"<tr><td>{html.escape(label)}</td><td>{value:,.6g}</td></tr>"
            for label, value in sorted(result["observed"].items())
        )
        failures = "".join(f"<li>{html.escape(f)}</li>" for f in result["failures"]) or "<li>tidak ada</li>"
        sections.append(
            f'<h2 id="{anchor}">{anchor}</h2><p>{html.escape(result["description"])}</p>'
            f"<p>Status: {_status(result)} <small>({html.escape(result['checked_at'])})</small></p>"
            f"<h3>Harapan yang gagal</h3><ul>{failures}</ul>"
            "<table><tr><th>Harapan (expectation)</th><th>Nilai teramati / jumlah tidak sesuai</th></tr>"
            f"{expectations}</table>"
        )
    return (
        '<!DOCTYPE html><html lang="id"><head><meta charset="utf-8">'
        f"<title>ILP Data Docs</title><style>{STYLE}</style></head><body>"
        "<h1>Data Docs: pemeriksaan mutu data ILP</h1>"
        "<p>Hasil terakhir setiap suite Great Expectations. Hanya jumlah, tanpa data pribadi.</p>"
        "<table><tr><th>Suite</th><th>Tabel</th><th>Status</th><th>Memblokir publikasi</th><th>Waktu</th></tr>"
        f"{''.join(rows)}</table>{''.join(sections)}</body></html>"
    )
