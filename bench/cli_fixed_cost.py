"""The fixed cost of one `dagster asset materialize` of a tiny partition (the demo's day 1,
scale 1), end to end as a user pays it, for each run executor, alternating, median of N.

    PYTHONPATH=. python bench/cli_fixed_cost.py [--repeat 3]

For reference it also times `dagster --version` (Dagster's own CLI start), the import of
the code location, which every run pays before its first event, and Dagster's own floor: the
same command materializing a no-op asset with the in-process executor (no engine, no data).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from lakehouse_assets.demo.generator import generate

REPO = Path(__file__).resolve().parents[1]
DAGSTER = str(Path(sys.executable).parent / "dagster")
SELECTIONS = {
    "bronze": "bronze/shop/orders_raw",
    "bronze + silver": "bronze/shop/orders_raw,silver/shop/orders",
}


NOOP = """from dagster import Definitions, asset, in_process_executor


@asset
def noop() -> int:
    return 1


defs = Definitions(assets=[noop], executor=in_process_executor)
"""


def timed(args: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(args, env=env, cwd=REPO, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        generate(root / "data" / "landing", date(2024, 1, 1), 1, 1)
        (root / "home").mkdir()
        (root / "home" / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
        env = {
            **os.environ,
            "LAKEHOUSE_DATA_ROOT": str(root / "data"),
            "LAKEHOUSE_PROJECT_DIR": str(REPO / "contracts"),
            "DAGSTER_HOME": str(root / "home"),
        }
        (root / "noop.py").write_text(NOOP)
        times: dict[str, list[float]] = {}
        for _ in range(args.repeat):
            times.setdefault("dagster --version", []).append(timed([DAGSTER, "--version"], env))
            noop = [DAGSTER, "asset", "materialize", "-f", str(root / "noop.py")]
            noop += ["--select", "noop"]
            key = "Dagster's floor: materialize a no-op asset, in-process executor"
            times.setdefault(key, []).append(timed(noop, env))
            imports = [sys.executable, "-c", "import lakehouse_assets.definitions"]
            times.setdefault("import the code location", []).append(timed(imports, env))
            for executor in ("multiprocess", "in_process"):
                for name, selection in SELECTIONS.items():
                    run = [DAGSTER, "asset", "materialize", "-m", "lakehouse_assets.definitions"]
                    run += ["--select", selection, "--partition", "2024-01-01"]
                    key = f"materialize {name}, LAKEHOUSE_EXECUTOR={executor}"
                    seconds = timed(run, {**env, "LAKEHOUSE_EXECUTOR": executor})
                    times.setdefault(key, []).append(seconds)
    print("| what (tiny partition) | median | runs |")
    print("|---|---|---|")
    for key, values in times.items():
        runs = ", ".join(f"{v:.2f}" for v in values)
        print(f"| {key} | {statistics.median(values):.2f} s | {runs} |")


if __name__ == "__main__":
    main()
