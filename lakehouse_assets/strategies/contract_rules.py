"""The strategies as the contract loader sees them (contracts.extensions.PromotionRules):
which names exist, and what the promotion's strategy finds wrong with its contracts."""

from __future__ import annotations

from pathlib import Path

from lakehouse_assets.contracts.extensions import Problem
from lakehouse_assets.contracts.models import PromotionContract, TableContract
from lakehouse_assets.strategies import registry


class ContractRules:
    def known(self) -> list[str]:
        return registry.known()

    def op_readers(self) -> list[str]:
        return [
            n for n in registry.known() if (s := registry.strategy_for(n)).needs_op or s.reads_op
        ]

    def problems(
        self,
        promo: PromotionContract,
        silver: TableContract,
        source: TableContract,
        promoted: set[str],
        *,
        silver_file: Path,
        source_file: Path,
    ) -> list[Problem]:
        strategy = registry.strategy_for(promo.strategy)
        return strategy.contract_problems(
            promo, silver, source, promoted, silver_file=silver_file, source_file=source_file
        )
