"""What preparation keeps from the engine: a module of its own because both the file checks
(ingest/prepare.py) and the CSV record split (ingest/csv_records.py) set records aside."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SetAside:
    """A record (or a whole file, line None) the engine will not see: quarantined as it is."""

    line: int | None
    raw: str
    reason: str
