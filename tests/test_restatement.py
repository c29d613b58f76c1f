"""Published versions: a late January register re-publishes January to March in one run, every version
stays in pws_history, `ilp history` names the file behind the change, and the open-data export hides
small counts."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from conftest import DRILL_THROUGH_BESIDE_PUBLISHED, copied_run_env, dbt, ilp
from kept_builds import differing_from_a_build_from_nothing

from ilp_pipeline.publish.open_data import SMALL_COUNT, SUPPRESSED_TABLES
from ilp_pipeline.settings import DBT_PROJECT_DIR

LATE_FILE = "posyandu/2026-01/PSY_susulan_januari.csv"


def _late_register(landing: Path) -> int:
    """Immunised January visitors of one register, written again as other children (new names, no NIK of
    their own or their mother's, so no identity key joins them to the children already counted)."""
    source = sorted((landing / "posyandu" / "2026-01").glob("PSY*.csv"))[0]
    with source.open(encoding="utf-8") as handle:
        rows = [row for row in csv.DictReader(handle) if row["imunisasi"] and row["tanggal_kunjungan"]]
        columns = list(rows[0])
    late = [
        {**row, "nik": "", "nik_ibu": "", "nama": f"Anak Susulan {number}", "nama_ibu": f"Ibu Susulan {number}"}
        for number, row in enumerate(rows[:5], 1)
    ]
    with (landing / LATE_FILE).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(late)
    return len(late)


def _withdraw_immunization(landing: Path, warehouse: str) -> dict:
    """A January immunisation that completed an event, re-exported in March as entered-in-error."""
    with duckdb.connect(warehouse, read_only=True) as con:
        record_id, source_file, source_line, indicator, area, person_key = con.execute(
            "select record_id, source_file, source_line, indicator_code, coalesce(kelurahan_code, puskesmas_code), "
            "person_key from restricted.numerator_persons "
            "where record_id like 'imm:%' and period_month = date '2026-01-01' order by record_id limit 1"
        ).fetchone()
    line = (landing / source_file).read_text(encoding="utf-8").splitlines()[source_line - 1]
    resource = json.loads(line)
    resource["status"] = "entered-in-error"
    resource["meta"] = {**resource.get("meta", {}), "lastUpdated": "2026-03-28T02:00:00+00:00"}
    export = landing / "puskesmas" / source_file.split("/")[1] / "2026-03" / "Immunization.ndjson"
    export.parent.mkdir(parents=True, exist_ok=True)
    with export.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(resource) + "\n")
    return {
        "record_id": record_id,
        "indicator": indicator,
        "area": area,
        "person_key": person_key,
        "export": export.relative_to(landing).as_posix(),
    }


@pytest.fixture(scope="module")
def restated(pipeline_run, tmp_path_factory) -> dict:
    base = tmp_path_factory.mktemp("restated")
    env = copied_run_env(pipeline_run, base)
    shutil.copytree(pipeline_run["env"]["ILP_DATA_DIR"], base / "landing", copy_function=shutil.copy)
    env["ILP_DATA_DIR"] = str(base / "landing")
    # the copy must publish to its own folder the versions the original run published
    shutil.copytree(pipeline_run["env"]["ILP_PUBLISH_DIR"], env["ILP_PUBLISH_DIR"])
    with duckdb.connect(env["ILP_WAREHOUSE"], read_only=True) as con:
        log_before = con.execute("select * from pws.publish_log order by all").fetchall()
    late_rows = _late_register(base / "landing")
    withdrawn = _withdraw_immunization(base / "landing", env["ILP_WAREHOUSE"])
    late = ilp(["run", "--period", "2026-01"], env, base)
    with duckdb.connect(env["ILP_WAREHOUSE"], read_only=True) as con:
        log_after = con.execute("select * from pws.publish_log order by all").fetchall()
    again = ilp(["run", "--period", "2026-01"], env, base)
    history = ilp(["history", "--period", "2026-01"], env, base)
    return {
        "env": env,
        "base": base,
        "late": late,
        "again": again,
        "history": history,
        "late_rows": late_rows,
        "withdrawn": withdrawn,
        "log_before": log_before,
        "log_after": log_after,
    }


def test_late_january_register_republishes_january_to_march_in_one_run(restated) -> None:
    assert restated["late"].returncode == 0, restated["late"].stderr[-3000:]
    assert "extends to 2026-03" in restated["late"].stdout
    before = {(row[0], row[1]) for row in restated["log_before"]}
    new_versions = sorted({row[0] for row in restated["log_after"] if (row[0], row[1]) not in before})
    assert [f"{month:%Y-%m}" for month in new_versions] == ["2026-01", "2026-02", "2026-03"]
    with duckdb.connect(restated["env"]["ILP_WAREHOUSE"], read_only=True) as con:
        versions = con.execute(
            "select period_month, count(distinct publish_id) from pws_history.kelurahan_indicator_monthly "
            "group by all order by all"
        ).fetchall()
        # both versions of January are kept whole, and the current one is what pws shows
        january = con.execute(
            "select publish_id, count(*) from pws_history.kelurahan_indicator_monthly "
            "where period_month = date '2026-01-01' group by all"
        ).fetchall()
        current = con.execute(
            "select distinct publish_id from pws.kelurahan_indicator_monthly where period_month = date '2026-01-01'"
        ).fetchall()
        causes = con.execute(
            "select distinct path from pws_history.version_file where period_month = date '2026-01-01'"
        ).fetchall()
        unversioned = con.execute(
            "select count(*) from pws.publish_log where catalogue_version is null or reference_version is null"
        ).fetchone()[0]
    assert [count for _month, count in versions] == [2, 2, 2]
    assert len({rows for _id, rows in january}) == 1
    latest_january = max((row for row in restated["log_after"] if row[0].month == 1), key=lambda row: row[2])
    assert current == [(latest_january[1],)]
    assert sorted(causes) == sorted([(LATE_FILE,), (restated["withdrawn"]["export"],)])
    assert unversioned == 0


