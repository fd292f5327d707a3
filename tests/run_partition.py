"""One Dagster run in a process of its own, as a run launcher starts it: its own engine session.

    python -m tests.run_partition CONTRACT_DIR ASSET_KEY PARTITION

Prints the materialization's metadata as JSON on its last line; exits non-zero if the run fails.
"""

from __future__ import annotations

import json
import sys

from lakehouse_assets.engine.resource import SparkResource
from lakehouse_assets.project_loader import load_project_or_raise
from tests.helpers import run_assets


def main(contracts: str, key: str, partition: str) -> None:
    project = load_project_or_raise(contracts)
    result = run_assets(project, SparkResource(mode="local"), [key], partition)
    [event] = result.get_asset_materialization_events()
    metadata = event.materialization.metadata
    print(json.dumps({k: v.value for k, v in metadata.items()}, default=str))


if __name__ == "__main__":
    main(*sys.argv[1:4])
