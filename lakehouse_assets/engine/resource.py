"""The Spark resource: one setting switches the engine; everything else stays the same code.

- local:      embedded Sail over Spark Connect (no JVM, no set-up), the default;
- connect:    any Spark Connect server at `connect_url` (sc://host:port);
- spark:      classic PySpark with delta-spark (needs Java and the Delta jars from Maven);
- databricks: Databricks Connect to a cluster or serverless; secrets from the environment.
"""

from __future__ import annotations

import contextlib
import threading
from typing import TYPE_CHECKING, Any, Literal

from dagster import ConfigurableResource
from pydantic import Field

from lakehouse_assets.engine.capabilities import DATABRICKS, PROFILES, SAIL, SPARK, Capabilities

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

Mode = Literal["local", "connect", "spark", "databricks"]
_sessions: dict[tuple[Any, ...], SparkSession] = {}
_lock = threading.Lock()
BASE_CONF = {"spark.sql.session.timeZone": "UTC"}


class SparkResource(ConfigurableResource):
    """Gives assets a SparkSession and says what its engine can do."""

    mode: Mode = "local"
    connect_url: str | None = Field(default=None, description="sc://host:port for mode=connect")
    # What the Spark Connect server behind connect_url can do: sail, spark or databricks.
    connect_profile: Literal["sail", "spark", "databricks"] = "sail"
    master: str = "local[2]"
    databricks_host: str | None = None
    databricks_token: str | None = None
    databricks_cluster_id: str | None = None
    databricks_serverless: bool = False
    spark_conf: dict[str, str] = Field(default_factory=dict)

    @property
    def capabilities(self) -> Capabilities:
        return {
            "local": SAIL, "connect": PROFILES[self.connect_profile], "spark": SPARK,
            "databricks": DATABRICKS,
        }[self.mode]  # fmt: skip

    def get_session(self) -> SparkSession:
        key = (self.mode, self.connect_url, self.databricks_host, self.databricks_cluster_id,
               self.databricks_serverless, tuple(sorted(self.spark_conf.items())))
        with _lock:
            session = _sessions.get(key)
            if session is None or _is_stopped(session):
                session = _sessions[key] = self._build()
            return session

    def _conf(self) -> dict[str, str]:
        return {**BASE_CONF, **self.spark_conf}

    def _build(self) -> SparkSession:
        if self.mode == "databricks":
            return self._databricks()
        from pyspark.sql import SparkSession

        if self.mode == "spark":
            return self._classic()
        if self.mode == "local":
            from lakehouse_assets.engine.sail_server import embedded_url

            url = embedded_url()
        else:
            if not self.connect_url or not self.connect_url.startswith("sc://"):
                raise ValueError(
                    f"mode=connect needs connect_url='sc://host:port', got {self.connect_url!r}"
                )
            url = self.connect_url
        # create(), not getOrCreate(): the latter hands back any session already open in this
        # process (e.g. the embedded one) whatever the url.
        session = SparkSession.builder.remote(url).create()
        for k, v in self._conf().items():
            session.conf.set(k, v)
        return session

    def _classic(self) -> SparkSession:
        from delta import configure_spark_with_delta_pip
        from pyspark.sql import SparkSession

        builder = SparkSession.builder.master(self.master).config(
            "spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension"
        ).config("spark.sql.catalog.spark_catalog",
                 "org.apache.spark.sql.delta.catalog.DeltaCatalog")
        for k, v in self._conf().items():
            builder = builder.config(k, v)
        # Names the delta-spark jars for Ivy to fetch from Maven at session start.
        return configure_spark_with_delta_pip(builder).getOrCreate()

    def _databricks(self) -> SparkSession:
        try:
            from databricks.connect import DatabricksSession  # type: ignore[import-not-found]
        except ImportError as exc:
            raise RuntimeError(
                "mode=databricks needs Databricks Connect: pip install 'lakehouse_assets"
                "[databricks]' (it replaces pyspark with its own client)"
            ) from exc
        if not self.databricks_host:
            raise ValueError("mode=databricks needs databricks_host (EnvVar('DATABRICKS_HOST'))")
        builder = DatabricksSession.builder.host(self.databricks_host)
        if self.databricks_token:
            builder = builder.token(self.databricks_token)
        if self.databricks_serverless:
            builder = builder.serverless(True)
        elif self.databricks_cluster_id:
            builder = builder.clusterId(self.databricks_cluster_id)
        else:
            raise ValueError("mode=databricks needs databricks_cluster_id or databricks_serverless")
        return builder.getOrCreate()

    def __repr__(self) -> str:  # never show the token
        return f"SparkResource(mode={self.mode!r}, engine={self.capabilities.engine!r})"


def _is_stopped(session: SparkSession) -> bool:
    client = getattr(session, "client", None)
    return bool(client is not None and getattr(client, "is_closed", False))


def stop_sessions() -> None:
    with _lock:
        for session in _sessions.values():
            with contextlib.suppress(Exception):  # a session already gone has nothing to stop
                session.stop()
        _sessions.clear()
