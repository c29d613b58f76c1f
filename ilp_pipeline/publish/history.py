"""`ilp history`: how a period's published numbers changed between versions, and the landed files behind
each restatement (pws_history)."""

from __future__ import annotations

import datetime as dt

import duckdb

CHANGED_CELLS_SQL = """
    select
        coalesce(after.kelurahan_code, before.kelurahan_code) as kelurahan_code,
        coalesce(after.kelurahan_name, before.kelurahan_name) as kelurahan_name,
        coalesce(after.indicator_code, before.indicator_code) as indicator_code,
        before.numerator_month as numerator_month_before, after.numerator_month as numerator_month_after,
        before.numerator_ytd as numerator_ytd_before, after.numerator_ytd as numerator_ytd_after,
        before.denominator as denominator_before, after.denominator as denominator_after,
        before.coverage_ytd_pct as coverage_ytd_pct_before, after.coverage_ytd_pct as coverage_ytd_pct_after
    from (select * from pws_history.kelurahan_indicator_monthly where publish_id = $before) as before
    full join (select * from pws_history.kelurahan_indicator_monthly where publish_id = $after) as after
        on before.kelurahan_code is not distinct from after.kelurahan_code
        and before.puskesmas_code is not distinct from after.puskesmas_code
        and before.indicator_code = after.indicator_code
    where (
        before.numerator_month is distinct from after.numerator_month
        or before.numerator_ytd is distinct from after.numerator_ytd
        or before.denominator is distinct from after.denominator
        or before.coverage_ytd_pct is distinct from after.coverage_ytd_pct
    )
    and ($kelurahan is null or coalesce(after.kelurahan_code, before.kelurahan_code) = $kelurahan)
    and ($indicator is null or coalesce(after.indicator_code, before.indicator_code) = $indicator)
    order by kelurahan_code nulls last, indicator_code
"""

SHOWN_VALUES = ("numerator_month", "numerator_ytd", "denominator", "coverage_ytd_pct")

CELL_SQL = """
    select publish_id, numerator_month, numerator_ytd, denominator, coverage_ytd_pct
    from pws_history.kelurahan_indicator_monthly
    where period_month = $period and kelurahan_code is not distinct from $kelurahan and indicator_code = $indicator
"""


def _number(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.1f}"
    return f"{value:,}"


def period_history(
    con: duckdb.DuckDBPyConnection,
    period: dt.date,
    kelurahan: str | None = None,
    indicator: str | None = None,
    limit: int = 40,
) -> list[str]:
    versions = con.execute(
        "select publish_id, published_at, data_as_of, rows_published, catalogue_version, reference_version "
        "from pws.publish_log where period_month = ? order by published_at, publish_id",
        [period],
    ).fetchall()
    if not versions:
        return [f"{period:%Y-%m} has not been published."]
    lines = [f"{period:%Y-%m}: {len(versions)} published version(s)"]
    for number, (publish_id, published_at, data_as_of, rows, catalogue, reference) in enumerate(versions, 1):
        lines.append(
            f"  v{number} {publish_id}  published {published_at:%Y-%m-%d %H:%M} UTC, data as of "
            f"{data_as_of:%Y-%m-%d %H:%M}, {rows:,} rows, catalogue {catalogue or '-'}, reference {reference or '-'}"
        )
    cells = None
    if kelurahan and indicator:
        cells = {
            row[0]: row[1:]
            for row in con.execute(
                CELL_SQL, {"period": period, "kelurahan": kelurahan, "indicator": indicator}
            ).fetchall()
        }
    for number in range(1, len(versions)):
        before, after = versions[number - 1], versions[number]
        lines.append("")
        lines.append(f"v{number} -> v{number + 1} ({before[0]} -> {after[0]})")
        if before[4] != after[4]:
            lines.append(f"  the indicator catalogue changed ({before[4]} -> {after[4]})")
        if before[5] != after[5]:
            lines.append(f"  the reference files changed ({before[5]} -> {after[5]})")
        files = con.execute(
            "select change, path, rows_received, loaded_at from pws_history.version_file "
            "where publish_id = ? order by path",
            [after[0]],
        ).fetchall()
        lines.append(f"  landed files since v{number}: {len(files)}")
        lines += [
            f"    {change:<8} {path} ({_number(rows)} rows, loaded {loaded_at:%Y-%m-%d %H:%M})"
            for change, path, rows, loaded_at in files[:limit]
        ]
        if len(files) > limit:
            lines.append(f"    ... and {len(files) - limit} more")
        changed = con.execute(
            CHANGED_CELLS_SQL,
            {"before": before[0], "after": after[0], "kelurahan": kelurahan, "indicator": indicator},
        ).fetchall()
        lines.append(f"  kelurahan x indicator values that changed: {len(changed)}")
        for row in changed[:limit]:
            code, name, indicator_code = row[0] or "(domisili tidak diketahui)", row[1] or "", row[2]
            pairs = zip(SHOWN_VALUES, row[3::2], row[4::2], strict=True)
            shown = ", ".join(f"{label} {_number(a)} -> {_number(b)}" for label, a, b in pairs if a != b)
            lines.append(f"    {code} {name} {indicator_code}: {shown}")
        if len(changed) > limit:
            lines.append(f"    ... and {len(changed) - limit} more (narrow with --kelurahan / --indicator)")
    if cells is not None:
        lines.append("")
        lines.append(f"{kelurahan} {indicator} by version:")
        for number, version in enumerate(versions, 1):
            values = cells.get(version[0])
            shown = (
                "absent"
                if values is None
                else ", ".join(f"{label} {_number(value)}" for label, value in zip(SHOWN_VALUES, values, strict=True))
            )
            lines.append(f"  v{number}: {shown}")
    return lines
