"""Simulate people and their services, vectorised: children, pregnancies, adults, elderly, school children.

Every event is drawn as whole arrays (numpy), never person by person, so the same code can later produce
national volumes. Days are integer day numbers (days since 1970-01-01).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ilp_pipeline.generator import growth, people
from ilp_pipeline.generator.months import add_months, to_day_number
from ilp_pipeline.generator.region import AGE_SHARE, Region
from ilp_pipeline.settings import DBT_PROJECT_DIR

CBR = 16.5
IMR = 17.0
# Probability that a child is still vaccinated at each due age: nested, so drop-out grows with age.
REACH_BY_DUE_AGE = {0: 0.93, 7: 0.95, 61: 0.93, 91: 0.91, 122: 0.89, 274: 0.86, 365: 0.76, 548: 0.70}
DELIVERY_PLACES = np.array(["puskesmas", "rumah_sakit", "klinik", "praktik_bidan", "rumah"])
DELIVERY_PLACE_SHARE = np.array([0.40, 0.25, 0.12, 0.15, 0.08])
ANC_PLAN_WEEKS = np.array([14, 18, 22, 26, 30, 34, 37])
NIFAS_WINDOWS = [(0, 2), (3, 7), (8, 28), (29, 42)]
NEONATAL_WINDOWS = [(0, 2), (3, 7), (8, 28)]


def immunisation_schedule() -> pd.DataFrame:
    return pd.read_csv(DBT_PROJECT_DIR / "seeds" / "immunisation_schedule.csv")


@dataclass
class World:
    region: Region
    months: list[dt.date]
    register: pd.DataFrame = field(default_factory=pd.DataFrame)
    encounters: pd.DataFrame = field(default_factory=pd.DataFrame)
    observations: pd.DataFrame = field(default_factory=pd.DataFrame)
    immunizations: pd.DataFrame = field(default_factory=pd.DataFrame)
    conditions: pd.DataFrame = field(default_factory=pd.DataFrame)
    patients: pd.DataFrame = field(default_factory=pd.DataFrame)
    kader: pd.DataFrame = field(default_factory=pd.DataFrame)
    penilaian: pd.DataFrame = field(default_factory=pd.DataFrame)
    reported: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), bool))
    persons: pd.DataFrame = field(default_factory=pd.DataFrame)
    register_delays: dict[tuple[str, str], int] = field(default_factory=dict)


class Calendar:
    """Months of the landing directory and each posyandu's session day in them."""

    def __init__(self, months: list[dt.date], hari_buka: np.ndarray):
        self.months = months
        self.month_start = np.array([to_day_number(m) for m in months])
        self.month_end = np.array([to_day_number(add_months(m, 1)) - 1 for m in months])
        self.first_day = int(self.month_start[0])
        self.last_day = int(self.month_end[-1])
        length = self.month_end - self.month_start + 1
        self.session_day = self.month_start[None, :] + np.minimum(hari_buka[:, None], length[None, :]) - 1

    def month_index(self, days: np.ndarray) -> np.ndarray:
        """Index of the month holding each day; -1 before the first month, len(months) after the last."""
        return np.searchsorted(self.month_end, days, side="left").astype(int) - (days < self.first_day)


def _local_time_utc(rng: np.random.Generator, days: np.ndarray, offset_hours: int) -> np.ndarray:
    """ISO 8601 UTC timestamps for services on local days: mostly office hours, a few before 07:00 local."""
    minutes = rng.integers(8 * 60, 15 * 60, len(days))
    early = rng.random(len(days)) < 0.04
    minutes = np.where(early, rng.integers(30, 6 * 60 + 30, len(days)), minutes)
    stamps = days.astype("datetime64[D]").astype("datetime64[m]") + minutes - offset_hours * 60
    return np.char.add(np.datetime_as_string(stamps, unit="s").astype(str), "+00:00")


def _emit_month(calendar: Calendar, days: np.ndarray) -> np.ndarray:
    """Export month index: the service month, or the first month as backlog for the year before it."""
    index = calendar.month_index(days)
    backlog = (index < 0) & (days >= calendar.first_day - 365)
    index = np.where(backlog, 0, index)
    return np.where((index >= 0) & (index < len(calendar.months)), index, -1)


def simulate(region: Region, months: list[dt.date], rng: np.random.Generator) -> World:
    world = World(region=region, months=months)
    posyandu = region.posyandu
    calendar = Calendar(months, posyandu["hari_buka"].to_numpy())
    n_posyandu = len(posyandu)
    # Most posyandu report every month; a few struggle.
    reliability = np.where(rng.random(n_posyandu) < 0.05, 0.6, 0.97)
    world.reported = rng.random((n_posyandu, len(months))) < reliability[:, None]

    desa_codes = region.wilayah["kode_kelurahan"].to_numpy()
    kecamatan_of_desa = region.wilayah["kode_kecamatan"].to_numpy()
    kerja = region.wilayah_kerja.set_index("kode_kelurahan")["kode_puskesmas"]
    puskesmas_of_desa = kerja.loc[desa_codes].to_numpy()
    posy_desa = pd.Index(desa_codes).get_indexer(posyandu["kode_kelurahan"])
    posy_first = np.searchsorted(posy_desa, np.arange(len(desa_codes)))
    posy_count = np.bincount(posy_desa, minlength=len(desa_codes))
    offset = 7 if region.province_code in _WIB else 8 if region.province_code in _WITA else 9
    ctx = _Context(
        rng, region, calendar, world, desa_codes, kecamatan_of_desa, puskesmas_of_desa, posy_first, posy_count, offset
    )

    children = _simulate_children(ctx)
    _simulate_pregnancies(ctx, children)
    _simulate_adults(ctx)
    _simulate_school(ctx)
    _simulate_kader(ctx)
    ctx.finish()
    return world


