"""JSON Schema of the three contract kinds, for editors (yaml-language-server, VS Code)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lakehouse_assets.contracts.models import IngestionContract, PromotionContract, TableContract


def contract_json_schema(strategies: Sequence[str]) -> dict[str, Any]:
    """`strategies`: the names a promotion may use (they live above contracts), listed so
    editors can complete and check them."""
    kinds = {"table": TableContract, "ingestion": IngestionContract, "promotion": PromotionContract}
    defs: dict[str, Any] = {}
    refs = []
    for name, model in kinds.items():
        schema = model.model_json_schema(by_alias=True, ref_template="#/$defs/{model}")
        defs.update(schema.pop("$defs", {}))
        defs[f"{name}_contract"] = schema
        refs.append({"$ref": f"#/$defs/{name}_contract"})
    defs["promotion_contract"]["properties"]["strategy"]["enum"] = list(strategies)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "lakehouse_assets contract",
        "anyOf": refs,
        "$defs": defs,
    }
