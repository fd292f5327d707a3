"""The plain-Python oracle of CDC from snapshots (snapshot_cdc, scd2 from_snapshot): each bronze
partition of the lab (tests/strategy_lab.py) is one full snapshot whose version is its day.

SCD1: silver equals the newest snapshot processed so far. scd2: the history of every key over
the snapshot versions processed so far, in version order: a version opens when a key appears
or its tracked values change, and closes at the first snapshot that lacks the key or changes it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from tests.strategy_lab import Event, _data, _rank, _sorted, day


def snapshot(events: list[Event], part: int) -> dict[int, Event]:
    """One row per key of that day's delivery: the one that beats the others (base.py's rule;
    null keys are quarantined)."""
    best: dict[int, Event] = {}
    for e in events:
        if e.part != part or e.k is None:
            continue
        if e.k not in best or _rank(e, None) > _rank(best[e.k], None):
            best[e.k] = e
    return best


def scd1(events: list[Event], processed: Iterable[int]) -> list[dict]:
    seen = set(processed)
    if not seen:
        return []
    return _sorted([_data(e) for e in snapshot(events, max(seen)).values()])


def scd2(events: list[Event], processed: Iterable[int]) -> list[dict]:
    versions = sorted(set(processed))
    snaps = {p: snapshot(events, p) for p in versions}
    keys = sorted({k for s in snaps.values() for k in s})
    rows = []
    for k in keys:
        opened: dict | None = None
        for p in versions:
            e = snaps[p].get(k)
            state = None if e is None else (e.seq, e.v)  # every data column but the key
            if opened is not None and (state is None or state != opened["_state"]):
                opened["valid_to"], opened["is_current"] = _date(p), False
                rows.append(opened)
                opened = None
            if opened is None and e is not None:
                opened = {**_data(e), "valid_from": _date(p), "valid_to": None}
                opened["is_current"], opened["_state"] = True, state
        if opened is not None:
            rows.append(opened)
    return _sorted([{c: v for c, v in r.items() if c != "_state"} for r in rows])


def _date(part: int) -> date:
    return date.fromisoformat(day(part))
