"""Contract expectations -> compiled rules: a name, what a failure does, and how to test it.

Row rules become one SQL boolean per row (NULL passes, as in a SQL CHECK constraint; use
not_null for nulls). Table rules (unique, row_count, freshness, unique_keys) judge a whole frame.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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
    raw = getattr(spec, kind)
    action = _ACTIONS.get(kind) or spec.action or "warn"
    desc = spec.description or ""
    if kind in _ACTIONS:
        name = spec.name or re.sub(r"\W+", "_", str(raw)).strip("_").lower()[:60]
        return Rule(name, kind, action, predicate=str(raw), description=desc or str(raw))
    if kind == "unique":
        cols = tuple(_column(c, where) for c in ([raw] if isinstance(raw, str) else raw))
        return Rule(
            spec.name or "unique_" + "_".join(cols),
            kind,
            action,
            columns=cols,
            description=desc or f"{', '.join(cols)} unique",
        )
    if kind == "unique_keys":
        if not merge_keys:
            raise ValueError(f"{where}: unique_keys needs a promotion contract with merge_keys")
        return Rule(
            spec.name or "unique_merge_keys",
            kind,
            action,
            columns=tuple(merge_keys),
            description=desc or f"merge keys {', '.join(merge_keys)} unique in the table",
        )
    if kind == "row_count":
        bounds = spec.row_count
        assert bounds is not None
        return Rule(
            spec.name or "row_count",
            kind,
            action,
            min=bounds.min,
            max=bounds.max,
            description=desc or f"row count in [{bounds.min}, {bounds.max}]",
        )
    column = _column(str(raw), where)
    q = quote(column)
    if kind == "freshness":
        return Rule(
            spec.name or f"freshness_{column}",
            kind,
            action,
            columns=(column,),
            max_age_hours=spec.max_age_hours,
            description=desc or f"latest {column} at most {spec.max_age_hours} h old",
        )
    if kind == "not_null":
        predicate, text = f"{q} IS NOT NULL", f"{column} is not null"
    elif kind == "accepted_values":
        values = ", ".join(_literal(v) for v in spec.values or [])
        predicate, text = f"{q} IN ({values})", f"{column} in ({values})"
    elif kind == "range":
        parts = ([f"{q} >= {_literal(spec.min)}"] if spec.min is not None else []) + (
            [f"{q} <= {_literal(spec.max)}"] if spec.max is not None else []
        )
        predicate = text = " AND ".join(parts)
    else:  # regex
        predicate = f"{q} RLIKE {sql_string(spec.pattern or '')}"
        text = f"{column} matches {spec.pattern}"
    return Rule(
        spec.name or f"{kind}_{column}",
        kind,
        action,
        predicate=predicate,
        columns=(column,),
        description=desc or text,
    )


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
