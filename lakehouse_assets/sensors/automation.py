"""The sensor that evaluates the contract assets' automation conditions (assets/automation.py).

Dagster would otherwise add its own `default_automation_condition_sensor`, stopped until
someone switches it on in the UI; this one runs by default. It targets exactly this project's
assets, so two lakehouses in one code location each get their own (pass a distinct `name`).
"""

from __future__ import annotations

from dagster import (
    AssetSelection,
    AutomationConditionSensorDefinition,
    DefaultSensorStatus,
)

from lakehouse_assets.assets.specs import ContractSpecs

AUTOMATION_SENSOR = "lakehouse_automation"
# Dagster's own default: a tick costs a read of the instance's events, not an engine start.
AUTOMATION_INTERVAL_S = 30


def automation_sensor(
    specs: ContractSpecs, name: str = AUTOMATION_SENSOR
) -> AutomationConditionSensorDefinition:
    """Running by default; the assets' keys from their specs (the translator's)."""
    keys = [spec.key for spec in specs.specs.values()]
    return AutomationConditionSensorDefinition(
        name,
        target=AssetSelection.assets(*keys),
        default_status=DefaultSensorStatus.RUNNING,
        minimum_interval_seconds=AUTOMATION_INTERVAL_S,
        description=(
            "Runs silver days whose bronze day was updated (late days too) and gold after "
            "any upstream update (lakehouse_assets/assets/automation.py)"
        ),
    )
