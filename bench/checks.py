"""Cost of data quality checks: rule evaluation alone, and the demo end to end.

    python bench/checks.py [--rows 200000] [--days 5]

1. `split_rows` (the one pass that counts every row rule and splits off drop-rule failures) on
   a generated Delta table with 6 row rules, then counting the kept and dropped rows, against just
   counting the frame: the extra cost of judging a batch.
2. `lakehouse demo` end to end (31 asset checks) in a fresh folder, timed as a subprocess;
   compare with the foundation's demo time in RESULTS.md.
"""

from __future__ import annotations

import argparse
import tempfile
import time

from foundation import demo_seconds  # bench/ is this script's folder


def rule_seconds(rows: int) -> tuple[float, float]:
    from lakehouse_assets.checks.evaluate import split_rows
    from lakehouse_assets.checks.rules import compile_rule
    from lakehouse_assets.contracts.expectations import ExpectationRule
    from lakehouse_assets.engine.resource import SparkResource

    spark = SparkResource(mode="local").get_session()
    table = tempfile.mkdtemp(prefix="bench-checks-")
    spark.range(rows).selectExpr(
        "id",
        "id % 7 AS qty",
        "concat('u', id, '@x.io') AS email",
        "CASE WHEN id % 1000 = 0 THEN 'lost' ELSE 'placed' END AS status",
    ).write.format("delta").mode("overwrite").save(table)
    df = spark.read.format("delta").load(table)
    specs = [
        dict(expect="qty < 6"),
        dict(expect_or_drop="qty > 0"),
        dict(not_null="email"),
        dict(accepted_values="status", values=["placed"]),
        dict(range="qty", min=0, max=9),
        dict(regex="email", pattern="^[^@]+@[^@]+$"),
    ]
    rules = [compile_rule(ExpectationRule(**s), "bench", None) for s in specs]
    df.count()  # warm up
    started = time.perf_counter()
    df.where("email LIKE 'u%@%'").count()
    plain = time.perf_counter() - started
    started = time.perf_counter()
    split = split_rows(df, rules)
    split.kept.count()
    assert split.dropped is not None
    split.dropped.count()
    return plain, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--days", type=int, default=5)
    args = parser.parse_args()
    plain, judged = rule_seconds(args.rows)
    print(
        f"{args.rows} rows from Delta: scan + count {plain:.2f} s; 6 row rules judged + "
        f"split + both halves counted {judged:.2f} s"
    )
    print(f"lakehouse demo --days {args.days}: {demo_seconds(args.days, scale=1):.1f} s wall")


if __name__ == "__main__":
    main()
