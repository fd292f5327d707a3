"""Row accounting: every row a batch read is written, quarantined, superseded by a later event
of its key (silver), or left out by the promotion's filter (silver).

Each term is counted on its own, never derived from the others: `read` before anything is
judged, `written` by the write itself (the bronze partition as committed, the rows the silver
merge received), `quarantined` in the quarantine table after the write, `superseded` as the
typed rows minus the rows left after the dedup. A row lost anywhere in between (a predicate
that is NULL for it, a write that drops it) unbalances the equation and fails the check.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RowAccount:
    read: int
    written: int
    quarantined: int
    superseded: int = 0
    filtered: int = 0

    @property
    def balanced(self) -> bool:
        return self.read == self.written + self.quarantined + self.superseded + self.filtered

    @property
    def equation(self) -> str:
        return (
            f"{self.read} = {self.written} written + {self.quarantined} quarantined + "
            f"{self.superseded} superseded + {self.filtered} filtered"
        )

    def facts(self) -> dict[str, Any]:
        return {
            "rows_in": self.read,
            "rows_written": self.written,
            "rows_quarantined": self.quarantined,
            "rows_superseded": self.superseded,
            "rows_filtered": self.filtered,
        }
