"""`ilp run` end to end on a generated kabupaten: real ingestion, dbt build, Dagster run and publish."""

from __future__ import annotations

import json

import duckdb
import pandas as pd
from conftest import warehouse

INDICATORS_REQUIRED = {
    *(
        f"IMM_{a}"
        for a in (
            "HB0",
            "BCG",
            "OPV1",
            "OPV2",
            "OPV3",
            "OPV4",
            "DPT_HB_HIB1",
            "DPT_HB_HIB2",
            "DPT_HB_HIB3",
            "PCV1",
            "PCV2",
            "RV1",
            "RV2",
            "RV3",
            "IPV1",
            "IPV2",
            "MR1",
            "PCV3",
            "DPT_HB_HIB4",
            "MR2",
        )
    ),
    "IDL",
    "DS",
    "ND",
    "STUNTING",
    "WASTING",
    "UNDERWEIGHT",
    "OVERWEIGHT",
}


def test_run_exits_zero_and_publishes_every_kelurahan_indicator_and_month(pipeline_run) -> None:
    with warehouse(pipeline_run) as con:
        kelurahan = con.execute("select count(*) from raw.ref_wilayah").fetchone()[0]
        published = con.execute(
            "select count(distinct kelurahan_code), count(distinct period_month), list(distinct indicator_code) "
            "from pws.kelurahan_indicator_monthly"
        ).fetchone()
        missing = con.execute(
            """
            select count(*) from (
                select kelurahan_code, period_month, indicator_code
                from (select distinct kode_kelurahan as kelurahan_code from raw.ref_wilayah)
                cross join (select distinct period_month from pws.kelurahan_indicator_monthly)
                cross join (select distinct indicator_code from pws.kelurahan_indicator_monthly)
                except
                select kelurahan_code, period_month, indicator_code from pws.kelurahan_indicator_monthly
            )
            """
        ).fetchone()[0]
    assert kelurahan == 242
    assert published[0] == 242 and published[1] == 3
    assert set(published[2]) >= INDICATORS_REQUIRED
    assert missing == 0


def test_rerun_changes_nothing(pipeline_run) -> None:
    assert pipeline_run["second"].returncode == 0, pipeline_run["second"].stderr[-2000:]
    with warehouse(pipeline_run) as con:
        after = con.execute("select * from pws.kelurahan_indicator_monthly order by all").fetchall()
        log = con.execute("select * from pws.publish_log order by all").fetchall()
    assert after == pipeline_run["snapshot"]
    assert log == pipeline_run["log"], "a re-run on unchanged data must not publish a new version"


def test_pws_rules_hold_in_published_rows(pipeline_run) -> None:
    with warehouse(pipeline_run) as con:
        rows = con.execute("select * from pws.kelurahan_indicator_monthly").df()
    event = rows[rows["kind"] == "event"]
    # cumulative target = annual target x month / 12
    assert (abs(event["target_ytd_pct"] - event["target_annual_pct"] * event["month"] / 12) < 1e-9).all()
    # year-to-date sums January to the month
    sample = event.sort_values("period_month").groupby(
        ["puskesmas_code", "kelurahan_code", "indicator_code"], dropna=False
    )
    assert (sample["numerator_month"].cumsum() == event.sort_values("period_month")["numerator_ytd"]).all()
    # no trend in the first published month, status only where coverage exists
    assert rows.loc[rows["month"] == 1, "trend"].isna().all()
    assert rows.loc[rows["coverage_ytd_pct"].isna(), "status"].isna().all()
    assert set(rows["status"].dropna()) <= {"baik", "kurang", "cukup", "jelek"}
    # the unknown-domicile row of each puskesmas has no rank
    assert rows.loc[rows["kelurahan_code"].isna(), "rank_in_puskesmas"].isna().all()
    ranked = rows.dropna(subset=["rank_in_puskesmas"])
    assert (ranked.groupby(["puskesmas_code", "period_month", "indicator_code"])["rank_in_puskesmas"].min() == 1).all()


