"""Monthly partitions keyed by service month."""

from __future__ import annotations

import datetime as dt

from dagster import MonthlyPartitionsDefinition, PartitionKeyRange

FIRST_SERVICE_MONTH = "2024-01"

monthly_partitions = MonthlyPartitionsDefinition(
    start_date=FIRST_SERVICE_MONTH, timezone="Asia/Jakarta", end_offset=1, fmt="%Y-%m"
)


def month_range(key_range: PartitionKeyRange) -> tuple[dt.date, dt.date]:
    first = dt.date.fromisoformat(key_range.start + "-01")
    last = dt.date.fromisoformat(key_range.end + "-01")
    return first, last


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    months, current = [], first
    while current <= last:
        months.append(current)
        current = dt.date(current.year + current.month // 12, current.month % 12 + 1, 1)
    return months
