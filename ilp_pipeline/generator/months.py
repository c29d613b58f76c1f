"""Month ranges as written on the command line (YYYY-MM..YYYY-MM)."""

from __future__ import annotations

import datetime as dt

import numpy as np


def parse_month(text: str) -> dt.date:
    year, month = text.strip().split("-")
    return dt.date(int(year), int(month), 1)


def parse_month_range(text: str) -> list[dt.date]:
    first, _, last = text.partition("..")
    start, end = parse_month(first), parse_month(last or first)
    if end < start:
        raise ValueError(f"month range {text!r} ends before it starts")
    months = []
    current = start
    while current <= end:
        months.append(current)
        current = add_months(current, 1)
    return months


def add_months(day: dt.date, count: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def default_months(today: dt.date | None = None) -> list[dt.date]:
    """January of this year to the last complete month (the previous year when that is under 3 months)."""
    today = today or dt.date.today()
    last = add_months(dt.date(today.year, today.month, 1), -1)
    first = dt.date(last.year, 1, 1)
    if last.month < 3:
        first, last = dt.date(last.year - 1, 1, 1), dt.date(last.year - 1, 12, 1)
    return parse_month_range(f"{first:%Y-%m}..{last:%Y-%m}")


def to_day_number(day: dt.date) -> int:
    return (day - dt.date(1970, 1, 1)).days


def day_numbers_to_dates(days: np.ndarray) -> np.ndarray:
    return np.asarray(days, dtype="int64").astype("datetime64[D]")
