"""`ilp export --open-data`: the published PWS tables with small counts suppressed, for open-data portals.

Every count of people from 1 to 4 becomes NULL, and so does every percentage, status, trend and rank
computed from a suppressed count: a reader cannot recover a small count from the coverage beside it.
Projected sasaran (an estimate from BPS population figures, not a count of records) stays.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from ilp_pipeline.publish.periods import copy_swapped

SMALL_COUNT = (1, 4)


def _indicator_rules(rank: str) -> dict:
    """The counts of people of an indicator table, and the counts each derived column is computed from."""
    year_to_date = ("numerator_ytd", "denominator")
    return {
        "counts": ("numerator_month", "numerator_ytd", "denominator", "target_population_by_name"),
        "derived": {
            "coverage_month_pct": ("numerator_month", "denominator"),
            **{column: year_to_date for column in ("coverage_ytd_pct", "gap_pct", "trend", "status", rank)},
        },
    }


SUPPRESSED_TABLES = {
    "kelurahan_indicator_monthly": _indicator_rules("rank_in_puskesmas"),
    "puskesmas_indicator_monthly": _indicator_rules("rank_in_regency"),
    "district_indicator_monthly": _indicator_rules("rank_in_regency"),
    "regency_indicator_monthly": _indicator_rules("rank_in_province"),
    "kelurahan_growth_monthly": {
        "counts": (
            "s_by_name",
            "d",
            "n",
            "t",
            "o",
            "b",
            "measured_haz",
            "stunted",
            "severely_stunted",
            "measured_whz",
            "wasted",
            "severely_wasted",
            "overweight",
            "measured_waz",
            "underweight",
            "implausible_excluded",
        ),
        "derived": {
            "ds_pct": ("d", "s_by_name"),
            "nd_pct": ("n", "t"),
            "stunting_pct": ("stunted", "measured_haz"),
            "severely_stunted_pct": ("severely_stunted", "measured_haz"),
            "wasting_pct": ("wasted", "measured_whz"),
            "severely_wasted_pct": ("severely_wasted", "measured_whz"),
            "underweight_pct": ("underweight", "measured_waz"),
            "overweight_pct": ("overweight", "measured_whz"),
        },
    },
}


@dataclass
class OpenDataOutcome:
    folder: Path
    rows: dict[str, int]
    suppressed_cells: dict[str, int]


def _small(column: str) -> str:
    low, high = SMALL_COUNT
    return f"coalesce({column} between {low} and {high}, false)"


def suppressed_select(table: str) -> str:
    rules = SUPPRESSED_TABLES[table]
    replaced = [f"case when {_small(c)} then null else {c} end as {c}" for c in rules["counts"]]
    for column, sources in rules["derived"].items():
        replaced.append(f"case when {' or '.join(_small(s) for s in sources)} then null else {column} end as {column}")
    return f"select * replace ({', '.join(replaced)}) from pws.{table}"


def _suppressed_cells_sql(table: str) -> str:
    rules = SUPPRESSED_TABLES[table]
    return (
        "select " + " + ".join(f"count(*) filter (where {_small(c)})" for c in rules["counts"]) + f" from pws.{table}"
    )


def export_open_data(con: duckdb.DuckDBPyConnection, folder: Path) -> OpenDataOutcome:
    """Each table as Parquet and CSV, written beside and then swapped in, so a portal never reads half a file."""
    folder.mkdir(parents=True, exist_ok=True)
    rows, suppressed = {}, {}
    for table in SUPPRESSED_TABLES:
        query = suppressed_select(table) + " order by all"
        for suffix, options in (("parquet", "format parquet"), ("csv", "format csv, header true")):
            copy_swapped(con, query, folder / f"{table}.{suffix}", options)
        rows[table] = con.execute(f"select count(*) from pws.{table}").fetchone()[0]
        suppressed[table] = con.execute(_suppressed_cells_sql(table)).fetchone()[0]
    return OpenDataOutcome(folder, rows, suppressed)
