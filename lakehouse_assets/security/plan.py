"""Governance as SQL: Unity Catalog column masks and GRANTs from the contracts.

Per table: its column masks, then its `permissions` as GRANT/REVOKE in contract order (forms in
permissions.py), then `ALTER TABLE ... OWNER TO` its `owner`. Applied on Databricks; reported
elsewhere (Sail and plain Spark have no GRANT).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lakehouse_assets.contracts.identifiers import quote
from lakehouse_assets.contracts.models import TableContract
from lakehouse_assets.contracts.project import Project
from lakehouse_assets.engine.capabilities import Capabilities
from lakehouse_assets.security.masks import mask_sql
from lakehouse_assets.security.permissions import owner_problems, owner_sql, parse_permissions
from lakehouse_assets.tables.location import locate_key

PRIVILEGED_GROUP = "lakehouse_privileged"


@dataclass
class GovernancePlan:
    statements: list[str] = field(default_factory=list)
    applied: bool = False  # False: reported only (the engine has no Unity Catalog)
    skipped: list[str] = field(default_factory=list)  # permissions with no meaning on a table

    def render(self) -> str:
        head = (
            "governance (applied on Unity Catalog)"
            if self.applied
            else "governance (reported: this engine has no Unity Catalog)"
        )
        lines = [f"  {s}" for s in self.statements] + [f"  -- skipped: {s}" for s in self.skipped]
        return "\n".join([head, *lines]) if lines else f"{head}: nothing to do"


def permission_sql(contract: TableContract, ref: str, file: str) -> tuple[list[str], list[str]]:
    """The contract's GRANT/REVOKE statements in contract order, then its owner; and the
    skipped entries. Raises ValueError on any error (`lakehouse validate` lists them all)."""
    parsed = parse_permissions(contract.permissions)
    errors = parsed.errors + owner_problems(contract.owner)
    if errors:
        raise ValueError(
            "\n".join(f"{file}: {p.field}: {p.message} (fix: {p.fix})" for p in errors)
        )
    statements = [p.sql(ref) for p in parsed.permissions]
    # Ownership last: once it moves, whoever applies the plan may lose the right to grant.
    if contract.owner:
        statements.append(owner_sql(ref, contract.owner))
    skipped = [f"{file}: {p.field}: {p.message}" for p in parsed.problems]
    return statements, skipped


def governance_plan(
    project: Project, capabilities: Capabilities, privileged_group: str = PRIVILEGED_GROUP
) -> GovernancePlan:
    plan = GovernancePlan(applied=capabilities.unity_catalog)
    for key, asset in project.assets.items():
        contract = asset.contract
        location = locate_key(project, key, capabilities)
        ref = location.sql_ref
        # The mask function lives beside its table (catalog.schema.mask_<table>_<column>).
        home = (location.name or contract.name).split(".")[:-1]
        for col in contract.columns:
            if not col.mask:
                continue
            fn = ".".join(quote(p) for p in [*home, f"mask_{contract.name}_{col.name}"])
            body = mask_sql(col.mask, "v", f"{asset.table.file}: ")
            plan.statements.append(
                f"CREATE OR REPLACE FUNCTION {fn}(v {col.type}) RETURNS {col.type} RETURN "
                f"CASE WHEN is_account_group_member('{privileged_group}') THEN v ELSE {body} END"
            )
            plan.statements.append(
                f"ALTER TABLE {ref} ALTER COLUMN {quote(col.name)} SET MASK {fn}"
            )
        statements, skipped = permission_sql(contract, ref, str(asset.table.file))
        plan.statements += statements
        plan.skipped += skipped
    return plan
