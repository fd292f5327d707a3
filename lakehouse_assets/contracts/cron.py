"""Cron strings in contracts (`schedule`), checked when contracts load: a typo is a contract
error naming the field, not a schedule that never fires. Five fields, as Dagster takes them,
or the @hourly/@daily/@weekly/@monthly shorthands."""

from __future__ import annotations

import re

_ALIASES = frozenset({"@hourly", "@daily", "@weekly", "@monthly", "@yearly", "@annually"})
_NAMES = {
    3: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"],
    4: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"],
}
_BOUNDS = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 7))
_FIELDS = ("minute", "hour", "day of month", "month", "day of week")
_PART = re.compile(r"^(\*|[A-Za-z0-9]+(?:-[A-Za-z0-9]+)?)(?:/(\d+))?$")


def _value(text: str, index: int) -> int | None:
    if text.isdigit():
        return int(text)
    names = _NAMES.get(index, [])
    upper = text.upper()
    if upper in names:
        return names.index(upper) + (1 if index == 3 else 0)
    return None


def cron_problem(expression: str) -> str | None:
    """Why `expression` is not a cron schedule, or None."""
    text = expression.strip()
    if text in _ALIASES:
        return None
    fields = text.split()
    if len(fields) != 5:
        return (
            f"{expression!r} has {len(fields)} fields; a cron schedule has 5 "
            "(minute hour day-of-month month day-of-week)"
        )
    for index, field in enumerate(fields):
        low, high = _BOUNDS[index]
        for part in field.split(","):
            match = _PART.match(part)
            if not match or (match.group(2) is not None and int(match.group(2)) == 0):
                return f"{expression!r}: {_FIELDS[index]} {part!r} is not valid"
            if match.group(1) == "*":
                continue
            for bound in match.group(1).split("-"):
                value = _value(bound, index)
                if value is None:
                    return f"{expression!r}: {_FIELDS[index]} {bound!r} is not a number"
                if not low <= value <= high:
                    return f"{expression!r}: {_FIELDS[index]} {bound!r} is outside {low}-{high}"
    return None
