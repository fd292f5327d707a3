"""Retention periods written in contracts as Spark-interval-like text: `N days` or `N hours`
(singular too, any case), e.g. "7 days"."""

from __future__ import annotations

import re
from datetime import timedelta

_RETENTION = re.compile(r"^\s*(\d+)\s+(day|days|hour|hours)\s*$", re.IGNORECASE)


def parse_retention(text: str, field: str) -> timedelta:
    match = _RETENTION.match(text)
    if not match:
        raise ValueError(
            f"{field}: {text!r} is not a retention period; write 'N days' or 'N hours' "
            "(e.g. '7 days')"
        )
    count, unit = int(match.group(1)), match.group(2).lower()
    return timedelta(days=count) if unit.startswith("day") else timedelta(hours=count)