_WIB = {"11", "12", "13", "14", "15", "16", "17", "18", "19", "21", "31", "32", "33", "34", "35", "36", "61", "62"}
_WITA = {"51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"}


@dataclass
class _Context:
    rng: np.random.Generator
    region: Region
    calendar: Calendar
    world: World
    desa_codes: np.ndarray
    kecamatan_of_desa: np.ndarray
    puskesmas_of_desa: np.ndarray
    posy_first: np.ndarray
    posy_count: np.ndarray
    utc_offset: int
    registers: list[pd.DataFrame] = field(default_factory=list)
    encounters: list[pd.DataFrame] = field(default_factory=list)
    observations: list[pd.DataFrame] = field(default_factory=list)
    immunizations: list[pd.DataFrame] = field(default_factory=list)
    conditions: list[pd.DataFrame] = field(default_factory=list)
    patients: list[pd.DataFrame] = field(default_factory=list)
    persons: list[pd.DataFrame] = field(default_factory=list)
    counters: dict[str, int] = field(default_factory=dict)

    def ids(self, prefix: str, n: int) -> np.ndarray:
        start = self.counters.get(prefix, 0)
        self.counters[prefix] = start + n
        return np.char.add(prefix, np.arange(start, start + n).astype(str))

    def pick_posyandu(self, desa: np.ndarray) -> np.ndarray:
        return self.posy_first[desa] + self.rng.integers(0, 1 << 30, len(desa)) % self.posy_count[desa]

    def population_share(self, lo: int, hi: int) -> float:
        return float(AGE_SHARE[lo : hi + 1].sum())

    # -- FHIR ---------------------------------------------------------------------------------------
    def encounter(
        self,
        person: pd.DataFrame,
        days: np.ndarray,
        type_code: str,
        participant: np.ndarray,
        location_type: np.ndarray | None = None,
    ) -> pd.DataFrame:
        """Finished encounters (about 1% cancelled) for persons (patient_id, desa) on days; returns ids."""
        month = _emit_month(self.calendar, days)
        keep = month >= 0
        person, days, participant, month = person[keep], days[keep], participant[keep], month[keep]
        n = len(days)
        frame = pd.DataFrame(
            {
                "puskesmas": self.puskesmas_of_desa[person["desa"].to_numpy()],
                "export_month": month,
                "id": self.ids(f"enc-{type_code.lower()}-", n),
                "status": np.where(self.rng.random(n) < 0.01, "cancelled", "finished"),
                "type_code": type_code,
                "start_utc": _local_time_utc(self.rng, days, self.utc_offset),
                "patient_id": person["patient_id"].to_numpy(),
                "participant": participant,
                "location_type": location_type[keep] if location_type is not None else None,
                "day": days,
            }
        )
        self.encounters.append(frame)
        return frame

    def observation(
        self, encounters: pd.DataFrame, loinc: str, value: np.ndarray, unit: str, second_value: np.ndarray | None = None
    ) -> None:
        present = ~pd.isna(value)
        enc = encounters[present]
        n = len(enc)
        self.observations.append(
            pd.DataFrame(
                {
                    "puskesmas": enc["puskesmas"].to_numpy(),
                    "export_month": enc["export_month"].to_numpy(),
                    "id": self.ids(f"obs-{loinc}-", n),
                    "status": "final",
                    "loinc": loinc,
                    "value": np.asarray(value, dtype=float)[present],
                    "second_value": np.asarray(second_value, dtype=float)[present]
                    if second_value is not None
                    else np.nan,
                    "unit": unit,
                    "effective_utc": enc["start_utc"].to_numpy(),
                    "patient_id": enc["patient_id"].to_numpy(),
                    "encounter_id": enc["id"].to_numpy(),
                }
            )
        )

    def patient_rows(self, frame: pd.DataFrame) -> None:
        self.patients.append(frame)

    def register_persons(self, persons: pd.DataFrame) -> None:
        """The truth about each person: birth, sex and home, for the ground-truth counts."""
        self.persons.append(
            pd.DataFrame(
                {
                    "person": persons["person"].to_numpy(),
                    "birth_day": persons["birth_day"].to_numpy(),
                    "female": persons["female"].to_numpy().astype(bool),
                    "home_code": _home_code(self, persons),
                }
            )
        )

    def finish(self) -> None:
        world = self.world
        world.register = pd.concat(self.registers, ignore_index=True)
        world.encounters = pd.concat(self.encounters, ignore_index=True)
        world.observations = pd.concat(self.observations, ignore_index=True)
        world.immunizations = pd.concat(self.immunizations, ignore_index=True)
        world.conditions = pd.concat(self.conditions, ignore_index=True) if self.conditions else pd.DataFrame()
        persons = pd.concat(self.patients, ignore_index=True).drop_duplicates("patient_id").set_index("patient_id")
        used = pd.concat(
            [
                world.encounters[["puskesmas", "export_month", "patient_id"]],
                world.immunizations[["puskesmas", "export_month", "patient_id"]],
            ]
        ).drop_duplicates()
        world.patients = used.join(persons, on="patient_id").reset_index(drop=True)
        world.persons = pd.concat(self.persons, ignore_index=True).drop_duplicates("person")


