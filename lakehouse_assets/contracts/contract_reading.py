"""One contract file into the project: parsed, its kind told from its fields, placeholders
resolved, then validated rule by rule and column by column so that one bad entry does not hide
the rest (a bad column stays as a stand-in, its name with type STRING, so that nothing reports
it missing)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from lakehouse_assets.contracts.discovery import read_document
from lakehouse_assets.contracts.environment import LAYERS
from lakehouse_assets.contracts.expectations import parse_expectations
from lakehouse_assets.contracts.identifiers import is_identifier
from lakehouse_assets.contracts.issues import IssueLog
from lakehouse_assets.contracts.models import (
    STRATEGIES_CONTEXT,
    Column,
    IngestionContract,
    PromotionContract,
    TableContract,
)
from lakehouse_assets.contracts.placeholders import UnresolvedPlaceholder, resolve
from lakehouse_assets.contracts.project import LoadedTable, Project
from lakehouse_assets.contracts.pydantic_issues import validation_issues, warn_unknown

MODELS: dict[str, type[BaseModel]] = {
    "table": TableContract,
    "ingestion": IngestionContract,
    "promotion": PromotionContract,
}


def _kind(data: dict[str, Any]) -> str | None:
    if "columns" in data:
        return "table"
    if "strategy" in data or "source_contract" in data:
        return "promotion"
    if "destination_contract" in data:
        return "ingestion"
    return None


def _declared_layer(raw: dict[str, Any], file: Path) -> str | None:
    layer = (raw.get("properties") or {}).get("layer")
    if isinstance(layer, str) and layer:
        return layer
    catalog = str(raw.get("catalog", ""))
    for name in LAYERS:
        if catalog == f"{{catalog.{name}}}":
            return name
    return next((p for p in reversed(file.parent.parts) if p in LAYERS), None)


def _stand_in(raw: Any, exc: ValidationError) -> dict[str, Any] | None:
    """A column that failed validation, kept by name (type STRING) so later checks still see it;
    None when even its name is unusable."""
    if not isinstance(raw, dict) or not is_identifier(str(raw.get("name", ""))):
        return None
    bad = {err["loc"][0] for err in exc.errors() if err["loc"]}
    candidate = {"type": "STRING", **{k: v for k, v in raw.items() if k not in bad}}
    try:
        Column.model_validate(candidate)
    except ValidationError:
        return {"name": raw["name"], "type": "STRING"}
    return candidate


class ContractReader:
    """`strategies`: the strategy names a promotion may use."""

    def __init__(self, project: Project, log: IssueLog, strategies: list[str]):
        self.project = project
        self.log = log
        self.context = {STRATEGIES_CONTEXT: strategies}

    def read(self, file: Path) -> bool:
        """Load one contract file into the project; False (after reporting why) if it fails."""
        raw = self._document(file)
        if raw is None:
            return False
        kind = _kind(raw)
        if kind is None:
            self.log.add(
                file,
                "",
                "cannot tell which kind of contract this is",
                "a table contract has 'columns'; an ingestion contract has "
                "'destination_contract'; a promotion contract has 'strategy'",
            )
            return False
        try:
            data = resolve(raw, self.project.environment)
        except UnresolvedPlaceholder as exc:
            self.log.add(
                file,
                exc.field,
                f"unresolved placeholder {exc.placeholder}",
                f"use one of {', '.join(exc.known)} or add it to config.json",
            )
            return False
        contract = self._validate(file, kind, data)
        if contract is None:
            return False
        warn_unknown(self.log, file, contract)
        if isinstance(contract, TableContract):
            self.project.tables.append(LoadedTable(file, contract, _declared_layer(raw, file)))
        elif isinstance(contract, IngestionContract):
            self.project.ingestions[file] = contract
        elif isinstance(contract, PromotionContract):
            self.project.promotions[file] = contract
        return True

    def _document(self, file: Path) -> dict[str, Any] | None:
        try:
            raw = read_document(file)
        except (ValueError, yaml.YAMLError) as exc:
            self.log.add(file, "", f"does not parse: {exc}", "fix the JSON/YAML syntax")
            return None
        if not isinstance(raw, dict):
            self.log.add(
                file, "", "a contract file must hold one object", "wrap the contract in { ... }"
            )
            return None
        return raw

    def _validate(self, file: Path, kind: str, data: dict[str, Any]) -> BaseModel | None:
        """The contract, its invalid rules and columns reported and left out (or stood in);
        None if the rest of it is invalid. Rules are checked even then: errors do not hide."""
        has_rules = kind in ("table", "promotion")
        rules, rule_errors = parse_expectations(data.get("expectations") if has_rules else None)
        for at, exc in rule_errors:
            validation_issues(self.log, file, exc, at)
        if has_rules:
            data = {k: v for k, v in data.items() if k != "expectations"}
        if kind == "table":
            data = self._checked_columns(file, data)
        try:
            contract = MODELS[kind].model_validate(data, context=self.context)
        except ValidationError as exc:
            validation_issues(self.log, file, exc)
            return None
        return contract.model_copy(update={"expectations": rules}) if has_rules else contract

    def _checked_columns(self, file: Path, data: dict[str, Any]) -> dict[str, Any]:
        columns = data.get("columns")
        if not isinstance(columns, list):
            return data  # the model reports it
        kept = []
        for i, column in enumerate(columns):
            try:
                Column.model_validate(column)
                kept.append(column)
            except ValidationError as exc:
                validation_issues(self.log, file, exc, f"columns[{i}]")
                stand_in = _stand_in(column, exc)
                kept += [stand_in] if stand_in else []
        return {**data, "columns": kept}
