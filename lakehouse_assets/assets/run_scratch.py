"""A folder per run and asset for what the run computes once and reads several times (the
landing parse, the silver dedup): see io/scratch.py."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from lakehouse_assets.assets.bronze import ops_root
from lakehouse_assets.contracts.project import Project, TableAsset
from lakehouse_assets.storage.scratch import working_dir

STALE_SCRATCH_S = 7 * 24 * 3600  # a run scratch folder this old lost its run


@contextmanager
def run_scratch(project: Project, run_id: str, asset: TableAsset) -> Iterator[Path]:
    """A folder for what one run of the asset computes once and reads several times, removed
    when the run's materialization ends, failed or not."""
    root = working_dir(ops_root(project)) / "run_scratch"
    _sweep(root)
    folder = root / run_id / "__".join(asset.key)
    folder.mkdir(parents=True, exist_ok=True)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        with suppress(OSError):  # the run's folder once its last asset is done, then the root
            folder.parent.rmdir()
            root.rmdir()


def _sweep(root: Path) -> None:
    """Folders of runs that were killed before they could remove their own."""
    if not root.is_dir():
        return
    for run in root.iterdir():
        with suppress(OSError):
            if time.time() - run.stat().st_mtime > STALE_SCRATCH_S:
                shutil.rmtree(run, ignore_errors=True)
