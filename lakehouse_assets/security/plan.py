"""Governance as SQL: Unity Catalog column masks and GRANTs from the contracts.

Contract `permissions`: a list of `{"principal": "analysts", "privileges": ["SELECT"]}` or a
mapping `{"SELECT": ["analysts", "finance"]}`. Applied on Databricks; reported elsewhere
(Sail and plain Spark have no GRANT).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lakehouse_assets.contracts.identifiers import quote
from lakehouse_assets.contracts.project import Project
from lakehouse_assets.engine.capabilities import Capabilities
from lakehouse_assets.security.masks import mask_sql
from lakehouse_assets.tables.location import locate_key

PRIVILEGES = frozenset({"SELECT", "MODIFY", "ALL PRIVILEGES", "READ_METADATA", "APPLY TAG"})
PRIVILEGED_GROUP = "lakehouse_privileged"


@dataclass
class GovernancePlan:
    statements: list[str] = field(default_factory=list)
    applied: bool = False  # False: reported only (the engine has no Unity Catalog)

    def render(self) -> str:
        head = "governance (applied on Unity Catalog)" if self.applied else \
            "governance (reported: this engine has no Unity Catalog)"
        return "\n".join([head, *[f"  {s}" for s in self.statements]]) if self.statements \
            else f"{head}: nothing to do"


def _principal(name: str) -> str:
    if "`" in name:
        raise ValueError(f"principal {name!r} may not contain a back-quote")
    return f"`{name}`"


def grants(permissions: Any, where: str) -> list[tuple[str, str]]:
    """(privilege, principal) pairs from either permissions form."""
    pairs: list[tuple[str, str]] = []
    if isinstance(permissions, dict):
        for priv, who in permissions.items():
            pairs += [(str(priv), str(p)) for p in ([who] if isinstance(who, str) else who)]
    else:
        for entry in permissions or []:
            if "principal" not in entry:
                raise ValueError(f"{where}: a permission needs 'principal' and 'privileges'")
            privs = entry.get("privileges") or [entry.get("privilege", "SELECT")]
            pairs += [(str(p), str(entry["principal"])) for p in privs]
    bad = sorted({p.upper() for p, _ in pairs} - PRIVILEGES)
    if bad:
        raise ValueError(f"{where}: unknown privileges {bad}; use {sorted(PRIVILEGES)}")
    return [(p.upper(), who) for p, who in pairs]


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
                f"CASE WHEN is_account_group_member('{privileged_group}') THEN v ELSE {body} END")
            plan.statements.append(f"ALTER TABLE {ref} ALTER COLUMN {quote(col.name)} "
                                   f"SET MASK {fn}")
        for priv, who in grants(contract.permissions, str(asset.table.file)):
            plan.statements.append(f"GRANT {priv} ON TABLE {ref} TO {_principal(who)}")
    return plan
