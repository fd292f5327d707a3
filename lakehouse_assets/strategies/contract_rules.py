"""The strategies as the contract loader sees them (contracts.extensions.PromotionRules):
which names exist, and what the promotion's strategy finds wrong with its contracts."""

from __future__ import annotations

from lakehouse_assets.contracts.extensions import Problem, PromotionToCheck
from lakehouse_assets.contracts.models import PromotionContract
from lakehouse_assets.strategies import registry


class ContractRules:
    def known(self) -> list[str]:
        return registry.known()

    def op_readers(self) -> list[str]:
        return [
            n for n in registry.known() if (s := registry.strategy_for(n)).needs_op or s.reads_op
        ]

    def reads_snapshots(self, promo: PromotionContract) -> bool:
        return registry.strategy_for(promo.strategy).from_snapshots(promo)

    def problems(self, check: PromotionToCheck) -> list[Problem]:
        return registry.strategy_for(check.promo.strategy).contract_problems(check)
