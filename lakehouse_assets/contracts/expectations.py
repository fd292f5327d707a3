"""Data quality rules as contracts declare them: the Delta Live Store form and a rule list.

Two spellings, one meaning (Delta Live Tables semantics):
- `{"expect_all": {name: sql}, "expect_all_or_drop": {...}, "expect_all_or_fail": {...}}`
  (optionally with `"rules": [...]`), as in Delta Live Store;
- a list of rules, each with exactly one kind: `expect` / `expect_or_drop` / `expect_or_fail`
  (a SQL boolean), a column shortcut (`not_null`, `unique`, `accepted_values`, `range`, `regex`)
  or a table rule (`row_count`, `freshness`, `unique_keys`).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Action = Literal["warn", "drop", "fail"]
RULE_KINDS = ("expect", "expect_or_drop", "expect_or_fail", "not_null", "unique",
              "accepted_values", "range", "regex", "row_count", "freshness", "unique_keys")


class RowCountBounds(BaseModel):
    model_config = ConfigDict(extra="forbid")
    min: int | None = None
    max: int | None = None


class ExpectationRule(BaseModel):
    """One rule. `action` (warn | drop | fail) applies to shortcuts and table rules."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    description: str | None = None
    expect: str | None = Field(default=None, description="SQL boolean; failing rows are kept")
    expect_or_drop: str | None = Field(default=None,
                                       description="SQL boolean; failing rows go to quarantine")
    expect_or_fail: str | None = Field(default=None,
                                       description="SQL boolean; a failing row fails the run")
    not_null: str | None = Field(default=None, description="column")
    unique: str | list[str] | None = Field(default=None, description="column(s)")
    accepted_values: str | None = Field(default=None, description="column; see values")
    values: list[Any] | None = None
    range: str | None = Field(default=None, description="column; see min/max")
    min: float | int | str | None = None
    max: float | int | str | None = None
    regex: str | None = Field(default=None, description="column; see pattern")
    pattern: str | None = None
    row_count: RowCountBounds | None = None
    freshness: str | None = Field(default=None, description="timestamp column; see max_age_hours")
    max_age_hours: float | None = None
    unique_keys: bool | None = Field(default=None, description="silver: merge keys are unique")
    action: Action | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> ExpectationRule:
        kinds = [k for k in RULE_KINDS if getattr(self, k) is not None]
        if len(kinds) != 1:
            raise ValueError(f"a rule needs exactly one of {', '.join(RULE_KINDS)}; got "
                             f"{kinds or 'none'}")
        kind = kinds[0]
        needs = {"accepted_values": ("values",), "regex": ("pattern",),
                 "freshness": ("max_age_hours",)}
        missing = [f for f in needs.get(kind, ()) if getattr(self, f) is None]
        if kind == "range" and self.min is None and self.max is None:
            missing.append("min or max")
        if missing:
            raise ValueError(f"a {kind} rule needs {', '.join(missing)}")
        if kind.startswith("expect") and self.action is not None:
            raise ValueError(f"{kind} sets its own action; drop 'action' (use expect, "
                             "expect_or_drop or expect_or_fail)")
        if kind in ("unique", "row_count", "freshness", "unique_keys") and self.action == "drop":
            raise ValueError(f"a {kind} rule judges the whole table, it cannot drop rows: "
                             "use action warn or fail")
        return self

    @property
    def kind(self) -> str:
        return next(k for k in RULE_KINDS if getattr(self, k) is not None)


class DeltaLiveStoreExpectations(BaseModel):
    """The Delta Live Store form: named SQL rules grouped by what a failure does."""

    model_config = ConfigDict(extra="forbid")

    expect_all: dict[str, str] = Field(default_factory=dict)
    expect_all_or_drop: dict[str, str] = Field(default_factory=dict)
    expect_all_or_fail: dict[str, str] = Field(default_factory=dict)
    rules: list[ExpectationRule] = Field(default_factory=list)

    def all_rules(self) -> list[ExpectationRule]:
        named = [ExpectationRule(name=n, expect=s) for n, s in self.expect_all.items()]
        named += [ExpectationRule(name=n, expect_or_drop=s)
                  for n, s in self.expect_all_or_drop.items()]
        named += [ExpectationRule(name=n, expect_or_fail=s)
                  for n, s in self.expect_all_or_fail.items()]
        return named + list(self.rules)


Expectations = DeltaLiveStoreExpectations | list[ExpectationRule] | None


def expectation_rules(value: Expectations) -> list[ExpectationRule]:
    if value is None:
        return []
    if isinstance(value, DeltaLiveStoreExpectations):
        return value.all_rules()
    return list(value)
