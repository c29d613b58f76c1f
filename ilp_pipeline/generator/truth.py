"""Ground truth: what the generator planted, counted per kelurahan, month and indicator.

Computed from the simulated events before any fault is injected, with the generator's own knowledge of
who is who and where they live (never from the written files), following the catalogue's rules
(indicators.md). UCI and the drop-out are derived from these counts and are left to the reader.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ilp_pipeline.generator import growth
from ilp_pipeline.generator.simulate import World, immunisation_schedule
from ilp_pipeline.settings import DBT_PROJECT_DIR


def _dates(days) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(np.asarray(days, dtype="int64").astype("datetime64[D]"))


def _completed_months(birth_days, days) -> np.ndarray:
    birth, on = _dates(birth_days), _dates(days)
    months = (on.year - birth.year) * 12 + (on.month - birth.month)
    return np.asarray(months - (on.day < birth.day), dtype=int)


def _completed_years(birth_days, days) -> np.ndarray:
    return _completed_months(birth_days, days) // 12


def _month(days) -> np.ndarray:
    return _dates(days).to_period("M").to_timestamp().strftime("%Y-%m-01").to_numpy()


class _Truth:
    def __init__(self, world: World):
        self.world = world
        self.persons = world.persons.set_index("person")
        self.kelurahan = set(world.region.wilayah["kode_kelurahan"])
        self.months = {f"{m:%Y-%m-01}" for m in world.months}
        self.rows: list[pd.DataFrame] = []
        enc = world.encounters.copy()
        self.encounters = enc[enc["status"] == "finished"].assign(
            record=lambda f: "enc:" + f["puskesmas"] + ":" + f["id"]
        )
        obs = world.observations
        self.observed = obs.pivot_table(index="encounter_id", columns="loinc", values="value", aggfunc="max")
        register = world.register.copy()
        register["day"] = register["tanggal_kunjungan"].to_numpy().astype("datetime64[D]").astype("int64")
        self.register = register

    # -- helpers --------------------------------------------------------------------------------------
    def count(self, indicator: str, person: pd.Series, day: pd.Series, numerator=None, denominator=None) -> None:
        """Add counts by the person's home kelurahan and the month of `day`."""
        frame = pd.DataFrame({"person": np.asarray(person), "day": np.asarray(day)})
        frame["kelurahan_code"] = self.persons["home_code"].reindex(frame["person"]).to_numpy()
        frame["period_month"] = _month(frame["day"])
        frame["numerator"] = 1 if numerator is None else np.asarray(numerator, int)
        frame["denominator"] = 0 if denominator is None else np.asarray(denominator, int)
        frame = frame[frame["kelurahan_code"].isin(self.kelurahan) & frame["period_month"].isin(self.months)]
        grouped = frame.groupby(["kelurahan_code", "period_month"], as_index=False)[["numerator", "denominator"]].sum()
        self.rows.append(grouped.assign(indicator_code=indicator))

    def count_area(self, indicator: str, frame: pd.DataFrame) -> None:
        """Counts already by kelurahan and month (posyandu and kader)."""
        frame = frame[frame["period_month"].isin(self.months)]
        self.rows.append(frame.assign(indicator_code=indicator))

    def encounter_values(self, loinc: str) -> pd.Series:
        if loinc not in self.observed:
            return pd.Series(np.nan, index=self.encounters.index)
        return self.encounters["id"].map(self.observed[loinc])

    def birth(self, person) -> np.ndarray:
        return self.persons["birth_day"].reindex(np.asarray(person)).to_numpy()

    # -- immunisation ---------------------------------------------------------------------------------
    def immunisation(self) -> None:
        schedule = immunisation_schedule().set_index("antigen_code")
        register = self.register[self.register["imunisasi"].fillna("") != ""]
        from_register = pd.DataFrame(
            {"person": register["_person"], "day": register["day"], "antigen": register["imunisasi"].str.split(";")}
        ).explode("antigen")
        imm = self.world.immunizations
        completed = imm[imm["status"] == "completed"]
        doses = pd.concat(
            [
                from_register,
                pd.DataFrame(
                    {"person": completed["patient_id"], "day": completed["day"], "antigen": completed["antigen"]}
                ),
            ],
            ignore_index=True,
        )
        birth = self.birth(doses["person"])
        age_days = doses["day"].to_numpy() - birth
        months = _completed_months(birth, doses["day"].to_numpy())
        max_days = schedule["valid_max_age_days"].reindex(doses["antigen"]).to_numpy()
        max_months = schedule["valid_max_age_months"].reindex(doses["antigen"]).to_numpy()
        valid = np.where(
            ~np.isnan(max_days), (age_days >= 0) & (age_days <= max_days), (age_days >= 0) & (months < max_months)
        )
        first = doses[valid].groupby(["person", "antigen"], as_index=False)["day"].min()
        for antigen, rows in first.groupby("antigen"):
            self.count(f"IMM_{antigen}", rows["person"], rows["day"])
        first["group"] = schedule["life_cycle_group"].reindex(first["antigen"]).to_numpy()
        for group, code in (("bayi", "IDL"), ("baduta", "IBADUTA_LENGKAP")):
            needed = int((schedule["life_cycle_group"] == group).sum())
            held = first[first["group"] == group].groupby("person").agg(n=("antigen", "nunique"), day=("day", "max"))
            complete = held[held["n"] == needed]
            self.count(code, complete.index.to_series(), complete["day"])

    # -- maternal and neonatal ------------------------------------------------------------------------
    def maternal(self) -> None:
        enc = self.encounters
        anc = enc[enc["type_code"] == "ANC"].assign(stated=np.floor(self.encounter_values("18185-9")))
        anc = anc.sort_values(["patient_id", "day", "record"])
        anc["implied_hpht"] = anc["day"] - anc["stated"] * 7
        anc["hpht"] = anc.groupby("patient_id")["implied_hpht"].transform("first")  # first non-null, in order
        anc["weeks"] = np.where(anc["stated"].notna(), anc["stated"], (anc["day"] - anc["hpht"]) // 7)
        anc["doctor"] = anc["participant"] == "dokter"
        first = anc.groupby("patient_id", as_index=False).first()
        self.count("K1", first["patient_id"], first["day"])
        murni = first[first["weeks"] <= 12]
        self.count("K1_MURNI", murni["patient_id"], murni["day"])
        grouped = anc.groupby("patient_id")
        anc["total"] = grouped.cumcount() + 1
        anc["t1"] = (anc["weeks"] <= 12).astype(int).groupby(anc["patient_id"]).cumsum()
        anc["t2"] = anc["weeks"].between(13, 24).astype(int).groupby(anc["patient_id"]).cumsum()
        anc["t3"] = (anc["weeks"] >= 25).astype(int).groupby(anc["patient_id"]).cumsum()
        anc["d1"] = ((anc["weeks"] <= 12) & anc["doctor"]).astype(int).groupby(anc["patient_id"]).cumsum()
        anc["d3"] = ((anc["weeks"] >= 25) & anc["doctor"]).astype(int).groupby(anc["patient_id"]).cumsum()
        anc["has_age"] = anc["hpht"].notna()
        minimums = pd.read_csv(DBT_PROJECT_DIR / "seeds" / "anc_contact_minimum.csv").set_index("indicator_code")
        for code, need in minimums.iterrows():
            met = anc[
                anc["has_age"]
                & (anc["total"] >= need["total_contacts"])
                & (anc["t1"] >= need["trimester_1"])
                & (anc["t2"] >= need["trimester_2"])
                & (anc["t3"] >= need["trimester_3"])
                & (anc["d1"] >= need["doctor_trimester_1"])
                & (anc["d3"] >= need["doctor_trimester_3"])
            ]
            met = met.groupby("patient_id", as_index=False).first()
            self.count(code, met["patient_id"], met["day"])

        deliveries = enc[enc["type_code"] == "PERSALINAN"].drop_duplicates(["patient_id", "day"])
        facility = deliveries[deliveries["location_type"].notna() & (deliveries["location_type"] != "rumah")]
        self.count("PF", facility["patient_id"], facility["day"])
        nifas = enc[enc["type_code"] == "NIFAS"].merge(
            deliveries[["patient_id", "day"]].rename(columns={"day": "delivered"}), on="patient_id"
        )
        self._windows(
            "KF_LENGKAP",
            nifas,
            nifas["day"] - nifas["delivered"],
            [(0, 2), (3, 7), (8, 28), (29, 42)],
            ["patient_id", "delivered"],
        )
        neonatal = enc[enc["type_code"] == "NEONATAL"]
        day_number = neonatal["day"] - self.birth(neonatal["patient_id"])
        first_window = (
            neonatal[(day_number >= 0) & (day_number <= 2)].groupby("patient_id", as_index=False)["day"].min()
        )
        self.count("KN1", first_window["patient_id"], first_window["day"])
        self._windows("KN_LENGKAP", neonatal, day_number, [(0, 2), (3, 7), (8, 28)], ["patient_id"])

    def _windows(self, code: str, contacts: pd.DataFrame, day_number, windows, episode: list[str]) -> None:
        contacts = contacts.assign(day_number=np.asarray(day_number))
        firsts = []
        for index, (lo, hi) in enumerate(windows):
            inside = contacts[contacts["day_number"].between(lo, hi)]
            firsts.append(inside.groupby(episode, as_index=False)["day"].min().assign(window=index))
        covered = pd.concat(firsts).groupby(episode).agg(n=("window", "nunique"), day=("day", "max")).reset_index()
        complete = covered[covered["n"] == len(windows)]
        self.count(code, complete["patient_id"], complete["day"])

    def pregnant_muac(self) -> None:
        register = self.register[(self.register["kelompok_sasaran"] == "bumil") & self.register["lila_cm"].notna()]
        enc = self.encounters
        anc = enc[enc["type_code"] == "ANC"].assign(muac=self.encounter_values("56072-2"))
        anc = anc[anc["muac"].notna()]
        values = pd.concat(
            [
                # on a tie the pipeline's record id order puts a register row ("reg:") after an encounter ("enc:")
                pd.DataFrame(
                    {"person": register["_person"], "day": register["day"], "muac": register["lila_cm"], "tie": 1}
                ),
                pd.DataFrame({"person": anc["patient_id"], "day": anc["day"], "muac": anc["muac"], "tie": 0}),
            ],
            ignore_index=True,
        )
        values["muac"] = values["muac"].round(1)
        values["period"] = _month(values["day"])
        last = values.sort_values(["person", "day", "tie"]).groupby(["person", "period"], as_index=False).last()
        self.count("BUMIL_KEK", last["person"], last["day"], numerator=last["muac"] < 23.5, denominator=1)

    # -- growth ---------------------------------------------------------------------------------------
    def growth(self) -> None:
        rows = self.register[self.register["_person"].str.startswith("c")]
        person = rows["_person"].to_numpy()
        birth = self.birth(person)
        age_days = rows["day"].to_numpy() - birth
        female = self.persons["female"].reindex(person).to_numpy()
        position = rows["cara_ukur"].map({"terlentang": "l", "berdiri": "h"}).fillna("").to_numpy()
        z = growth.zscores(
            female, age_days, rows["berat_badan_kg"].round(1), rows["tinggi_badan_cm"].round(1), position
        )
        frame = pd.DataFrame(
            {
                "person": person,
                "day": rows["day"].to_numpy(),
                "weight": rows["berat_badan_kg"].round(1),
                "age_months": _completed_months(birth, rows["day"].to_numpy()),
                **z,
            }
        )
        frame["period"] = _month(frame["day"])
        last = frame.sort_values(["person", "day"]).groupby(["person", "period"], as_index=False).last()
        self.count("DS", last["person"], last["day"])
        increments = pd.read_csv(DBT_PROJECT_DIR / "seeds" / "minimum_weight_increment.csv")
        minimum = np.select(
            [last["age_months"].between(r.age_months_from, r.age_months_to) for r in increments.itertuples()],
            increments["minimum_gain_grams"].to_numpy(),
            default=np.nan,
        )
        last = last.assign(minimum=minimum).sort_values(["person", "period"])
        previous_period = last.groupby("person")["period"].shift()
        previous_weight = last.groupby("person")["weight"].shift()
        expected_previous = (pd.to_datetime(last["period"]) - pd.DateOffset(months=1)).dt.strftime("%Y-%m-01")
        both = previous_period.notna() & (previous_period == expected_previous)
        gained = (last["weight"] - previous_weight) * 1000 >= last["minimum"]
        self.count("ND", last["person"], last["day"], numerator=both & gained, denominator=both)
        for code, column, test in (
            ("STUNTING", "haz", lambda v: v < -2),
            ("WASTING", "whz", lambda v: v < -2),
            ("UNDERWEIGHT", "waz", lambda v: v < -2),
            ("OVERWEIGHT", "whz", lambda v: v > 2),
        ):
            scored = frame[frame[column].notna()].sort_values(["person", "day"])
            scored = scored.groupby(["person", "period"], as_index=False).last()
            scored = scored[~scored[f"{column}_implausible"]]
            self.count(code, scored["person"], scored["day"], numerator=test(scored[column]), denominator=1)

    # -- screening ------------------------------------------------------------------------------------
    def screening(self) -> None:
        enc = self.encounters.assign(
            systolic=self.encounter_values("85354-9").fillna(self.encounter_values("8480-6")),
            diastolic_single=self.encounter_values("8462-4"),
            weight=self.encounter_values("29463-7"),
            height=self.encounter_values("8302-2"),
            glucose=self.encounter_values("2339-0"),
            haemoglobin=self.encounter_values("718-7"),
        )
        reg = self.register
        records = pd.concat(
            [
                pd.DataFrame(
                    {
                        "person": reg["_person"],
                        "day": reg["day"],
                        "bp": reg["sistolik"].notna() & reg["diastolik"].notna(),
                        "wh": reg["berat_badan_kg"].notna() & reg["tinggi_badan_cm"].notna(),
                        "glucose": reg["gula_darah_mg_dl"].notna(),
                        "elderly": reg["skrining_lansia"].fillna("") == "Y",
                        "school": False,
                        "hb": False,
                    }
                ),
                pd.DataFrame(
                    {
                        "person": enc["patient_id"],
                        "day": enc["day"],
                        "bp": enc["systolic"].notna()
                        & (enc["type_code"].isin(["SKRINING_PTM", "SKRINING_LANSIA", "ANC"])),
                        "wh": enc["weight"].notna() & enc["height"].notna(),
                        "glucose": enc["glucose"].notna(),
                        "elderly": enc["type_code"] == "SKRINING_LANSIA",
                        "school": enc["type_code"] == "SKRINING_SEKOLAH",
                        "hb": enc["haemoglobin"].notna(),
                    }
                ),
            ],
            ignore_index=True,
        )
        records["age"] = _completed_years(self.birth(records["person"]), records["day"].to_numpy())
        records["female"] = self.persons["female"].reindex(records["person"]).to_numpy()
        records["year"] = _dates(records["day"]).year
        conditions = self.world.conditions
        local_day = (pd.to_datetime(conditions["recorded_utc"]).dt.tz_convert(None) + pd.Timedelta(hours=7)).dt.floor(
            "D"
        )
        diagnosed = pd.DataFrame(
            {
                "person": conditions["patient_id"],
                "icd": conditions["icd10"],
                "day": (local_day - pd.Timestamp("1970-01-01")).dt.days,
            }
        )
        selections = {
            "SKRINING_USIA_SEKOLAH": records["school"] & records["age"].between(7, 15),
            "SKRINING_ANEMIA_RP": records["hb"] & records["female"] & records["age"].between(12, 18),
            "SKRINING_USIA_PRODUKTIF": records["bp"] & records["wh"] & records["age"].between(15, 59),
            "SKRINING_LANSIA": records["elderly"] & (records["age"] >= 60),
        }
        for code, icd, measured in (("HIPERTENSI_TERLAYANI", "I10", "bp"), ("DM_TERLAYANI", "E11", "glucose")):
            first_dx = diagnosed[diagnosed["icd"] == icd].groupby("person")["day"].min()
            dx_day = first_dx.reindex(records["person"]).to_numpy()
            selections[code] = records[measured] & (records["age"] >= 15) & (records["day"].to_numpy() >= dx_day)
        for code, mask in selections.items():
            chosen = records[mask].groupby(["person", "year"], as_index=False)["day"].min()
            self.count(code, chosen["person"], chosen["day"])

    def tb(self) -> None:
        reg = self.register
        imm = self.world.immunizations
        visits = pd.concat(
            [
                pd.DataFrame(
                    {
                        "person": reg["_person"],
                        "day": reg["day"],
                        "tb": reg["skrining_tb"].fillna("").isin(["positif", "negatif"]),
                    }
                ),
                pd.DataFrame(
                    {
                        "person": self.encounters["patient_id"],
                        "day": self.encounters["day"],
                        "tb": self.encounters["type_code"] == "SKRINING_TB",
                    }
                ),
                pd.DataFrame(
                    {
                        "person": imm.loc[imm["status"] == "completed", "patient_id"],
                        "day": imm.loc[imm["status"] == "completed", "day"],
                        "tb": False,
                    }
                ),
            ],
            ignore_index=True,
        )
        visits["period"] = _month(visits["day"])
        monthly = visits.groupby(["person", "period"], as_index=False).agg(day=("day", "max"), tb=("tb", "max"))
        self.count("SKRINING_TB", monthly["person"], monthly["day"], numerator=monthly["tb"], denominator=1)

    # -- posyandu and kader ---------------------------------------------------------------------------
    def posyandu(self) -> None:
        region = self.world.region
        posyandu = region.posyandu[["kode_posyandu", "kode_kelurahan"]]
        months = sorted(self.months)
        grid = posyandu.merge(pd.DataFrame({"period_month": months}), how="cross")
        delays = pd.Series(self.world.register_delays, dtype=float)
        key = list(zip(grid["period_month"].str[:7], grid["kode_posyandu"], strict=True))
        delay = delays.reindex(pd.MultiIndex.from_tuples(key)).to_numpy() if len(delays) else np.full(len(grid), np.nan)
        grid["reported"] = ~np.isnan(delay)
        grid["on_time"] = grid["reported"] & (np.nan_to_num(delay, nan=99) <= 10)
        by_area = (
            grid.groupby(["kode_kelurahan", "period_month"], as_index=False)
            .agg(reported=("reported", "sum"), on_time=("on_time", "sum"), active=("kode_posyandu", "count"))
            .rename(columns={"kode_kelurahan": "kelurahan_code"})
        )
        self.count_area(
            "POSYANDU_LAPOR",
            by_area.rename(columns={"reported": "numerator", "active": "denominator"})[
                ["kelurahan_code", "period_month", "numerator", "denominator"]
            ],
        )
        self.count_area(
            "POSYANDU_TEPAT_WAKTU",
            by_area.rename(columns={"on_time": "numerator", "active": "denominator"})[
                ["kelurahan_code", "period_month", "numerator", "denominator"]
            ],
        )
        kader = self.world.kader
        active = kader[kader["aktif"] == "Y"].merge(posyandu, on="kode_posyandu")
        per_area = active.groupby("kode_kelurahan").size()
        posyandu_count = posyandu.groupby("kode_kelurahan").size()
        rows = by_area[["kelurahan_code", "period_month"]].copy()
        rows["numerator"] = per_area.reindex(rows["kelurahan_code"]).fillna(0).to_numpy().astype(int)
        rows["denominator"] = posyandu_count.reindex(rows["kelurahan_code"]).to_numpy()
        self.count_area("KADER_PER_POSYANDU", rows)
        self.count_area("KADER_TKK", self._tkk(active, rows))

    def _tkk(self, active: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
        areas = pd.read_csv(DBT_PROJECT_DIR / "seeds" / "kader_skill_area.csv").set_index("skill_code")["area_number"]
        rules = pd.read_csv(DBT_PROJECT_DIR / "seeds" / "kader_tkk_rule.csv")
        assessments = self.world.penilaian.assign(day=pd.to_datetime(self.world.penilaian["tanggal_penilaian"]))
        counts = []
        for period in sorted(self.months):
            month_end = pd.Timestamp(period) + pd.offsets.MonthEnd(0)
            upto = assessments[(assessments["day"] <= month_end) & assessments["kode_kader"].isin(active["kode_kader"])]
            latest = upto.sort_values("day").groupby(["kode_kader", "kode_keterampilan"]).last().reset_index()
            latest["area"] = areas.reindex(latest["kode_keterampilan"]).to_numpy()
            latest["ok"] = latest["hasil"] == "kompeten"
            area_done = latest.groupby(["kode_kader", "area"])["ok"].agg(["sum", "count"])
            sizes = areas.value_counts()
            complete = area_done[area_done["sum"] == sizes.reindex(area_done.index.get_level_values(1)).to_numpy()]
            complete_sets = complete.reset_index().groupby("kode_kader")["area"].apply(set)
            holders = pd.Series(False, index=complete_sets.index)
            for rule in rules.itertuples():
                required = {int(a) for a in str(rule.required_areas).split(",")}
                meets = complete_sets.apply(
                    lambda s, req=required, other=rule.other_complete_areas_at_least: req <= s and len(s - req) >= other
                )
                holders = holders | meets
            qualified = active[active["kode_kader"].isin(holders[holders.astype(bool)].index)]
            per_area = qualified.groupby("kode_kelurahan").size()
            frame = rows[rows["period_month"] == period].copy()
            frame["numerator"] = per_area.reindex(frame["kelurahan_code"]).fillna(0).to_numpy().astype(int)
            counts.append(frame)
        result = pd.concat(counts)
        result["denominator"] = (
            rows.set_index(["kelurahan_code", "period_month"])["numerator"]
            .reindex(pd.MultiIndex.from_frame(result[["kelurahan_code", "period_month"]]))
            .to_numpy()
        )
        return result

    def frame(self) -> pd.DataFrame:
        result = pd.concat(self.rows, ignore_index=True)
        result = result.groupby(["period_month", "kelurahan_code", "indicator_code"], as_index=False)[
            ["numerator", "denominator"]
        ].sum()
        return result.sort_values(["period_month", "kelurahan_code", "indicator_code"])


def truth_path(out: Path) -> Path:
    """Beside the landing directory, never inside it: the pipeline must not see the answers."""
    return out.parent / f".{out.name}.truth.csv"


def write_truth(world: World, out: Path) -> Path:
    truth = _Truth(world)
    truth.immunisation()
    truth.maternal()
    truth.pregnant_muac()
    truth.growth()
    truth.screening()
    truth.tb()
    truth.posyandu()
    path = truth_path(out)
    truth.frame().to_csv(path, index=False)
    return path
