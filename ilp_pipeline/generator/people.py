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


MIDDLE_NAMES = np.array(
    [
        "Adi",
        "Bima",
        "Cahya",
        "Dwi",
        "Eka",
        "Fajar",
        "Galih",
        "Hana",
        "Indra",
        "Jaya",
        "Kirana",
        "Laksmi",
        "Mulia",
        "Nanda",
        "Okta",
        "Pelangi",
        "Qori",
        "Rama",
        "Surya",
        "Tri",
        "Umi",
        "Vina",
        "Wira",
        "Yuda",
        "Zulfa",
        "Arum",
        "Bayu",
        "Candra",
        "Dara",
        "Elok",
        "Fira",
        "Gita",
        "Harum",
        "Intan",
        "Jelita",
    ]
)


def names(rng: np.random.Generator, female: np.ndarray) -> np.ndarray:
    first = np.where(
        female,
        FEMALE_NAMES[rng.integers(0, len(FEMALE_NAMES), len(female))],
        MALE_NAMES[rng.integers(0, len(MALE_NAMES), len(female))],
    )
    middle = MIDDLE_NAMES[rng.integers(0, len(MIDDLE_NAMES), len(female))]
    second = SECOND_NAMES[rng.integers(0, len(SECOND_NAMES), len(female))]
    return np.char.add(
        np.char.add(np.char.add(np.char.add(first.astype(str), " "), middle.astype(str)), " "), second.astype(str)
    )


# Each pool of people draws serials from its own range, so that NIKs are unique across pools too.
SERIAL_BASE = {"mothers": 1000, "children": 2500, "adults": 4000, "elderly": 5500, "pupils": 7000, "kader": 8500}


def niks(
    rng: np.random.Generator, kecamatan_codes: np.ndarray, birth_dates: np.ndarray, female: np.ndarray, pool: str
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
    start = (pd.util.hash_pandas_object(prefix, index=False).to_numpy() % 1000).astype("int64") + SERIAL_BASE[pool]
    serial = prefix.groupby(prefix).cumcount().to_numpy() + start
    return (prefix + pd.Series(serial).map("{:04d}".format)).to_numpy()