def _days_to_dates(days: np.ndarray) -> np.ndarray:
    return np.asarray(days, dtype="int64").astype("datetime64[D]")


def _register_frame(
    ctx: _Context, person: pd.DataFrame, month_index: np.ndarray, posyandu_index: np.ndarray, group: np.ndarray
) -> pd.DataFrame:
    """Base register columns for person visits at their posyandu's session of month_index."""
    posyandu = ctx.region.posyandu
    session = ctx.calendar.session_day[posyandu_index, month_index]
    return pd.DataFrame(
        {
            "_posyandu_index": posyandu_index,
            "_month_index": month_index,
            "_person": person["person"].to_numpy(),
            "tanggal_kunjungan": _days_to_dates(session),
            "kode_posyandu": posyandu["kode_posyandu"].to_numpy()[posyandu_index],
            "nik": person["nik"].to_numpy(),
            "nama": person["nama"].to_numpy(),
            "jenis_kelamin": np.where(person["female"].to_numpy(), "P", "L"),
            "tanggal_lahir": _days_to_dates(person["birth_day"].to_numpy()),
            "kode_kelurahan_domisili": person["domisili"].to_numpy(),
            "rt": person["rt"].to_numpy(),
            "rw": posyandu["rw"].to_numpy()[posyandu_index],
            "kelompok_sasaran": group,
        }
    )


def _simulate_children(ctx: _Context) -> pd.DataFrame:
    rng, cal = ctx.rng, ctx.calendar
    start_day = to_day_number(add_months(cal.months[0], -60))
    horizon = cal.last_day + 280
    n_days = horizon - start_day + 1
    population = ctx.region.population["total"].to_numpy()
    births = rng.poisson(CBR / 1000 * population / 365.25 * n_days)
    desa = np.repeat(np.arange(len(population)), births)
    n = len(desa)
    birth_day = start_day + rng.integers(0, n_days, n)
    order = np.lexsort((desa, birth_day))
    desa, birth_day = desa[order], birth_day[order]
    female = rng.random(n) < 0.49
    mother_age_days = rng.integers(19 * 365, 41 * 365, n)
    mother_birth = birth_day - mother_age_days
    mothers = pd.DataFrame(
        {
            "person": np.char.add("m", np.arange(n).astype(str)),
            "patient_id": np.char.add("m", np.arange(n).astype(str)),
            "desa": desa,
            "female": True,
            "birth_day": mother_birth,
            "nama": people.names(rng, np.ones(n, bool)),
            "nik": np.where(
                rng.random(n) < 0.98,
                people.niks(
                    rng, ctx.kecamatan_of_desa[desa], _days_to_dates(mother_birth), np.ones(n, bool), "mothers"
                ),
                "",
            ),
            "rt": np.char.zfill(rng.integers(1, 12, n).astype(str), 3),
        }
    )
    domisili = np.where(rng.random(n) < 0.7, ctx.desa_codes[desa], "")
    elsewhere = rng.random(n) < 0.01
    domisili = np.where(elsewhere, ctx.desa_codes[rng.integers(0, len(ctx.desa_codes), n)], domisili)
    outside = rng.random(n) < 0.004
    domisili = np.where(outside, "1671041001", domisili)
    children = pd.DataFrame(
        {
            "person": np.char.add("c", np.arange(n).astype(str)),
            "patient_id": np.char.add("c", np.arange(n).astype(str)),
            "desa": desa,
            "female": female,
            "birth_day": birth_day,
            "nama": people.names(rng, female),
            "nik_full": people.niks(rng, ctx.kecamatan_of_desa[desa], _days_to_dates(birth_day), female, "children"),
            "nik_from_day": birth_day + np.where(rng.random(n) < 0.85, rng.gamma(2.0, 120, n), 1e6).astype(int),
            "mother": np.arange(n),
            "posyandu": ctx.pick_posyandu(desa),
            "domisili": domisili,
            "rt": mothers["rt"].to_numpy(),
            "attend_p": rng.beta(6, 2, n),
            "haz0": rng.normal(-0.85, 1.1, n),
            "haz_drift": rng.normal(-0.12, 0.15, n),
            "whz0": rng.normal(-0.3, 1.05, n),
            "delivery_place": rng.choice(DELIVERY_PLACES, n, p=DELIVERY_PLACE_SHARE),
        }
    )
    children["nik_ibu"] = mothers["nik"].to_numpy()
    children["nama_ibu"] = mothers["nama"].to_numpy()
    born = children[children["birth_day"] <= cal.last_day]
    posyandu_doses = _simulate_immunisation(ctx, born)
    _child_visits(ctx, born, posyandu_doses)
    _neonatal_contacts(ctx, born)
    ctx.patient_rows(_patients_of(ctx, born, child=True))
    ctx.register_persons(born)
    ctx.mothers = mothers  # type: ignore[attr-defined]
    return children