def test_generated_data_is_realistic_in_the_published_numbers(pipeline_run) -> None:
    with warehouse(pipeline_run) as con:
        regency = (
            con.execute(
                """
            select indicator_code, sum(numerator_month) / sum(denominator) * 100 as pct
            from pws.kelurahan_indicator_monthly
            where period_month = date '2026-03-01' and indicator_code in ('STUNTING', 'DS', 'WASTING')
            group by all
            """
            )
            .df()
            .set_index("indicator_code")["pct"]
        )
        growth = con.execute("select sum(d), sum(n + t + o + b) from pws.kelurahan_growth_monthly").fetchone()
    assert 15 <= regency["STUNTING"] <= 27
    assert 55 <= regency["DS"] <= 90
    assert 2 <= regency["WASTING"] <= 12
    assert growth[0] == growth[1]


def test_parquet_is_hive_partitioned_and_equals_the_warehouse(pipeline_run) -> None:
    publish = pipeline_run["base"] / "publish" / "pws" / "kelurahan_indicator_monthly"
    files = sorted(publish.glob("year=*/month=*/*.parquet"))
    assert [f.parent.name for f in files] == ["month=01", "month=02", "month=03"]
    frame = duckdb.sql(f"select count(*) from read_parquet('{publish}/**/*.parquet', hive_partitioning = true)")
    with warehouse(pipeline_run) as con:
        rows = con.execute("select count(*) from pws.kelurahan_indicator_monthly").fetchone()[0]
    assert frame.fetchall()[0][0] == rows


def test_raw_layer_keeps_lineage_and_conserves_rows(pipeline_run) -> None:
    with warehouse(pipeline_run) as con:
        lineage_nulls = con.execute(
            "select count(*) from raw.posyandu_register where _source_file is null or _line is null "
            "or _row_hash is null or _loaded_at is null"
        ).fetchone()[0]
        received = con.execute(
            "select sum(rows_received) from raw.current_file where source = 'posyandu_register'"
        ).fetchone()[0]
        fates = con.execute(
            "select count(*) filter (where quarantine_reason is null and not is_duplicate), "
            "count(*) filter (where quarantine_reason is not null), count(*) filter (where is_duplicate) "
            "from intermediate.int_posyandu__visits_checked"
        ).fetchone()
    assert lineage_nulls == 0
    assert received == sum(fates)


def test_no_person_data_in_published_tables_or_parquet(pipeline_run) -> None:
    base = pipeline_run["base"]
    with warehouse(pipeline_run) as con:
        niks = set(con.execute("select distinct nik from raw.posyandu_register where nik is not null").df()["nik"])
        names = set(con.execute("select distinct nama from raw.posyandu_register where nama is not null").df()["nama"])
        tables = [
            t
            for (t,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'pws'"
            ).fetchall()
        ]
        values: set[str] = set()
        for table in tables:
            frame = con.execute(f"select * from pws.{table}").df()
            for column in frame.columns:
                values |= set(frame[column].dropna().astype(str))
    parquet = pd.concat(pd.read_parquet(p) for p in (base / "publish").rglob("*.parquet"))
    for column in parquet.columns:
        values |= set(parquet[column].dropna().astype(str))
    assert not values & niks
    assert not values & names
    assert not any(c in {"nik", "nama", "tanggal_lahir", "birth_date", "person_key"} for c in parquet.columns)


def test_dbt_unit_tests_of_every_rule_edge_case(pipeline_run, tmp_path) -> None:
    """The given/expect unit tests beside the models (ages, trimesters, windows, duplicates, versions, outliers)."""
    import os
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    copy = tmp_path / "unit.duckdb"
    shutil.copy(pipeline_run["env"]["ILP_WAREHOUSE"], copy)
    project = Path(__file__).resolve().parent.parent / "dbt_project"
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "dbt"),
            "test",
            "--select",
            "test_type:unit",
            "--profiles-dir",
            ".",
            "--target-path",
            str(tmp_path / "target"),
        ],
        cwd=project,
        env=dict(os.environ, ILP_WAREHOUSE=str(copy)),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-4000:]
    results = json.loads((tmp_path / "target" / "run_results.json").read_text())["results"]
    unit_tests = [r["status"] for r in results if r["unique_id"].startswith("unit_test.")]
    assert unit_tests == ["pass"] * 15


