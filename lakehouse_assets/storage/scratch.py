"""Where work files of a path's owner live on this machine: beside a local path, and under
$LAKEHOUSE_SCRATCH_DIR (default: the system temp folder) for a path on object storage.

Staged landing copies, a run's computed-once parse and the key-slice merge's slice copies are
read by the engine of this process (embedded Sail) and by delta-rs: a local folder serves them
faster than a bucket and needs no clean-up on the store.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from lakehouse_assets.storage.urls import is_remote, normalized, split

SCRATCH_DIR_VARIABLE = "LAKEHOUSE_SCRATCH_DIR"


def scratch_root() -> Path:
    configured = os.environ.get(SCRATCH_DIR_VARIABLE)
    return Path(configured) if configured else Path(tempfile.gettempdir()) / "lakehouse-scratch"


def working_dir(path: str) -> Path:
    """`path` itself when local; else a local folder standing for it, one per URL."""
    if not is_remote(path):
        return Path(path)
    url = normalized(path).rstrip("/")
    bucket = split(url).store_url.split("://", 1)[1].split("@", 1)[0]
    digest = hashlib.sha1(url.encode()).hexdigest()[:12]
    return scratch_root() / f"{bucket}-{digest}"