def _simulate_immunisation(ctx: _Context, children: pd.DataFrame) -> pd.DataFrame:
    rng, cal = ctx.rng, ctx.calendar
    schedule = immunisation_schedule()
    n, a = len(children), len(schedule)
    due = schedule["due_age_days"].to_numpy()
    reach = np.array([REACH_BY_DUE_AGE[d] for d in due])
    propensity = rng.random(n)
    received = (propensity[:, None] < reach[None, :]) & (rng.random((n, a)) > 0.015)
    lateness = rng.lognormal(0, 0.6, n)
    delay = rng.gamma(1.4, 11.0, (n, a)) * lateness[:, None]
    is_hb0 = (schedule["antigen_code"] == "HB0").to_numpy()
    hb0_delay = np.select(
        [rng.random(n) < 0.86, rng.random(n) < 0.6],
        [rng.integers(0, 3, n), rng.integers(3, 7, n)],
        rng.integers(7, 25, n),
    )
    delay[:, is_hb0] = hb0_delay[:, None]
    birth = children["birth_day"].to_numpy()
    target = birth[:, None] + due[None, :] + np.round(delay).astype(int)
    at_facility_share = np.where(is_hb0, 1.0, np.where(due <= 7, 0.5, 0.25))
    at_facility = rng.random((n, a)) < at_facility_share[None, :]

    child_idx, antigen_idx = np.nonzero(received & (target <= cal.last_day))
    day = target[child_idx, antigen_idx]
    facility = at_facility[child_idx, antigen_idx]
    posy = children["posyandu"].to_numpy()[child_idx]
    # A posyandu dose is given at the first session on or after the target day that the posyandu held.
    month = cal.month_index(day)
    for _ in range(3):
        inside = (month >= 0) & (month < len(cal.months))
        session = np.where(inside, cal.session_day[posy, np.clip(month, 0, len(cal.months) - 1)], 0)
        held = inside & ctx.world.reported[posy, np.clip(month, 0, len(cal.months) - 1)]
        move = inside & (~held | (day > session))
        month = np.where(move, month + 1, month)
    inside = (month >= 0) & (month < len(cal.months))
    at_posyandu = ~facility & inside
    session = cal.session_day[posy, np.clip(month, 0, len(cal.months) - 1)]
    dose_day = np.where(at_posyandu, session, day)
    # Doses before the window reach us as the puskesmas's backlog upload; posyandu doses past the window
    # are simply not given yet.
    to_fhir = ~at_posyandu & (day <= cal.last_day)
    antigen = schedule["antigen_code"].to_numpy()[antigen_idx]
    doses = pd.DataFrame(
        {
            "child": child_idx,
            "antigen": antigen,
            "day": dose_day,
            "at_posyandu": at_posyandu,
            "month": month,
            "dose_number": schedule["dose_number"].to_numpy()[antigen_idx],
        }
    )
    both = at_posyandu & (rng.random(len(doses)) < 0.12)
    fhir = doses[to_fhir | both].copy()
    fhir.loc[both[to_fhir | both], "day"] += rng.integers(0, 6, int(both.sum()))
    person = children.iloc[fhir["child"].to_numpy()]
    month = _emit_month(cal, fhir["day"].to_numpy())
    keep = month >= 0
    fhir, person, month = fhir[keep], person[keep], month[keep]
    m = len(fhir)
    status = np.where(rng.random(m) < 0.01, "not-done", "completed")
    ctx.immunizations.append(
        pd.DataFrame(
            {
                "puskesmas": ctx.puskesmas_of_desa[person["desa"].to_numpy()],
                "export_month": month,
                "id": ctx.ids("imm-", m),
                "status": status,
                "antigen": fhir["antigen"].to_numpy(),
                "occurrence_utc": _local_time_utc(rng, fhir["day"].to_numpy(), ctx.utc_offset),
                "patient_id": person["patient_id"].to_numpy(),
                "dose_number": fhir["dose_number"].to_numpy(),
                "day": fhir["day"].to_numpy(),
                "location": np.where(
                    fhir["at_posyandu"].to_numpy(),
                    ctx.region.posyandu["kode_posyandu"].to_numpy()[person["posyandu"].to_numpy()],
                    None,
                ),
            }
        )
    )
    return doses[at_posyandu]


