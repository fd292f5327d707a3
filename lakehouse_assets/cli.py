"""`lakehouse`: validate, schema, plan, demo, status; materialize (one selection and partition
in this process) and bundle (a Databricks Asset Bundle whose tasks run materialize)."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from lakehouse_assets.contracts.errors import ContractError

if TYPE_CHECKING:
    from lakehouse_assets.contracts.project import Project


def _load(args: argparse.Namespace, loader: Callable[..., Project]) -> Project | None:
    """The folder's project, or None after printing why it cannot be loaded at all."""
    try:
        return loader(args.dir, args.env)
    except ContractError as exc:
        for issue in exc.issues:  # one line each, as validate prints them
            print(issue, file=sys.stderr)
        return None


def _folder_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "dir",
        nargs="?",
        default=None,
        help="contract folder (default: $LAKEHOUSE_PROJECT_DIR or contracts/)",
    )
    parser.add_argument("--env", default=None, help="environment of config.json")


def _validate(args: argparse.Namespace) -> int:
    from lakehouse_assets.checks.validate import governance_issues
    from lakehouse_assets.code_location import spark_from_env
    from lakehouse_assets.ingest.readable import unreadable_sources
    from lakehouse_assets.project_loader import load_project

    project = _load(args, load_project)
    if project is None:
        return 1
    project.issues.extend(governance_issues(project))
    project.issues.extend(unreadable_sources(project, spark_from_env().capabilities))
    for issue in project.issues:
        print(issue, file=sys.stderr if issue.severity == "error" else sys.stdout)
    for table in project.unbuilt_tables():
        print(
            f"info: {table.file.relative_to(project.root)}: table "
            f"{table.schema}.{table.name} is not built by any contract"
        )
    errors = len(project.errors)
    print(
        f"{len(project.assets)} assets, {len(project.unbuilt_tables())} tables not built, "
        f"{errors} errors, {len(project.warnings)} warnings ({project.root}, env "
        f"{project.env_name})"
    )
    return 1 if errors else 0


def _schema(args: argparse.Namespace) -> int:
    from lakehouse_assets.contracts.json_schema import contract_json_schema
    from lakehouse_assets.project_loader import EXTENSIONS

    schema = contract_json_schema(EXTENSIONS.strategies.known())
    text = json.dumps(schema, indent=2, sort_keys=True) + "\n"
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"wrote {args.out}")
    else:
        sys.stdout.write(text)
    return 0


def _demo(args: argparse.Namespace) -> int:
    from lakehouse_assets.demo.run import run_demo

    data_dir = Path(args.data_dir or tempfile.mkdtemp(prefix="lakehouse-demo-"))
    summary = run_demo(
        data_dir, days=args.days, scale=args.scale, progress=lambda m: print(f"... {m}", flush=True)
    )
    print(summary.render())
    return 0


def _plan(args: argparse.Namespace) -> int:
    """Every table's migration plan and the governance SQL; non-zero on destructive changes."""
    from lakehouse_assets.engine.capabilities import PROFILES
    from lakehouse_assets.migrations.plan import plan_project
    from lakehouse_assets.project_loader import load_project
    from lakehouse_assets.security.plan import governance_plan

    project = _load(args, load_project)
    if project is None:
        return 1
    if project.errors:  # a contract with errors (stand-in columns, dropped rules) is no plan
        for issue in project.errors:
            print(issue, file=sys.stderr)
        print(f"{len(project.errors)} errors: run lakehouse validate", file=sys.stderr)
        return 1
    caps = PROFILES[args.engine]
    session = None
    if not caps.tables_by_path:
        from lakehouse_assets.code_location import spark_from_env

        session = spark_from_env().get_session()
    plans = plan_project(session, project, caps)
    for plan in plans:
        print(plan.render())
        if args.sql and plan.sql():
            print("\n".join(f"    {s};" for s in plan.sql()))
    print(governance_plan(project, caps).render())
    destructive = sum(len(p.destructive) for p in plans)
    safe = sum(len(p.safe_steps) for p in plans)
    print(f"{len(plans)} tables: {safe} safe steps, {destructive} destructive")
    return 2 if destructive else 0