def test_history_explains_the_restatement_file_by_file(restated) -> None:
    result = restated["history"]
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "2026-01: 2 published version(s)" in out
    assert f"added    {LATE_FILE} ({restated['late_rows']} rows" in out
    changed = int(out.split("kelurahan x indicator values that changed: ")[1].split("\n")[0])
    assert changed > 0
    assert "numerator_month" in out.split("values that changed")[1]


def test_history_of_one_cell_shows_each_version(restated) -> None:
    with duckdb.connect(restated["env"]["ILP_WAREHOUSE"], read_only=True) as con:
        kelurahan, indicator, before, after = con.execute(
            """
            select a.kelurahan_code, a.indicator_code, a.numerator_month, b.numerator_month
            from pws_history.kelurahan_indicator_monthly as a
            join pws_history.kelurahan_indicator_monthly as b using (period_month, kelurahan_code, indicator_code)
            where a.period_month = date '2026-01-01' and a.publish_id < b.publish_id
              and a.numerator_month <> b.numerator_month
            order by all limit 1
            """
        ).fetchone()
        first, second = (
            row[0]
            for row in con.execute(
                "select publish_id from pws.publish_log where period_month = date '2026-01-01' order by published_at"
            ).fetchall()
        )
    if first > second:
        before, after = after, before
    result = ilp(
        ["history", "--period", "2026-01", "--kelurahan", kelurahan, "--indicator", indicator],
        restated["env"],
        restated["base"],
    )
    assert result.returncode == 0, result.stderr
    assert f"v1: numerator_month {before:,}" in result.stdout
    assert f"v2: numerator_month {after:,}" in result.stdout


def test_rerun_after_the_restatement_publishes_nothing(restated) -> None:
    assert restated["again"].returncode == 0, restated["again"].stderr[-3000:]
    with duckdb.connect(restated["env"]["ILP_WAREHOUSE"], read_only=True) as con:
        assert con.execute("select * from pws.publish_log order by all").fetchall() == restated["log_after"]


def test_every_version_is_kept_in_parquet(restated) -> None:
    history = Path(restated["env"]["ILP_PUBLISH_DIR"]) / "pws_history"
    versions = duckdb.sql(
        "select month, count(distinct publish_id) from read_parquet("
        f"'{history}/kelurahan_indicator_monthly/**/*.parquet', hive_partitioning = true) group by all order by all"
    ).fetchall()
    assert [count for _month, count in versions] == [2, 2, 2]
    log = pd.read_parquet(history / "publish_log" / "data.parquet")
    assert len(log) == 6


def test_open_data_export_holds_no_count_from_one_to_four(restated, tmp_path) -> None:
    out = tmp_path / "open"
    result = ilp(["export", "--open-data", "--out", str(out)], restated["env"], restated["base"])
    assert result.returncode == 0, result.stderr
    low, high = SMALL_COUNT
    suppressed = 0
    for table, rules in SUPPRESSED_TABLES.items():
        frame = pd.read_parquet(out / f"{table}.parquet")
        from_csv = pd.read_csv(out / f"{table}.csv")
        assert len(frame) == len(from_csv) > 0
        for column in rules["counts"]:
            assert not frame[column].between(low, high).any(), (table, column)
            assert not from_csv[column].between(low, high).any(), (table, column)
        with duckdb.connect(restated["env"]["ILP_WAREHOUSE"], read_only=True) as con:
            suppressed += con.execute(
                f"select count(*) from pws.{table} where "
                + " or ".join(f"{c} between {low} and {high}" for c in rules["counts"])
            ).fetchone()[0]
        # a percentage beside a suppressed count is suppressed too
        for column, sources in rules["derived"].items():
            hidden = frame[sources[0]].isna() & frame[column].notna()
            assert not hidden.any(), (table, column)
    assert suppressed > 0  # the demo has small counts to hide
    assert "counts of 1-4 suppressed" in result.stdout