def _child_visits(ctx: _Context, children: pd.DataFrame, posyandu_doses: pd.DataFrame) -> None:
    rng, cal = ctx.rng, ctx.calendar
    n, months = len(children), len(cal.months)
    posy = children["posyandu"].to_numpy()
    birth = children["birth_day"].to_numpy()
    session = cal.session_day[posy]  # children x months
    age = session - birth[:, None]
    eligible = (age >= 0) & (age < 1826)
    p = children["attend_p"].to_numpy()[:, None] * np.where(age >= 1096, 0.8, 1.0)
    attend = eligible & ctx.world.reported[posy] & (rng.random((n, months)) < p)
    attend[posyandu_doses["child"].to_numpy(), posyandu_doses["month"].to_numpy()] = True
    child_idx, month_idx = np.nonzero(attend)
    person = children.iloc[child_idx]
    visit_day = session[child_idx, month_idx]
    age_days = age[child_idx, month_idx]
    has_nik = visit_day >= person["nik_from_day"].to_numpy()
    frame = _register_frame(
        ctx,
        person.assign(nik=np.where(has_nik, person["nik_full"].to_numpy(), "")),
        month_idx,
        posy[child_idx],
        np.where(age_days < 365, "bayi", "balita"),
    )
    frame["nik_ibu"] = np.where(rng.random(len(frame)) < 0.95, person["nik_ibu"].to_numpy(), "")
    frame["nama_ibu"] = person["nama_ibu"].to_numpy()

    female = person["female"].to_numpy()
    years = age_days / 365.25
    haz = person["haz0"].to_numpy() + person["haz_drift"].to_numpy() * years + rng.normal(0, 0.08, len(frame))
    length = growth.length_for_age(age_days, female, haz)
    whz = person["whz0"].to_numpy() + rng.normal(0, 0.08, len(frame))
    weight = growth.weight_for_length(np.round(length, 1), age_days < 731, female, whz)
    under_two = age_days < 731
    method_draw = rng.random(len(frame))
    cara = np.where(
        method_draw < 0.88,
        np.where(under_two, "terlentang", "berdiri"),
        np.where(method_draw < 0.95, np.where(under_two, "berdiri", "terlentang"), ""),
    )
    # The recorded value is what the tape shows in the position used.
    recorded = length + np.where(under_two & (cara == "berdiri"), -0.7, 0.0)
    recorded = recorded + np.where(~under_two & (cara == "terlentang"), 0.7, 0.0)
    measured_height = rng.random(len(frame)) < 0.85
    frame["berat_badan_kg"] = np.round(weight, 1)
    frame["tinggi_badan_cm"] = np.where(measured_height, np.round(recorded, 1), np.nan)
    frame["cara_ukur"] = np.where(measured_height, cara, "")
    frame["lila_cm"] = np.where(
        (age_days >= 180) & (rng.random(len(frame)) < 0.2), np.round(rng.normal(14.5, 1.1, len(frame)), 1), np.nan
    )
    frame["lingkar_kepala_cm"] = np.where(age_days < 730, np.round(34 + 12 * (1 - np.exp(-age_days / 250)), 1), np.nan)
    frame["vitamin_a"] = np.where(
        np.isin(pd.DatetimeIndex(frame["tanggal_kunjungan"]).month, [2, 8]) & (age_days >= 180), "Y", ""
    )
    doses = posyandu_doses.assign(key=posyandu_doses["child"].astype(np.int64) * 1000 + posyandu_doses["month"])
    listed = doses.sort_values(["key", "antigen"]).groupby("key")["antigen"].agg(";".join)
    frame["imunisasi"] = listed.reindex(child_idx.astype(np.int64) * 1000 + month_idx).fillna("").to_numpy()
    ctx.registers.append(frame)


def _neonatal_contacts(ctx: _Context, children: pd.DataFrame) -> None:
    rng = ctx.rng
    n = len(children)
    reach = rng.random(n)
    for (lo, hi), share in zip(NEONATAL_WINDOWS, (0.93, 0.86, 0.78), strict=True):
        got = reach < share
        person = children[got]
        days = person["birth_day"].to_numpy() + rng.integers(lo, hi + 1, int(got.sum()))
        ctx.encounter(person, days, "NEONATAL", np.where(rng.random(len(days)) < 0.8, "bidan", "perawat"))


def _home_code(ctx: _Context, persons: pd.DataFrame) -> np.ndarray:
    """Where a person lives: the domicile written on their records, else their village."""
    written = persons["domisili"].to_numpy().astype(str) if "domisili" in persons else np.full(len(persons), "")
    return np.where(written != "", written, ctx.desa_codes[persons["desa"].to_numpy()])


def _patients_of(ctx: _Context, persons: pd.DataFrame, child: bool) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "patient_id": persons["patient_id"].to_numpy(),
            "nik": persons["nik_full"].to_numpy() if child else persons["nik"].to_numpy(),
            "nik_ibu": persons["nik_ibu"].to_numpy() if child else "",
            "nama": persons["nama"].to_numpy(),
            "gender": np.where(persons["female"].to_numpy(), "female", "male"),
            "birth_date": _days_to_dates(persons["birth_day"].to_numpy()),
            "village": _home_code(ctx, persons),
        }
    )
    if child:
        # Infants get their NIK some months after birth: the first exports know only the mother's.
        frame["nik"] = np.where(persons["nik_from_day"].to_numpy() <= ctx.calendar.first_day, frame["nik"], "")
    return frame


