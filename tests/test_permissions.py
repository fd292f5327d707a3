"""Table permissions and owner as DKOps writes them: the exact governance SQL and messages."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from lakehouse_assets.cli import main
from lakehouse_assets.engine.capabilities import DATABRICKS
from lakehouse_assets.project_loader import load_project
from lakehouse_assets.security.plan import governance_plan

REVENUE, ENGAGEMENT = "tables/gold/daily_revenue.json", "tables/gold/customer_engagement.json"
REF = "`gold`.`shop`.`daily_revenue`"
EVERY_FORM: list[Any] = [
    {"action": "SELECT", "principal": "analysts", "operation": "GRANT"},
    {"action": "MODIFY", "principal": "eng", "operation": "REVOKE"},
    {"action": "select", "principal": "auditors"},  # DKOps: operation defaults to GRANT
    {"action": "USAGE", "principal": "analysts"},  # not a table privilege: skipped, warned
    {"principal": "finance-analysts", "privileges": ["SELECT", "READ_METADATA"]},
    {"principal": "interns", "privileges": ["SELECT"], "operation": "revoke"},
    {"action": "ALL PRIVILEGES", "principal": "data-platform"},
]
BAD_FORMS: list[Any] = [
    {"action": "DROP", "principal": "a"},
    {"action": "SELECT", "principal": "a", "operation": "DENY"},
    {"action": "SELECT"},
    {"action": "SELECT", "principal": "a", "privileges": ["SELECT"]},
    {"action": "SELECT", "principal": "a", "operaton": "REVOKE"},
    {"principal": "a"},
    {"principal": "a", "privileges": ["SELECT", "DROP"]},
    "SELECT",
    {"action": "EXECUTE", "principal": "a"},
]


def _edit(root: Path, rel: str, **fields: Any) -> Path:
    path = root / rel
    spec = json.loads(path.read_text())
    spec.update(fields)
    path.write_text(json.dumps(spec))
    return path


def test_every_permission_form_and_owner_in_contract_order(demo_dir: Path):
    _edit(demo_dir, REVENUE, permissions=EVERY_FORM, owner="data-engineers")
    _edit(
        demo_dir,
        ENGAGEMENT,
        permissions={"SELECT": ["growth", "marketing"], "modify": "data-platform"},
    )
    plan = governance_plan(load_project(str(demo_dir)), DATABRICKS)
    assert [s for s in plan.statements if REF in s] == [
        f"GRANT SELECT ON TABLE {REF} TO `analysts`",
        f"REVOKE MODIFY ON TABLE {REF} FROM `eng`",
        f"GRANT SELECT ON TABLE {REF} TO `auditors`",
        f"GRANT SELECT ON TABLE {REF} TO `finance-analysts`",
        f"GRANT READ_METADATA ON TABLE {REF} TO `finance-analysts`",
        f"REVOKE SELECT ON TABLE {REF} FROM `interns`",
        f"GRANT ALL PRIVILEGES ON TABLE {REF} TO `data-platform`",
        f"ALTER TABLE {REF} OWNER TO `data-engineers`",
    ]
    engagement = "`gold`.`shop`.`customer_engagement`"
    assert [s for s in plan.statements if engagement in s] == [
        f"GRANT SELECT ON TABLE {engagement} TO `growth`",
        f"GRANT SELECT ON TABLE {engagement} TO `marketing`",
        f"GRANT MODIFY ON TABLE {engagement} TO `data-platform`",
        f"ALTER TABLE {engagement} OWNER TO `growth-analytics`",  # the demo contract's owner
    ]
    assert plan.skipped == [
        f"{demo_dir / REVENUE}: permissions[3].action: GRANT USAGE skipped: "
        "USAGE is not a privilege on a table in Unity Catalog"
    ]
    assert f"  -- skipped: {plan.skipped[0]}" in plan.render()


def test_validate_names_file_field_and_fix_of_each_bad_form(
    demo_dir: Path, capsys: pytest.CaptureFixture[str]
):
    _edit(demo_dir, REVENUE, permissions=BAD_FORMS)
    _edit(demo_dir, ENGAGEMENT, permissions={"SELECT": [], "DROP": ["a"]}, owner="bad`owner")
    revenue, engagement = REVENUE, ENGAGEMENT  # paths relative to the contract folder
    assert main(["validate", str(demo_dir)]) == 1
    out = capsys.readouterr()
    # Per file in contract order (the files themselves come in the project's asset order).
    errors = [
        line
        for f in (revenue, engagement)
        for line in out.err.splitlines()
        if line.startswith(f"error: {f}: ") and ("permissions" in line or "owner" in line)
    ]
    privileges = "ALL PRIVILEGES, APPLY TAG, MODIFY, READ_METADATA, SELECT"
    forms = (
        'write {"action": "SELECT", "principal": "analysts", "operation": "GRANT"} or '
        '{"principal": "analysts", "privileges": ["SELECT"]}'
    )
    assert errors == [
        f"error: {revenue}: permissions[0].action: unknown privilege 'DROP' "
        f"(fix: use one of {privileges})",
        f"error: {revenue}: permissions[1].operation: unknown operation 'DENY' "
        "(fix: use GRANT or REVOKE (default GRANT))",
        f"error: {revenue}: permissions[2].principal: missing principal "
        '(fix: name the user, group or service principal, e.g. "principal": "analysts")',
        f"error: {revenue}: permissions[3]: mixes the DKOps form ('action') with the privileges "
        "form ('privileges') (fix: split it into one entry per form, or keep one of the two "
        "keys)",
        f"error: {revenue}: permissions[4].operaton: unknown field 'operaton' "
        "(fix: use only action, principal, operation)",
        f"error: {revenue}: permissions[5]: needs 'action' or 'privileges' (fix: {forms})",
        f"error: {revenue}: permissions[6].privileges[1]: unknown privilege 'DROP' "
        f"(fix: use one of {privileges})",
        f"error: {revenue}: permissions[7]: expected an object, got 'SELECT' (fix: {forms})",
        f"error: {engagement}: permissions.SELECT: expected principal names, got [] "
        '(fix: write "SELECT": ["analysts", "finance"])',
        f"error: {engagement}: permissions.DROP: unknown privilege 'DROP' "
        f"(fix: use one of {privileges})",
        f"error: {engagement}: owner: owner 'bad`owner' contains a back-quote "
        "(fix: name the user, group or service principal without `)",
    ]
    assert (
        f"warning: {revenue}: permissions[8].action: GRANT EXECUTE skipped: EXECUTE is not "
        "a privilege on a table in Unity Catalog (fix: EXECUTE applies to functions; grant "
        "it on the function outside the table contract)"
    ) in out.out.splitlines()
    with pytest.raises(ValueError, match=r"permissions\.DROP: unknown privilege 'DROP'"):
        governance_plan(load_project(str(demo_dir)), DATABRICKS)
