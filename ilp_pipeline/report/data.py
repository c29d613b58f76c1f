"""What one report shows, read from the published `pws` tables of one period (never recomputed)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
import pandas as pd

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
    indicators: pd.DataFrame
    members: pd.DataFrame
    bars: pd.DataFrame
    totals: pd.DataFrame
    trends: pd.DataFrame
    growth: pd.DataFrame
    posyandu: pd.DataFrame
    quality_sources: pd.DataFrame
    quality_findings: pd.DataFrame
    unknown_domicile: pd.DataFrame


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


def load_report(con: duckdb.DuckDBPyConnection, area: Area, period: dt.date) -> ReportData:
    level = area.level
    version = con.execute(
        "select publish_id, published_at, data_as_of from pws.publish_log where period_month = ? "
        "order by published_at desc limit 1",
        [period],
    ).fetchone()
    if version is None:
        raise LookupError(f"{period:%Y-%m} has not been published")
    members = con.execute(
        f"""select {level.member_code} as code, {level.member_name} as name, {_INDICATOR_COLUMNS}
            from pws.{level.member_table}
            where period_month = ? and {level.area_column} = ? and {level.member_code} is not null
            order by code, indicator_code""",
        [period, area.code],
    ).df()
    totals = con.execute(
        f"""select {_INDICATOR_COLUMNS} from pws.{level.total_table}
            where period_month = ? and {level.area_column} = ? order by indicator_code""",
        [period, area.code],
    ).df()
    bars = con.execute(_bars_sql(level), [period, area.code, area.name.upper(), period, area.code]).df()
    trend_codes = ", ".join(f"'{code}'" for code in TREND_INDICATORS)
    trends = con.execute(
        f"""with months as (
                select period_month, indicator_code, {level.member_name} as name, coverage_ytd_pct,
                       target_ytd_pct, false as is_total
                from pws.{level.member_table}
                where year = ? and period_month <= ? and {level.area_column} = ?
                  and {level.member_code} is not null and indicator_code in ({trend_codes})
                union all
                select period_month, indicator_code, ?, coverage_ytd_pct, target_ytd_pct, true
                from pws.{level.total_table}
                where year = ? and period_month <= ? and {level.area_column} = ? and indicator_code in ({trend_codes})
            )
            select indicator_code,
                   cast(to_json(list(struct_pack(bulan := strftime(period_month, '%Y-%m'), name, is_total,
                                                 coverage_ytd_pct, target_ytd_pct)
                                     order by is_total, name, period_month)) as varchar) as trend_json,
                   cast(to_json(list(struct_pack(bulan := strftime(period_month, '%Y-%m'), target_ytd_pct)
                                     order by period_month) filter (where is_total)) as varchar) as target_json
            from months group by indicator_code order by indicator_code""",
        [period.year, period, area.code, area.name.upper(), period.year, period, area.code],
    ).df()
    growth = con.execute(
        """select puskesmas_name, kelurahan_code, kelurahan_name, s_by_name, s_projected, d, n, t, o, b, ds_pct,
                  nd_pct, measured_haz, stunted, stunting_pct, measured_whz, wasted, wasting_pct, measured_waz,
                  underweight, underweight_pct, overweight, overweight_pct, implausible_excluded
           from pws.kelurahan_growth_monthly
           where period_month = ? and kelurahan_code is not null
             and (puskesmas_code = ? or regency_code = ?)
           order by puskesmas_name, kelurahan_name""",
        [period, area.code, area.code],
    ).df()
    posyandu = con.execute(
        """select p.posyandu_code, p.posyandu_name, k.kelurahan_name, p.reported, p.received_at, p.on_time,
                  p.rows_received, p.rows_accepted, p.rows_quarantined, p.visitors, p.active_kader, p.kader_purwa,
                  p.kader_madya, p.kader_utama
           from pws.posyandu_monthly p
           left join (select distinct kelurahan_code, kelurahan_name from pws.kelurahan_growth_monthly
                      where period_month = ?) k using (kelurahan_code)
           where p.period_month = ? and p.puskesmas_code = ?
           order by k.kelurahan_name, p.posyandu_code""",
        [period, period, area.code],
    ).df()
    scope = (
        "puskesmas_code = ?"
        if level.name == "puskesmas"
        else "puskesmas_code in (select puskesmas_code from pws.puskesmas_indicator_monthly where regency_code = ?)"
    )
    quality_sources = con.execute(
        f"""select source, count(distinct source_file) as files, sum(rows_received) as received,
                   sum(rows_accepted) as accepted, sum(rows_quarantined) as quarantined,
                   sum(rows_duplicate) as duplicates, sum(values_flagged) as values_flagged
            from pws.data_quality_monthly
            where period_month = ? and {scope} and check_name = 'row_conservation'
            group by source order by source""",
        [period, area.code],
    ).df()
    quality_findings = con.execute(
        f"""select check_name, reason_code, severity, count(*) as findings,
                   min(observed_value) as observed_min, max(observed_value) as observed_max,
                   any_value(threshold) as threshold,
                   string_agg(distinct indicator_code, ', ' order by indicator_code) as indicators
            from pws.data_quality_monthly
            where period_month = ? and {scope} and check_name <> 'row_conservation' and not passed
            group by all order by severity, findings desc""",
        [period, area.code],
    ).df()
    unknown = (
        con.execute(
            """select indicator_code, numerator_month from pws.kelurahan_indicator_monthly
               where period_month = ? and puskesmas_code = ? and kelurahan_code is null and numerator_month > 0
               order by indicator_code""",
            [period, area.code],
        ).df()
        if level.name == "puskesmas"
        else pd.DataFrame(columns=["indicator_code", "numerator_month"])
    )
    indicators = con.execute(
        """select indicator_code, indicator_name, life_cycle_group, kind, direction, unit, target_annual, rule
           from pws.dim_indicator"""
    ).df()
    order = {group: i for i, group in enumerate(GROUPS)}
    indicators = (
        indicators.assign(_group=indicators["life_cycle_group"].map(order).fillna(len(order)))
        .sort_values(["_group", "indicator_code"], kind="stable")
        .drop(columns="_group")
        .reset_index(drop=True)
    )
    return ReportData(
        period=period,
        area=area,
        publish_id=version[0],
        published_at=version[1],
        data_as_of=version[2],
        indicators=indicators,
        members=members,
        bars=bars,
        totals=totals,
        trends=trends,
        growth=growth,
        posyandu=posyandu,
        quality_sources=quality_sources,
        quality_findings=quality_findings,
        unknown_domicile=unknown,
    )


def _bars_sql(level: Level) -> str:
    """Every PWS chart's bars as one JSON array per indicator: the members best to worst (no value last), then
    the area's own bar, with the status colour's key and the trend arrow (green when the indicator improves)."""
    arrows = " ".join(f"when '{trend}' then '{arrow}'" for trend, arrow in TREND_ARROWS.items())
    return f"""
        with bars as (
            select indicator_code, {level.member_name} as label, false as is_total, coverage_ytd_pct,
                   coverage_month_pct, numerator_ytd, denominator, target_ytd_pct, status, trend
            from pws.{level.member_table}
            where period_month = ? and {level.area_column} = ? and {level.member_code} is not null
            union all
            select indicator_code, ?, true, coverage_ytd_pct, coverage_month_pct, numerator_ytd, denominator,
                   target_ytd_pct, status, trend
            from pws.{level.total_table}
            where period_month = ? and {level.area_column} = ?
        )
        , ordered as (
        select b.indicator_code,
               row_number() over (
                   partition by b.indicator_code
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
        select indicator_code, count(*) as bars, count(coverage_ytd_pct) as bars_with_value,
               cast(to_json(list(struct_pack(
                   "order", label, is_total, coverage_ytd_pct, coverage_month_pct, numerator_ytd, denominator,
                   target_ytd_pct, status_label, trend, arrow, arrow_colour
               ) order by "order")) as varchar) as bars_json
        from ordered
        group by indicator_code
        order by indicator_code
    """