def _simulate_pregnancies(ctx: _Context, children: pd.DataFrame) -> None:
    rng, cal = ctx.rng, ctx.calendar
    mothers = ctx.mothers  # type: ignore[attr-defined]
    birth = children["birth_day"].to_numpy()
    gestation_days = np.clip(rng.normal(39, 1.4, len(birth)), 34, 42) * 7
    hpht = birth - np.round(gestation_days).astype(int)
    active = (birth >= cal.first_day - 60) & (hpht <= cal.last_day)
    mothers, hpht, birth_day = mothers[active], hpht[active], birth[active]
    place = children["delivery_place"].to_numpy()[active]
    n = len(mothers)
    adherence = rng.beta(6, 1.6, n)
    early = rng.random(n) < 0.62
    first_week = np.where(early, rng.integers(6, 13, n), rng.integers(13, 25, n))
    weeks = np.column_stack([first_week, *(np.full(n, w) + rng.integers(0, 3, n) for w in ANC_PLAN_WEEKS)])
    attended = np.column_stack([np.ones(n, bool), rng.random((n, len(ANC_PLAN_WEEKS))) < adherence[:, None]])
    attended &= weeks > np.column_stack([np.zeros(n), np.repeat(first_week[:, None], len(ANC_PLAN_WEEKS), 1)])
    contact_day = hpht[:, None] + weeks * 7 + rng.integers(0, 7, weeks.shape)
    attended &= contact_day < birth_day[:, None]
    mother_idx, contact_idx = np.nonzero(attended)
    person = mothers.iloc[mother_idx]
    days = contact_day[mother_idx, contact_idx]
    ga = (days - hpht[mother_idx]) // 7
    doctor = np.where(
        (contact_idx == 0) & (ga <= 12),
        rng.random(len(days)) < 0.65,
        (ga >= 25) & (rng.random(len(days)) < 0.3),
    )
    enc = ctx.encounter(person, days, "ANC", np.where(doctor, "dokter", "bidan"))
    keep_mask = _emit_month(cal, days) >= 0
    ga_kept, first_kept = ga[keep_mask], (contact_idx == 0)[keep_mask]
    ctx.observation(enc, "18185-9", np.where(rng.random(len(enc)) < 0.95, ga_kept, np.nan), "wk")
    ctx.observation(enc, "29463-7", np.round(rng.normal(58, 9, len(enc)), 1), "kg")
    lila = np.where(first_kept, np.round(rng.normal(26.0, 2.4, len(enc)), 1), np.nan)
    ctx.observation(enc, "56072-2", lila, "cm")
    ctx.observation(
        enc,
        "85354-9",
        np.round(rng.normal(112, 12, len(enc))),
        "mm[Hg]",
        second_value=np.round(rng.normal(72, 8, len(enc))),
    )

    delivered = birth_day <= cal.last_day
    person = mothers[delivered]
    ctx.encounter(
        person,
        birth_day[delivered],
        "PERSALINAN",
        np.where(rng.random(int(delivered.sum())) < 0.2, "dokter", "bidan"),
        location_type=place[delivered],
    )
    reach = rng.random(int(delivered.sum()))
    for (lo, hi), share in zip(NIFAS_WINDOWS, (0.92, 0.85, 0.75, 0.62), strict=True):
        got = reach < share
        days = birth_day[delivered][got] + rng.integers(lo, hi + 1, int(got.sum()))
        ctx.encounter(person[got], days, "NIFAS", np.full(int(got.sum()), "bidan"))

    # Pregnant women also come to the posyandu: weight, LiLA, blood pressure, iron tablets.
    rows = []
    for month_index in range(len(cal.months)):
        posy = ctx.pick_posyandu(mothers["desa"].to_numpy())
        session = cal.session_day[posy, month_index]
        ga_weeks = (session - hpht) // 7
        go = (ga_weeks >= 8) & (session < birth_day) & ctx.world.reported[posy, month_index] & (rng.random(n) < 0.35)
        if go.any():
            person = mothers[go].assign(
                domisili=np.where(rng.random(int(go.sum())) < 0.7, ctx.desa_codes[mothers["desa"].to_numpy()[go]], "")
            )
            frame = _register_frame(
                ctx, person, np.full(int(go.sum()), month_index), posy[go], np.full(int(go.sum()), "bumil")
            )
            k = len(frame)
            frame["berat_badan_kg"] = np.round(rng.normal(58, 9, k), 1)
            frame["lila_cm"] = np.round(rng.normal(25.8, 2.5, k), 1)
            frame["sistolik"] = np.round(rng.normal(112, 12, k))
            frame["diastolik"] = np.round(rng.normal(72, 8, k))
            frame["usia_kehamilan_minggu"] = ga_weeks[go]
            frame["tablet_tambah_darah"] = 30
            rows.append(frame)
    ctx.registers.extend(rows)
    ctx.patient_rows(_patients_of(ctx, mothers.assign(nik_ibu=""), child=False))
    ctx.register_persons(mothers)


POOLS = {"a": "adults", "l": "elderly", "s": "pupils"}


