"""The issues one load collects, each naming its file relative to the contract folder."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import NoReturn

from lakehouse_assets.contracts.errors import ContractError, ContractIssue, Severity
from lakehouse_assets.contracts.extensions import Problem


class IssueLog:
    def __init__(self, root: Path):
        self.root = root
        self.issues: list[ContractIssue] = []

    def add(
        self, file: Path, field: str, message: str, fix: str = "", severity: Severity = "error"
    ) -> None:
        self.issues.append(ContractIssue(self.rel(file), field, message, fix, severity))

    def report(self, file: Path, problems: Iterable[Problem]) -> None:
        for field, message, fix, severity in problems:
            self.add(file, field, message, fix, severity)  # type: ignore[arg-type]

    def rel(self, file: Path) -> Path:
        try:
            return file.relative_to(self.root)
        except ValueError:
            return file

    def fail(self) -> NoReturn:
        """The folder cannot be used at all: stop with what was found so far."""
        raise ContractError(self.issues)
