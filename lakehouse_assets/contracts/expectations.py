"""Data quality rules as contracts declare them: the Delta Live Store form and a rule list.

Two spellings, one meaning (Delta Live Tables semantics):
- `{"expect_all": {name: sql}, "expect_all_or_drop": {...}, "expect_all_or_fail": {...}}`
  (optionally with `"rules": [...]`), as in Delta Live Store;
- a list of rules, each with exactly one kind: `expect` / `expect_or_drop` / `expect_or_fail`
  (a SQL boolean), a column shortcut (`not_null`, `unique`, `accepted_values`, `range`, `regex`)
  or a table rule (`row_count`, `freshness`, `unique_keys`).

The input's shape picks the form (dict or list), so a mistake yields one error, not one per form.
`parse_expectations` checks rules one by one: a bad rule is reported and left out, the others
still load, each remembering where the user wrote it (`expectations[2] (not_null order_id)`).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    TypeAdapter,
    ValidationError,
    model_validator,
)

Action = Literal["warn", "drop", "fail"]
RULE_KINDS = (
    "expect",
    "expect_or_drop",
    "expect_or_fail",
    "not_null",
    "unique",
    "accepted_values",
    "range",
    "regex",
    "row_count",
    "freshness",
    "unique_keys",
)


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
    expect_or_drop: str | None = Field(
        default=None, description="SQL boolean; failing rows go to quarantine"
    )
    expect_or_fail: str | None = Field(
        default=None, description="SQL boolean; a failing row fails the run"
    )
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
    # Where the contract wrote this rule, e.g. "expectations[2] (not_null order_id)"; set by
    # parse_expectations so positions survive leaving invalid rules out.
    _written_at: str | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> ExpectationRule:
        kinds = [k for k in RULE_KINDS if getattr(self, k) is not None]
        if len(kinds) != 1:
            raise ValueError(
                f"a rule needs exactly one of {', '.join(RULE_KINDS)}; got {kinds or 'none'}"
            )
        kind = kinds[0]
        needs = {
            "accepted_values": ("values",),
            "regex": ("pattern",),
            "freshness": ("max_age_hours",),
        }
        missing = [f for f in needs.get(kind, ()) if getattr(self, f) is None]
        if kind == "range" and self.min is None and self.max is None:
            missing.append("min or max")
        if missing:
            raise ValueError(f"a {kind} rule needs {', '.join(missing)}")
        if kind.startswith("expect") and self.action is not None:
            raise ValueError(
                f"{kind} sets its own action; drop 'action' (use expect, "
                "expect_or_drop or expect_or_fail)"
            )
        if kind in ("unique", "row_count", "freshness", "unique_keys") and self.action == "drop":
            raise ValueError(
                f"a {kind} rule judges the whole table, it cannot drop rows: "
                "use action warn or fail"
            )
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

    def named_rules(self) -> list[tuple[str, ExpectationRule]]:
        """(group, rule) for each named SQL rule of expect_all / _or_drop / _or_fail."""
        kinds = {
            "expect_all": "expect",
            "expect_all_or_drop": "expect_or_drop",
            "expect_all_or_fail": "expect_or_fail",
        }
        return [
            (group, ExpectationRule.model_validate({"name": n, kind: sql}))
            for group, kind in kinds.items()
            for n, sql in getattr(self, group).items()
        ]

    def all_rules(self) -> list[ExpectationRule]:
        return [rule for _, rule in self.named_rules()] + list(self.rules)


SHAPE_TAGS = ("delta_live_store", "rule_list")
_SHAPE_HELP = (
    "expectations must be a list of rules or an object with expect_all, "
    "expect_all_or_drop, expect_all_or_fail"
)


def _shape(value: Any) -> str | None:
    if isinstance(value, (dict, DeltaLiveStoreExpectations)):
        return "delta_live_store"
    return "rule_list" if isinstance(value, list) else None


Expectations = (
    Annotated[
        Annotated[DeltaLiveStoreExpectations, Tag("delta_live_store")]
        | Annotated[list[ExpectationRule], Tag("rule_list")],
        Discriminator(
            _shape, custom_error_type="expectations_shape", custom_error_message=_SHAPE_HELP
        ),
    ]
    | None
)
# (field path of the rule or form, its validation error)
RuleErrors = list[tuple[str, ValidationError]]
_COLUMN_KINDS = ("not_null", "unique", "accepted_values", "range", "regex", "freshness")


def rule_label(raw: Any) -> str:
    """How to name a rule to its author: its name, else its kind and column."""
    if not isinstance(raw, dict):
        return ""
    if isinstance(raw.get("name"), str):
        return raw["name"]
    kinds = [k for k in RULE_KINDS if raw.get(k) is not None]
    if len(kinds) != 1:
        return ""
    target = raw[kinds[0]]
    return (
        f"{kinds[0]} {target}"
        if kinds[0] in _COLUMN_KINDS and isinstance(target, str)
        else kinds[0]
    )


def rule_field(prefix: str, index: int, raw: Any) -> str:
    label = rule_label(raw.model_dump(exclude_none=True) if isinstance(raw, BaseModel) else raw)
    return f"{prefix}[{index}]" + (f" ({label})" if label else "")


def _validate_rules(raw: list[Any], prefix: str) -> tuple[list[ExpectationRule], RuleErrors]:
    rules: list[ExpectationRule] = []
    errors: RuleErrors = []
    for i, item in enumerate(raw):
        at = rule_field(prefix, i, item)
        try:
            rule = ExpectationRule.model_validate(item)
        except ValidationError as exc:
            errors.append((at, exc))
            continue
        rule._written_at = at
        rules.append(rule)
    return rules, errors


def parse_expectations(raw: Any) -> tuple[Expectations, RuleErrors]:
    """The valid part of a contract's `expectations`, and an error per invalid rule."""
    if raw is None:
        return None, []
    if isinstance(raw, list):
        return _validate_rules(raw, "expectations")
    if not isinstance(raw, dict):  # neither form: the adapter says which shapes are allowed
        try:
            return TypeAdapter(Expectations).validate_python(raw), []
        except ValidationError as exc:
            return None, [("expectations", exc)]
    listed = isinstance(raw.get("rules"), list)
    rules, errors = _validate_rules(raw["rules"], "expectations.rules") if listed else ([], [])
    try:
        form = DeltaLiveStoreExpectations.model_validate(
            {k: v for k, v in raw.items() if not (listed and k == "rules")}
        )
    except ValidationError as exc:
        return DeltaLiveStoreExpectations(rules=rules), [("expectations", exc), *errors]
    return form.model_copy(update={"rules": rules}), errors


def located_rules(value: Expectations) -> list[tuple[str, ExpectationRule]]:
    """Each rule with the field path where the contract wrote it."""
    if value is None:
        return []
    if isinstance(value, list):
        return [(r._written_at or rule_field("expectations", i, r), r) for i, r in enumerate(value)]
    named = [(f"expectations.{group}.{rule.name}", rule) for group, rule in value.named_rules()]
    return named + [
        (r._written_at or rule_field("expectations.rules", i, r), r)
        for i, r in enumerate(value.rules)
    ]


def expectation_rules(value: Expectations) -> list[ExpectationRule]:
    return [rule for _, rule in located_rules(value)]
