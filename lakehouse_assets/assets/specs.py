"""The AssetSpecs of one contract folder, made once by the translator: every consumer (asset
factories, checks, landing sensors, schedules, the automation sensor) asks this map for a
table's key and spec instead of deriving its own."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from dagster import AssetKey, AssetSpec

from lakehouse_assets.assets.translator import ContractTranslator
from lakehouse_assets.contracts.project import AssetKeyPath, Project
from lakehouse_assets.engine.capabilities import SAIL, Capabilities
from lakehouse_assets.tables.location import TableLocation, catalog_name, locate


@dataclass(frozen=True)
class ContractSpecs:
    translator: ContractTranslator
    specs: dict[AssetKeyPath, AssetSpec]  # the tables this folder builds
    external: dict[AssetKeyPath, AssetSpec]  # tables it reads, written elsewhere

    def spec(self, key: AssetKeyPath) -> AssetSpec:
        return self.specs[key]

    def key(self, key: AssetKeyPath) -> AssetKey:
        return (self.specs.get(key) or self.external[key]).key


def _location(project: Project, key: AssetKeyPath, capabilities: Capabilities) -> TableLocation:
    """Where the table lives, for its metadata; a missing environment path is the run's
    error to report (naming the fix), not a reason to fail loading the code location."""
    contract = project.table_for(key).contract
    try:
        return locate(key[0], contract, project.environment, capabilities)
    except ValueError:
        return TableLocation(
            ".".join(key), None, catalog_name(contract), capabilities.tables_by_path
        )


def dependencies_first(project: Project) -> list[AssetKeyPath]:
    """The built tables, each after the built tables it reads: a translator that changes keys
    (lakehouse_assets.component) names a dependency by the spec it already made."""
    order: list[AssetKeyPath] = []
    seen: set[AssetKeyPath] = set()

    def visit(key: AssetKeyPath) -> None:
        if key in seen or key not in project.assets:
            return
        seen.add(key)  # before its deps: a cycle (Dagster rejects it later) cannot recurse
        for dep in project.assets[key].deps:
            visit(dep)
        order.append(key)

    for key in project.assets:
        visit(key)
    return order


def contract_specs(
    project: Project,
    translator: ContractTranslator | None = None,
    capabilities: Capabilities = SAIL,
) -> ContractSpecs:
    translator = translator or ContractTranslator()
    specs = {
        key: translator.get_asset_spec(
            project.assets[key], project, _location(project, key, capabilities)
        )
        for key in dependencies_first(project)
    }
    external = {
        key: AssetSpec(
            translator.get_external_asset_key(key),
            group_name="external",
            description=f"read by this lakehouse, written elsewhere ({loaded.file.name})",
        )
        for key, loaded in project.external.items()
    }
    counts = Counter(s.key for s in [*specs.values(), *external.values()])
    repeated = sorted(k.to_user_string() for k, n in counts.items() if n > 1)
    if repeated:
        raise ValueError(
            f"{type(translator).__name__}.get_asset_key gives several tables the key "
            f"{', '.join(repeated)}: make the keys unique (e.g. keep the layer and schema)"
        )
    return ContractSpecs(translator, specs, external)
