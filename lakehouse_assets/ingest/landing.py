"""Landing files and the bronze partition each belongs to."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone

from lakehouse_assets.storage.files import list_files, root_exists

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
    """A landing folder that does not exist (yet): nothing to read, worth a warning. On object
    storage, a prefix with no object below it; a missing bucket or refused credentials raise
    StorageError instead (a setting to fix, not an empty landing)."""
    return not root_exists(root)


def list_landing_files(root: str) -> list[LandingFile]:
    """Every data file below root, local or on object storage (lakehouse_assets.storage);
    hidden and _-prefixed files (_SUCCESS, .crc) are not data."""
    return [LandingFile(f.path, f.size, f.mtime) for f in list_files(root)]
