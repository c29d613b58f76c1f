"""Vega-Lite specifications of the report's charts, designed with Altair.

Altair builds each kind of chart once, over named datasets and placeholder titles; a report fills in its
rows and titles (building every chart anew through Altair costs about 80 ms a chart, a minute a month).
Marks are named so that a reader of the page (or a test) can find them: `bars` and `target` in every PWS
chart, `trend_arrows` under the bars, `lines` in the trend charts, `points` in the quadrant.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping

import altair as alt
import pandas as pd

STATUS_COLOURS = {
    "baik": "#1a9850",
    "kurang": "#f2c12e",
    "cukup": "#4575b4",
    "jelek": "#d73027",
    "tanpa status": "#b0b0b0",
}
BAR_WIDTH = 28
MIN_WIDTH = 300
# Placeholders Altair carries through untouched and a report replaces.
WIDTH = 90001
TITLE, SUBTITLE, Y_TITLE = "@@title@@", "@@subtitle@@", "@@y_title@@"


def _x(axis: alt.Axis | None) -> alt.X:
    return alt.X(
        "label:N",
        sort=alt.EncodingSortField("order", op="min"),
        title=None,
        axis=axis,
        scale=alt.Scale(type="band", paddingInner=0.15),
    )


@functools.cache
def _pws_template() -> str:
    bars = alt.NamedData("bars")
    columns = (
        alt.Chart(bars, name="bars")
        .mark_bar(stroke="#222222")
        .encode(
            x=_x(None),
            y=alt.Y("coverage_ytd_pct:Q", title=Y_TITLE),
            color=alt.Color(
                "status_label:N",
                scale=alt.Scale(domain=list(STATUS_COLOURS), range=list(STATUS_COLOURS.values())),
                legend=None,
            ),
            strokeWidth=alt.condition("datum.is_total", alt.value(2.5), alt.value(0)),
            tooltip=[
                alt.Tooltip("label:N", title="wilayah"),
                alt.Tooltip("coverage_ytd_pct:Q", title="kumulatif", format=".1f"),
                alt.Tooltip("coverage_month_pct:Q", title="bulan ini", format=".1f"),
                alt.Tooltip("numerator_ytd:Q", title="capaian kumulatif", format=",d"),
                alt.Tooltip("denominator:Q", title="sasaran", format=",.0f"),
                alt.Tooltip("status_label:N", title="status"),
                alt.Tooltip("trend:N", title="tren"),
            ],
        )
    )
    values = (
        alt.Chart(bars, name="values")
        .mark_text(dy=-5, fontSize=9, color="#222222")
        .encode(x=_x(None), y="coverage_ytd_pct:Q", text=alt.Text("coverage_ytd_pct:Q", format=".1f"))
    )
    target = (
        alt.Chart(alt.NamedData("target"), name="target")
        .mark_rule(color="#111111", strokeDash=[6, 3], size=1.5)
        .encode(y="target:Q", tooltip=[alt.Tooltip("target:Q", title="target kumulatif", format=".1f")])
    )
    arrows = (
        alt.Chart(bars, name="trend_arrows")
        .mark_text(fontSize=11)
        .encode(
            x=_x(alt.Axis(labelAngle=-40, labelLimit=120, labelFontSize=9, ticks=False, domain=False)),
            text="arrow:N",
            color=alt.Color("arrow_colour:N", scale=None),
        )
        .properties(width=WIDTH, height=14)
    )
    chart = alt.vconcat(
        alt.layer(columns, values, target).properties(width=WIDTH, height=170),
        arrows,
        spacing=2,
        title=alt.Title(TITLE, subtitle=SUBTITLE, anchor="start", fontSize=12),
    )
    return json.dumps(chart.to_dict(validate=False))


@functools.cache
def _trend_template() -> str:
    lines = (
        alt.Chart(alt.NamedData("trend"), name="lines")
        .mark_line(point=True)
        .encode(
            x=alt.X("bulan:O", title=None),
            y=alt.Y("coverage_ytd_pct:Q", title=Y_TITLE),
            color=alt.Color("name:N", title=None, legend=alt.Legend(labelFontSize=9, symbolSize=40, columns=1)),
            strokeWidth=alt.condition("datum.is_total", alt.value(3.5), alt.value(1.2)),
            tooltip=["name:N", "bulan:O", alt.Tooltip("coverage_ytd_pct:Q", format=".1f")],
        )
    )
    target = (
        alt.Chart(alt.NamedData("target"), name="target")
        .mark_line(color="#111111", strokeDash=[6, 3])
        .encode(x="bulan:O", y="target_ytd_pct:Q")
    )
    chart = alt.layer(lines, target).properties(
        width=420, height=220, title=alt.Title(TITLE, subtitle=SUBTITLE, anchor="start", fontSize=12)
    )
    return json.dumps(chart.to_dict(validate=False))


@functools.cache
def _quadrant_template() -> str:
    points = alt.NamedData("points")
    dots = (
        alt.Chart(points, name="points")
        .mark_circle(size=90, color="#4575b4", opacity=0.85)
        .encode(
            x=alt.X("access:Q", title="Cakupan DPT-HB-Hib1 kumulatif (%)"),
            y=alt.Y("drop_out:Q", title="Drop out DPT1-MR1 (%)"),
            tooltip=["name:N", alt.Tooltip("access:Q", format=".1f"), alt.Tooltip("drop_out:Q", format=".1f")],
        )
    )
    labels = (
        alt.Chart(points).mark_text(align="left", dx=7, fontSize=9).encode(x="access:Q", y="drop_out:Q", text="name:N")
    )
    limits = alt.NamedData("limits")
    vertical = alt.Chart(limits).mark_rule(color="#111111", strokeDash=[6, 3]).encode(x="access:Q")
    horizontal = alt.Chart(limits).mark_rule(color="#d73027", strokeDash=[6, 3]).encode(y="drop_out:Q")
    chart = alt.layer(dots, labels, vertical, horizontal).properties(
        width=620, height=360, title=alt.Title(TITLE, subtitle=SUBTITLE, anchor="start", fontSize=12)
    )
    return json.dumps(chart.to_dict(validate=False))


def _filled(template: str, datasets: dict[str, str], width: int = WIDTH, **texts: str) -> str:
    """The template's JSON text with its placeholders replaced and the datasets (JSON arrays) attached."""
    text = template.replace(str(WIDTH), str(width))
    for placeholder, value in (
        (TITLE, texts.get("title", "")),
        (SUBTITLE, texts.get("subtitle", "")),
        (Y_TITLE, texts.get("y_title", "")),
    ):
        text = text.replace(json.dumps(placeholder), json.dumps(value))
    attached = ", ".join(f"{json.dumps(name)}: {rows}" for name, rows in datasets.items())
    return f'{text[: text.rindex("}")]}, "datasets": {{{attached}}}}}'


