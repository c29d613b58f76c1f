"""Bad inputs written by the test go through `ilp run`: every fault ends with its reason, nothing is lost."""

from __future__ import annotations

import shutil

import duckdb
import pandas as pd
from conftest import ilp, pipeline_env

HEADER = (
    "tanggal_kunjungan,kode_posyandu,nik,nama,jenis_kelamin,tanggal_lahir,berat_badan_kg,sistolik,diastolik,imunisasi"
)


def _row(
    visit="2026-03-10",
    posyandu="{p}",
    nik="",
    name="Ani Dwi Lestari",
    sex="P",
    birth="2025-05-01",
    weight="8.1",
    systolic="",
    diastolic="",
    antigens="",
) -> str:
    return ",".join([visit, posyandu, nik, name, sex, birth, weight, systolic, diastolic, antigens])


ROW_FAULTS = {
    "nik_invalid": _row(nik="1606010013250001"),
    "berat_tidak_mungkin": _row(weight="999"),
    "tekanan_darah_tidak_mungkin": _row(birth="1970-01-01", systolic="900", diastolic="80"),
    "imunisasi_tidak_dikenal": _row(antigens="XYZ"),
    "tanggal_di_masa_depan": _row(visit="2027-01-05"),
    "kolom_wajib_kosong": _row(name=""),
    "tanggal_sebelum_lahir": _row(visit="2026-03-10", birth="2026-04-01"),
    "kode_posyandu_tidak_dikenal": _row(posyandu="PSY0000000000000"),
    "jenis_kelamin_tidak_valid": _row(sex="X"),
    "tanggal_kunjungan_tidak_valid": _row(visit="31/02/2026"),
    "kode_posyandu_berbeda": _row(posyandu="{other}"),
}


def test_every_fault_lands_with_its_reason_and_rows_are_conserved(generated, tmp_path) -> None:
    landing = tmp_path / "landing"
    shutil.copytree(generated, landing)
    march = landing / "posyandu" / "2026-03"
    posyandu = pd.read_csv(landing / "reference" / "posyandu.csv", dtype=str)["kode_posyandu"]
    silent = sorted(set(posyandu) - {p.stem for p in march.iterdir()})
    quiet, other = silent[0], posyandu.iloc[0]
    rows = "\n".join(line.format(p=quiet, other=other) for line in ROW_FAULTS.values())
    (march / f"{quiet}.csv").write_text(f"{HEADER}\n{_row().format(p=quiet)}\n{rows}\n")
    (march / "tanpa_tanggal_lahir.csv").write_text(
        f"tanggal_kunjungan,kode_posyandu,nama,jenis_kelamin\n2026-03-10,{quiet},Ani,P\n"
    )
    (march / "kosong.csv").write_text("")
    (march / "latin1.csv").write_bytes(f"{HEADER}\n{_row(name='Siti Ç').format(p=quiet)}\n".encode("latin-1"))
    (march / "rusak.xlsx").write_bytes(b"PK\x03\x04 this is not a workbook")
    export = landing / "puskesmas" / "P1606010101" / "2026-03"
    with (export / "Encounter.ndjson").open("a") as handle:
        handle.write('{"resourceType":"Encounter","id":"broken-1","status":"fini\n')
        handle.write('{"resourceType":"Patient","id":"misplaced-1"}\n')
        handle.write(
            '{"resourceType":"Encounter","id":"no-start-1","status":"finished","subject":{"reference":"Patient/c1"}}\n'
        )

    env = pipeline_env(tmp_path)
    env["ILP_DATA_DIR"] = str(landing)
    result = ilp(["run", "--period", "2026-03"], env, tmp_path)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]

    with duckdb.connect(env["ILP_WAREHOUSE"], read_only=True) as con:
        reasons = set(
            con.execute("select reason_code from pws.data_quality_monthly where reason_code is not null").df()[
                "reason_code"
            ]
        )
        conservation = con.execute(
            "select count(*), count(*) filter (where passed) from pws.data_quality_monthly "
            "where check_name = 'row_conservation'"
        ).fetchone()
        clean_row = con.execute(
            "select count(*) from intermediate.int_posyandu__visits_checked where source_file like ? "
            "and quarantine_reason is null and person_name = 'Ani Dwi Lestari'",
            [f"%{quiet}.csv"],
        ).fetchone()[0]
        published = con.execute("select count(*) from pws.kelurahan_indicator_monthly").fetchone()[0]
    expected = set(ROW_FAULTS) | {
        "kolom_wajib_hilang",
        "file_kosong",
        "encoding_salah",
        "xlsx_tidak_terbaca",
        "json_rusak",
        "tipe_resource_salah",
    }
    assert len(expected) >= 15
    assert expected <= reasons, expected - reasons
    assert conservation[0] == conservation[1] > 500, "every March file conserves its rows"
    assert clean_row >= 4, "rows with only a faulty value still count"
    assert published > 0
