"""One report page: the report's data and chart specifications poured into one self-contained HTML file.

The charts are drawn in the browser by Vega (the bundle vl-convert ships, inlined once per file), so the
file needs no network; every number in a table is formatted here from the published value.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from importlib import resources

import jinja2
import pandas as pd

from ilp_pipeline.report import charts
from ilp_pipeline.report.bundle import vega_bundle
from ilp_pipeline.report.data import (
    ACCESS_INDICATOR,
    DROP_OUT_INDICATOR,
    GROUPS,
    POSYANDU_INDICATORS,
    TREND_ARROWS,
    TREND_INDICATORS,
    ReportData,
)

MONTHS_ID = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
STATUS_ORDER = ("baik", "kurang", "cukup", "jelek")
DROP_OUT_LIMIT_PCT = 5.0
# Indonesian number format for every number Vega draws: decimal comma, thousands dot.
FORMAT_LOCALE = {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["Rp", ""]}


@functools.cache
def _template() -> jinja2.Template:
    environment = jinja2.Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
    environment.filters.update(pct=format_pct, num=format_number, tanggal=format_date, teks=format_text)
    text = resources.files("ilp_pipeline.report").joinpath("templates/laporan.html.j2").read_text("utf-8")
    return environment.from_string(text)


def _missing(value) -> bool:
    return value is None or bool(pd.isna(value))


def format_number(value, decimals: int = 0) -> str:
    if _missing(value):
        return "–"
    text = f"{float(value):,.{decimals}f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def format_text(value) -> str:
    return "–" if _missing(value) or value == "" else str(value)


def format_pct(value) -> str:
    return format_number(value, 1)


def format_date(value) -> str:
    if _missing(value):
        return "–"
    return f"{value.day} {MONTHS_ID[value.month - 1]} {value.year}" + (
        f", {value:%H.%M}" if isinstance(value, dt.datetime) else ""
    )


def month_label(period: dt.date) -> str:
    return f"{MONTHS_ID[period.month - 1]} {period.year}"


def _chart(chart_id: str, spec: str, **data: object) -> dict:
    return {"id": chart_id, "spec": spec.replace("</", "<\\/"), "data": data}


def _by_code(rows: list[dict]) -> dict[str, dict]:
    return {row["indicator_code"]: row for row in rows}


def _summary(report: ReportData, totals: dict[str, dict], names: dict[str, str]) -> dict:
    behind = sorted(
        (
            {**row, "indicator_name": names.get(code)}
            for code, row in totals.items()
            if not _missing(row["gap_pct"]) and row["gap_pct"] < 0
        ),
        key=lambda row: row["gap_pct"],
    )
    jelek: dict[str, list[str]] = {}
    for member in report.members:
        if member["status"] == "jelek":
            jelek.setdefault(member["name"], []).append(names.get(member["indicator_code"]))
    per_member = sorted(
        ({"name": name, "indicator_name": found, "count": len(found)} for name, found in jelek.items()),
        key=lambda row: (-row["count"], row["name"]),
    )
    statuses = [row["status"] for row in totals.values()]
    return {
        "indicators": len(totals),
        "behind": behind,
        "jelek_members": per_member,
        "members_with_jelek": len(per_member),
        "members": len({member["code"] for member in report.members}),
        "status_counts": {status: statuses.count(status) for status in STATUS_ORDER},
        "completeness": {code: totals.get(code) for code in POSYANDU_INDICATORS},
    }


def _groups(report: ReportData, totals: dict[str, dict]) -> list[dict]:
    bars_by_indicator = _by_code(report.bars)
    indicators = report.indicators
    groups = []
    for group, label in GROUPS.items():
        figures = []
        for indicator in indicators:
            code = indicator["indicator_code"]
            if indicator["life_cycle_group"] != group or code not in totals:
                continue
            bars = bars_by_indicator[code]
            spec = charts.pws_chart(bars["bars_json"], int(bars["bars"]), indicator, totals[code]["target_ytd_pct"])
            figures.append(_chart(f"pws-{code}", spec, indicator=code, bars=int(bars["bars_with_value"])))
        if figures:
            groups.append({"code": group, "label": label, "charts": figures})
    return groups


def _trend_charts(report: ReportData) -> list[dict]:
    indicators = _by_code(report.indicators)
    trends = _by_code(report.trends)
    area_label = report.area.name.upper()
    return [
        _chart(
            f"trend-{code}",
            charts.trend_chart(trends[code]["trend_json"], trends[code]["target_json"], indicators[code], area_label),
            indicator=code,
        )
        for code in TREND_INDICATORS
        if code in trends and code in indicators
    ]


def _quadrant(report: ReportData, totals: dict[str, dict]) -> dict | None:
    axes = {ACCESS_INDICATOR: "access", DROP_OUT_INDICATOR: "drop_out"}
    coverage: dict[str, dict] = {}
    for member in report.members:
        if member["indicator_code"] in axes:
            point = coverage.setdefault(member["code"], {"name": member["name"]})
            point[axes[member["indicator_code"]]] = member["coverage_ytd_pct"]
    if not coverage or ACCESS_INDICATOR not in totals:
        return None
    access_target = float(totals[ACCESS_INDICATOR]["target_ytd_pct"])
    points = sorted(
        (
            {
                **point,
                "quadrant": ("Akses baik" if point["access"] >= access_target else "Akses kurang")
                + (", kelangsungan baik" if point["drop_out"] <= DROP_OUT_LIMIT_PCT else ", kelangsungan kurang"),
            }
            for point in coverage.values()
            if not _missing(point.get("access")) and not _missing(point.get("drop_out"))
        ),
        key=lambda point: point["name"],
    )
    spec = charts.quadrant_chart(points, access_target, DROP_OUT_LIMIT_PCT)
    return {
        "chart": _chart("quadrant", spec, points=len(points)),
        "rows": sorted(points, key=lambda point: (point["quadrant"], point["name"])),
    }


def _posyandu_table(report: ReportData) -> list[dict]:
    """Per member, its posyandu indicators by code, members in name order."""
    table: dict[str, dict] = {}
    for row in report.members:
        if row["indicator_code"] in POSYANDU_INDICATORS:
            table.setdefault(row["code"], {"name": row["name"]})[row["indicator_code"]] = row
    return sorted(table.values(), key=lambda member: member["name"])


def render_report(report: ReportData, generated_at: dt.datetime, bundle: str | None = None) -> str:
    totals = _by_code(report.totals)
    names = {row["indicator_code"]: row["indicator_name"] for row in report.indicators}
    return _template().render(
        report=report,
        area=report.area,
        level=report.area.level,
        month=month_label(report.period),
        summary=_summary(report, totals, names),
        groups=_groups(report, totals),
        trends=_trend_charts(report),
        quadrant=_quadrant(report, totals),
        posyandu_indicators=_posyandu_table(report),
        indicator_names=names,
        status_colours=charts.STATUS_COLOURS,
        trend_arrows=TREND_ARROWS,
        generated_at=generated_at,
        format_locale=json.dumps(FORMAT_LOCALE),
        vega_bundle=bundle or vega_bundle(),
    )
