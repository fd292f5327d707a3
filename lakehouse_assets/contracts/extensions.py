"""What the contract loader needs from the layers above it, handed in rather than imported:
the strategies (which names exist, what each demands of its contracts) and the Python gold
builders. The loader stays data-only; `lakehouse_assets.project_loader` wires the real ones."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from lakehouse_assets.contracts.models import PromotionContract, TableContract

Problem = tuple[str, str, str, str]  # field, message, fix, severity ("error" or "warning")


@dataclass(frozen=True)
class PromotionToCheck:
    """A promotion with the contracts it joins, as its strategy checks them."""

    promo: PromotionContract
    silver: TableContract
    source: TableContract
    promoted: set[str]  # the columns the promotion hands its strategy
    silver_file: Path  # relative to the contract folder, for messages
    source_file: Path


class PromotionRules(Protocol):
    def known(self) -> list[str]:
        """The strategy names a promotion contract may use."""
        ...

    def op_readers(self) -> list[str]:
        """The strategies that apply an operation column (I/U/D): a CDC feed needs one."""
        ...

    def reads_snapshots(self, promo: PromotionContract) -> bool:
        """The promotion treats each bronze partition as a full snapshot (load_type full)."""
        ...

    def problems(self, check: PromotionToCheck) -> list[Problem]:
        """What the promotion's strategy finds wrong. Fields name the promotion contract,
        except `columns[i]...` fields, which name the silver table contract."""
        ...


class GoldBuilders(Protocol):
    def deps(self, modules: list[str]) -> Mapping[str, tuple[str, ...]]:
        """Import config.json's PYTHON_MODULES (and entry points); then {"schema.table": the
        "schema.table" names it reads} of every registered builder."""
        ...


@dataclass(frozen=True)
class Extensions:
    strategies: PromotionRules
    builders: GoldBuilders
