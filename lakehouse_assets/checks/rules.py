"""Contract expectations -> compiled rules: a name, what a failure does, and how to test it.

Row rules become one SQL boolean per row (NULL passes, as in a SQL CHECK constraint; use
not_null for nulls). Table rules (unique, row_count, freshness, unique_keys) judge a whole frame.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lakehouse_assets.contracts.expectations import ExpectationRule, expectation_rules
from lakehouse_assets.contracts.identifiers import is_identifier, quote, sql_string
from lakehouse_assets.contracts.project import TableAsset

ROW_KINDS = frozenset(
    {"expect", "expect_or_drop", "expect_or_fail", "not_null", "accepted_values", "range", "regex"}
)
_ACTIONS = {"expect": "warn", "expect_or_drop": "drop", "expect_or_fail": "fail"}


@dataclass(frozen=True)
class Rule:
    name: str
    kind: str
    action: str  # warn | drop | fail
    predicate: str | None = None  # row rules: SQL that is true (or NULL) for a good row
    columns: tuple[str, ...] = ()  # the columns a shortcut or table rule names
    min: float | int | None = None  # row_count
    max: float | int | None = None
    max_age_hours: float | None = None
    description: str = ""

    @property
    def row_level(self) -> bool:
        return self.kind in ROW_KINDS

    @property
    def severity(self) -> str:
        """ERROR checks block downstream assets; WARN ones are reported only."""
        return "ERROR" if self.action == "fail" else "WARN"


def _literal(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return sql_string(str(value))


def _column(value: str, where: str) -> str:
    if not is_identifier(value):
        raise ValueError(f"{where}: {value!r} is not a column name")
    return value


def compile_rule(spec: ExpectationRule, where: str, merge_keys: list[str] | None = None) -> Rule:
    """One contract rule -> Rule; `where` names the contract for error messages."""
    kind = spec.kind
    action = _ACTIONS.get(kind) or spec.action or "warn"
    return _BUILDERS[kind](_Compiling(spec, getattr(spec, kind), action, where, merge_keys))


@dataclass(frozen=True)
class _Compiling:
    """One rule being compiled: what every kind's builder needs."""

    spec: ExpectationRule
    raw: Any  # the value written under the rule's kind
    action: str
    where: str  # the contract, for error messages
    merge_keys: list[str] | None

    def rule(self, name: str, description: str, **fields: Any) -> Rule:
        """The Rule, with the contract's own name and description winning over the defaults."""
        return Rule(
            self.spec.name or name,
            self.spec.kind,
            self.action,
            description=self.spec.description or description,
            **fields,
        )


def _sql_rule(c: _Compiling) -> Rule:
    """expect, expect_or_drop, expect_or_fail: the SQL is the predicate, and its words the name
    when the contract gives none."""
    sql = str(c.raw)
    name = re.sub(r"\W+", "_", sql).strip("_").lower()[:60]
    return c.rule(name, sql, predicate=sql)


def _unique_rule(c: _Compiling) -> Rule:
    cols = tuple(_column(col, c.where) for col in ([c.raw] if isinstance(c.raw, str) else c.raw))
    return c.rule("unique_" + "_".join(cols), f"{', '.join(cols)} unique", columns=cols)


def _unique_keys_rule(c: _Compiling) -> Rule:
    if not c.merge_keys:
        raise ValueError(f"{c.where}: unique_keys needs a promotion contract with merge_keys")
    keys = ", ".join(c.merge_keys)
    return c.rule(
        "unique_merge_keys", f"merge keys {keys} unique in the table", columns=tuple(c.merge_keys)
    )


def _row_count_rule(c: _Compiling) -> Rule:
    bounds = c.spec.row_count
    assert bounds is not None
    return c.rule(
        "row_count",
        f"row count in [{bounds.min}, {bounds.max}]",
        min=bounds.min,
        max=bounds.max,
    )


def _freshness_rule(c: _Compiling) -> Rule:
    column = _column(str(c.raw), c.where)
    hours = c.spec.max_age_hours
    return c.rule(
        f"freshness_{column}",
        f"latest {column} at most {hours} h old",
        columns=(column,),
        max_age_hours=hours,
    )


# Column shortcuts: (spec, column, quoted column) -> (SQL predicate, description).
def _not_null(spec: ExpectationRule, column: str, q: str) -> tuple[str, str]:
    return f"{q} IS NOT NULL", f"{column} is not null"


def _accepted_values(spec: ExpectationRule, column: str, q: str) -> tuple[str, str]:
    values = ", ".join(_literal(v) for v in spec.values or [])
    return f"{q} IN ({values})", f"{column} in ({values})"


def _range(spec: ExpectationRule, column: str, q: str) -> tuple[str, str]:
    parts = ([f"{q} >= {_literal(spec.min)}"] if spec.min is not None else []) + (
        [f"{q} <= {_literal(spec.max)}"] if spec.max is not None else []
    )
    both = " AND ".join(parts)
    return both, both


def _regex(spec: ExpectationRule, column: str, q: str) -> tuple[str, str]:
    return f"{q} RLIKE {sql_string(spec.pattern or '')}", f"{column} matches {spec.pattern}"


_PREDICATES: dict[str, Callable[[ExpectationRule, str, str], tuple[str, str]]] = {
    "not_null": _not_null,
    "accepted_values": _accepted_values,
    "range": _range,
    "regex": _regex,
}


def _column_rule(c: _Compiling) -> Rule:
    column = _column(str(c.raw), c.where)
    predicate, text = _PREDICATES[c.spec.kind](c.spec, column, quote(column))
    return c.rule(f"{c.spec.kind}_{column}", text, predicate=predicate, columns=(column,))


# One builder per rule kind (contracts.expectations.RULE_KINDS).
_BUILDERS: dict[str, Callable[[_Compiling], Rule]] = {
    **dict.fromkeys(_ACTIONS, _sql_rule),
    "unique": _unique_rule,
    "unique_keys": _unique_keys_rule,
    "row_count": _row_count_rule,
    "freshness": _freshness_rule,
    **dict.fromkeys(_PREDICATES, _column_rule),
}


def rules_for(asset: TableAsset) -> list[Rule]:
    """The table contract's rules, then the promotion contract's; names must be unique."""
    promo = asset.promotion
    keys = promo.merge_keys if promo else None
    quarantine_all = asset.contract.is_quarantined or bool(promo and promo.is_quarantined)
    rules = [
        compile_rule(r, str(asset.table.file), keys)
        for r in expectation_rules(asset.contract.expectations)
    ]
    if promo is not None:
        rules += [
            compile_rule(r, str(asset.producer_file), keys)
            for r in expectation_rules(promo.expectations)
        ]
    if quarantine_all:  # Delta Live Store is_quarantined: every failing row is set aside
        rules = [
            Rule(**{**r.__dict__, "action": "drop"}) if r.row_level and r.action == "warn" else r
            for r in rules
        ]
    names = [r.name for r in rules]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ValueError(
            f"{asset.key_string}: rule names {dupes} are used twice; give each rule its own 'name'"
        )
    bad = [n for n in names if not is_identifier(n)]
    if bad:
        raise ValueError(f"{asset.key_string}: rule names {bad} must be letters, digits and _")
    return rules