def test_published_numerators_equal_the_generators_ground_truth(pipeline_run, generated) -> None:
    """Every catalogue code, every kelurahan and month, against what the generator planted (clean run)."""
    truth = pd.read_csv(generated.parent / f".{generated.name}.truth.csv", dtype={"kelurahan_code": str})
    with warehouse(pipeline_run) as con:
        published = con.execute(
            "select strftime(period_month, '%Y-%m-%d') as period_month, kelurahan_code, indicator_code, month, "
            "numerator_month, numerator_ytd, denominator, coverage_ytd_pct from pws.kelurahan_indicator_monthly"
        ).df()
        catalogue = set(con.execute("select indicator_code from pws.dim_indicator").df()["indicator_code"])
    assert len(catalogue) == 50
    kelurahan = published[published["kelurahan_code"].notna()]
    per_cell = kelurahan.groupby(["period_month", "indicator_code"])["kelurahan_code"].nunique()
    assert set(kelurahan["indicator_code"]) == catalogue
    assert (per_cell == 242).all()

    merged = kelurahan.merge(truth, on=["period_month", "kelurahan_code", "indicator_code"], how="left")
    merged["numerator"] = merged["numerator"].fillna(0)
    planted = merged[~merged["indicator_code"].isin(["UCI", "DO_DPT1_MR1"])]
    wrong = planted[planted["numerator_month"] != planted["numerator"]]
    assert wrong.empty, wrong.groupby("indicator_code").size().to_dict()
    assert planted["numerator"].sum() > 100_000
    unknown = published[published["kelurahan_code"].isna() & (published["numerator_month"] != 0)]
    assert unknown.empty, "clean data has no record of unknown domicile"

    # derived indicators follow from the planted ones
    wide = kelurahan.pivot_table(
        index=["kelurahan_code", "period_month"],
        columns="indicator_code",
        values=["numerator_ytd", "coverage_ytd_pct", "month"],
        aggfunc="first",
    )
    dropout = wide["numerator_ytd"]["IMM_DPT_HB_HIB1"] - wide["numerator_ytd"]["IMM_MR1"]
    assert (wide["numerator_ytd"]["DO_DPT1_MR1"] == dropout).all()
    uci = (wide["coverage_ytd_pct"]["IDL"].fillna(0) >= 80 * wide["month"]["IDL"] / 12).astype(int)
    assert (wide["numerator_ytd"]["UCI"] == uci).all()


def test_invitation_lists_are_private_and_name_no_nik(pipeline_run) -> None:
    folder = pipeline_run["base"] / "publish" / "undangan"
    files = sorted(folder.glob("*.csv"))
    assert len(files) > 700, "most posyandu have children due for a dose"
    assert oct(folder.stat().st_mode & 0o777) == "0o700"
    assert all(oct(f.stat().st_mode & 0o777) == "0o600" for f in files)
    sample = pd.read_csv(files[0], dtype=str)
    assert {"child_name", "mother_name", "rt", "rw", "antigen_code", "due_date", "days_overdue"} <= set(sample.columns)
    assert not any("nik" in column for column in sample.columns)
    assert (sample["posyandu_code"] == files[0].stem).all()
    with warehouse(pipeline_run) as con:
        niks = set(con.execute("select distinct nik from raw.posyandu_register where nik is not null").df()["nik"])
    text = "".join(f.read_text() for f in files[:50])
    assert not any(nik in text for nik in list(niks)[:5000])


def test_ratio_and_level_month_columns_repeat_the_year_to_date(pipeline_run) -> None:
    with warehouse(pipeline_run) as con:
        differing = con.execute(
            "select count(*) from pws.regency_indicator_monthly where kind in ('ratio_ytd', 'level') "
            "and (numerator_month <> numerator_ytd or coverage_month_pct is distinct from coverage_ytd_pct)"
        ).fetchone()[0]
    assert differing == 0


def test_data_quality_table_conserves_every_files_rows(pipeline_run) -> None:
    with warehouse(pipeline_run) as con:
        conservation = con.execute(
            "select count(*), count(*) filter (where passed), sum(rows_received), "
            "sum(rows_accepted + rows_quarantined + rows_duplicate) from pws.data_quality_monthly "
            "where check_name = 'row_conservation'"
        ).fetchone()
        received = con.execute(
            "select sum(rows_received) from raw.current_file where status = 'loaded' "
            "and source in ('posyandu_register', 'fhir') and regexp_extract(path, '([0-9]{4}-[0-9]{2})', 1) "
            "between '2026-01' and '2026-03'"
        ).fetchone()[0]
        checks = set(con.execute("select distinct check_name from pws.data_quality_monthly").df()["check_name"])
    files, passed, rows_received, rows_accounted = conservation
    assert files > 2000 and passed == files
    assert rows_received == rows_accounted == received
    assert {"row_conservation", "reporting_completeness", "reporting_timeliness"} <= checks
