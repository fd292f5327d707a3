"""The Spark resource: one setting switches the engine; everything else stays the same code.

- local:      embedded Sail over Spark Connect (no JVM, no set-up), the default;
- connect:    any Spark Connect server at `connect_url` (sc://host:port);
- spark:      classic PySpark with delta-spark (needs Java and the Delta jars from Maven);
- databricks: Databricks Connect to a cluster or serverless; secrets from the environment.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from typing import TYPE_CHECKING, Any, Literal, get_args

from dagster import ConfigurableResource
from pydantic import Field

from lakehouse_assets.engine.capabilities import (
    DATABRICKS,
    PROFILES,
    SPARK,
    Capabilities,
    embedded_sail,
)
from lakehouse_assets.engine.databricks_session import DatabricksSettings, databricks_session
from lakehouse_assets.engine.install import require_modules
from lakehouse_assets.engine.setup_error import EngineSetupError
from lakehouse_assets.engine.spark_jars import (
    DEFAULT_JARS_DIR,
    DELTA_CONF,
    FETCH_COMMAND,
    JARS_SETTING,
    LOCAL_JVM_CONF,
    delta_package,
    resolve_jars,
)

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

Mode = Literal["local", "connect", "spark", "databricks"]
MODES: tuple[str, ...] = get_args(Mode)
# One session per engine setting and process, on purpose: Dagster builds a new resource object
# for every run, and a session (with the embedded server behind it) must outlive them, as
# pyspark's own getOrCreate() session does. stop()/stop_sessions() end them.
_sessions: dict[tuple[Any, ...], SparkSession] = {}
_lock = threading.Lock()
BASE_CONF = {"spark.sql.session.timeZone": "UTC"}
# The Spark Connect client retries an unreachable server for minutes: ask the socket first.
CONNECT_TIMEOUT_S = 5.0
CONNECT_URL_SETTING = "LAKEHOUSE_CONNECT_URL (SparkResource.connect_url)"


class SparkResource(ConfigurableResource):
    """Gives assets a SparkSession and says what its engine can do."""

    mode: Mode = "local"
    connect_url: str | None = Field(default=None, description="sc://host:port for mode=connect")
    # What the Spark Connect server behind connect_url can do: sail, spark or databricks.
    connect_profile: Literal["sail", "spark", "databricks"] = "sail"
    master: str = "local[2]"
    # mode=spark: the Delta jars, a folder or comma list (.ci/fetch_jars.sh fills .cache/jars);
    # unset, Spark's own resolver fetches them from Maven at session start.
    spark_jars: str | None = None
    # Databricks unified auth: all optional; unset, the Databricks SDK reads DATABRICKS_* and
    # ~/.databrickscfg itself (PAT, OAuth M2M client id/secret, a profile, Azure/GCP identities).
    databricks_host: str | None = None
    databricks_token: str | None = None
    databricks_profile: str | None = None
    databricks_cluster_id: str | None = None
    databricks_serverless: bool = False
    spark_conf: dict[str, str] = Field(default_factory=dict)

    @property
    def capabilities(self) -> Capabilities:
        return {
            "local": embedded_sail(), "connect": PROFILES[self.connect_profile], "spark": SPARK,
            "databricks": DATABRICKS,
        }[self.mode]  # fmt: skip

    def _key(self) -> tuple[Any, ...]:
        return (
            self.mode,
            self.connect_url,
            self.databricks_host,
            self.databricks_profile,
            self.databricks_cluster_id,
            self.databricks_serverless,
            self.spark_jars,
            tuple(sorted(self.spark_conf.items())),
        )

    def get_session(self) -> SparkSession:
        with _lock:
            session = _sessions.get(self._key())
            if session is None or _is_stopped(session):
                session = _sessions[self._key()] = self._build()
            return session

    def stop(self) -> None:
        """Close this configuration's session (before its server goes away)."""
        with _lock:
            session = _sessions.pop(self._key(), None)
        if session is not None:
            with contextlib.suppress(Exception):
                session.stop()

    def _conf(self) -> dict[str, str]:
        return {**BASE_CONF, **self.spark_conf}

    def _build(self) -> SparkSession:
        if self.mode == "databricks":
            return self._databricks()
        require_modules(self.mode)
        from pyspark.sql import SparkSession

        if self.mode == "spark":
            return self._classic()
        if self.mode == "local":
            from lakehouse_assets.engine.sail_server import before_stop, embedded_url

            # Close client sessions before the server stops (at exit too), or Sail aborts
            # their tasks noisily.
            before_stop(stop_sessions)
            url = embedded_url()
        else:
            if not self.connect_url or not self.connect_url.startswith("sc://"):
                raise ValueError(
                    f"mode=connect needs connect_url='sc://host:port', got {self.connect_url!r}:"
                    f" set {CONNECT_URL_SETTING}"
                )
            url = self.connect_url
            require_reachable(url)
        # create(), not getOrCreate(): the latter hands back any session already open in the
        # process, whatever its URL (a connect session would silently run on the embedded one).
        session = SparkSession.builder.remote(url).create()
        for k, v in self._conf().items():
            session.conf.set(k, v)
        return session

    def _classic(self) -> SparkSession:
        from pyspark.sql import SparkSession

        builder = SparkSession.builder.master(self.master)
        if self.spark_jars:
            jars = {"spark.jars": ",".join(resolve_jars(self.spark_jars))}
        else:  # Spark's Ivy resolver fetches them (delta-spark's pip version has no jars)
            jars = {"spark.jars.packages": delta_package()}
        local = LOCAL_JVM_CONF if self.master.startswith("local") else {}
        for k, v in {**DELTA_CONF, **local, **jars, **self._conf()}.items():
            builder = builder.config(k, v)
        try:
            return builder.getOrCreate()
        except Exception as exc:  # the JVM did not start: pyspark says only JAVA_GATEWAY_EXITED
            package = jars.get("spark.jars.packages")
            fetch = f" (unset, Spark's resolver fetches {package})" if package else ""
            reason = str(exc).splitlines()[0][:200].rstrip(".")
            raise EngineSetupError(
                f"classic Spark did not start: {reason}. It needs Java "
                f"17+ (java on PATH or JAVA_HOME) and the Delta jars: run {FETCH_COMMAND} and "
                f"set {JARS_SETTING} to {DEFAULT_JARS_DIR}{fetch}; the JVM's own error is "
                "above this message"
            ) from exc

    def _databricks(self) -> SparkSession:
        return databricks_session(self.databricks_settings())

    def databricks_settings(self) -> DatabricksSettings:
        """What this resource sets explicitly; the SDK reads everything else (unified auth)."""
        return DatabricksSettings(
            host=self.databricks_host,
            token=self.databricks_token,
            profile=self.databricks_profile,
            cluster_id=self.databricks_cluster_id,
            serverless=self.databricks_serverless,
        )

    def __repr__(self) -> str:  # never show the token
        return f"SparkResource(mode={self.mode!r}, engine={self.capabilities.engine!r})"


def require_reachable(url: str) -> None:
    """Fail fast, naming the setting, when nothing listens at the sc://host:port of `url`."""
    hostport = url.removeprefix("sc://").split("/", 1)[0].split(";", 1)[0]
    host, _, port = hostport.rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(f"connect_url {url!r} is not sc://host:port: set {CONNECT_URL_SETTING}")
    try:
        socket.create_connection((host.strip("[]"), int(port)), CONNECT_TIMEOUT_S).close()
    except OSError as exc:
        raise EngineSetupError(
            f"no Spark Connect server answers at {url} ({exc.strerror or exc}): set "
            f"{CONNECT_URL_SETTING} to a running server's sc://host:port"
        ) from exc


def _is_stopped(session: SparkSession) -> bool:
    context = getattr(session, "_sc", None)
    if context is not None:  # classic, whose `.client` raises: a stopped one has no JVM
        return getattr(context, "_jsc", None) is None
    client = getattr(session, "client", None)
    return bool(client is not None and getattr(client, "is_closed", False))


def stop_sessions() -> None:
    with _lock:
        for session in _sessions.values():
            with contextlib.suppress(Exception):  # a session already gone has nothing to stop
                session.stop()
        _sessions.clear()
