"""What one report shows, read from the published `pws` tables of one period (never recomputed)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb

# The life-cycle order of the ILP clusters, then the posyandu themselves.
GROUPS = {
    "ibu_hamil": "Ibu hamil",
    "ibu_bersalin_nifas": "Ibu bersalin dan nifas",
    "bayi_baru_lahir": "Bayi baru lahir",
    "bayi": "Bayi",
    "baduta": "Baduta",
    "balita": "Balita",
    "usia_sekolah_remaja": "Usia sekolah dan remaja",
    "usia_produktif": "Usia produktif",
    "lansia": "Lansia",
    "semua": "Semua umur",
    "posyandu": "Posyandu",
}
TREND_INDICATORS = ("K1", "K6", "IDL", "DS", "STUNTING")
POSYANDU_INDICATORS = ("POSYANDU_LAPOR", "POSYANDU_TEPAT_WAKTU", "KADER_PER_POSYANDU", "KADER_TKK")
ACCESS_INDICATOR, DROP_OUT_INDICATOR = "IMM_DPT_HB_HIB1", "DO_DPT1_MR1"
TREND_ARROWS = {"naik": "▲", "tetap": "►", "turun": "▼"}
IMPROVING_COLOUR, WORSENING_COLOUR, FLAT_COLOUR = "#1a9850", "#d73027", "#555555"


@dataclass(frozen=True)
class Level:
    """A report level: whose bars it draws (members) and which published row is the area's own bar."""

    name: str
    member_table: str
    member_code: str
    member_name: str
    member_label: str
    area_column: str
    total_table: str
    total_name: str


LEVELS = {
    "puskesmas": Level(
        "puskesmas",
        "kelurahan_indicator_monthly",
        "kelurahan_code",
        "kelurahan_name",
        "Kelurahan/desa",
        "puskesmas_code",
        "puskesmas_indicator_monthly",
        "puskesmas_name",
    ),
    "kabkota": Level(
        "kabkota",
        "puskesmas_indicator_monthly",
        "puskesmas_code",
        "puskesmas_name",
        "Puskesmas",
        "regency_code",
        "regency_indicator_monthly",
        "regency_name",
    ),
}


@dataclass(frozen=True)
class Area:
    level: Level
    code: str
    name: str


@dataclass
class ReportData:
    period: dt.date
    area: Area
    publish_id: str
    published_at: dt.datetime
    data_as_of: dt.datetime | None
    # rows as plain dicts: a report is small, and it is read row by row by the page template
    indicators: list[dict]
    members: list[dict]
    bars: list[dict]
    totals: list[dict]
    trends: list[dict]
    growth: list[dict]
    posyandu: list[dict]
    quality_sources: list[dict]
    quality_findings: list[dict]
    unknown_domicile: list[dict]


def report_areas(con: duckdb.DuckDBPyConnection, period: dt.date) -> list[Area]:
    """Every kabupaten/kota and every puskesmas with published rows for the period."""
    regencies = con.execute(
        "select distinct regency_code, regency_name from pws.regency_indicator_monthly where period_month = ? "
        "order by regency_code",
        [period],
    ).fetchall()
    centres = con.execute(
        "select distinct puskesmas_code, puskesmas_name from pws.puskesmas_indicator_monthly where period_month = ? "
        "order by puskesmas_code",
        [period],
    ).fetchall()
    return [Area(LEVELS["kabkota"], code, name) for code, name in regencies] + [
        Area(LEVELS["puskesmas"], code, name) for code, name in centres
    ]


_INDICATOR_COLUMNS = """
    indicator_code, numerator_month, numerator_ytd, denominator, coverage_month_pct, coverage_ytd_pct,
    target_annual_pct, target_ytd_pct, gap_pct, trend, status
"""


def load_reports(con: duckdb.DuckDBPyConnection, period: dt.date, areas: list[Area]) -> dict[str, ReportData]:
    """The reports of the given areas, each table read once per level for all of them."""
    version = con.execute(
        "select publish_id, published_at, data_as_of from pws.publish_log where period_month = ? "
        "order by published_at desc limit 1",
        [period],
    ).fetchone()
    if version is None:
        raise LookupError(f"{period:%Y-%m} has not been published")
    indicators = _indicators(con)
    reports = {}
    for level in LEVELS.values():
        chosen = [area for area in areas if area.level == level]
        if not chosen:
            continue
        pieces = {name: _by_area(rows) for name, rows in _level_rows(con, level, period, chosen).items()}
        for area in chosen:
            part = {name: by_area.get(area.code, []) for name, by_area in pieces.items()}
            reports[area.code] = ReportData(
                period=period,
                area=area,
                publish_id=version[0],
                published_at=version[1],
                data_as_of=version[2],
                indicators=indicators,
                members=part["members"],
                bars=part["bars"],
                totals=part["totals"],
                trends=part["trends"],
                growth=part["growth"],
                posyandu=part.get("posyandu", []),
                quality_sources=part["quality_sources"],
                quality_findings=part["quality_findings"],
                unknown_domicile=part.get("unknown", []),
            )
    return reports


