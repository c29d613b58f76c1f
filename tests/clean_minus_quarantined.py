"""The yardstick for quarantine: a clean landing less exactly what a faulted run set aside.

The generator draws faults from their own random stream, so a faulted landing and the clean landing of the
same seed differ only in their faults, file by file and line by line. Given the warehouse of a run over the
faulted landing, `write_expected_landing` copies the clean landing, removes the register rows and FHIR
lines that run quarantined, blanks the values it nulled and flagged, and puts back the files it rejected as
they were received (a rejected file still counts as a register that arrived, and contributes no row). A
run over that copy must publish exactly the numbers the faulted run published.
"""

from __future__ import annotations

import csv
import io
import shutil
from collections import defaultdict
from pathlib import Path

import duckdb
import openpyxl

FLAG_COLUMNS = {
    "nik_invalid": ["nik"],
    "nik_ibu_invalid": ["nik_ibu"],
    "berat_tidak_mungkin": ["berat_badan_kg"],
    "tinggi_tidak_mungkin": ["tinggi_badan_cm"],
    "tekanan_darah_tidak_mungkin": ["sistolik", "diastolik"],
    "imunisasi_tidak_dikenal": ["imunisasi"],
}


def _set_aside(faulted_warehouse: Path) -> tuple[set[str], dict[str, set[int]], dict[str, dict[int, set[str]]]]:
    with duckdb.connect(str(faulted_warehouse), read_only=True) as con:
        rejected = {
            path for (path,) in con.execute("select path from raw.current_file where status = 'rejected'").fetchall()
        }
        dropped = defaultdict(set)
        for source_file, line in con.execute(
            """select source_file, source_line from intermediate.int_posyandu__visits_checked
               where quarantine_reason is not null
               union all
               select source_file, source_line from intermediate.int_fhir__invalid_lines"""
        ).fetchall():
            dropped[source_file].add(line)
        blanked = defaultdict(lambda: defaultdict(set))
        for source_file, line, flags in con.execute(
            """select source_file, source_line, value_flags from intermediate.int_posyandu__visits_checked
               where quarantine_reason is null and len(value_flags) > 0"""
        ).fetchall():
            for flag in flags:
                blanked[source_file][line].update(FLAG_COLUMNS[flag])
    return rejected, dropped, blanked


def _rewrite_csv(path: Path, dropped: set[int], blanked: dict[int, set[str]]) -> None:
    text = path.read_text(encoding="utf-8")
    delimiter = ";" if text.splitlines()[0].count(";") > text.splitlines()[0].count(",") else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    header = rows[0]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    for line, row in enumerate(rows[1:], start=2):
        if line in dropped:
            continue
        for column in blanked.get(line, ()):
            row[header.index(column)] = ""
        writer.writerow(row)
    path.write_text(out.getvalue(), encoding="utf-8")


def _rewrite_xlsx(path: Path, dropped: set[int], blanked: dict[int, set[str]]) -> None:
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    header_row = 2
    header = [cell.value for cell in sheet[header_row]]
    for line, columns in blanked.items():
        for column in columns:
            sheet.cell(row=line, column=header.index(column) + 1).value = None
    for line in sorted(dropped, reverse=True):
        sheet.delete_rows(line)
    book.save(path)


def _rewrite_ndjson(path: Path, dropped: set[int]) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    kept = [line for number, line in enumerate(lines, start=1) if number not in dropped]
    path.write_text("\n".join(kept) + "\n", encoding="utf-8")


def write_expected_landing(
    faulted_warehouse: Path, faulted_landing: Path, clean_landing: Path, out: Path
) -> dict[str, int]:
    """Copy `clean_landing` to `out` less what the faulted run set aside; returns what was removed."""
    faulted_landing, clean_landing, out = Path(faulted_landing), Path(clean_landing), Path(out)
    rejected, dropped, blanked = _set_aside(faulted_warehouse)
    shutil.copytree(clean_landing, out)
    for relative in rejected:
        shutil.copy2(faulted_landing / relative, out / relative)
    for relative in set(dropped) | set(blanked):
        if relative in rejected:
            continue
        path = out / relative
        if path.suffix == ".ndjson":
            _rewrite_ndjson(path, dropped[relative])
        elif path.suffix == ".xlsx":
            _rewrite_xlsx(path, dropped[relative], blanked[relative])
        else:
            _rewrite_csv(path, dropped[relative], blanked[relative])
        shutil.copystat(clean_landing / relative, path)
    return {
        "files_rejected": len(rejected),
        "lines_removed": sum(len(lines) for lines in dropped.values()),
        "rows_blanked": sum(len(lines) for lines in blanked.values()),
    }


PUBLISHED_NUMBERS = (
    "kelurahan_indicator_monthly",
    "puskesmas_indicator_monthly",
    "district_indicator_monthly",
    "regency_indicator_monthly",
    "kelurahan_growth_monthly",
    "posyandu_monthly",
)


def published_differences(first_warehouse: Path, second_warehouse: Path) -> dict[str, int]:
    """Rows of each published table present in one warehouse and not the other.

    Publish ids and the counts of rows received and quarantined per posyandu describe the input, which
    differs by design; every published number is compared."""
    con = duckdb.connect()
    con.execute(f"attach '{first_warehouse}' as first_run (read_only)")
    con.execute(f"attach '{second_warehouse}' as second_run (read_only)")
    differences = {}
    for table in PUBLISHED_NUMBERS:
        input_counts = ", rows_received, rows_quarantined" if table == "posyandu_monthly" else ""
        columns = f"* exclude (publish_id, published_at{input_counts}) from {{}}.pws.{table}"
        differences[table] = con.execute(
            f"""select count(*) from (
                    (select {columns.format("first_run")} except all select {columns.format("second_run")})
                    union all
                    (select {columns.format("second_run")} except all select {columns.format("first_run")}))"""
        ).fetchone()[0]
    con.close()
    return differences
