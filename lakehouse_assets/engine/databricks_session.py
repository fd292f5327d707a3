"""A Databricks Connect session through Databricks unified auth.

Only what is set explicitly goes into the SDK's `Config`; the SDK reads everything else itself
(DATABRICKS_HOST, DATABRICKS_TOKEN, DATABRICKS_CLIENT_ID/SECRET for an OAuth service principal,
DATABRICKS_CONFIG_PROFILE and ~/.databrickscfg, DATABRICKS_CLUSTER_ID,
DATABRICKS_SERVERLESS_COMPUTE_ID=auto, cloud identities). Inside a Databricks job the cluster's
own session is used. Errors carry the SDK's first line with any secret removed, never a chain.
"""

from __future__ import annotations

import importlib.metadata
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lakehouse_assets.engine.failures import first_line
from lakehouse_assets.engine.install import pip_command
from lakehouse_assets.engine.setup_error import EngineSetupError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

SETTINGS_HINT = (
    "set DATABRICKS_HOST with one auth (DATABRICKS_TOKEN, DATABRICKS_CLIENT_ID + "
    "DATABRICKS_CLIENT_SECRET, or DATABRICKS_CONFIG_PROFILE) and one compute "
    "(DATABRICKS_CLUSTER_ID or DATABRICKS_SERVERLESS_COMPUTE_ID=auto)"
)
# Secrets the SDK may read from the environment: scrubbed from any message we pass on.
SECRET_ENV = ("DATABRICKS_TOKEN", "DATABRICKS_CLIENT_SECRET", "DATABRICKS_PASSWORD",
              "ARM_CLIENT_SECRET", "GOOGLE_CREDENTIALS")  # fmt: skip


@dataclass(frozen=True)
class DatabricksSettings:
    """The resource's explicit settings; None means: let the SDK find it."""

    host: str | None = None
    token: str | None = field(default=None, repr=False)
    profile: str | None = None
    cluster_id: str | None = None
    serverless: bool = False

    def sdk_kwargs(self) -> dict[str, Any]:
        """Keyword arguments of `databricks.sdk.core.Config`: only the ones that are set."""
        kwargs: dict[str, Any] = {
            "host": self.host,
            "token": self.token,
            "profile": self.profile,
            "cluster_id": None if self.serverless else self.cluster_id,
            "serverless_compute_id": "auto" if self.serverless else None,
        }
        return {k: v for k, v in kwargs.items() if v}

    def secrets(self) -> list[str]:
        values = [self.token, *(os.environ.get(name) for name in SECRET_ENV)]
        return [v for v in values if v]


def scrub(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, "***")
    return text


def on_databricks_cluster() -> bool:
    """A job task (python_wheel_task) runs where Databricks sets its runtime version."""
    return bool(os.environ.get("DATABRICKS_RUNTIME_VERSION"))


def require_no_oss_pyspark() -> None:
    """databricks-connect's `pyspark` package is overwritten by an OSS pyspark install."""
    clients = []
    for dist in ("pyspark", "pyspark-client", "pyspark-connect"):
        try:
            importlib.metadata.distribution(dist)
            clients.append(dist)
        except importlib.metadata.PackageNotFoundError:
            continue
    if clients:
        raise EngineSetupError(
            f"LAKEHOUSE_SPARK_MODE=databricks: {', '.join(clients)} is installed beside "
            "databricks-connect and replaces its pyspark package: use an environment with only "
            f"the databricks extra: pip uninstall -y {' '.join(clients)} databricks-connect && "
            f"{pip_command('databricks')}"
        )


def databricks_session(settings: DatabricksSettings) -> SparkSession:
    if on_databricks_cluster():
        from pyspark.sql import SparkSession

        return SparkSession.builder.getOrCreate()
    try:
        from databricks.connect import DatabricksSession  # type: ignore[import-not-found]
        from databricks.sdk.core import Config  # type: ignore[import-not-found]
    except ImportError:
        raise EngineSetupError(
            "LAKEHOUSE_SPARK_MODE=databricks needs Databricks Connect (it replaces pyspark with "
            f"its own client; install it in an environment without pyspark): "
            f"{pip_command('databricks')}"
        ) from None
    require_no_oss_pyspark()
    secrets = settings.secrets()
    try:
        config = Config(**settings.sdk_kwargs())
    except Exception as exc:  # the SDK's ValueError: no host, no credentials, bad profile
        raise EngineSetupError(
            f"Databricks auth: {scrub(first_line(exc).rstrip('.'), secrets)}: {SETTINGS_HINT}"
        ) from None
    try:
        return DatabricksSession.builder.sdkConfig(config).getOrCreate()
    except Exception as exc:  # no compute given, unreachable workspace, refused credentials
        raise EngineSetupError(
            f"Databricks Connect: {scrub(first_line(exc).rstrip('.'), secrets)}: {SETTINGS_HINT}"
        ) from None
