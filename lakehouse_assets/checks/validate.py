"""Problems in expectations, masks and permissions, found before any run (`lakehouse validate`)."""

from __future__ import annotations

from pathlib import Path

from lakehouse_assets.checks.rules import rules_for
from lakehouse_assets.contracts.errors import ContractIssue
from lakehouse_assets.contracts.models import TableContract
from lakehouse_assets.contracts.project import Project
from lakehouse_assets.security.masks import MASKS
from lakehouse_assets.security.permissions import owner_problems, parse_permissions
from lakehouse_assets.tables.physical import physical_columns


def governance_issues(project: Project) -> list[ContractIssue]:
    issues: list[ContractIssue] = []
    for asset in project.assets.values():
        file = asset.table.file
        try:
            rules = rules_for(asset)
        except ValueError as exc:
            issues.append(ContractIssue(file, "expectations", str(exc)))
            rules = []
        known = {c.name for c in physical_columns(asset)}
        for rule in rules:
            missing = [c for c in rule.columns if c not in known]
            if missing:
                issues.append(ContractIssue(file, f"expectations.{rule.name}",
                                            f"columns {missing} are not in the table",
                                            f"use one of {sorted(known)}"))
        for col in asset.contract.columns:
            if col.mask and col.mask not in MASKS:
                issues.append(ContractIssue(file, f"columns.{col.name}.mask",
                                            f"unknown mask {col.mask!r}",
                                            f"use one of {sorted(MASKS)} or register one"))
        issues += permission_issues(asset.contract, file)
    return issues


def permission_issues(contract: TableContract, file: Path) -> list[ContractIssue]:
    parsed = parse_permissions(contract.permissions)
    return [ContractIssue(file, p.field, p.message, p.fix, p.severity)
            for p in parsed.problems + owner_problems(contract.owner)]