def test_drill_through_lists_exactly_the_persons_of_each_event_numerator(pipeline_run) -> None:
    with duckdb.connect(pipeline_run["env"]["ILP_WAREHOUSE"], read_only=True) as con:
        cells, mismatched, drilled, repeated, unsourced = con.execute(
            f"""
            select count(*), count(*) filter (where numerator_month <> coalesce(persons_listed, 0)),
                   sum(persons_listed), count(*) filter (where persons_listed <> persons), sum(unsourced)
            from ({DRILL_THROUGH_BESIDE_PUBLISHED})
            """
        ).fetchone()
        # every listed register row is a row that was received in that file at that line
        registers = con.execute(
            """
            select count(*), count(*) filter (where exists (
                select 1 from raw.posyandu_register as raw_rows
                where raw_rows._source_file = drill.source_file and raw_rows._line = drill.source_line
            ))
            from restricted.numerator_persons as drill
            where drill.record_id like 'reg:%'
            """
        ).fetchone()
    assert cells > 1000 and drilled > 1000
    assert mismatched == 0
    assert repeated == 0 and unsourced == 0
    assert registers[0] > 0 and registers[0] == registers[1]


def test_an_immunization_re_exported_as_entered_in_error_no_longer_counts(restated, pipeline_run) -> None:
    withdrawn = restated["withdrawn"]
    area_sql = "coalesce(kelurahan_code, puskesmas_code) = $area"
    cell = (
        "select numerator_month from pws.kelurahan_indicator_monthly where period_month = date '2026-01-01' "
        f"and indicator_code = $indicator and {area_sql}"
    )
    listed = (
        "select count(*) filter (where record_id = $record), count(*) filter (where person_key = $person) "
        f"from restricted.numerator_persons where period_month = date '2026-01-01' and indicator_code = $indicator "
        f"and {area_sql}"
    )
    parameters = {"indicator": withdrawn["indicator"], "area": withdrawn["area"]}
    with duckdb.connect(pipeline_run["env"]["ILP_WAREHOUSE"], read_only=True) as con:
        before = con.execute(cell, parameters).fetchone()[0]
    with duckdb.connect(restated["env"]["ILP_WAREHOUSE"], read_only=True) as con:
        after = con.execute(cell, parameters).fetchone()[0]
        record_listed, person_listed = con.execute(
            listed, {**parameters, "record": withdrawn["record_id"], "person": withdrawn["person_key"]}
        ).fetchone()
        status = con.execute(
            "select immunization_status from intermediate.int_fhir__immunization_latest "
            "where 'imm:' || puskesmas_code || ':' || immunization_id = ?",
            [withdrawn["record_id"]],
        ).fetchone()[0]
    assert status == "entered-in-error"
    assert record_listed == 0
    # the child leaves the numerator, unless another record of the same dose still completes the event
    assert after == before - 1 + person_listed


def test_incremental_models_hold_what_a_full_rebuild_holds(restated, tmp_path) -> None:
    """After a late register and a replaced export, what the incremental models kept file by file equals
    the same models rebuilt from every landed row."""
    kept = restated["env"]["ILP_WAREHOUSE"]
    with duckdb.connect(kept, read_only=True) as con:
        tables = {
            model: f"{schema}.{model}"
            for model, schema in con.execute(
                "select model_name, table_schema from intermediate.incremental_state "
                "inner join information_schema.tables on table_name = model_name"
            ).fetchall()
        }
        compared = sum(con.execute(f"select count(*) from {table}").fetchone()[0] for table in tables.values())
    assert {
        "stg_fhir__immunization",
        "int_fhir__invalid_lines",
        "int_posyandu__register_checked",
        "int_maternal__anc_contacts",
        "fct_immunisation",
    } <= set(tables)
    assert compared > 100_000
    months = json.dumps({"first_month": "2026-01-01", "last_month": "2026-03-01"})
    differing = differing_from_a_build_from_nothing(
        tables, restated["env"], Path(kept), tmp_path / "full", "--vars", months
    )
    assert differing == dict.fromkeys(tables, 0)


def test_a_changed_upstream_model_makes_the_kept_models_reading_it_read_everything_again(
    pipeline_run, tmp_path
) -> None:
    """A kept model's rows depend on the SQL of the models it reads too: a change to the parsed encounters
    changes the fingerprint of the kept encounter versions, not that of the kept patient versions."""
    project = tmp_path / "dbt_project"
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    warehouse = tmp_path / "kept.duckdb"
    shutil.copy(pipeline_run["env"]["ILP_WAREHOUSE"], warehouse)
    kept = ["int_fhir__encounter_latest", "int_fhir__patient_latest"]

    def build() -> dict[str, str]:
        dbt(["run", "--select", *kept], pipeline_run["env"], warehouse, project)
        with duckdb.connect(str(warehouse), read_only=True) as con:
            return dict(
                con.execute(
                    "select model_name, inputs_fingerprint from intermediate.incremental_state "
                    "where list_contains(?, model_name)",
                    [kept],
                ).fetchall()
            )

    before = build()
    parsed = project / "models" / "staging" / "fhir" / "stg_fhir__encounter.sql"
    parsed.write_text(parsed.read_text() + "-- changed\n")
    after = build()
    assert after["int_fhir__encounter_latest"] != before["int_fhir__encounter_latest"]
    assert after["int_fhir__patient_latest"] == before["int_fhir__patient_latest"]
