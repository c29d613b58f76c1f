"""Write the simulated world as a landing directory (sources.md), formatting in DuckDB, not row by row."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import duckdb
import numpy as np
import openpyxl
import pandas as pd

from ilp_pipeline.generator.months import add_months
from ilp_pipeline.generator.region import Region
from ilp_pipeline.generator.simulate import World

REGISTER_COLUMNS = [
    "tanggal_kunjungan",
    "kode_posyandu",
    "nik",
    "nama",
    "jenis_kelamin",
    "tanggal_lahir",
    "nik_ibu",
    "nama_ibu",
    "kode_kelurahan_domisili",
    "rt",
    "rw",
    "kelompok_sasaran",
    "berat_badan_kg",
    "tinggi_badan_cm",
    "cara_ukur",
    "lila_cm",
    "lingkar_kepala_cm",
    "lingkar_perut_cm",
    "sistolik",
    "diastolik",
    "gula_darah_mg_dl",
    "gula_darah_puasa",
    "usia_kehamilan_minggu",
    "imunisasi",
    "vitamin_a",
    "tablet_tambah_darah",
    "skrining_tb",
    "skrining_lansia",
    "skor_adl",
    "rujukan",
    "kode_kader",
]
DATE_COLUMNS = {"tanggal_kunjungan", "tanggal_lahir"}
DECIMAL_COLUMNS = {"berat_badan_kg", "tinggi_badan_cm", "lila_cm", "lingkar_kepala_cm", "lingkar_perut_cm"}
INTEGER_COLUMNS = {
    "sistolik",
    "diastolik",
    "gula_darah_mg_dl",
    "usia_kehamilan_minggu",
    "tablet_tambah_darah",
    "skor_adl",
}
FAULTS = [
    "nik_rusak",
    "berat_tidak_mungkin",
    "tanggal_di_masa_depan",
    "nama_kosong",
    "imunisasi_tidak_dikenal",
    "posyandu_lain",
]


def _utime(path: Path, when: dt.datetime) -> None:
    stamp = when.replace(tzinfo=dt.UTC).timestamp()
    os.utime(path, (stamp, stamp))


def write_reference(out: Region, root: Path, penduduk: pd.DataFrame, years: list[int], first_month: dt.date) -> None:
    ref = root / "reference"
    ref.mkdir(parents=True, exist_ok=True)
    out.wilayah.to_csv(ref / "wilayah.csv", index=False)
    out.puskesmas.to_csv(ref / "puskesmas.csv", index=False)
    out.wilayah_kerja.to_csv(ref / "wilayah_kerja.csv", index=False)
    out.posyandu.to_csv(ref / "posyandu.csv", index=False)
    penduduk.to_csv(ref / "penduduk.csv", index=False)
    pd.DataFrame(
        {
            "tahun": years,
            "kode_kabkota": out.kabkota_code,
            "cbr": 16.5,
            "imr": 17.0,
            "prevalensi_hipertensi": 0.30,
            "prevalensi_dm": 0.11,
        }
    ).to_csv(ref / "parameter_sasaran.csv", index=False)
    when = dt.datetime.combine(first_month - dt.timedelta(days=1), dt.time(9))
    for path in ref.iterdir():
        _utime(path, when)


def _formatted_register_sql(date_format: str, decimal_comma: bool) -> str:
    parts = []
    for column in REGISTER_COLUMNS:
        if column in DATE_COLUMNS:
            expr = f"strftime({column}, '{date_format}')"
        elif column in DECIMAL_COLUMNS:
            text = f"printf('%.1f', {column})"
            expr = f"replace({text}, '.', ',')" if decimal_comma else text
        elif column in INTEGER_COLUMNS:
            expr = f"cast(cast({column} as bigint) as varchar)"
        else:
            expr = f"nullif(cast({column} as varchar), '')"
        parts.append(f"{expr} as {column}")
    return ", ".join(parts)


def _apply_faults_sql() -> str:
    """Column overrides that inject the drawn fault of each row (the row's _fault column)."""
    return """
        case _fault
            when 'nik_rusak' then case when nik = '' then '' when _fault_variant = 0
                then substr(nik, 1, 6) || '00' || substr(nik, 9)
                else substr(nik, 1, 1) || '.' || substr(nik, 2, 5) || 'E+15' end
            else nik end as nik,
        case _fault when 'berat_tidak_mungkin' then berat_badan_kg * 100 else berat_badan_kg end as berat_badan_kg,
        case _fault when 'tanggal_di_masa_depan' then tanggal_kunjungan + interval 400 day
            else tanggal_kunjungan end as tanggal_kunjungan,
        case _fault when 'nama_kosong' then null else nama end as nama,
        case _fault when 'imunisasi_tidak_dikenal' then 'XYZ' else imunisasi end as imunisasi,
        case _fault when 'posyandu_lain' then 'PSY0000000000000' else kode_posyandu end as kode_posyandu
    """


def write_registers(
    con: duckdb.DuckDBPyConnection,
    world: World,
    root: Path,
    rng: np.random.Generator,
    fault_rng: np.random.Generator,
    error_rate: float,
) -> int:
    register = world.register
    posyandu = world.region.posyandu
    n = len(register)
    fault = np.where(fault_rng.random(n) < error_rate, fault_rng.choice(FAULTS, n), None)
    month_labels = np.array([f"{m:%Y-%m}" for m in world.months])
    style_draw = rng.random(len(posyandu))
    style = np.where(style_draw < 0.80, "comma", np.where(style_draw < 0.95, "semicolon", "xlsx"))
    frame = register.assign(
        _fault=fault,
        _fault_variant=fault_rng.integers(0, 2, n),
        _m=month_labels[register["_month_index"].to_numpy()],
        _p=posyandu["kode_posyandu"].to_numpy()[register["_posyandu_index"].to_numpy()],
        _style=style[register["_posyandu_index"].to_numpy()],
        _order=np.arange(n),
    )
    frame["kode_kader"] = np.char.add(np.char.add("K", frame["_p"].to_numpy().astype(str)), "01")
    con.register("register_frame", frame)
    faulted_cols = {"nik", "berat_badan_kg", "tanggal_kunjungan", "nama", "imunisasi", "kode_posyandu"}
    passthrough = ", ".join(c for c in [*REGISTER_COLUMNS, "_m", "_p", "_style", "_order"] if c not in faulted_cols)
    con.execute(
        f"create or replace temp view register_faulted as select {passthrough}, {_apply_faults_sql()} "
        "from register_frame"
    )
    staging = root / ".staging"
    for name, date_format, decimal_comma, delimiter in (
        ("comma", "%Y-%m-%d", False, ","),
        ("semicolon", "%d/%m/%Y", True, ";"),
    ):
        target = staging / name
        target.parent.mkdir(parents=True, exist_ok=True)
        con.execute(
            f"""copy (select {_formatted_register_sql(date_format, decimal_comma)}, _m, _p
                      from register_faulted where _style = '{name}' order by _order)
                to '{target}' (format csv, header, delimiter '{delimiter}', partition_by (_m, _p))"""
        )
        for part in target.glob("_m=*/_p=*/*.csv"):
            month, code = part.parent.parent.name[3:], part.parent.name[3:]
            dest = root / "posyandu" / month / f"{code}.csv"
            dest.parent.mkdir(parents=True, exist_ok=True)
            part.replace(dest)
    xlsx = con.execute(
        f"select {_formatted_register_sql('%Y-%m-%d', False)}, _m, _p from register_faulted "
        "where _style = 'xlsx' order by _p, _m, _order"
    ).df()
    for (month, code), rows in xlsx.groupby(["_m", "_p"], sort=True):
        _write_xlsx(root / "posyandu" / month / f"{code}.xlsx", rows[REGISTER_COLUMNS])
    shutil.rmtree(staging, ignore_errors=True)
    _drop_required_columns(root, fault_rng, error_rate)
    world.register_delays = _stamp_register_mtimes(root, rng)
    return n


def _write_xlsx(path: Path, rows: pd.DataFrame) -> None:
    """Excel as a kader's spreadsheet has it: a title row, then the header, real Excel dates."""
    path.parent.mkdir(parents=True, exist_ok=True)
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Register")
    sheet.append([f"Register kunjungan {path.stem}"])
    sheet.append(list(rows.columns))
    converted = rows.copy()
    for column in DATE_COLUMNS:
        converted[column] = pd.to_datetime(converted[column], errors="coerce", format="%Y-%m-%d")
    for column in DECIMAL_COLUMNS | INTEGER_COLUMNS:
        converted[column] = pd.to_numeric(converted[column], errors="coerce")
    for record in converted.astype(object).where(converted.notna(), None).itertuples(index=False):
        sheet.append([value.to_pydatetime() if isinstance(value, pd.Timestamp) else value for value in record])
    book.save(path)


def _drop_required_columns(root: Path, rng: np.random.Generator, error_rate: float) -> None:
    """A few files lose a required column, as when a kader deletes one in the spreadsheet."""
    if error_rate <= 0:
        return
    files = sorted((root / "posyandu").glob("[0-9][0-9][0-9][0-9]-[0-9][0-9]/*.csv"))
    for path in files:
        if rng.random() >= error_rate / 2:
            continue
        text = path.read_text(encoding="utf-8").splitlines()
        delimiter = ";" if text[0].count(";") > text[0].count(",") else ","
        header = text[0].split(delimiter)
        drop = header.index("tanggal_lahir")
        lines = [delimiter.join(v for i, v in enumerate(line.split(delimiter)) if i != drop) for line in text]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _stamp_register_mtimes(root: Path, rng: np.random.Generator) -> dict[tuple[str, str], int]:
    """Registers arrive on day `delay` of the next month; about one in eight after day 10."""
    delays = {}
    for path in sorted((root / "posyandu").glob("[0-9][0-9][0-9][0-9]-[0-9][0-9]/*")):
        month = dt.date.fromisoformat(path.parent.name + "-01")
        late = rng.random() < 0.12
        delay = int(rng.integers(11, 40)) if late else int(rng.integers(1, 11))
        _utime(path, dt.datetime.combine(add_months(month, 1), dt.time(16)) + dt.timedelta(days=delay - 1))
        delays[(path.parent.name, path.stem)] = delay
    return delays


def write_kader(world: World, root: Path) -> None:
    folder = root / "posyandu" / "kader"
    folder.mkdir(parents=True, exist_ok=True)
    world.kader.to_csv(folder / "kader.csv", index=False)
    _utime(folder / "kader.csv", dt.datetime.combine(world.months[0], dt.time(8)))
    for month_index, rows in world.penilaian.groupby("_month_index"):
        month = world.months[int(month_index)]
        path = folder / f"penilaian_{month:%Y-%m}.csv"
        rows.drop(columns="_month_index").to_csv(path, index=False)
        _utime(path, dt.datetime.combine(add_months(month, 1), dt.time(10)))


_RESOURCE_SQL = {
    "Patient": """
        select {
          'resourceType': 'Patient', 'id': patient_id,
          'identifier': list_filter([
              {'system': 'https://fhir.kemkes.go.id/id/nik', 'value': nik},
              {'system': 'https://fhir.kemkes.go.id/id/nik-ibu', 'value': nik_ibu}],
              lambda x: coalesce(x.value, '') <> ''),
          'name': [{'text': nama}], 'gender': gender, 'birthDate': strftime(birth_date, '%Y-%m-%d'),
          'address': [{'extension': [{
              'url': 'https://fhir.kemkes.go.id/r4/StructureDefinition/administrativeCode',
              'extension': [
                  {'url': 'province', 'valueCode': substr(village, 1, 2)},
                  {'url': 'city', 'valueCode': substr(village, 1, 4)},
                  {'url': 'district', 'valueCode': substr(village, 1, 6)},
                  {'url': 'village', 'valueCode': village}]}]}]
        } as r, puskesmas as _p, month as _m from resources order by puskesmas, month, patient_id""",
    "Encounter": """
        select {
          'resourceType': 'Encounter', 'id': id, 'status': status,
          'type': [{'coding': [{'system': 'urn:ilp:encounter-type', 'code': type_code}]}],
          'subject': {'reference': 'Patient/' || patient_id},
          'participant': [{'type': [{'coding': [{'code': participant}]}]}],
          'period': {'start': start_utc},
          'serviceProvider': {'reference': 'Organization/' || puskesmas},
          'location': case when location_type is null then null
                           else [{'physicalType': {'coding': [{'code': location_type}]}}] end
        } as r, puskesmas as _p, month as _m from resources order by puskesmas, month, start_utc, id""",
    "Observation": """
        select {
          'resourceType': 'Observation', 'id': id, 'status': status,
          'code': {'coding': [{'system': 'http://loinc.org', 'code': loinc}]},
          'subject': {'reference': 'Patient/' || patient_id},
          'encounter': {'reference': 'Encounter/' || encounter_id},
          'effectiveDateTime': effective_utc,
          'valueQuantity': case when loinc = '85354-9' then null else {'value': value, 'unit': unit} end,
          'component': case when loinc <> '85354-9' then null else [
              {'code': {'coding': [{'system': 'http://loinc.org', 'code': '8480-6'}]},
               'valueQuantity': {'value': value, 'unit': unit}},
              {'code': {'coding': [{'system': 'http://loinc.org', 'code': '8462-4'}]},
               'valueQuantity': {'value': second_value, 'unit': unit}}] end
        } as r, puskesmas as _p, month as _m from resources order by puskesmas, month, effective_utc, id""",
    "Immunization": """
        select {
          'resourceType': 'Immunization', 'id': id, 'status': status,
          'vaccineCode': {'coding': [{'system': 'urn:ilp:antigen', 'code': antigen}]},
          'patient': {'reference': 'Patient/' || patient_id},
          'occurrenceDateTime': occurrence_utc,
          'protocolApplied': case when dose_number > 0 then [{'doseNumberPositiveInt': dose_number}] else null end,
          'location': case when location is null then null else {'reference': 'Location/' || location} end
        } as r, puskesmas as _p, month as _m from resources order by puskesmas, month, occurrence_utc, id""",
    "Condition": """
        select {
          'resourceType': 'Condition', 'id': id,
          'clinicalStatus': {'coding': [{'code': clinical_status}]},
          'code': {'coding': [{'system': 'http://hl7.org/fhir/sid/icd-10', 'code': icd10}]},
          'subject': {'reference': 'Patient/' || patient_id},
          'encounter': {'reference': 'Encounter/' || encounter_id},
          'recordedDate': recorded_utc
        } as r, puskesmas as _p, month as _m from resources order by puskesmas, month, id""",
}


def write_fhir(
    con: duckdb.DuckDBPyConnection, world: World, root: Path, fault_rng: np.random.Generator, error_rate: float
) -> int:
    month_labels = np.array([f"{m:%Y-%m}" for m in world.months])
    frames = {
        "Patient": world.patients,
        "Encounter": world.encounters.drop(columns="day"),
        "Observation": world.observations,
        "Immunization": world.immunizations,
        "Condition": world.conditions,
    }
    staging = root / ".staging_fhir"
    total = 0
    for resource, frame in frames.items():
        if frame.empty:
            continue
        total += len(frame)
        con.register("resources", frame.assign(month=month_labels[frame["export_month"].to_numpy()]))
        target = staging / resource
        target.parent.mkdir(parents=True, exist_ok=True)
        con.execute(
            f"copy (select unnest(r), _p, _m from ({_RESOURCE_SQL[resource]})) "
            f"to '{target}' (format json, partition_by (_p, _m))"
        )
        con.unregister("resources")
        for part in sorted(target.glob("_p=*/_m=*/*.json")):
            code, month = part.parent.parent.name[3:], part.parent.name[3:]
            dest = root / "puskesmas" / code / month / f"{resource}.ndjson"
            dest.parent.mkdir(parents=True, exist_ok=True)
            part.replace(dest)
    shutil.rmtree(staging, ignore_errors=True)
    for path in sorted((root / "puskesmas").glob("*/*/*.ndjson")):
        if error_rate > 0:
            _corrupt_lines(path, fault_rng, error_rate)
        month = dt.date.fromisoformat(path.parent.name + "-01")
        _utime(path, dt.datetime.combine(add_months(month, 1), dt.time(2)) + dt.timedelta(days=4))
    return total


def _corrupt_lines(path: Path, rng: np.random.Generator, error_rate: float) -> None:
    """A broken export: some lines cut short, as when a transfer stops mid-line."""
    lines = path.read_text(encoding="utf-8").splitlines()
    broken = rng.random(len(lines)) < error_rate / 4
    if not broken.any():
        return
    lines = [line[: len(line) // 2] if cut else line for line, cut in zip(lines, broken, strict=True)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
