"""Build the Definitions of a contract folder (used by definitions.py, the demo and tests)."""

from __future__ import annotations

import os

from dagster import (
    Definitions,
    ExecutorDefinition,
    in_process_executor,
    multiprocess_executor,
)

from lakehouse_assets.assets.factory import build_assets
from lakehouse_assets.assets.names import DefinitionNames
from lakehouse_assets.assets.specs import contract_specs
from lakehouse_assets.assets.translator import ContractTranslator
from lakehouse_assets.delta_io_manager import DeltaIOManager
from lakehouse_assets.engine.capabilities import PROFILES
from lakehouse_assets.engine.resource import MODES, SparkResource
from lakehouse_assets.jobs import layer_jobs
from lakehouse_assets.migrations.job import JOB_NAME, OP_NAME, migrations_job
from lakehouse_assets.project_loader import load_project_or_raise
from lakehouse_assets.schedules import contract_schedules
from lakehouse_assets.sensors.automation import AUTOMATION_SENSOR, automation_sensor
from lakehouse_assets.sensors.landing import landing_sensors
from lakehouse_assets.sensors.run_failure import FAILURE_SENSOR, run_failure_reporter


def spark_from_env() -> SparkResource:
    # A Databricks job task (deploy/bundle.py) runs on the cluster's own session by default.
    on_databricks = bool(os.environ.get("DATABRICKS_RUNTIME_VERSION"))
    mode = os.environ.get("LAKEHOUSE_SPARK_MODE") or ("databricks" if on_databricks else "local")
    if mode not in MODES:
        raise ValueError(
            f"LAKEHOUSE_SPARK_MODE={mode!r} is not one of {', '.join(MODES)}: "
            "set LAKEHOUSE_SPARK_MODE (default local)"
        )
    if mode == "databricks":
        # Unified auth: the Databricks SDK reads DATABRICKS_HOST, _TOKEN, _CLIENT_ID/_SECRET,
        # _CONFIG_PROFILE, _CLUSTER_ID, _SERVERLESS_COMPUTE_ID itself; nothing is copied here,
        # so no secret enters the run config and an unset one fails nothing at load time.
        return SparkResource(
            mode="databricks",
            databricks_serverless=os.environ.get("DATABRICKS_SERVERLESS", "").lower() == "true",
        )
    profile = os.environ.get("LAKEHOUSE_CONNECT_PROFILE", "sail")
    if profile not in PROFILES:
        raise ValueError(
            f"LAKEHOUSE_CONNECT_PROFILE={profile!r} is not one of {', '.join(PROFILES)}: set "
            "LAKEHOUSE_CONNECT_PROFILE to what the Spark Connect server runs (default sail)"
        )
    return SparkResource(
        mode=mode,  # type: ignore[arg-type]
        connect_url=os.environ.get("LAKEHOUSE_CONNECT_URL"),
        connect_profile=profile,  # type: ignore[arg-type]
        spark_jars=os.environ.get("LAKEHOUSE_SPARK_JARS") or None,
    )


EXECUTORS = {"in_process": in_process_executor, "multiprocess": multiprocess_executor}


def run_executor() -> ExecutorDefinition:
    """How a run executes its steps: in its own process by default, so a run starts one engine
    session and pays one process start, not one per step (`LAKEHOUSE_EXECUTOR=multiprocess`
    runs each step in a process of its own, in parallel)."""
    name = os.environ.get("LAKEHOUSE_EXECUTOR", "in_process")
    if name not in EXECUTORS:
        raise ValueError(
            f"LAKEHOUSE_EXECUTOR={name!r} is not one of {', '.join(EXECUTORS)}: "
            "set LAKEHOUSE_EXECUTOR (default in_process)"
        )
    return EXECUTORS[name]


def build_definitions(
    project_dir: str | None = None,
    env: str | None = None,
    spark: SparkResource | None = None,
    translator: ContractTranslator | None = None,
    data_dir: str | None = None,
    resource_prefix: str = "",
) -> Definitions:
    """`data_dir`: where the environment's relative paths point (default
    $LAKEHOUSE_DATA_ROOT, else ./.lakehouse). `translator`: how contracts become asset
    specs (assets/translator.py). `resource_prefix`: starts this folder's resource keys, job
    and sensor names, so several contract folders (domains) merge into one code location."""
    project = load_project_or_raise(project_dir, env, data_dir)
    spark = spark or spark_from_env()
    names = DefinitionNames(resource_prefix)
    specs = contract_specs(project, translator, spark.capabilities)
    jobs, schedules = contract_schedules(project, specs, names)
    migrations = migrations_job(
        project,
        names.name(JOB_NAME),
        names.name(OP_NAME),
        names.spark,
    )
    return Definitions(
        assets=build_assets(project, names=names, specs=specs),
        sensors=[
            *landing_sensors(project, specs, names, spark),
            run_failure_reporter(names.name(FAILURE_SENSOR)),
            automation_sensor(specs, names.name(AUTOMATION_SENSOR)),
        ],
        jobs=[migrations, *jobs, *layer_jobs(project, specs, names)],
        schedules=schedules,
        executor=run_executor(),
        resources={
            names.spark: spark,
            names.io_manager: DeltaIOManager(
                spark=spark, project_dir=str(project.root), env=env, data_dir=data_dir
            ),
        },
    )