def _adult_pool(ctx: _Context, lo: int, hi: int, share: float, prefix: str) -> pd.DataFrame:
    rng = ctx.rng
    population = ctx.region.population["total"].to_numpy()
    counts = rng.poisson(population * ctx.population_share(lo, hi) * share)
    desa = np.repeat(np.arange(len(population)), counts)
    n = len(desa)
    ages = np.arange(lo, hi + 1)
    weights = AGE_SHARE[lo : hi + 1] / AGE_SHARE[lo : hi + 1].sum()
    age_years = rng.choice(ages, n, p=weights) + rng.random(n)
    birth_day = ctx.calendar.first_day - np.round(age_years * 365.25).astype(int)
    female = rng.random(n) < np.where(lo >= 15, 0.6, 0.5)
    ids = np.char.add(prefix, np.arange(n).astype(str))
    return pd.DataFrame(
        {
            "person": ids,
            "patient_id": ids,
            "desa": desa,
            "female": female,
            "birth_day": birth_day,
            "age_years": age_years,
            "nama": people.names(rng, female),
            "nik": np.where(
                rng.random(n) < 0.97,
                people.niks(rng, ctx.kecamatan_of_desa[desa], _days_to_dates(birth_day), female, POOLS[prefix]),
                "",
            ),
            "domisili": np.where(rng.random(n) < 0.75, ctx.desa_codes[desa], ""),
            "rt": np.char.zfill(rng.integers(1, 12, n).astype(str), 3),
            "posyandu": ctx.pick_posyandu(desa),
            "hypertensive": rng.random(n) < 1 / (1 + np.exp(-(age_years - 55) / 9)) * 0.7,
            "diabetic": rng.random(n) < 1 / (1 + np.exp(-(age_years - 55) / 10)) * 0.25,
        }
    )


def _simulate_adults(ctx: _Context) -> None:
    rng, cal = ctx.rng, ctx.calendar
    adults = _adult_pool(ctx, 15, 59, 0.05, "a")
    elderly = _adult_pool(ctx, 60, 80, 0.35, "l")
    for pool, attend_p, group in ((adults, 0.35, "dewasa"), (elderly, 0.55, "lansia")):
        n = len(pool)
        posy = pool["posyandu"].to_numpy()
        attend = ctx.world.reported[posy] & (rng.random((n, len(cal.months))) < attend_p)
        person_idx, month_idx = np.nonzero(attend)
        person = pool.iloc[person_idx]
        frame = _register_frame(ctx, person, month_idx, posy[person_idx], np.full(len(person_idx), group))
        k = len(frame)
        hyper = person["hypertensive"].to_numpy()
        age = person["age_years"].to_numpy()
        frame["berat_badan_kg"] = np.round(rng.normal(60, 11, k), 1)
        frame["tinggi_badan_cm"] = np.round(np.where(person["female"], rng.normal(152, 6, k), rng.normal(163, 7, k)), 1)
        frame["lingkar_perut_cm"] = np.round(rng.normal(84, 11, k), 1)
        frame["sistolik"] = np.round(rng.normal(118 + 0.4 * (age - 40), 12, k) + np.where(hyper, 24, 0))
        frame["diastolik"] = np.round(rng.normal(76, 8, k) + np.where(hyper, 12, 0))
        glucose = rng.random(k) < 0.5
        frame["gula_darah_mg_dl"] = np.where(
            glucose, np.round(rng.normal(115, 25, k) + np.where(person["diabetic"], 110, 0)), np.nan
        )
        frame["gula_darah_puasa"] = np.where(glucose, "N", "")
        tb = rng.random(k)
        frame["skrining_tb"] = np.where(tb < 0.003, "positif", np.where(tb < 0.3, "negatif", ""))
        if group == "lansia":
            frame["skrining_lansia"] = np.where(rng.random(k) < 0.7, "Y", "")
            frame["skor_adl"] = np.where(frame["skrining_lansia"] == "Y", rng.integers(14, 21, k), np.nan)
        frame["rujukan"] = np.where(frame["sistolik"] >= 160, "Y", "")
        ctx.registers.append(frame)

        # A quarter are also screened at the puskesmas once in the window.
        screened = pool[rng.random(n) < 0.25]
        m = len(screened)
        days = cal.month_start[rng.integers(0, len(cal.months), m)] + rng.integers(0, 28, m)
        type_code = "SKRINING_LANSIA" if group == "lansia" else "SKRINING_PTM"
        enc = ctx.encounter(screened, days, type_code, np.where(rng.random(m) < 0.4, "dokter", "perawat"))
        kept = screened[_emit_month(cal, days) >= 0]
        hyper = kept["hypertensive"].to_numpy()
        systolic = np.round(rng.normal(120, 12, len(enc)) + np.where(hyper, 25, 0))
        diastolic = np.round(rng.normal(78, 8, len(enc)) + np.where(hyper, 12, 0))
        panel = rng.random(len(enc)) < 0.5
        ctx.observation(enc[panel], "85354-9", systolic[panel], "mm[Hg]", second_value=diastolic[panel])
        ctx.observation(enc[~panel], "8480-6", systolic[~panel], "mm[Hg]")
        ctx.observation(enc[~panel], "8462-4", diastolic[~panel], "mm[Hg]")
        ctx.observation(enc, "29463-7", np.round(rng.normal(61, 11, len(enc)), 1), "kg")
        ctx.observation(enc, "8302-2", np.round(rng.normal(158, 8, len(enc)), 1), "cm")
        diabetic = kept["diabetic"].to_numpy()
        ctx.observation(enc, "2339-0", np.round(rng.normal(120, 25, len(enc)) + np.where(diabetic, 100, 0)), "mg/dL")
        for flag, icd in ((hyper, "I10"), (diabetic, "E11")):
            diagnosed = flag & (rng.random(len(enc)) < 0.7)
            cond = enc[diagnosed]
            ctx.conditions.append(
                pd.DataFrame(
                    {
                        "puskesmas": cond["puskesmas"].to_numpy(),
                        "export_month": cond["export_month"].to_numpy(),
                        "id": ctx.ids("cond-", len(cond)),
                        "icd10": icd,
                        "patient_id": cond["patient_id"].to_numpy(),
                        "encounter_id": cond["id"].to_numpy(),
                        "recorded_utc": cond["start_utc"].to_numpy(),
                        "clinical_status": "active",
                    }
                )
            )
        ctx.patient_rows(_patients_of(ctx, pool.assign(nik_ibu=""), child=False))
        ctx.register_persons(pool.assign(domisili=""))


