"""Landing files this host cannot open: on Databricks the Dagster host may be outside the
workspace, where /Volumes/... and cloud paths are only the session's. Such a file is read by
the engine where it lies, without the Python pass that stages what Sail cannot read
(ingest/prepare.py); read options that need that pass are refused with the fix (run bronze
where the files are mounted: the bundle's job cluster)."""

from __future__ import annotations

import os
from pathlib import Path

from lakehouse_assets.contracts.source_options import ReadOptions
from lakehouse_assets.ingest.prepare import COMPRESSED_SUFFIXES, Prepared

FIX = (
    "run bronze where the landing volume is mounted (a Databricks job cluster: "
    "`lakehouse bundle`, README 'Running beyond your laptop')"
)


def on_this_host(path: str) -> bool:
    return "://" not in path and os.path.exists(path)


def read_where_it_lies(path: str, fmt: str, options: ReadOptions) -> Prepared:
    """The engine reads the file itself; what only the staging pass handles is an error."""
    needs = [
        reason
        for reason, applies in (
            ("multiLine JSON", fmt == "json" and options.multiline),
            ("JSON comments", fmt == "json" and options.allow_comments),
            (f"encoding {options.encoding}", not options.utf8),
            (f"a {Path(path).suffix} file", Path(path).suffix.lower() in COMPRESSED_SUFFIXES),
        )
        if applies
    ]
    if needs:
        raise ValueError(
            f"{path}: {', '.join(needs)} is read through a copy staged on this host, and this "
            f"host cannot open the workspace's files: {FIX}"
        )
    return Prepared(path, path)
