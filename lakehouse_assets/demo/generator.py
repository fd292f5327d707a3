"""Deterministic landing files for the demo shop: same seed and scale, same bytes.

Per day: a CSV snapshot of the catalogue (prices drift), customer and order CDC (I/U/D, JSON
lines), and clickstream events delivered at least once (some repeated, even across days).
A few records are deliberately bad (a corrupt JSON line, a non-numeric quantity, a null key)
so that quarantine has something to show; from day 4 a few also fail the contracts'
expectations (a negative quantity, an unknown order status, a malformed email).
"""

from __future__ import annotations

import csv
import json
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

CATEGORIES = ("books", "games", "garden", "kitchen", "music", "sports")
COUNTRIES = ("AR", "BR", "CO", "DE", "ES", "FR", "MX", "US")


@dataclass
class GeneratedDay:
    day: str
    files: list[Path] = field(default_factory=list)
    bad_records: int = 0


def _ts(day: date, rng: random.Random) -> str:
    moment = datetime(day.year, day.month, day.day) + timedelta(seconds=rng.randrange(86_400))
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def _write_jsonl(path: Path, rows: list[dict | str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [r if isinstance(r, str) else json.dumps(r, sort_keys=True) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


class ShopGenerator:
    def __init__(self, landing: Path, scale: int = 1, seed: int = 7):
        self.landing = landing
        self.scale = max(1, scale)
        self.rng = random.Random(seed)
        self.products: dict[int, dict] = {}
        self.customers: dict[int, dict] = {}
        self.orders: dict[int, dict] = {}
        self.next_customer = 1
        self.next_order = 1
        self.event_seq = 0
        self.last_events: list[dict] = []

    def generate(self, start: date, days: int) -> list[GeneratedDay]:
        return [self.day(start + timedelta(days=i), i) for i in range(days)]

    def day(self, day: date, index: int) -> GeneratedDay:
        out = GeneratedDay(day.isoformat())
        folder = f"dt={day.isoformat()}"
        out.files.append(self._products(day, folder))
        out.files.append(self._customers(day, folder, index))
        orders_file, bad_orders = self._orders(day, folder, index)
        events_file, bad_events = self._events(day, folder, index)
        out.files += [orders_file, events_file]
        out.bad_records = bad_orders + bad_events
        return out

    def _products(self, day: date, folder: str) -> Path:
        rng = self.rng
        for pid in range(1, 20 * self.scale + 1):
            product = self.products.get(pid)
            if product is None or rng.random() < 0.1:
                price = (
                    round(rng.uniform(3, 120), 2)
                    if product is None
                    else round(float(product["price"]) * rng.uniform(0.9, 1.1), 2)
                )
                self.products[pid] = {
                    "product_id": pid,
                    "product_name": f"product-{pid:04d}",
                    "category": CATEGORIES[pid % len(CATEGORIES)],
                    "price": f"{price:.2f}",
                    "updated_at": _ts(day, rng),
                }
        path = self.landing / "products" / folder / "products.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(next(iter(self.products.values()))))
            writer.writeheader()
            writer.writerows(self.products[p] for p in sorted(self.products))
        return path

    def _customers(self, day: date, folder: str, index: int) -> Path:
        rng, rows = self.rng, []
        for _ in range((40 if index == 0 else 6) * self.scale):
            cid = self.next_customer
            self.next_customer += 1
            row = {
                "customer_id": cid,
                "email": f"user{cid}@example.com",
                "full_name": f"Customer {cid}",
                "country": rng.choice(COUNTRIES),
                "op_type": "I",
                "updated_at": _ts(day, rng),
            }
            self.customers[cid] = row
            rows.append(row)
        live = sorted(c for c, r in self.customers.items() if r["op_type"] != "D")
        for cid in rng.sample(live, min(len(live), 4 * self.scale)) if index else []:
            row = {
                **self.customers[cid],
                "country": rng.choice(COUNTRIES),
                "op_type": "U",
                "updated_at": _ts(day, rng),
            }
            self.customers[cid] = row
            rows.append(row)
        for cid in rng.sample(live, min(len(live), self.scale)) if index > 1 else []:
            row = {**self.customers[cid], "op_type": "D", "updated_at": _ts(day, rng)}
            self.customers[cid] = row
            rows.append(row)
        if index == 3:  # fails the silver regex rule on email (expect_or_drop -> quarantine)
            cid = self.next_customer
            self.next_customer += 1
            rows.append(
                {
                    "customer_id": cid,
                    "email": "not-an-email",
                    "full_name": "Bad Email",
                    "country": "US",
                    "op_type": "I",
                    "updated_at": _ts(day, rng),
                }
            )
        return _write_jsonl(self.landing / "customers" / folder / "part-0000.json", rows)

    def _orders(self, day: date, folder: str, index: int) -> tuple[Path, int]:
        rng, rows = self.rng, []
        customers = sorted(c for c, r in self.customers.items() if r["op_type"] != "D")
        for _ in range(60 * self.scale):
            oid = self.next_order
            self.next_order += 1
            pid = rng.randrange(1, 20 * self.scale + 1)
            qty = rng.randrange(1, 5)
            ts = _ts(day, rng)
            row = {
                "order_id": oid,
                "customer_id": rng.choice(customers),
                "product_id": pid,
                "quantity": qty,
                "amount": f"{qty * float(self.products[pid]['price']):.2f}",
                "status": "placed",
                "order_ts": ts,
                "op_type": "I",
                "updated_at": ts,
            }
            self.orders[oid] = row
            rows.append(row)
        open_orders = sorted(
            o for o, r in self.orders.items() if r["op_type"] != "D" and r["status"] == "placed"
        )
        for oid in rng.sample(open_orders, min(len(open_orders), 20 * self.scale)) if index else []:
            row = {
                **self.orders[oid],
                "status": rng.choice(("shipped", "shipped", "cancelled")),
                "op_type": "U",
                "updated_at": _ts(day, rng),
            }
            self.orders[oid] = row
            rows.append(row)
        for oid in rng.sample(open_orders, min(len(open_orders), 2 * self.scale)) if index else []:
            row = {**self.orders[oid], "op_type": "D", "updated_at": _ts(day, rng)}
            self.orders[oid] = row
            rows.append(row)
        bad = 0
        if index == 2:  # a value that does not parse as the contract's INT
            rows.append({**rows[0], "order_id": 900_000 + index, "quantity": "two"})
            bad = 1
        if index == 3:  # rule failures: a negative quantity (dropped), an unknown status (warned)
            rows.append({**rows[0], "order_id": 910_000 + index, "quantity": -1})
            rows.append({**rows[1], "order_id": 920_000 + index, "status": "lost"})
        return _write_jsonl(self.landing / "orders" / folder / "part-0000.json", rows), bad

    def _events(self, day: date, folder: str, index: int) -> tuple[Path, int]:
        rng, rows = self.rng, []
        customers = sorted(self.customers)
        for _ in range(150 * self.scale):
            self.event_seq += 1
            rows.append(
                {
                    "event_id": f"ev-{self.event_seq:08d}",
                    "customer_id": rng.choice(customers),
                    "product_id": rng.randrange(1, 20 * self.scale + 1),
                    "event_type": rng.choice(("view", "view", "view", "add_to_cart")),
                    "event_ts": _ts(day, rng),
                }
            )
        # At-least-once delivery: some events again, from today and from yesterday.
        replay = rng.sample(rows, 5 * self.scale) + self.last_events[: 3 * self.scale]
        self.last_events = rows[-10:]
        out: list[dict | str] = [*rows, *replay]
        bad = 0
        if index == 1:
            out.insert(7, '{"event_id": "ev-broken", "customer_id": 1, "event_type": "vi')
            bad = 1
        return _write_jsonl(self.landing / "events" / folder / "part-0000.json", out), bad


def generate(
    landing: Path, start: date, days: int, scale: int = 1, seed: int = 7
) -> list[GeneratedDay]:
    return ShopGenerator(landing, scale, seed).generate(start, days)
