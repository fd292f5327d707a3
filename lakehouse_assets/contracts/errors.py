"""Contract problems that name the file, the field, what is wrong and how to fix it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True)
class ContractIssue:
    file: Path
    field: str
    message: str
    fix: str = ""
    severity: Severity = "error"

    def __str__(self) -> str:
        where = f"{self.file}" + (f": {self.field}" if self.field else "")
        text = f"{self.severity}: {where}: {self.message}"
        return text + (f" (fix: {self.fix})" if self.fix else "")


class ContractError(Exception):
    """All the errors found in a contract folder, reported together."""

    def __init__(self, issues: list[ContractIssue]):
        self.issues = [i for i in issues if i.severity == "error"]
        lines = "\n".join(f"  - {i}" for i in self.issues)
        super().__init__(f"{len(self.issues)} contract error(s):\n{lines}")


def join_words(words: list[str], last: str = "or") -> str:
    """a / a or b / a, b or c"""
    return (
        f" {last} ".join(words)
        if len(words) < 3
        else ", ".join(words[:-1]) + f" {last} " + words[-1]
    )
