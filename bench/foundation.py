"""Import time of the code location and wall time of the demo.

    python bench/foundation.py [--days 5] [--scale 1] [--repeat 5]

Each import is timed in a fresh interpreter (what `dagster dev` / a run worker pays); the demo
is `lakehouse demo` end to end in a fresh data folder, timed as a subprocess.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
IMPORT = (
    "import time; t = time.perf_counter(); import lakehouse_assets.definitions as d; "
    "n = len(d.defs.resolve_asset_graph().get_all_asset_keys()); "
    "print(time.perf_counter() - t, n)"
)


def import_seconds(repeat: int) -> list[float]:
    env = {**os.environ, "LAKEHOUSE_PROJECT_DIR": str(REPO / "contracts")}
    times = []
    for _ in range(repeat):
        out = subprocess.run(
            [sys.executable, "-c", IMPORT],
            capture_output=True,
            text=True,
            check=True,
            env=env,
            cwd=REPO,
        ).stdout.split()
        times.append(float(out[0]))
    return times


def demo_seconds(days: int, scale: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        subprocess.run(
            [
                str(Path(sys.executable).parent / "lakehouse"),
                "demo",
                "--data-dir",
                tmp,
                "--days",
                str(days),
                "--scale",
                str(scale),
            ],
            check=True,
            capture_output=True,
        )
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=int, default=5)
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    imports = import_seconds(args.repeat)
    print(
        f"import lakehouse_assets.definitions (+ asset graph): median "
        f"{statistics.median(imports):.2f} s, min {min(imports):.2f} s over {args.repeat}"
    )
    print(
        f"lakehouse demo --days {args.days} --scale {args.scale}: "
        f"{demo_seconds(args.days, args.scale):.1f} s wall"
    )


if __name__ == "__main__":
    main()
