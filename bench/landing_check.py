"""Cost of checking a landing file before the engine reads it (ingest/prepare.py), beside a
hand-written script's bronze step on the embedded engine (read the same file, write it to a
Delta table), in one run, as a ratio.

    PYTHONPATH=. python bench/landing_check.py [--rows 1000000] [--repeat 3]

The check must stay a small fraction of the read it protects: it is one pass in C over the
bytes for the common file (valid UTF-8, CSV without quotes), a Python parse only otherwise.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from lakehouse_assets.contracts.source_options import read_options
from lakehouse_assets.engine.resource import SparkResource
from lakehouse_assets.ingest.manifest import ManifestEntry
from lakehouse_assets.ingest.prepare import prepare


def _files(folder: Path, rows: int) -> dict[str, Path]:
    lines = folder / "orders.json"
    with lines.open("w") as out:
        for i in range(rows):
            out.write(
                json.dumps(
                    {
                        "order_id": i,
                        "customer_id": i % 5000,
                        "amount": i % 997 / 7,
                        "status": "paid",
                        "ts": "2024-01-01 10:00:00",
                    }
                )
                + "\n"
            )
    plain, quoted = folder / "orders.csv", folder / "orders_quoted.csv"
    with plain.open("w") as out, quoted.open("w") as out_q:
        out.write("order_id,customer_id,amount,status,ts\n")
        out_q.write("order_id,customer_id,amount,status,ts\n")
        for i in range(rows):
            out.write(f"{i},{i % 5000},{i % 997 / 7:.2f},paid,2024-01-01 10:00:00\n")
            out_q.write(f'{i},{i % 5000},{i % 997 / 7:.2f},"paid, in full",2024-01-01\n')
    return {"json": lines, "csv": plain, "csv quoted": quoted}


def _median(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    spark = SparkResource(mode="local").get_session()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        print(f"{'file':<12} {'MB':>5} {'check s':>8} {'script step s':>14} {'ratio':>6}")
        for label, path in _files(folder, args.rows).items():
            fmt = label.split()[0]
            options = read_options(fmt, {"header": "true"} if fmt == "csv" else {})
            entry = ManifestEntry(
                "bench",
                str(path),
                path.stat().st_size,
                path.stat().st_mtime,
                "2024-01-01",
                datetime.now(timezone.utc),
            )
            check = _median(
                lambda e=entry, f=fmt, o=options: prepare(e, f, o, folder / "stg"), args.repeat
            )
            # What a hand-written script's bronze step does with the same file.
            reader = (
                spark.read.json(str(path))
                if fmt == "json"
                else spark.read.options(header="true").csv(str(path))
            )
            target = str(folder / f"delta_{label.replace(' ', '_')}")
            read = _median(
                lambda r=reader, t=target: r.write.format("delta").mode("overwrite").save(t),
                args.repeat,
            )
            size = path.stat().st_size / 1e6
            print(f"{label:<12} {size:>5.0f} {check:>8.2f} {read:>14.2f} {check / read:>6.2f}")


if __name__ == "__main__":
    main()
