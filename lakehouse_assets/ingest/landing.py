"""Landing files and the bronze partition each belongs to."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import datetime, timezone

_DATED = re.compile(r"(?:^|/)(?:dt|date|_ingested_date)=(\d{4}-\d{2}-\d{2})(?:/|$)")
_YMD = re.compile(r"(?:^|/)(\d{4})/(\d{2})/(\d{2})(?:/|$)")


@dataclass(frozen=True)
class LandingFile:
    path: str
    size: int
    mtime: float  # seconds since the epoch

    def partition(self, from_path: bool = True) -> str:
        """The date in the path (dt=YYYY-MM-DD or YYYY/MM/DD), else the UTC modification date."""
        dated = date_in_path(self.path) if from_path else None
        return dated or datetime.fromtimestamp(self.mtime, tz=timezone.utc).strftime("%Y-%m-%d")


def date_in_path(path: str) -> str | None:
    match = _DATED.search(path)
    if match:
        return match.group(1)
    match = _YMD.search(path)
    return "-".join(match.groups()) if match else None


def landing_missing(root: str) -> bool:
    """A local landing folder that does not exist (yet): nothing to read, worth a warning.
    Object storage has no folders to miss."""
    return "://" not in root and not os.path.isdir(root)


def list_landing_files(root: str) -> list[LandingFile]:
    """Every data file below root; hidden and _-prefixed files (_SUCCESS, .crc) are not data."""
    if "://" in root:
        raise NotImplementedError(
            f"listing {root}: only local or mounted paths (e.g. /Volumes/...) can be listed here"
        )
    found: list[LandingFile] = []
    stack = [root]
    while stack:
        try:
            entries = list(os.scandir(stack.pop()))
        except FileNotFoundError:
            continue
        for entry in entries:
            if entry.name.startswith((".", "_")):
                continue
            if entry.is_dir(follow_symlinks=False):
                stack.append(entry.path)
            elif entry.is_file():
                stat = entry.stat()
                found.append(LandingFile(entry.path, stat.st_size, stat.st_mtime))
    return sorted(found, key=lambda f: f.path)
