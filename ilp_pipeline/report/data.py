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


ReportKey = tuple[dt.date, str]


def load_reports(con: duckdb.DuckDBPyConnection, wanted: dict[dt.date, list[Area]]) -> dict[ReportKey, ReportData]:
    """The reports of the given areas of the given periods, by (period, area code): each table is read once
    per level for all of them, so a backfill of many months costs a few queries, not a few per month."""
    versions = {
        period: (publish_id, published_at, data_as_of)
        for period, publish_id, published_at, data_as_of in con.execute(
            # each period's latest version whole (arg_max would skip a null data_as_of)
            "select period_month, publish_id, published_at, data_as_of from pws.publish_log "
            "where list_contains(?, period_month) "
            "qualify row_number() over (partition by period_month order by published_at desc) = 1",
            [list(wanted)],
        ).fetchall()
    }
    unpublished = sorted(set(wanted) - set(versions))
    if unpublished:
        raise LookupError(f"{unpublished[0]:%Y-%m} has not been published")
    indicators = _indicators(con)
    reports = {}
    for level in LEVELS.values():
        chosen = [(period, area) for period, areas in wanted.items() for area in areas if area.level == level]
        if not chosen:
            continue
        pieces = {name: _by_report(rows) for name, rows in _level_rows(con, level, chosen).items()}
        for period, area in chosen:
            part = {name: by_report.get((period, area.code), []) for name, by_report in pieces.items()}
            publish_id, published_at, data_as_of = versions[period]
            reports[(period, area.code)] = ReportData(
                period=period,
                area=area,
                publish_id=publish_id,
                published_at=published_at,
                data_as_of=data_as_of,
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


def _by_report(rows: list[dict]) -> dict[ReportKey, list[dict]]:
    """Rows split by their `period_month` and `area_code` (both dropped), each report's rows in the query's
    order."""
    split: dict[ReportKey, list[dict]] = {}
    for row in rows:
        split.setdefault((row.pop("period_month"), row.pop("area_code")), []).append(row)
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
    con: duckdb.DuckDBPyConnection, level: Level, chosen: list[tuple[dt.date, Area]]
) -> dict[str, list[dict]]:
    """Every table a report shows, for all the chosen (period, area) reports of one level, each row with its
    `period_month` and `area_code`."""
    # the chosen reports as a relation every query joins: `wanted (period_month, area_code)`
    wanted = "wanted as (select unnest(?::date[]) as period_month, unnest(?::varchar[]) as area_code)"
    pairs = [[period for period, _area in chosen], [area.code for _period, area in chosen]]
    area = f"{level.area_column} as area_code"
    picked = f"semi join wanted w on w.period_month = src.period_month and w.area_code = src.{level.area_column}"
    trend_codes = ", ".join(f"'{code}'" for code in TREND_INDICATORS)
    # the puskesmas of each report, for the quality rows (kept per puskesmas)
    centres = f"""centres as (select distinct src.period_month, src.puskesmas_code, src.{level.area_column} as area_code
                   from pws.puskesmas_indicator_monthly src {picked})"""
    frames = {
        "members": (
            f"""with {wanted}
                select src.period_month, {area}, {level.member_code} as code, {level.member_name} as name,
                       {_INDICATOR_COLUMNS}
                from pws.{level.member_table} src {picked}
                where {level.member_code} is not null
                order by src.period_month, area_code, code, indicator_code""",
            pairs,
        ),
        "totals": (
            f"""with {wanted}
                select src.period_month, {area}, {_INDICATOR_COLUMNS} from pws.{level.total_table} src {picked}
                order by src.period_month, area_code, indicator_code""",
            pairs,
        ),
        "bars": (_bars_sql(level, wanted, picked), pairs),
        "trends": (
            f"""with {wanted},
                months as (
                    select w.period_month as report_month, src.{area}, src.period_month, src.indicator_code,
                           src.{level.member_name} as name, src.coverage_ytd_pct, src.target_ytd_pct, false as is_total
                    from pws.{level.member_table} src
                    join wanted w on w.area_code = src.{level.area_column} and src.year = year(w.period_month)
                        and src.period_month <= w.period_month
                    where src.{level.member_code} is not null and src.indicator_code in ({trend_codes})
                    union all
                    select w.period_month, src.{area}, src.period_month, src.indicator_code,
                           upper(src.{level.total_name}), src.coverage_ytd_pct, src.target_ytd_pct, true
                    from pws.{level.total_table} src
                    join wanted w on w.area_code = src.{level.area_column} and src.year = year(w.period_month)
                        and src.period_month <= w.period_month
                    where src.indicator_code in ({trend_codes})
                )
                select report_month as period_month, area_code, indicator_code,
                       cast(to_json(list(struct_pack(bulan := strftime(period_month, '%Y-%m'), name, is_total,
                                                     coverage_ytd_pct, target_ytd_pct)
                                         order by is_total, name, period_month)) as varchar) as trend_json,
                       cast(to_json(list(struct_pack(bulan := strftime(period_month, '%Y-%m'), target_ytd_pct)
                                         order by period_month) filter (where is_total)) as varchar) as target_json
                from months group by report_month, area_code, indicator_code
                order by report_month, area_code, indicator_code""",
            pairs,
        ),
        "growth": (
            f"""with {wanted}
                select src.period_month, {area}, puskesmas_name, kelurahan_code, kelurahan_name, s_by_name,
                       s_projected, d, n, t, o, b, ds_pct, nd_pct, stunting_pct, wasting_pct, underweight_pct,
                       overweight_pct, implausible_excluded
                from pws.kelurahan_growth_monthly src {picked}
                where kelurahan_code is not null
                order by src.period_month, area_code, puskesmas_name, kelurahan_name""",
            pairs,
        ),
        "quality_sources": (
            f"""with {wanted}, {centres}
                select c.period_month, c.area_code, source, count(distinct source_file) as files,
                       sum(rows_received) as received, sum(rows_accepted) as accepted,
                       sum(rows_quarantined) as quarantined, sum(rows_duplicate) as duplicates,
                       sum(values_flagged) as values_flagged
                from pws.data_quality_monthly q join centres c using (period_month, puskesmas_code)
                where check_name = 'row_conservation'
                group by c.period_month, c.area_code, source order by c.period_month, c.area_code, source""",
            pairs,
        ),
        "quality_findings": (
            f"""with {wanted}, {centres}
                select c.period_month, c.area_code, check_name, reason_code, severity, count(*) as findings,
                       min(observed_value) as observed_min, max(observed_value) as observed_max,
                       any_value(threshold) as threshold,
                       string_agg(distinct indicator_code, ', ' order by indicator_code) as indicators
                from pws.data_quality_monthly q join centres c using (period_month, puskesmas_code)
                where check_name <> 'row_conservation' and not passed
                group by all
                order by c.period_month, c.area_code, severity, findings desc, check_name, reason_code""",
            pairs,
        ),
    }
    if level.name == "puskesmas":
        # posyandu and services of unknown domicile belong to a puskesmas, not to a kabupaten/kota's members
        frames["posyandu"] = (
            f"""with {wanted}
               select src.period_month, src.puskesmas_code as area_code, src.posyandu_code, src.posyandu_name,
                      k.kelurahan_name, src.reported, src.received_at, src.on_time, src.rows_received,
                      src.rows_accepted, src.rows_quarantined, src.visitors, src.active_kader, src.kader_purwa,
                      src.kader_madya, src.kader_utama
               from pws.posyandu_monthly src
               left join (select distinct period_month, kelurahan_code, kelurahan_name
                          from pws.kelurahan_growth_monthly) k using (period_month, kelurahan_code)
               {picked}
               order by src.period_month, area_code, k.kelurahan_name, src.posyandu_code""",
            pairs,
        )
        frames["unknown"] = (
            f"""with {wanted}
               select src.period_month, src.puskesmas_code as area_code, indicator_code, numerator_month
               from pws.kelurahan_indicator_monthly src {picked}
               where kelurahan_code is null and numerator_month > 0
               order by src.period_month, area_code, indicator_code""",
            pairs,
        )
    return {name: _records(con, sql, params) for name, (sql, params) in frames.items()}


