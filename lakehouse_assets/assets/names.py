"""The names one contract folder's definitions use in a code location: resource keys, jobs and
sensors. A prefix keeps two contract folders (two domains) apart when their Definitions merge
into one code location; without one the names are the plain defaults."""

from __future__ import annotations

import re
from dataclasses import dataclass

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class DefinitionNames:
    prefix: str = ""

    def __post_init__(self) -> None:
        if self.prefix and not _NAME.match(self.prefix):
            raise ValueError(
                f"resource prefix {self.prefix!r}: use letters, digits and _ "
                "(it starts resource keys, job and sensor names)"
            )

    def name(self, base: str) -> str:
        if not self.prefix:
            return base
        return f"{self.prefix.rstrip('_')}__{base}"

    @property
    def spark(self) -> str:
        return self.name("spark")

    @property
    def io_manager(self) -> str:
        return self.name("delta_io_manager")
