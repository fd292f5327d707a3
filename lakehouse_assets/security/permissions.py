"""A table contract's `permissions` and `owner`, parsed into GRANT/REVOKE/OWNER statements.

Three forms, mixed freely in one list, kept in contract order:
- DKOps: `{"action": "SELECT", "principal": "analysts", "operation": "GRANT" | "REVOKE"}`
  (operation defaults to GRANT);
- ours: `{"principal": "analysts", "privileges": ["SELECT", "MODIFY"]}` (also takes an
  `operation`, applied to every privilege);
- a mapping instead of the list: `{"SELECT": ["analysts", "finance"]}` (grants only).
Anything else is a problem naming `permissions[i].<field>`, never guessed at: a misspelt
`operation` key read as a default GRANT would hand out the access a REVOKE meant to take away.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Operation = Literal["GRANT", "REVOKE"]
OPERATIONS: tuple[str, ...] = ("GRANT", "REVOKE")
# Table privileges: Unity Catalog's, plus READ_METADATA of the legacy Hive metastore table ACLs.
TABLE_PRIVILEGES = frozenset({"SELECT", "MODIFY", "ALL PRIVILEGES", "READ_METADATA", "APPLY TAG"})
# DKOps accepts these but they are not privileges on a table: Unity Catalog refuses
# `GRANT USAGE ON TABLE`, and DKOps only logs that failure. They are warnings, not errors, and
# left out of the plan: the result is the one a DKOps project gets today (nothing granted, a
# message), the project runs unchanged, and skipping errs towards less access, never more.
NOT_ON_TABLES = {
    "USAGE": "grant USE SCHEMA on the schema (and USE CATALOG on the catalog) outside the "
    "table contract",
    "CREATE": "grant CREATE TABLE on the schema outside the table contract",
    "EXECUTE": "EXECUTE applies to functions; grant it on the function outside the table contract",
}
DKOPS_KEYS = ("action", "principal", "operation")
LIST_KEYS = ("principal", "privileges", "operation")
FORMS_FIX = (
    'write {"action": "SELECT", "principal": "analysts", "operation": "GRANT"} or '
    '{"principal": "analysts", "privileges": ["SELECT"]}'
)


@dataclass(frozen=True)
class Permission:
    operation: Operation
    action: str
    principal: str

    def sql(self, ref: str) -> str:
        to = "FROM" if self.operation == "REVOKE" else "TO"
        return f"{self.operation} {self.action} ON TABLE {ref} {to} {principal_sql(self.principal)}"


@dataclass(frozen=True)
class PermissionProblem:
    field: str  # e.g. permissions[1].operation
    message: str
    fix: str
    severity: Literal["error", "warning"] = "error"


@dataclass
class ParsedPermissions:
    permissions: list[Permission]
    problems: list[PermissionProblem]

    @property
    def errors(self) -> list[PermissionProblem]:
        return [p for p in self.problems if p.severity == "error"]


def principal_sql(name: str) -> str:
    if "`" in name:  # the only character a back-quoted identifier cannot hold unescaped
        raise ValueError(f"principal {name!r} may not contain a back-quote")
    return f"`{name}`"


def owner_sql(ref: str, owner: str) -> str:
    return f"ALTER TABLE {ref} OWNER TO {principal_sql(owner)}"


def owner_problems(owner: str | None) -> list[PermissionProblem]:
    if owner and "`" in owner:
        return [
            PermissionProblem(
                "owner",
                f"owner {owner!r} contains a back-quote",
                "name the user, group or service principal without `",
            )
        ]
    return []


def parse_permissions(raw: Any) -> ParsedPermissions:
    out = ParsedPermissions([], [])
    if isinstance(raw, dict):
        for action, who in raw.items():
            _mapping_entry(str(action), who, out)
    elif isinstance(raw, list):
        for i, entry in enumerate(raw):
            _list_entry(f"permissions[{i}]", entry, out)
    elif raw is not None:
        out.problems.append(
            PermissionProblem("permissions", f"expected a list, got {raw!r}", FORMS_FIX)
        )
    return out


def _mapping_entry(action: str, who: Any, out: ParsedPermissions) -> None:
    field = f"permissions.{action}"
    names = [who] if isinstance(who, str) else who
    if (
        not isinstance(names, list)
        or not names
        or not all(isinstance(n, str) and n.strip() for n in names)
    ):
        out.problems.append(
            PermissionProblem(
                field,
                f"expected principal names, got {who!r}",
                f'write "{action}": ["analysts", "finance"]',
            )
        )
        return
    for name in names:
        _add("GRANT", action, name, field, field, out)


def _list_entry(field: str, entry: Any, out: ParsedPermissions) -> None:
    # Nothing of an entry with a problem is granted: a half-read entry could grant what a
    # REVOKE meant to take away.
    problems = _form_problems(field, entry) or _grantee_problems(field, entry)
    if problems:
        out.problems += problems
        return
    principal = entry["principal"]
    op: Operation = "REVOKE" if entry.get("operation", "GRANT").upper() == "REVOKE" else "GRANT"
    if "action" in entry:
        _add(op, entry["action"], principal, field, f"{field}.action", out)
        return
    privileges = entry["privileges"]
    if not isinstance(privileges, list) or not privileges:
        out.problems.append(
            PermissionProblem(
                f"{field}.privileges",
                f"expected a list of privileges, got {privileges!r}",
                '"privileges": ["SELECT"]',
            )
        )
        return
    for j, action in enumerate(privileges):
        _add(op, action, principal, field, f"{field}.privileges[{j}]", out)


def _form_problems(field: str, entry: Any) -> list[PermissionProblem]:
    """What keeps a list entry from being one of the two forms: not an object, both forms'
    keys, a key neither form has, or neither 'action' nor 'privileges'."""
    if not isinstance(entry, dict):
        return [PermissionProblem(field, f"expected an object, got {entry!r}", FORMS_FIX)]
    if "action" in entry and "privileges" in entry:
        return [
            PermissionProblem(
                field,
                "mixes the DKOps form ('action') with the privileges form ('privileges')",
                "split it into one entry per form, or keep one of the two keys",
            )
        ]
    keys = DKOPS_KEYS if "action" in entry else LIST_KEYS
    unknown = [k for k in entry if k not in keys]
    if unknown:
        return [
            PermissionProblem(f"{field}.{k}", f"unknown field {k!r}", f"use only {', '.join(keys)}")
            for k in unknown
        ]
    if "action" not in entry and "privileges" not in entry:
        return [PermissionProblem(field, "needs 'action' or 'privileges'", FORMS_FIX)]
    return []


def _grantee_problems(field: str, entry: dict[str, Any]) -> list[PermissionProblem]:
    """A missing or empty principal, or an operation other than GRANT or REVOKE."""
    principal, operation = entry.get("principal"), entry.get("operation", "GRANT")
    if not isinstance(principal, str) or not principal.strip():
        return [
            PermissionProblem(
                f"{field}.principal",
                "missing principal"
                if principal in (None, "")
                else f"expected a principal name, got {principal!r}",
                'name the user, group or service principal, e.g. "principal": "analysts"',
            )
        ]
    if not isinstance(operation, str) or operation.upper() not in OPERATIONS:
        return [
            PermissionProblem(
                f"{field}.operation",
                f"unknown operation {operation!r}",
                "use GRANT or REVOKE (default GRANT)",
            )
        ]
    return []


def _add(
    operation: Operation,
    action: Any,
    principal: str,
    field: str,
    action_field: str,
    out: ParsedPermissions,
) -> None:
    name = action.strip().upper() if isinstance(action, str) else ""
    if name in NOT_ON_TABLES:
        out.problems.append(
            PermissionProblem(
                action_field,
                f"{operation} {name} skipped: {name} is not a privilege on a table "
                "in Unity Catalog",
                NOT_ON_TABLES[name],
                "warning",
            )
        )
    elif name not in TABLE_PRIVILEGES:
        out.problems.append(
            PermissionProblem(
                action_field,
                f"unknown privilege {action!r}",
                f"use one of {', '.join(sorted(TABLE_PRIVILEGES))}",
            )
        )
    elif "`" in principal:
        out.problems.append(
            PermissionProblem(
                f"{field}.principal",
                f"principal {principal!r} contains a back-quote",
                "name the principal without `",
            )
        )
    else:
        out.permissions.append(Permission(operation, name, principal.strip()))
