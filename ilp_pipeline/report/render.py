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
import vl_convert

from ilp_pipeline.report import charts
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
def vega_bundle() -> str:
    """Vega, Vega-Lite and vega-embed in one script, as vl-convert bundles them for offline pages."""
    return vl_convert.javascript_bundle().replace("</script", "<\\/script")


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


def _summary(report: ReportData) -> dict:
    names = report.indicators.set_index("indicator_code")["indicator_name"]
    totals = report.totals.set_index("indicator_code")
    behind = totals[totals["gap_pct"] < 0].assign(indicator_name=lambda f: f.index.map(names))
    jelek = report.members[report.members["status"] == "jelek"]
    per_member = (
        jelek.assign(indicator_name=jelek["indicator_code"].map(names))
        .groupby("name", sort=True)["indicator_name"]
        .agg(list)
        .reset_index()
    )
    per_member = per_member.assign(count=per_member["indicator_name"].map(len)).sort_values(
        ["count", "name"], ascending=[False, True]
    )
    status_counts = totals["status"].value_counts().reindex(STATUS_ORDER, fill_value=0)
    return {
        "indicators": len(totals),
        "behind": behind.sort_values("gap_pct").reset_index().to_dict("records"),
        "jelek_members": per_member.to_dict("records"),
        "members_with_jelek": len(per_member),
        "members": report.members["code"].nunique(),
        "status_counts": status_counts.to_dict(),
        "completeness": {
            code: totals.loc[code].to_dict() if code in totals.index else None for code in POSYANDU_INDICATORS
        },
    }


def _groups(report: ReportData) -> list[dict]:
    bars_by_indicator = report.bars.set_index("indicator_code")
    totals = report.totals.set_index("indicator_code")
    groups = []
    for group, label in GROUPS.items():
        rows = report.indicators[report.indicators["life_cycle_group"] == group]
        figures = []
        for _, indicator in rows.iterrows():
            code = indicator["indicator_code"]
            if code not in totals.index:
                continue
            total = totals.loc[code]
            bars = bars_by_indicator.loc[code]
            spec = charts.pws_chart(bars["bars_json"], int(bars["bars"]), indicator, total["target_ytd_pct"])
            figures.append(
                _chart(
                    f"pws-{code}",
                    spec,
                    indicator=code,
                    bars=int(bars["bars_with_value"]),
                )
            )
        if figures:
            groups.append({"code": group, "label": label, "charts": figures})
    return groups


def _trend_charts(report: ReportData) -> list[dict]:
    indicators = report.indicators.set_index("indicator_code")
    trends = report.trends.set_index("indicator_code")
    area_label = report.area.name.upper()
    return [
        _chart(
            f"trend-{code}",
            charts.trend_chart(
                trends.loc[code, "trend_json"], trends.loc[code, "target_json"], indicators.loc[code], area_label
            ),
            indicator=code,
        )
        for code in TREND_INDICATORS
        if code in trends.index and code in indicators.index
    ]


def _quadrant(report: ReportData) -> dict | None:
    pivot = report.members.pivot_table(
        index="name", columns="indicator_code", values="coverage_ytd_pct", aggfunc="first", dropna=False
    )
    if ACCESS_INDICATOR not in pivot or DROP_OUT_INDICATOR not in pivot:
        return None
    totals = report.totals.set_index("indicator_code")
    access_target = float(totals.loc[ACCESS_INDICATOR, "target_ytd_pct"])
    points = (
        pivot[[ACCESS_INDICATOR, DROP_OUT_INDICATOR]]
        .rename(columns={ACCESS_INDICATOR: "access", DROP_OUT_INDICATOR: "drop_out"})
        .dropna()
        .reset_index()
    )
    good_access = points["access"] >= access_target
    low_drop_out = points["drop_out"] <= DROP_OUT_LIMIT_PCT
    points = points.assign(
        quadrant=[
            ("Akses baik" if a else "Akses kurang") + (", kelangsungan baik" if d else ", kelangsungan kurang")
            for a, d in zip(good_access, low_drop_out, strict=True)
        ]
    )
    spec = charts.quadrant_chart(points, access_target, DROP_OUT_LIMIT_PCT)
    return {
        "chart": _chart("quadrant", spec, points=len(points)),
        "rows": points.sort_values(["quadrant", "name"]).to_dict("records"),
    }


def _posyandu_table(report: ReportData) -> list[dict]:
    frame = report.members[report.members["indicator_code"].isin(POSYANDU_INDICATORS)]
    table = []
    for name, rows in frame.groupby("name", sort=True):
        by_code = rows.set_index("indicator_code")
        table.append({"name": name, **{code: by_code.loc[code].to_dict() for code in by_code.index}})
    return table


def render_report(report: ReportData, generated_at: dt.datetime) -> str:
    return _template().render(
        report=report,
        area=report.area,
        level=report.area.level,
        month=month_label(report.period),
        summary=_summary(report),
        groups=_groups(report),
        trends=_trend_charts(report),
        quadrant=_quadrant(report),
        posyandu_indicators=_posyandu_table(report),
        indicator_names=report.indicators.set_index("indicator_code")["indicator_name"].to_dict(),
        status_colours=charts.STATUS_COLOURS,
        trend_arrows=TREND_ARROWS,
        generated_at=generated_at,
        format_locale=json.dumps(FORMAT_LOCALE),
        vega_bundle=vega_bundle(),
    )
