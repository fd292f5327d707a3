"""Apply the safe steps of a migration plan through the table maintenance port."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lakehouse_assets.engine.capabilities import Capabilities
from lakehouse_assets.migrations.plan import MigrationPlan
from lakehouse_assets.tables.table_ops import table_ops

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


def apply_plan(
    spark: SparkSession | None,
    plan: MigrationPlan,
    capabilities: Capabilities,
    dry_run: bool = False,
) -> list[str]:
    """Returns what was (or, dry run, would be) done. Destructive steps are never applied."""
    done: list[str] = []
    if not plan.exists or not plan.safe_steps:
        return done
    ops = None if dry_run else table_ops(spark, plan.location, capabilities)  # type: ignore[arg-type]
    # Comments after columns exist; properties last.
    order = [
        "add_column",
        "widen_type",
        "drop_not_null",
        "column_comment",
        "table_comment",
        "set_properties",
    ]
    for step in sorted(plan.safe_steps, key=lambda s: order.index(s.kind)):
        done.append(f"{plan.label}: {step.kind} {step.detail}")
        if ops is None:
            continue
        col = step.column
        if step.kind == "add_column" and col is not None:
            ops.add_columns([col])
            if col.comment:
                ops.set_column_comment(col.name, col.comment)
        elif step.kind == "widen_type" and col is not None:
            ops.widen_column(col.name, col.type)
        elif step.kind == "drop_not_null" and col is not None:
            ops.drop_not_null(col.name)
        elif step.kind == "column_comment" and col is not None:
            ops.set_column_comment(col.name, step.value)
        elif step.kind == "table_comment":
            ops.set_table_comment(step.value)
        elif step.kind == "set_properties":
            ops.set_properties(step.value)
    return done