def _bars_sql(level: Level, wanted: str, picked: str) -> str:
    """Every PWS chart's bars as one JSON array per indicator: the members best to worst (no value last), then
    the area's own bar, with the status colour's key and the trend arrow (green when the indicator improves)."""
    arrows = " ".join(f"when '{trend}' then '{arrow}'" for trend, arrow in TREND_ARROWS.items())
    return f"""
        with {wanted},
        bars as (
            select src.period_month, src.{level.area_column} as area_code, indicator_code,
                   {level.member_name} as label, false as is_total, coverage_ytd_pct, coverage_month_pct,
                   numerator_ytd, denominator, target_ytd_pct, status, trend
            from pws.{level.member_table} src {picked}
            where {level.member_code} is not null
            union all
            select src.period_month, src.{level.area_column}, indicator_code, upper({level.total_name}), true,
                   coverage_ytd_pct, coverage_month_pct, numerator_ytd, denominator, target_ytd_pct, status, trend
            from pws.{level.total_table} src {picked}
        )
        , ordered as (
        select b.period_month, b.area_code, b.indicator_code,
               row_number() over (
                   partition by b.period_month, b.area_code, b.indicator_code
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
        select period_month, area_code, indicator_code, count(*) as bars, count(coverage_ytd_pct) as bars_with_value,
               cast(to_json(list(struct_pack(
                   "order", label, is_total, coverage_ytd_pct, coverage_month_pct, numerator_ytd, denominator,
                   target_ytd_pct, status_label, trend, arrow, arrow_colour
               ) order by "order")) as varchar) as bars_json
        from ordered
        group by period_month, area_code, indicator_code
        order by period_month, area_code, indicator_code
    """
