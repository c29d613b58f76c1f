"""Ingestion of landed files: every format of sources.md, lineage, duplicates and corrected files."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import duckdb
import openpyxl
import pytest

from ilp_pipeline.ingest.landing import discover, ingest

HEADER = ["tanggal_kunjungan", "kode_posyandu", "nik", "nama", "jenis_kelamin", "tanggal_lahir", "berat_badan_kg"]


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    root = tmp_path / "landing"
    month = root / "posyandu" / "2026-01"
    _write(
        month / "PSY16060110090001.csv",
        ",".join(HEADER) + "\n2026-01-17,PSY16060110090001,,Siti Aminah,P,2025-03-02,9.5\n",
    )
    # Indonesian Excel export: BOM, semicolons, DD/MM/YYYY, decimal comma, upper-case header, extra column
    _write(
        month / "PSY16060110090002.csv",
        "\ufeff" + ";".join(h.upper() for h in HEADER) + ";CATATAN\n"
        "17/01/2026;PSY16060110090002;;Budi;L;02/03/2025;9,75;sehat\n",
    )
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Register Posyandu Mawar"])
    sheet.append(HEADER)
    sheet.append([dt.datetime(2026, 1, 18), "PSY16060110090003", None, "Ayu", "P", dt.datetime(2024, 5, 1), 11.2])
    book.save(month / "PSY16060110090003.xlsx")
    _write(month / "PSY16060110090004.csv", "tanggal_kunjungan,kode_posyandu,nama\n2026-01-17,PSY16060110090004,X\n")
    _write(month / "PSY16060110090005.csv", "")
    _write(
        month / "PSY16060110090006.csv",
        ",".join(HEADER) + "\n2026-01-17,PSY16060110090006,,Dewi Ç,P,2025-01-01,8\n",
        encoding="latin-1",
    )
    export = root / "puskesmas" / "P1606010101" / "2026-01"
    _write(
        export / "Patient.ndjson",
        '{"resourceType":"Patient","id":"a"}\n{"resourceType":"Pat\n{"resourceType":"Patient","id":"b"}\n',
    )
    return root


def test_every_format_lands_with_lineage(landing: Path, tmp_path: Path) -> None:
    stale = tmp_path / "w.duckdb.scratch" / "ilp-ingest-killed.csv"
    stale.parent.mkdir()
    stale.write_text("a copy a killed loading left behind\n")
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        summary = ingest(con, landing)
    assert not stale.exists()
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        rows = con.execute(
            "select _source_file, _line, nama, tanggal_kunjungan, berat_badan_kg, _extra::varchar "
            "from raw.posyandu_register order by _source_file"
        ).fetchall()
        rejected = dict(
            con.execute(
                "select split_part(path, '/', 3), reason_code from raw.landed_file where status = 'rejected'"
            ).fetchall()
        )
        fhir = con.execute("select _line, raw_line from raw.fhir_resource order by _line").fetchall()
    assert summary.count("loaded") == 4
    assert rows == [
        ("posyandu/2026-01/PSY16060110090001.csv", 2, "Siti Aminah", "2026-01-17", "9.5", None),
        ("posyandu/2026-01/PSY16060110090002.csv", 2, "Budi", "17/01/2026", "9,75", '{"catatan":"sehat"}'),
        ("posyandu/2026-01/PSY16060110090003.xlsx", 3, "Ayu", "2026-01-18", "11.2", None),
    ]
    assert rejected == {
        "PSY16060110090004.csv": "kolom_wajib_hilang",
        "PSY16060110090005.csv": "file_kosong",
        "PSY16060110090006.csv": "encoding_salah",
    }
    assert [line for line, _ in fhir] == [1, 2, 3]
    assert fhir[1][1] == '{"resourceType":"Pat'


def test_same_file_twice_is_loaded_once_and_a_correction_replaces_it(landing: Path, tmp_path: Path) -> None:
    path = landing / "posyandu" / "2026-01" / "PSY16060110090001.csv"
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        ingest(con, landing)
        again = ingest(con, landing)
        copy = landing / "posyandu" / "2026-01" / "PSY16060110090001 (1).csv"
        copy.write_bytes(path.read_bytes())
        duplicate = ingest(con, landing)
        copy.unlink()
        path.write_text(
            ",".join(HEADER) + "\n2026-01-17,PSY16060110090001,,Siti Aminah,P,2025-03-02,9.8\n"
            "2026-01-17,PSY16060110090001,,Rina,P,2025-04-02,8.1\n"
        )
        os.utime(path, (path.stat().st_mtime + 60, path.stat().st_mtime + 60))
        corrected = ingest(con, landing)
        current = con.execute(
            "select r.nama, r.berat_badan_kg from raw.posyandu_register r join raw.current_file f "
            "on f.path = r._source_file and f.file_hash = r._file_hash where r._source_file like '%0001.csv' "
            "order by r._line"
        ).fetchall()
        versions = con.execute(
            "select count(distinct _file_hash) from raw.posyandu_register where _source_file like '%0001.csv'"
        ).fetchone()[0]
    assert again.count("loaded") == 0
    assert duplicate.count("duplicate") == 1 and duplicate.count("loaded") == 0
    assert corrected.count("loaded") == 1
    assert current == [("Siti Aminah", "9.8"), ("Rina", "8.1")]
    assert versions == 2, "raw keeps every version (append-only); the current one counts"


def test_unchanged_files_are_not_hashed_again_and_a_same_size_correction_is_found(
    landing: Path, tmp_path: Path, monkeypatch
) -> None:
    from ilp_pipeline.ingest import manifest

    hashed: list[str] = []
    real_sha256_of = manifest.sha256_of

    def counting_sha256_of(path: Path) -> str:
        hashed.append(path.name)
        return real_sha256_of(path)

    monkeypatch.setattr(manifest, "sha256_of", counting_sha256_of)
    path = landing / "posyandu" / "2026-01" / "PSY16060110090001.csv"
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        first = ingest(con, landing)
        files_landed = len(hashed)
        hashed.clear()
        ingest(con, landing)
        rehashed = list(hashed)
        # the same number of bytes, another value, written a minute later
        path.write_text(path.read_text().replace(",9.5", ",9.6"))
        os.utime(path, (path.stat().st_mtime + 60, path.stat().st_mtime + 60))
        corrected = ingest(con, landing)
        weight = con.execute(
            "select r.berat_badan_kg from raw.posyandu_register r join raw.current_file f "
            "on f.path = r._source_file and f.file_hash = r._file_hash where r._source_file like '%0001.csv'"
        ).fetchone()[0]
    assert files_landed == first.files_seen
    assert rehashed == []
    assert corrected.count("loaded") == 1
    assert weight == "9.6"


def _register_rows(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute(
        "select _source_file, _line, nama, berat_badan_kg, _row_hash from raw.posyandu_register "
        "order by _source_file, _line"
    ).fetchall()


def test_small_files_read_as_one_copy_keep_their_files_and_lines(tmp_path: Path, monkeypatch) -> None:
    """Files of one header are read as one scratch copy (ingest/concatenated.py). Each row keeps the file and
    line it has when its file is read alone, whatever the file's line endings; a file with a blank line is
    read apart. A quoted line break, which DuckDB refuses in one large file read with null padding, sends the
    copied files back to one multi-file read, which takes it: its file's rows are numbered as before."""
    from ilp_pipeline import contracts
    from ilp_pipeline.ingest import tabular
    from ilp_pipeline.ingest.concatenated import concatenate
    from ilp_pipeline.ingest.manifest import describe

    header = ",".join(HEADER)
    plain = {
        "0001": header + "\n2026-01-17,PSY1,,Ani,P,2025-03-02,9.5\n2026-01-17,PSY1,,Badu,L,2025-03-02,9.6\n",
        "0002": header + "\r\n2026-01-18,PSY2,,Cici,P,2025-03-02,7.5\r\n",
        "0003": header + "\n2026-01-19,PSY3,,Dodi,L,2025-03-02,8.5",  # no line break at the end
        "0004": header + "\n",  # a header alone
        "0005": header + "\n2026-01-19,PSY5,,Eka,P,2025-03-02,6.5\n\n2026-01-19,PSY5,,Fajar,L,2025-03-02,6.6\n",
    }
    quoted = {
        "0006": header + '\n2026-01-20,PSY6,,"Gita\nAyu",P,2025-03-02,5.5\n2026-01-20,PSY6,,Hana,P,2025-03-02,5\n'
    }
    contract = contracts.tabular("posyandu_register")
    loaded_at = dt.datetime(2026, 2, 1)

    statements: list[tuple[str, int]] = []
    load_batch = tabular._load_batch

    def recording_load_batch(con, contract, members, relation_sql, *args, **kwargs):
        statements.append(("copy" if "ilp-ingest-" in relation_sql else "files", len(members)))
        return load_batch(con, contract, members, relation_sql, *args, **kwargs)

    monkeypatch.setattr(tabular, "_load_batch", recording_load_batch)

    def land(files: dict[str, str], name: str) -> list:
        root = tmp_path / name
        paths = [_write(root / "posyandu" / "2026-01" / f"PSY160601100900{k}.csv", text) for k, text in files.items()]
        return [describe("posyandu_register", root, path) for path in paths]

    for files in (plain, plain | quoted):
        name = f"landing{len(files)}"
        landed = land(files, name)
        copy, left = concatenate([f.absolute for f in landed])
        assert [Path(p).name[-8:-4] for p in copy.absolute_paths] == [k for k in files if k not in ("0004", "0005")]
        assert copy.first_rows[:3] == [1, 3, 4] and [p.name[-8:-4] for p in left] == ["0005"]
        copy.remove()
        statements.clear()
        with duckdb.connect(str(tmp_path / f"{name}-together.duckdb")) as con:
            con.execute("create schema raw")
            outcomes = tabular.load(con, contract, landed, loaded_at)
            together = _register_rows(con)
        # the copy of four files (the header alone adds no range), then the file with a blank line; with the
        # quoted line break, the copy fails and its files are read with that one
        assert statements == ([("copy", 3), ("files", 1)] if "0006" not in files else [("copy", 4), ("files", 5)])
        assert not list(tmp_path.glob("*.scratch/ilp-ingest-*")), "the scratch copy beside the warehouse is removed"
        with duckdb.connect(str(tmp_path / f"{name}-alone.duckdb")) as con:
            con.execute("create schema raw")
            for one in landed:
                tabular.load(con, contract, [one], loaded_at)
            alone = _register_rows(con)
        assert [row for row in together if "0006" not in row[0]] == [row for row in alone if "0006" not in row[0]]
        received = {o.file.path[-8:-4]: (o.status, o.rows_received) for o in outcomes}
        assert received == {
            "0001": ("loaded", 2),
            "0002": ("loaded", 1),
            "0003": ("loaded", 1),
            "0004": ("loaded", 0),
            "0005": ("loaded", 2),
        } | ({"0006": ("loaded", 2)} if "0006" in files else {})
    assert [(file[-8:-4], line, nama) for file, line, nama, _weight, _hash in together if "0006" in file] == [
        ("0006", 2, "Gita\nAyu"),
        ("0006", 3, "Hana"),
    ]
    assert [(file[-8:-4], line, nama) for file, line, nama, _weight, _hash in together if "0005" in file] == [
        ("0005", 2, "Eka"),
        ("0005", 3, "Fajar"),
    ]


def test_landed_files_are_found_in_path_order(tmp_path: Path) -> None:
    """Files load in the order paths compare in, part by part: text order would put puskesmas `P12-A`
    before `P12` ('-' sorts before '/'), and with it which of two equal files is loaded and which is the
    duplicate."""
    for puskesmas in ("P12-A", "P12", "P120"):
        folder = tmp_path / "puskesmas" / puskesmas / "2026-01"
        folder.mkdir(parents=True)
        (folder / "Patient.ndjson").write_text("{}\n")
    found = discover(tmp_path)
    assert [p.relative_to(tmp_path).parts[1] for p in found["fhir"]] == ["P12", "P12-A", "P120"]
    assert found["fhir"] == sorted(found["fhir"])