def _unit(indicator: Mapping) -> str:
    return "%" if indicator["unit"] == "percent" else f" {indicator['unit']}"


def pws_chart(bars_json: str, bar_count: int, indicator: Mapping, target_ytd: float | None) -> str:
    """The classic PWS picture: bars best to worst, the area's bar last, the cumulative target as a line."""
    has_target = target_ytd is not None and pd.notna(target_ytd)
    return _filled(
        _pws_template(),
        {"bars": bars_json, "target": json.dumps([{"target": float(target_ytd)}] if has_target else [])},
        width=max(MIN_WIDTH, BAR_WIDTH * bar_count),
        title=f"{indicator['indicator_name']}",
        subtitle=f"Target kumulatif {target_ytd:.1f}{_unit(indicator)}".replace(".", ",") if has_target else "",
        y_title=f"kumulatif ({_unit(indicator).strip()})",
    )


def trend_chart(trend_json: str, target_json: str, indicator: Mapping, area_label: str) -> str:
    """Cumulative coverage month by month this year, one line per member, the area's line and its target."""
    return _filled(
        _trend_template(),
        {"trend": trend_json, "target": target_json},
        title=indicator["indicator_name"],
        subtitle=f"garis putus-putus: target kumulatif; garis tebal: {area_label}",
        y_title=f"kumulatif ({_unit(indicator).strip()})",
    )


def quadrant_chart(points: list[dict], access_target: float, drop_out_limit: float) -> str:
    """Access (DPT-HB-Hib1 coverage) against drop-out DPT1-MR1: the four classic problem quadrants."""
    limits = json.dumps([{"access": access_target, "drop_out": drop_out_limit}])
    return _filled(
        _quadrant_template(),
        {
            "points": json.dumps(
                [{key: p[key] for key in ("name", "access", "drop_out")} for p in points], separators=(",", ":")
            ),
            "limits": limits,
        },
        title="Kuadran akses dan drop out imunisasi",
        subtitle=f"garis tegak: target kumulatif DPT-HB-Hib1 {access_target:.1f}%; "
        f"garis mendatar: batas drop out {drop_out_limit:.0f}%".replace(".", ","),
    )
