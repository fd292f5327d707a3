"""Problems in expectations, masks and permissions, found before any run (`lakehouse validate`).

Each problem is reported against the file where the user wrote the thing (a promotion
contract's rules against the promotion contract), relative to the contract folder, with the
field path as written (`expectations[1] (not_null order_id)`).
"""

from __future__ import annotations

from pathlib import Path

from lakehouse_assets.checks.rules import compile_rule, rules_for
from lakehouse_assets.contracts.errors import ContractIssue
from lakehouse_assets.contracts.expectations import Expectations, located_rules
from lakehouse_assets.contracts.project import Project, TableAsset
from lakehouse_assets.security.masks import MASKS
from lakehouse_assets.security.permissions import owner_problems, parse_permissions
from lakehouse_assets.tables.physical import physical_columns


def governance_issues(project: Project) -> list[ContractIssue]:
    issues: list[ContractIssue] = []
    for asset in project.assets.values():
        issues += _rule_issues(project, asset)
        issues += _mask_issues(project, asset)
        issues += _permission_issues(project, asset)
    return issues


def _rel(project: Project, file: Path) -> Path:
    try:
        return file.relative_to(project.root)
    except ValueError:
        return file


def _rule_sources(asset: TableAsset) -> list[tuple[Path, Expectations]]:
    """Each file that declares rules for this asset, with its rules."""
    sources = [(asset.table.file, asset.contract.expectations)]
    if asset.promotion is not None:
        sources.append((asset.producer_file, asset.promotion.expectations))
    return sources


def _rule_issues(project: Project, asset: TableAsset) -> list[ContractIssue]:
    keys = asset.promotion.merge_keys if asset.promotion else None
    known = {c.name for c in physical_columns(asset)}
    table = f"{asset.contract.schema_}.{asset.contract.name}"
    issues: list[ContractIssue] = []
    compiled = True
    for file, expectations in _rule_sources(asset):
        rel = _rel(project, file)
        for at, spec in located_rules(expectations):
            try:
                rule = compile_rule(spec, at, keys)
            except ValueError as exc:
                issues.append(ContractIssue(rel, at, str(exc).removeprefix(f"{at}: ")))
                compiled = False
                continue
            missing = [c for c in rule.columns if c not in known]
            if missing:
                names = ", ".join(repr(c) for c in missing)
                what = "is not a column" if len(missing) == 1 else "are not columns"
                issues.append(
                    ContractIssue(
                        rel, at, f"{names} {what} of {table}", f"use one of {sorted(known)}"
                    )
                )
    if compiled:  # rules that compile one by one may still clash as a set (names)
        try:
            rules_for(asset)
        except ValueError as exc:
            issues.append(ContractIssue(_rel(project, asset.table.file), "expectations", str(exc)))
    return issues


def _mask_issues(project: Project, asset: TableAsset) -> list[ContractIssue]:
    return [
        ContractIssue(
            _rel(project, asset.table.file),
            f"columns[{i}].mask",
            f"unknown mask {col.mask!r} on column {col.name}",
            f"use one of {sorted(MASKS)} or register one",
        )
        for i, col in enumerate(asset.contract.columns)
        if col.mask and col.mask not in MASKS
    ]


def _permission_issues(project: Project, asset: TableAsset) -> list[ContractIssue]:
    contract = asset.contract
    parsed = parse_permissions(contract.permissions)
    return [
        ContractIssue(_rel(project, asset.table.file), p.field, p.message, p.fix, p.severity)
        for p in parsed.problems + owner_problems(contract.owner)
    ]
