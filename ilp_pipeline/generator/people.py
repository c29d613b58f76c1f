"""Identities: NIK (Kemendagri structure), names and addresses, drawn in bulk."""

from __future__ import annotations

import numpy as np
import pandas as pd

MALE_NAMES = np.array(
    [
        "Ahmad",
        "Budi",
        "Rizky",
        "Dimas",
        "Fajar",
        "Andi",
        "Agus",
        "Joko",
        "Hendra",
        "Rudi",
        "Wahyu",
        "Eko",
        "Bayu",
        "Arif",
        "Yoga",
        "Ilham",
        "Rahmat",
        "Hafiz",
        "Fikri",
        "Dani",
        "Gilang",
        "Irfan",
        "Reza",
        "Taufik",
        "Yusuf",
        "Zaki",
        "Aldi",
        "Bagas",
        "Rafi",
        "Naufal",
    ]
)
FEMALE_NAMES = np.array(
    [
        "Siti",
        "Nur",
        "Dewi",
        "Sri",
        "Rina",
        "Ayu",
        "Putri",
        "Indah",
        "Lestari",
        "Wulan",
        "Fitri",
        "Ratna",
        "Yuni",
        "Sari",
        "Dian",
        "Maya",
        "Intan",
        "Nabila",
        "Aisyah",
        "Zahra",
        "Salsa",
        "Citra",
        "Anisa",
        "Rahma",
        "Kartika",
        "Mega",
        "Novi",
        "Tari",
        "Eka",
        "Wati",
    ]
)
SECOND_NAMES = np.array(
    [
        "Pratama",
        "Saputra",
        "Wijaya",
        "Santoso",
        "Hidayat",
        "Kurniawan",
        "Setiawan",
        "Nugroho",
        "Permana",
        "Lestari",
        "Rahayu",
        "Susanti",
        "Handayani",
        "Wulandari",
        "Puspita",
        "Utami",
        "Ramadhan",
        "Firmansyah",
        "Maulana",
        "Syahputra",
        "Anggraini",
        "Safitri",
    ]
)


def names(rng: np.random.Generator, female: np.ndarray) -> np.ndarray:
    first = np.where(
        female,
        FEMALE_NAMES[rng.integers(0, len(FEMALE_NAMES), len(female))],
        MALE_NAMES[rng.integers(0, len(MALE_NAMES), len(female))],
    )
    second = SECOND_NAMES[rng.integers(0, len(SECOND_NAMES), len(female))]
    return np.char.add(np.char.add(first.astype(str), " "), second.astype(str))


def niks(
    rng: np.random.Generator, kecamatan_codes: np.ndarray, birth_dates: np.ndarray, female: np.ndarray
) -> np.ndarray:
    """16-digit NIK: region of issue, DDMMYY (+40 on the day for women), a serial unique per prefix."""
    dates = pd.DatetimeIndex(birth_dates)
    day = dates.day.to_numpy() + np.where(female, 40, 0)
    prefix = pd.Series(kecamatan_codes.astype(str)).str.cat(
        [
            pd.Series(day).map("{:02d}".format),
            pd.Series(dates.month.to_numpy()).map("{:02d}".format),
            pd.Series(dates.year.to_numpy() % 100).map("{:02d}".format),
        ]
    )
    start = (pd.util.hash_pandas_object(prefix, index=False).to_numpy() % 5000).astype("int64") + 1
    serial = prefix.groupby(prefix).cumcount().to_numpy() + start
    return (prefix + pd.Series(serial).map("{:04d}".format)).to_numpy()
