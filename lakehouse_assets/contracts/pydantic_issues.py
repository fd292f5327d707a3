"""Pydantic's errors as contract issues: field paths as the user wrote them
(`columns[2].type`), messages and fixes in the contract's terms."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from lakehouse_assets.contracts.contract_base import ContractModel
from lakehouse_assets.contracts.expectations import SHAPE_TAGS
from lakehouse_assets.contracts.issues import IssueLog

# Parts of a pydantic error location that name its machinery, not a field of the contract.
_INTERNAL_LOC = re.compile(r"^[\w-]+\[.*\]$")


def field_path(loc: tuple[Any, ...], prefix: str = "") -> str:
    text = prefix
    for part in loc:
        if isinstance(part, str) and (part in SHAPE_TAGS or _INTERNAL_LOC.match(part)):
            continue
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def validation_issues(log: IssueLog, file: Path, exc: ValidationError, prefix: str = "") -> None:
    for err in exc.errors():
        field = field_path(err["loc"], prefix)
        message = err["msg"].removeprefix("Value error, ")
        fix = ""
        if err["type"] == "missing":
            message, fix = "required field is missing", f"add '{err['loc'][-1]}'"
        elif err["type"] == "literal_error":
            fix = f"use {err.get('ctx', {}).get('expected', 'an allowed value')}"
            message = f"{err.get('input')!r} is not allowed"
        elif err["type"] == "extra_forbidden":
            fix = "remove it"
        log.add(file, field, message, fix)


def warn_unknown(log: IssueLog, file: Path, model: BaseModel, prefix: str = "") -> None:
    """A warning per field no model declares, nested models included."""
    unknown = model.unknown_fields() if isinstance(model, ContractModel) else []
    for name in unknown:
        log.add(
            file,
            f"{prefix}{name}",
            "unknown field (ignored)",
            "remove it or check its spelling",
            severity="warning",
        )
    for name in type(model).model_fields:
        value = getattr(model, name)
        items = value if isinstance(value, list) else [value]
        for i, item in enumerate(items):
            if isinstance(item, BaseModel):
                index = f"[{i}]" if isinstance(value, list) else ""
                warn_unknown(log, file, item, f"{prefix}{name}{index}.")