def _records(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> list[dict]:
    cursor = con.execute(sql, params)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _by_area(rows: list[dict]) -> dict[str, list[dict]]:
    """Rows split by their `area_code` (dropped), each area's rows in the query's order."""
    split: dict[str, list[dict]] = {}
    for row in rows:
        split.setdefault(row.pop("area_code"), []).append(row)
    return split


def _indicators(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """The catalogue in life-cycle order."""
    return _records(
        con,
        """select indicator_code, indicator_name, life_cycle_group, unit from pws.dim_indicator
           order by list_position(?, life_cycle_group) nulls last, indicator_code""",
        [list(GROUPS)],
    )


def _level_rows(
    con: duckdb.DuckDBPyConnection, level: Level, period: dt.date, areas: list[Area]
) -> dict[str, list[dict]]:
    """Every table a report shows, for all the given areas of one level, each row with its `area_code`."""
    codes = [area.code for area in areas]
    area = f"{level.area_column} as area_code"
    chosen = f"list_contains(?, {level.area_column})"
    trend_codes = ", ".join(f"'{code}'" for code in TREND_INDICATORS)
    # the puskesmas of each area, for the quality rows (kept per puskesmas)
    centres = f"""(select distinct puskesmas_code, {level.area_column} as area_code
                   from pws.puskesmas_indicator_monthly where period_month = ? and {chosen})"""
    frames = {
        "members": (
            f"""select {area}, {level.member_code} as code, {level.member_name} as name, {_INDICATOR_COLUMNS}
                from pws.{level.member_table}
                where period_month = ? and {chosen} and {level.member_code} is not null
                order by area_code, code, indicator_code""",
            [period, codes],
        ),
        "totals": (
            f"""select {area}, {_INDICATOR_COLUMNS} from pws.{level.total_table}
                where period_month = ? and {chosen} order by area_code, indicator_code""",
            [period, codes],
        ),
        "bars": (_bars_sql(level), [period, codes, period, codes]),
        "trends": (
            f"""with months as (
                    select {area}, period_month, indicator_code, {level.member_name} as name, coverage_ytd_pct,
                           target_ytd_pct, false as is_total
                    from pws.{level.member_table}
                    where year = ? and period_month <= ? and {chosen}
                      and {level.member_code} is not null and indicator_code in ({trend_codes})
                    union all
                    select {area}, period_month, indicator_code, upper({level.total_name}), coverage_ytd_pct,
                           target_ytd_pct, true
                    from pws.{level.total_table}
                    where year = ? and period_month <= ? and {chosen} and indicator_code in ({trend_codes})
                )
                select area_code, indicator_code,
                       cast(to_json(list(struct_pack(bulan := strftime(period_month, '%Y-%m'), name, is_total,
                                                     coverage_ytd_pct, target_ytd_pct)
                                         order by is_total, name, period_month)) as varchar) as trend_json,
                       cast(to_json(list(struct_pack(bulan := strftime(period_month, '%Y-%m'), target_ytd_pct)
                                         order by period_month) filter (where is_total)) as varchar) as target_json
                from months group by area_code, indicator_code order by area_code, indicator_code""",
            [period.year, period, codes, period.year, period, codes],
        ),
        "growth": (
            f"""select {area}, puskesmas_name, kelurahan_code, kelurahan_name, s_by_name, s_projected, d, n, t,
                       o, b, ds_pct, nd_pct, stunting_pct, wasting_pct, underweight_pct, overweight_pct,
                       implausible_excluded
                from pws.kelurahan_growth_monthly
                where period_month = ? and kelurahan_code is not null and {chosen}
                order by area_code, puskesmas_name, kelurahan_name""",
            [period, codes],
        ),
        "quality_sources": (
            f"""select c.area_code, source, count(distinct source_file) as files, sum(rows_received) as received,
                       sum(rows_accepted) as accepted, sum(rows_quarantined) as quarantined,
                       sum(rows_duplicate) as duplicates, sum(values_flagged) as values_flagged
                from pws.data_quality_monthly q join {centres} c using (puskesmas_code)
                where q.period_month = ? and check_name = 'row_conservation'
                group by c.area_code, source order by c.area_code, source""",
            [period, codes, period],
        ),
        "quality_findings": (
            f"""select c.area_code, check_name, reason_code, severity, count(*) as findings,
                       min(observed_value) as observed_min, max(observed_value) as observed_max,
                       any_value(threshold) as threshold,
                       string_agg(distinct indicator_code, ', ' order by indicator_code) as indicators
                from pws.data_quality_monthly q join {centres} c using (puskesmas_code)
                where q.period_month = ? and check_name <> 'row_conservation' and not passed
                group by all order by c.area_code, severity, findings desc, check_name, reason_code""",
            [period, codes, period],
        ),
    }
    if level.name == "puskesmas":
        # posyandu and services of unknown domicile belong to a puskesmas, not to a kabupaten/kota's members
        frames["posyandu"] = (
            """select p.puskesmas_code as area_code, p.posyandu_code, p.posyandu_name, k.kelurahan_name,
                      p.reported, p.received_at, p.on_time, p.rows_received, p.rows_accepted, p.rows_quarantined,
                      p.visitors, p.active_kader, p.kader_purwa, p.kader_madya, p.kader_utama
               from pws.posyandu_monthly p
               left join (select distinct kelurahan_code, kelurahan_name from pws.kelurahan_growth_monthly
                          where period_month = ?) k using (kelurahan_code)
               where p.period_month = ? and list_contains(?, p.puskesmas_code)
               order by area_code, k.kelurahan_name, p.posyandu_code""",
            [period, period, codes],
        )
        frames["unknown"] = (
            """select puskesmas_code as area_code, indicator_code, numerator_month
               from pws.kelurahan_indicator_monthly
               where period_month = ? and kelurahan_code is null and numerator_month > 0
                 and list_contains(?, puskesmas_code)
               order by area_code, indicator_code""",
            [period, codes],
        )
    return {name: _records(con, sql, params) for name, (sql, params) in frames.items()}


def _bars_sql(level: Level) -> str:
    """Every PWS chart's bars as one JSON array per indicator: the members best to worst (no value last), then
    the area's own bar, with the status colour's key and the trend arrow (green when the indicator improves)."""
    arrows = " ".join(f"when '{trend}' then '{arrow}'" for trend, arrow in TREND_ARROWS.items())
    return f"""
        with bars as (
            select {level.area_column} as area_code, indicator_code, {level.member_name} as label,
                   false as is_total, coverage_ytd_pct, coverage_month_pct, numerator_ytd, denominator,
                   target_ytd_pct, status, trend
            from pws.{level.member_table}
            where period_month = ? and list_contains(?, {level.area_column}) and {level.member_code} is not null
            union all
            select {level.area_column}, indicator_code, upper({level.total_name}), true, coverage_ytd_pct,
                   coverage_month_pct, numerator_ytd, denominator, target_ytd_pct, status, trend
            from pws.{level.total_table}
            where period_month = ? and list_contains(?, {level.area_column})
        )
        , ordered as (
        select b.area_code, b.indicator_code,
               row_number() over (
                   partition by b.area_code, b.indicator_code
                   order by b.is_total,
                            case when i.direction = 'lower_better' then b.coverage_ytd_pct end asc nulls last,
                            case when i.direction <> 'lower_better' then b.coverage_ytd_pct end desc nulls last,
                            b.label
               ) - 1 as "order",
               b.label, b.is_total, b.coverage_ytd_pct, b.coverage_month_pct, b.numerator_ytd, b.denominator,
               b.target_ytd_pct, coalesce(b.status, 'tanpa status') as status_label, b.trend,
               coalesce(case b.trend {arrows} end, '') as arrow,
               case when b.trend = 'tetap' or b.trend is null then '{FLAT_COLOUR}'
                    when (b.trend = 'naik') = (i.direction <> 'lower_better') then '{IMPROVING_COLOUR}'
                    else '{WORSENING_COLOUR}' end as arrow_colour
        from bars b join pws.dim_indicator i using (indicator_code)
        )
        select area_code, indicator_code, count(*) as bars, count(coverage_ytd_pct) as bars_with_value,
               cast(to_json(list(struct_pack(
                   "order", label, is_total, coverage_ytd_pct, coverage_month_pct, numerator_ytd, denominator,
                   target_ytd_pct, status_label, trend, arrow, arrow_colour
               ) order by "order")) as varchar) as bars_json
        from ordered
        group by area_code, indicator_code
        order by area_code, indicator_code
    """
