"""Landing files of the differential test: three days of four sources, as an upstream system
drops them (one flat folder per source, the day in the file name, as DKOps' demos lay them out).
Standard library only: the DKOps runner (its own venv) and our test both import it.

Each row is chosen to exercise one rule both tools document; the comment says which."""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path

DAYS = ["2024-03-01", "2024-03-02", "2024-03-03"]


def _order(oid: str, op: str, at: str, amount: float, qty: int, status: str, cust: str = "c1"):
    return {
        "order_id": oid,
        "customer_id": cust,
        "amount": amount,
        "quantity": qty,
        "status": status,
        "op_type": op,
        "updated_at": at,
    }


def _product(pid: str, name: str, price: float, active: bool, at: str):
    return {"product_id": pid, "name": name, "price": price, "active": active, "updated_at": at}


def _customer(cid: str, name: str, country: str | None, at: str):
    return {"customer_id": cid, "name": name, "country": country, "updated_at": at}


def _event(eid: str, cust: str, kind: str, ts: str):
    return {"event_id": eid, "customer_id": cust, "kind": kind, "event_ts": ts}


ROWS: dict[str, dict[str, list[dict]]] = {
    "2024-03-01": {
        "orders": [
            _order("o1", "I", "2024-03-01T10:00:00", 10.0, 1, "NEW"),
            _order("o2", "I", "2024-03-01T10:05:00", 20.0, 2, "NEW", "c2"),
            _order("o3", "I", "2024-03-01T10:10:00", 30.0, 3, "NEW"),
            _order("o1", "U", "2024-03-01T11:00:00", 12.0, 1, "PAID"),  # same-file update
        ],
        "products": [  # snapshot 1
            _product("p1", "pen", 5.0, True, "2024-02-01T00:00:00"),
            _product("p2", "ink", 7.5, True, "2024-02-01T00:00:00"),
            _product("p3", "pad", 9.0, True, "2024-02-01T00:00:00"),
        ],
        "customers": [
            _customer("c1", "Ana", "ES", "2024-03-01T08:00:00"),
            _customer("c2", "Ben", "FR", "2024-03-01T08:00:00"),
            _customer("c1", "Ana", "PT", "2024-03-01T09:00:00"),  # later version, same file
        ],
        "events": [
            _event("e1", "c1", "view", "2024-03-01T10:00:00"),
            _event("e2", "c2", "click", "2024-03-01T10:05:00"),
        ],
    },
    "2024-03-02": {
        "orders": [
            _order("o2", "U", "2024-03-02T09:00:00", 25.0, 2, "PAID", "c2"),
            _order("o3", "D", "2024-03-02T09:30:00", 30.0, 3, "CANCELLED"),  # delete, full row
            _order("o4", "I", "2024-03-02T10:00:00", 40.0, 4, "NEW", "c3"),
            _order("o5", "D", "2024-03-02T10:00:00", 50.0, 5, "CANCELLED"),  # never inserted
        ],
        "products": [  # snapshot 2: p1 repriced, p3 gone, p4 new
            _product("p1", "pen", 5.5, True, "2024-03-02T00:00:00"),
            _product("p2", "ink", 7.5, True, "2024-02-01T00:00:00"),
            _product("p4", "cap", 3.0, True, "2024-03-02T00:00:00"),
        ],
        "customers": [
            _customer("c3", "Cy", "DE", "2024-03-02T08:00:00"),
            _customer("c2", "Ben", "BE", "2024-03-02T09:00:00"),
        ],
        "events": [
            _event("e3", "c1", "buy", "2024-03-02T09:00:00"),
            _event("e2", "c2", "click", "2024-03-01T10:05:00"),  # re-sent, identical
        ],
    },
    "2024-03-03": {
        "orders": [
            _order("o4", "U", "2024-03-03T08:00:00", 44.0, 4, "PAID", "c3"),
            _order("o2", "U", "2024-03-01T12:00:00", 21.0, 2, "LATE", "c2"),  # late, older
            _order("o6", "i", "2024-03-03T09:00:00", 60.0, 6, "NEW"),  # lower-case op
            _order("o7", "X", "2024-03-03T09:00:00", 70.0, 7, "NEW"),  # unknown op
        ],
        "products": [  # snapshot 3: p2 repriced, p3 still gone, p4 deactivated
            _product("p1", "pen", 5.5, True, "2024-03-02T00:00:00"),
            _product("p2", "ink", 8.0, True, "2024-03-03T00:00:00"),
            _product("p4", "cap", 3.0, False, "2024-03-03T00:00:00"),
        ],
        "customers": [
            _customer("c2", "Ben", "NL", "2024-03-01T07:00:00"),  # late, older than BE
            _customer("c4", "Dee", None, "2024-03-03T08:00:00"),  # null value
        ],
        "events": [
            _event("e4", "c3", "view", "2024-03-03T09:00:00"),
            _event("e4", "c3", "view", "2024-03-03T09:00:00"),  # duplicate in one file
            _event("e3", "c1", "refund", "2024-03-03T10:00:00"),  # same id, new payload
        ],
    },
}


def write_day(landing: Path, day: str) -> list[Path]:
    """That day's files, one per source (JSON lines), modified at noon UTC of the day: a file
    with no date folder belongs to its modification date here; DKOps reads every file."""
    noon = datetime.fromisoformat(day).replace(hour=12, tzinfo=timezone.utc).timestamp()
    written = []
    for source, rows in ROWS[day].items():
        path = landing / source / f"{source}_{day.replace('-', '')}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
        os.utime(path, (noon, noon))
        written.append(path)
    return written