def _status(args: argparse.Namespace) -> int:
    from lakehouse_assets.code_location import spark_from_env
    from lakehouse_assets.project_loader import load_project_or_raise
    from lakehouse_assets.status import instance_note, project_status, render

    project = _load(args, load_project_or_raise)
    if project is None:
        return 1
    statuses = project_status(
        project,
        spark_from_env().capabilities,
        args.env,
        progress=lambda m: print(f"... {m}", file=sys.stderr, flush=True),
    )
    print(render(statuses))
    note = instance_note(statuses)
    if note:
        print(note)
    return 0


def _materialize(args: argparse.Namespace) -> int:
    from lakehouse_assets.deploy.materialize import materialize_selection

    try:
        result = materialize_selection(args.select, args.partition, args.dir, args.env)
    except ContractError as exc:
        for issue in exc.issues:
            print(issue, file=sys.stderr)
        return 1
    except ValueError as exc:  # a selection that names nothing of this folder
        print(exc, file=sys.stderr)
        return 2
    for key in result.materialized:
        print(f"materialized {key}" + (f" [{args.partition}]" if args.partition else ""))
    for check in result.failed_checks:
        print(f"check failed: {check}")
    if not result.success:
        print("the run failed: see the errors above", file=sys.stderr)
    return 0 if result.success else 1


def _bundle(args: argparse.Namespace) -> int:
    from lakehouse_assets.deploy.bundle import write_bundle
    from lakehouse_assets.project_loader import load_project_or_raise

    project = _load(args, load_project_or_raise)
    if project is None:
        return 1
    for path in write_bundle(project, Path(args.out)):
        print(f"wrote {path}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="lakehouse", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("validate", help="check every contract of a folder; non-zero on errors")
    _folder_args(p)
    p.set_defaults(fn=_validate)
    p = sub.add_parser("schema", help="JSON Schema of the contract files, for editors")
    p.add_argument("--out", default=None)
    p.set_defaults(fn=_schema)
    p = sub.add_parser("demo", help="generate the demo shop's data and build every table")
    p.add_argument("--data-dir", default=None, help="fresh folder for the data (default: temp)")
    p.add_argument("--days", type=int, default=5)
    p.add_argument("--scale", type=int, default=1)
    p.set_defaults(fn=_demo)
    p = sub.add_parser(
        "plan",
        help="migration plan of every table vs its live Delta table, and "
        "the GRANT / column mask SQL; exit 2 on destructive changes",
    )
    _folder_args(p)
    p.add_argument(
        "--engine",
        default="sail",
        choices=["sail", "spark", "databricks"],
        help="whose SQL and capabilities to plan for (databricks connects)",
    )
    p.add_argument("--sql", action="store_true", help="print the SQL of the safe steps")
    p.set_defaults(fn=_plan)
    p = sub.add_parser("status", help="per table: Delta version, rows, last partition, checks")
    _folder_args(p)
    p.set_defaults(fn=_status)
    p = sub.add_parser(
        "materialize", help="materialize assets for one partition with Dagster in this process"
    )
    p.add_argument("--select", required=True, help="asset keys or layers, comma-separated")
    p.add_argument("--partition", default=None, help="YYYY-MM-DD (daily assets)")
    p.add_argument("--dir", default=None, help="contract folder (default: $LAKEHOUSE_PROJECT_DIR)")
    p.add_argument("--env", default=None, help="environment of config.json")
    p.set_defaults(fn=_materialize)
    p = sub.add_parser("bundle", help="write a Databricks Asset Bundle that runs the folder")
    _folder_args(p)
    p.add_argument("--out", required=True, help="folder for databricks.yml and resources/")
    p.set_defaults(fn=_bundle)
    args = parser.parse_args(argv)
    return int(args.fn(args))


if __name__ == "__main__":
    sys.exit(main())
