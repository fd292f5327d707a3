"""SafeMigrator: a table contract vs its live Delta table -> a migration plan.

Safe steps (applied by the apply_migrations job): add a column, column and table comments,
table properties, relax NOT NULL, allowed type widening. Destructive differences (a column
dropped or renamed, a narrowed or changed type, other partitioning, NOT NULL on a column that
holds nulls) are never applied: the plan reports them with the reason and the way out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lakehouse_assets.contracts.identifiers import quote
from lakehouse_assets.contracts.models import Column
from lakehouse_assets.contracts.project import Project, TableAsset
from lakehouse_assets.engine.capabilities import Capabilities
from lakehouse_assets.migrations.live import LiveColumn, LiveTable, read_live
from lakehouse_assets.tables import alter_sql
from lakehouse_assets.tables.ddl import table_properties
from lakehouse_assets.tables.location import TableLocation, locate_key
from lakehouse_assets.tables.physical import partition_columns, physical_columns

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

_INTEGERS = ["TINYINT", "SMALLINT", "INT", "BIGINT"]
_DECIMAL = re.compile(r"^DECIMAL\((\d+),(\d+)\)$")


@dataclass(frozen=True)
class Step:
    kind: str  # add_column | column_comment | table_comment | set_properties | drop_not_null
    #            | widen_type | destructive
    detail: str
    column: Column | None = None
    value: Any = None

    @property
    def safe(self) -> bool:
        return self.kind != "destructive"


@dataclass
class MigrationPlan:
    label: str
    location: TableLocation
    exists: bool
    steps: list[Step] = field(default_factory=list)

    @property
    def safe_steps(self) -> list[Step]:
        return [s for s in self.steps if s.safe]

    @property
    def destructive(self) -> list[Step]:
        return [s for s in self.steps if not s.safe]

    def sql(self) -> list[str]:
        """The Spark SQL of the safe steps (what Databricks runs; Sail uses delta-rs)."""
        ref, out = self.location.sql_ref, []
        for s in self.safe_steps:
            if s.kind == "add_column" and s.column is not None:
                out.append(alter_sql.add_columns_sql(ref, [s.column]))
            elif s.kind == "column_comment" and s.column is not None:
                out.append(alter_sql.column_comment_sql(ref, s.column.name, s.value))
            elif s.kind == "table_comment":
                out.append(alter_sql.table_comment_sql(ref, s.value))
            elif s.kind == "set_properties":
                out.append(alter_sql.set_properties_sql(ref, dict(sorted(s.value.items()))))
            elif s.kind == "drop_not_null" and s.column is not None:
                out.append(alter_sql.drop_not_null_sql(ref, s.column.name))
            elif s.kind == "widen_type" and s.column is not None:
                out.append(alter_sql.widen_type_sql(ref, s.column.name, s.column.type))
        return out

    def render(self) -> str:
        if not self.exists:
            return f"{self.label}: not created yet (the first materialization creates it)"
        if not self.steps:
            return f"{self.label}: up to date"
        lines = [f"{self.label}: {len(self.safe_steps)} safe, {len(self.destructive)} destructive"]
        lines += [f"  {'+' if s.safe else '!'} {s.kind}: {s.detail}" for s in self.steps]
        return "\n".join(lines)


def widening_allowed(old: str, new: str) -> bool:
    """Delta type widening: larger integers, integer -> DOUBLE/DECIMAL, FLOAT -> DOUBLE,
    DECIMAL with no fewer integer digits and no fewer decimals, DATE -> TIMESTAMP_NTZ."""
    if old in _INTEGERS and new in _INTEGERS:
        return _INTEGERS.index(new) > _INTEGERS.index(old)
    if old in _INTEGERS and new == "DOUBLE":
        return old != "BIGINT"
    if old == "FLOAT" and new == "DOUBLE":
        return True
    if old == "DATE" and new == "TIMESTAMP_NTZ":
        return True
    a, b = _DECIMAL.match(old), _DECIMAL.match(new)
    if a and b:
        p1, s1, p2, s2 = (int(x) for x in (*a.groups(), *b.groups()))
        return (p2, s2) != (p1, s1) and s2 >= s1 and p2 - s2 >= p1 - s1
    if old in _INTEGERS and b:
        digits = {"TINYINT": 3, "SMALLINT": 5, "INT": 10, "BIGINT": 20}[old]
        return int(b.group(1)) - int(b.group(2)) >= digits
    return False


def _column_steps(wanted: list[Column], live: LiveTable, has_nulls: Any) -> list[Step]:
    steps: list[Step] = []
    names = {c.name for c in wanted}
    for col in wanted:
        current = live.column(col.name)
        if current is None:
            note = " (added as nullable: existing rows have no value)" if not col.nullable else ""
            steps.append(Step("add_column", f"{col.name} {col.type}{note}", col))
            continue
        if current.type != col.type:
            steps.append(_type_step(col, current))
        if current.nullable != col.nullable:
            steps.append(_nullability_step(col, has_nulls))
        if col.comment and col.comment != current.comment:
            steps.append(Step("column_comment", f"{col.name}: {col.comment!r}", col, col.comment))
    for current in live.columns:
        if current.name not in names:
            steps.append(
                Step(
                    "destructive",
                    f"{current.name}: in the table, not in the contract "
                    "(dropped or renamed); put it back in the contract or drop it by "
                    "hand",
                )
            )
    return steps


def _type_step(col: Column, current: LiveColumn) -> Step:
    """A column whose type changed: widened in place when Delta allows it, else left alone."""
    if widening_allowed(current.type, col.type):
        return Step("widen_type", f"{col.name} {current.type} -> {col.type}", col)
    return Step(
        "destructive",
        f"{col.name}: type {current.type} -> {col.type} "
        "is not a widening; create a new column or rebuild the table",
    )


def _nullability_step(col: Column, has_nulls: Any) -> Step:
    """A column whose nullability changed. Relaxing NOT NULL is safe; tightening is never
    applied: rows already written may hold nulls (counted in the message), and without any it
    still needs a CHECK constraint or a new table."""
    if col.nullable:
        return Step("drop_not_null", f"{col.name} becomes nullable", col)
    nulls = has_nulls(col.name)
    if nulls:
        return Step(
            "destructive",
            f"{col.name}: NOT NULL but {nulls} existing rows "
            "are null; fix the rows first or keep it nullable",
        )
    return Step(
        "destructive",
        f"{col.name}: tightening to NOT NULL is not "
        "applied automatically (no nulls today); add a CHECK constraint"
        " or recreate the table",
    )


def plan_for(
    spark: SparkSession | None, project: Project, asset: TableAsset, capabilities: Capabilities
) -> MigrationPlan:
    location = locate_key(project, asset.key, capabilities)
    live = read_live(spark, location)
    plan = MigrationPlan(location.label, location, live is not None)
    if live is None:
        return plan

    def has_nulls(column: str) -> int:
        if spark is None:
            return 0
        return location.read(spark).where(f"{quote(column)} IS NULL").count()

    plan.steps += _column_steps(physical_columns(asset), live, has_nulls)
    wanted_parts = partition_columns(asset)
    if wanted_parts != live.partitions:
        plan.steps.append(
            Step(
                "destructive",
                f"partitioning {live.partitions} -> {wanted_parts} "
                "needs a rewrite of the table; do it by hand",
            )
        )
    comment = asset.contract.comment or asset.contract.description
    if comment and comment != live.comment:
        plan.steps.append(Step("table_comment", repr(comment), value=comment))
    props, _ = table_properties(asset.contract, capabilities)
    changed = {k: v for k, v in props.items() if live.properties.get(k) != v}
    if changed:
        plan.steps.append(
            Step(
                "set_properties",
                ", ".join(f"{k}={v}" for k, v in sorted(changed.items())),
                value=changed,
            )
        )
    return plan


def plan_project(
    spark: SparkSession | None, project: Project, capabilities: Capabilities
) -> list[MigrationPlan]:
    return [plan_for(spark, project, a, capabilities) for a in project.assets.values()]