def _simulate_school(ctx: _Context) -> None:
    rng, cal = ctx.rng, ctx.calendar
    pupils = _adult_pool(ctx, 7, 15, 0.6, "s")
    n = len(pupils)
    school_months = [i for i, m in enumerate(cal.months) if m.month in (7, 8, 9)] or list(range(len(cal.months)))
    month = np.asarray(school_months)[rng.integers(0, len(school_months), n)]
    days = cal.month_start[month] + rng.integers(0, 25, n)
    enc = ctx.encounter(pupils, days, "SKRINING_SEKOLAH", np.full(n, "perawat"))
    kept = pupils[_emit_month(cal, days) >= 0]
    girls = (kept["female"].to_numpy()) & (kept["age_years"].to_numpy() >= 12)
    ctx.observation(enc, "718-7", np.where(girls, np.round(rng.normal(12.2, 1.3, len(enc)), 1), np.nan), "g/dL")
    ctx.observation(enc, "29463-7", np.round(rng.normal(32, 8, len(enc)), 1), "kg")
    ctx.patient_rows(_patients_of(ctx, pupils.assign(nik_ibu=""), child=False))
    ctx.register_persons(pupils.assign(domisili=""))


def _simulate_kader(ctx: _Context) -> None:
    rng, cal = ctx.rng, ctx.calendar
    posyandu = ctx.region.posyandu
    per = rng.integers(4, 8, len(posyandu))
    posy = np.repeat(np.arange(len(posyandu)), per)
    seq = pd.Series(posy).groupby(posy).cumcount().to_numpy() + 1
    n = len(posy)
    female = rng.random(n) < 0.92
    birth = cal.first_day - rng.integers(20 * 365, 60 * 365, n)
    desa = pd.Index(ctx.desa_codes).get_indexer(posyandu["kode_kelurahan"].to_numpy()[posy])
    inactive = rng.random(n) < 0.08
    codes = np.char.add(
        np.char.add("K", posyandu["kode_posyandu"].to_numpy()[posy].astype(str)), np.char.zfill(seq.astype(str), 2)
    )
    ctx.world.kader = pd.DataFrame(
        {
            "kode_kader": codes,
            "nik": people.niks(rng, ctx.kecamatan_of_desa[desa], _days_to_dates(birth), female, "kader"),
            "nama": people.names(rng, female),
            "jenis_kelamin": np.where(female, "P", "L"),
            "tanggal_lahir": _days_to_dates(birth),
            "kode_posyandu": posyandu["kode_posyandu"].to_numpy()[posy],
            "tanggal_mulai": _days_to_dates(cal.first_day - rng.integers(100, 3000, n)),
            "aktif": np.where(inactive, "N", "Y"),
            "tanggal_nonaktif": np.where(inactive, _days_to_dates(cal.first_day - 30).astype(str), ""),
        }
    )
    skill_level = rng.beta(10, 1.2, n)
    frames = []
    for month_index in range(len(cal.months)):
        assessed = rng.random(n) < 0.15
        k_idx = np.repeat(np.nonzero(assessed)[0], 25)
        skill = np.tile(np.arange(1, 26), int(assessed.sum()))
        frames.append(
            pd.DataFrame(
                {
                    "_month_index": month_index,
                    "kode_kader": codes[k_idx],
                    "tanggal_penilaian": _days_to_dates(cal.month_start[month_index] + rng.integers(0, 27, len(k_idx))),
                    "kode_keterampilan": np.char.add("KK", np.char.zfill(skill.astype(str), 2)),
                    "hasil": np.where(rng.random(len(k_idx)) < skill_level[k_idx], "kompeten", "belum"),
                }
            )
        )
    ctx.world.penilaian = pd.concat(frames, ignore_index=True)
