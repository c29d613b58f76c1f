"""The PWS report of the demo kabupaten: drawn in Debian's chromium with no network, every indicator's chart
with its bars and target line, and every number equal to the published `pws` tables of the stated version.

Screenshots go to test-artifacts/report/.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import copied_run_env, ilp, warehouse
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts" / "report"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PERIOD = dt.date(2026, 3, 1)
REGENCY = "1606"
SPEC = re.compile(r'<script type="application/json" data-chart="([^"]+)">(.*?)</script>', re.S)


def _report_folder(run: dict, period: dt.date = PERIOD) -> Path:
    return Path(run["env"]["ILP_PUBLISH_DIR"]) / "laporan" / f"{period:%Y-%m}"


def _published(run: dict, sql: str, params: list) -> list[tuple]:
    with warehouse(run) as con:
        return con.execute(sql, params).fetchall()


def _specs(path: Path) -> dict[str, dict]:
    return {chart: json.loads(text.replace("<\\/", "</")) for chart, text in SPEC.findall(path.read_text("utf-8"))}


def _expected_bars(run: dict, level: str, code: str, indicator: str) -> list[tuple[str, float]]:
    """(label, cumulative coverage) of every bar the chart must draw: members, then the area itself."""
    if level == "kabkota":
        members, member_name, area_column = "puskesmas_indicator_monthly", "puskesmas_name", "regency_code"
        total, total_name = "regency_indicator_monthly", "regency_name"
    else:
        members, member_name, area_column = "kelurahan_indicator_monthly", "kelurahan_name", "puskesmas_code"
        total, total_name = "puskesmas_indicator_monthly", "puskesmas_name"
    return _published(
        run,
        f"""select {member_name}, coverage_ytd_pct from pws.{members}
            where period_month = ? and {area_column} = ? and indicator_code = ? and {member_name} is not null
              and coverage_ytd_pct is not null
            union all
            select upper({total_name}), coverage_ytd_pct from pws.{total}
            where period_month = ? and {area_column} = ? and indicator_code = ? and coverage_ytd_pct is not null""",
        [PERIOD, code, indicator, PERIOD, code, indicator],
    )


def test_a_report_per_kabupaten_and_puskesmas_for_every_published_month(pipeline_run) -> None:
    for period in (dt.date(2026, 1, 1), dt.date(2026, 2, 1), PERIOD):
        folder = _report_folder(pipeline_run, period)
        centres = {
            c
            for (c,) in _published(
                pipeline_run,
                "select distinct puskesmas_code from pws.puskesmas_indicator_monthly where period_month = ?",
                [period],
            )
        }
        assert len(centres) > 20
        assert {p.stem for p in folder.glob("*.html")} == centres | {REGENCY, "index"}
        (publish_id,) = _published(
            pipeline_run,
            "select publish_id from pws.publish_log where period_month = ? order by published_at desc limit 1",
            [period],
        )[0]
        manifest = json.loads((folder / "manifest.json").read_text())
        assert {entry["publish_id"] for entry in manifest["reports"].values()} == {publish_id}
        page = (folder / f"{REGENCY}.html").read_text("utf-8")
        assert f'<meta name="publish-id" content="{publish_id}">' in page
        assert f'<code id="publish-id">{publish_id}</code>' in page
        # self-contained: nothing is fetched from anywhere
        assert not re.search(r'(src|href)="(https?:)?//', page)
    # the identical second run rebuilt no report
    assert "0 reports written, " in pipeline_run["second"].stdout + pipeline_run["second"].stderr


def test_the_report_renders_in_chromium_with_every_chart_and_no_network(pipeline_run) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    indicators = [c for (c,) in _published(pipeline_run, "select indicator_code from pws.dim_indicator", [])]
    (centre,) = _published(
        pipeline_run,
        "select min(puskesmas_code) from pws.puskesmas_indicator_monthly where period_month = ?",
        [PERIOD],
    )[0]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        for level, code in (("kabkota", REGENCY), ("puskesmas", centre)):
            page = browser.new_page(viewport={"width": 1240, "height": 900})
            requests: list[str] = []
            page.on("request", lambda request, seen=requests: seen.append(request.url))
            errors: list[str] = []
            page.on("pageerror", lambda error, seen=errors: seen.append(str(error)))
            page.goto((_report_folder(pipeline_run) / f"{code}.html").as_uri())
            page.wait_for_function(
                "document.body.dataset.chartsReady || document.body.dataset.chartsError", timeout=60_000
            )
            assert page.evaluate("document.body.dataset.chartsError") is None
            assert errors == []
            assert [url for url in requests if not url.startswith("file://")] == []

            for indicator in indicators:
                chart = page.locator(f'.pws-chart[data-indicator="{indicator}"]')
                assert chart.count() == 1, f"{level} {code}: no chart for {indicator}"
                bar_labels = chart.locator("g.mark-rect.role-mark path").evaluate_all(
                    "paths => paths.map(p => p.getAttribute('aria-label'))"
                )
                expected = _expected_bars(pipeline_run, level, code, indicator)
                assert len(bar_labels) == len(expected), f"{level} {code} {indicator}"
                assert sorted(re.match(r"label: (.*?);", label).group(1) for label in bar_labels) == sorted(
                    name for name, _ in expected
                )
                arrows = chart.locator("g.mark-text.role-mark[class*='trend_arrows'] text").count()
                assert arrows >= len(expected)
                (target,) = _published(
                    pipeline_run,
                    f"select target_ytd_pct from pws.{'regency' if level == 'kabkota' else 'puskesmas'}"
                    "_indicator_monthly where period_month = ? and "
                    f"{'regency' if level == 'kabkota' else 'puskesmas'}_code = ? and indicator_code = ?",
                    [PERIOD, code, indicator],
                )[0]
                target_line = chart.locator("g.mark-rule.role-mark[class*='target'] line")
                assert target_line.count() == 1, f"{level} {code} {indicator}: no target line"
                drawn_at = re.match(r"target: ([\d.,-]+);", target_line.get_attribute("aria-label")).group(1)
                assert float(drawn_at.replace(".", "").replace(",", ".")) == pytest.approx(target)

            assert page.locator(".trend-chart").count() == 5
            assert page.locator("#quadrant g.mark-symbol.role-mark path").count() == int(
                page.locator("#quadrant").get_attribute("data-points")
            )
            page.screenshot(path=str(ARTIFACTS / f"{code}-first-page.png"))
            page.locator("#kelompok-bayi").screenshot(path=str(ARTIFACTS / f"{code}-bayi.png"))
            page.screenshot(path=str(ARTIFACTS / f"{code}-full.png"), full_page=True)
            page.emulate_media(media="print")
            page.screenshot(path=str(ARTIFACTS / f"{code}-print.png"))
            page.close()
        browser.close()
    assert (ARTIFACTS / f"{REGENCY}-full.png").stat().st_size > 50_000


def test_report_numbers_equal_the_published_tables(pipeline_run) -> None:
    path = _report_folder(pipeline_run) / f"{REGENCY}.html"
    specs = _specs(path)
    rows = _published(
        pipeline_run,
        """select indicator_code, upper(puskesmas_name), coverage_ytd_pct, coverage_month_pct, numerator_ytd,
                  denominator, target_ytd_pct, coalesce(status, 'tanpa status'), trend
           from pws.puskesmas_indicator_monthly where period_month = ? and regency_code = ?
           union all
           select indicator_code, upper(regency_name), coverage_ytd_pct, coverage_month_pct, numerator_ytd,
                  denominator, target_ytd_pct, coalesce(status, 'tanpa status'), trend
           from pws.regency_indicator_monthly where period_month = ? and regency_code = ?""",
        [PERIOD, REGENCY, PERIOD, REGENCY],
    )
    published = {(r[0], r[1].upper()): r[2:] for r in rows}
    shown = {}
    for chart, spec in specs.items():
        if chart.startswith("pws-"):
            for bar in spec["datasets"]["bars"]:
                shown[(chart[4:], bar["label"].upper())] = (
                    bar["coverage_ytd_pct"],
                    bar["coverage_month_pct"],
                    bar["numerator_ytd"],
                    bar["denominator"],
                    bar["target_ytd_pct"],
                    bar["status_label"],
                    bar["trend"],
                )
    assert shown.keys() == published.keys()
    for key, values in published.items():
        for drawn, value in zip(shown[key], values, strict=True):
            assert drawn == (pytest.approx(value) if isinstance(value, float) else value), key

    # The SKDN table: every kelurahan of the kabupaten, every count as published.
    page = path.read_text("utf-8")
    growth = _published(
        pipeline_run,
        "select kelurahan_code, s_by_name, d, n, t, o, b from pws.kelurahan_growth_monthly "
        "where period_month = ? and regency_code = ? and kelurahan_code is not null",
        [PERIOD, REGENCY],
    )
    table = page[page.index('id="skdn-table"') : page.index("</table>", page.index('id="skdn-table"'))]
    cells = {
        (kelurahan, column): html.unescape(value)
        for kelurahan, row in re.findall(r'<tr data-kelurahan="(\d+)">(.*?)</tr>', table, re.S)
        for column, value in re.findall(r'data-col="(\w+)">([^<]*)<', row)
    }
    assert {k for k, _ in cells} == {row[0] for row in growth}
    for kelurahan, *counts in growth:
        for column, value in zip(("s_by_name", "d", "n", "t", "o", "b"), counts, strict=True):
            assert cells[(kelurahan, column)] == (f"{value:,}".replace(",", ".") if value is not None else "–")

    # The summary: indicators behind target, as the regency row says.
    (behind,) = _published(
        pipeline_run,
        "select count(*) from pws.regency_indicator_monthly where period_month = ? and regency_code = ? "
        "and gap_pct < 0",
        [PERIOD, REGENCY],
    )[0]
    (indicators,) = _published(
        pipeline_run,
        "select count(*) from pws.regency_indicator_monthly where period_month = ? and regency_code = ?",
        [PERIOD, REGENCY],
    )[0]
    assert f'<div class="big">{behind} dari {indicators}</div>' in page


def test_ilp_report_prints_a4_landscape_pdf(pipeline_run, tmp_path) -> None:
    env = copied_run_env(pipeline_run, tmp_path)
    result = ilp(["report", "--period", f"{PERIOD:%Y-%m}", "--pdf", "--code", REGENCY], env, tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    folder = Path(env["ILP_PUBLISH_DIR"]) / "laporan" / f"{PERIOD:%Y-%m}"
    pdf = (folder / f"{REGENCY}.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    boxes = set(re.findall(rb"/MediaBox\s*\[([^\]]*)\]", pdf))
    assert len(boxes) == 1
    width, height = (float(v) for v in boxes.pop().split()[2:])
    assert (round(width), round(height)) == (842, 595)  # A4 landscape in points
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pages >= 1 + 11 + 5  # summary, the life-cycle groups, trends, SKDN, immunisation, posyandu, quality


def test_the_vega_bundle_is_made_once_and_kept_by_vl_convert_version(tmp_path) -> None:
    import vl_convert

    from ilp_pipeline.report.bundle import vega_bundle

    vega_bundle.cache_clear()
    made = vega_bundle(tmp_path)
    kept = sorted(tmp_path.iterdir())
    assert [p.name for p in kept] == [f".vega-bundle-vl-convert-{vl_convert.__version__}.js"]
    assert kept[0].read_text("utf-8") == made and "vega-lite" in made.lower() and "</script" not in made
    kept[0].write_text("kept copy", "utf-8")
    vega_bundle.cache_clear()
    assert vega_bundle(tmp_path) == "kept copy"
    vega_bundle.cache_clear()


def test_the_bundle_is_made_aside_in_a_process_of_its_own_once(tmp_path) -> None:
    """The dbt step starts this while dbt starts up; the report step then reads the kept bundle."""
    from ilp_pipeline.report.bundle import bundle_path, make_bundle_aside

    maker = make_bundle_aside(tmp_path / "laporan")
    assert maker is not None and maker.wait(timeout=300) == 0
    kept = bundle_path(tmp_path / "laporan").read_text("utf-8")
    assert "vega-lite" in kept.lower() and "</script" not in kept
    assert make_bundle_aside(tmp_path / "laporan") is None
