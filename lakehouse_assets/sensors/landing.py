"""Landing sensors: new files of an ingestion contract -> manifest -> bronze partition runs.

Exactly once: the manifest records each file (by path) in one partition, once. A tick first
records new files, then requests a run for every partition holding sensor-assigned files newer
than its cursor. The cursor only advances with the tick's result, so a crash between recording
and requesting repeats the request on the next tick; the run_key (source, partition, set of
files) makes Dagster drop a request it already launched. A bronze run replaces its partition
with exactly the manifest's files, so a repeated run never duplicates a row.

Streaming contracts (`ingest_type: streaming`) get available-now semantics from the same
mechanism, evaluated more often (their `trigger`: contracts/stream_trigger.py): their runs carry
APPEND_TAG, so each appends only the entries its ingest log does not mark done
(assets/bronze_stream.py) instead of replacing the day.

A Kafka source (`source.format: kafka`) records offset ranges instead of files: each tick cuts,
per topic-partition whose high watermark moved, the range from the last recorded end to it, in
today's partition (ingest/kafka_ranges.py); the rest is the same.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dagster import (
    AssetKey,
    DefaultSensorStatus,
    RunRequest,
    SensorDefinition,
    SensorEvaluationContext,
    SensorResult,
    sensor,
)

from lakehouse_assets.assets.bronze_stream import APPEND, APPEND_TAG
from lakehouse_assets.assets.names import DefinitionNames
from lakehouse_assets.assets.specs import ContractSpecs
from lakehouse_assets.contracts.models import IngestionContract
from lakehouse_assets.contracts.project import Project, TableAsset
from lakehouse_assets.contracts.stream_trigger import (  # noqa: F401 (BATCH_/STREAMING_: kept names)
    BATCH_INTERVAL_S,
    STREAMING_INTERVAL_S,
    sensor_interval,
)
from lakehouse_assets.engine.capabilities import SAIL
from lakehouse_assets.engine.resource import SparkResource
from lakehouse_assets.ingest.assignment import Lister, Manifest, assign_new_files
from lakehouse_assets.ingest.kafka_client import watermarks
from lakehouse_assets.ingest.kafka_ranges import record_new_ranges, today
from lakehouse_assets.ingest.landing import list_landing_files
from lakehouse_assets.ingest.manifest import ManifestEntry

# How a tick records new entries: assign_new_files's signature.
Assign = Callable[
    [Manifest, str, IngestionContract, str, Lister],
    tuple[list[ManifestEntry], dict[str, ManifestEntry]],
]

SENSOR_TAG = "sensor"


@dataclass(frozen=True)
class Tick:
    requests: list[RunRequest]
    cursor: str | None
    new_files: int


def _stamp(entry: ManifestEntry) -> int:
    return int(entry.assigned_at.timestamp() * 1_000_000)


def run_key(source: str, partition: str, paths: list[str]) -> str:
    digest = hashlib.sha256("\n".join(sorted(paths)).encode()).hexdigest()[:16]
    return f"{source}:{partition}:{digest}"


def landing_tick(
    manifest: Manifest,
    source: str,
    ingestion: IngestionContract,
    key: AssetKey,
    cursor: str | None,
    list_files: Lister = list_landing_files,
    assign: Assign = assign_new_files,
) -> Tick:
    """One evaluation: record new files, request runs for partitions with pending files.
    `assign`: how new entries are recorded (a Kafka source's offset ranges: kafka_assign).
    A streaming contract's runs carry APPEND_TAG: each appends only what is new."""
    extra = {APPEND_TAG: APPEND} if ingestion.ingest_type == "streaming" else {}
    new, known = assign(manifest, source, ingestion, SENSOR_TAG, list_files)
    since = int(cursor) if cursor else -1
    pending = [
        e for e in [*known.values(), *new] if e.assigned_by == SENSOR_TAG and _stamp(e) > since
    ]
    by_partition: dict[str, list[str]] = defaultdict(list)
    for entry in pending:
        by_partition[entry.partition].append(entry.file_path)
    requests = [
        RunRequest(
            run_key=run_key(source, partition, paths),
            partition_key=partition,
            asset_selection=[key],
            tags={"lakehouse/source": source, "lakehouse/files": str(len(paths)), **extra},
        )
        for partition, paths in sorted(by_partition.items())
    ]
    last = max((_stamp(e) for e in pending), default=since)
    return Tick(requests, str(last) if last >= 0 else cursor, len(new))


def sensor_name(key: AssetKey, names: DefinitionNames | None = None) -> str:
    """landing__<asset key after its layer>, from the asset's (translated) key."""
    parts = key.path[1:] if len(key.path) > 1 else key.path
    return (names or DefinitionNames()).name("landing__" + "__".join(parts))


def landing_sensor(
    table: TableAsset,
    manifest: Manifest,
    key: AssetKey,
    names: DefinitionNames | None = None,
    default_status: DefaultSensorStatus = DefaultSensorStatus.STOPPED,
    list_files: Lister = list_landing_files,
    assign: Assign = assign_new_files,
) -> SensorDefinition:
    """`key`: the asset's key from its spec; the manifest keeps the contract key (`source`)."""
    ingestion = table.ingestion
    assert ingestion is not None
    source = table.key_string
    streaming = ingestion.ingest_type == "streaming"

    @sensor(
        name=sensor_name(key, names),
        asset_selection=[key],
        minimum_interval_seconds=sensor_interval(ingestion),
        default_status=default_status,
        description=f"new {_watched(ingestion)} -> {source} "
        f"({f'available-now streaming, trigger {ingestion.trigger}' if streaming else 'batch'})",
    )
    def _landing(context: SensorEvaluationContext) -> SensorResult:
        tick = landing_tick(manifest, source, ingestion, key, context.cursor, list_files, assign)
        if tick.new_files:
            what = "offset range" if ingestion.source.kafka else "file"
            context.log.info(f"{tick.new_files} new {what}(s) for {source}")
        return SensorResult(run_requests=tick.requests, cursor=tick.cursor)

    return _landing


def landing_sensors(
    project: Project,
    specs: ContractSpecs,
    names: DefinitionNames | None = None,
    spark: SparkResource | None = None,
) -> list[SensorDefinition]:
    """`spark`: the code location's engine; on Databricks a tick lists and records files
    through its session (started at the first tick, not at load)."""
    from lakehouse_assets.assets.bronze import landing_access_for

    capabilities = spark.capabilities if spark else SAIL
    bronze = [t for t in project.assets.values() if t.kind == "bronze"]
    if not bronze or not (capabilities.unity_catalog or project.environment.paths.get("ops")):
        return []  # no manifest location: bronze runs say how to fix it

    def session() -> Any:
        assert spark is not None  # only engines with a session-side manifest or listing ask
        return spark.process_config_and_initialize().get_session()

    access = landing_access_for(project, capabilities, session)
    return [
        landing_sensor(
            t,
            access.manifest,
            specs.key(t.key),
            names,
            list_files=access.list_files,
            assign=kafka_assign(project, t) if _is_kafka(t) else assign_new_files,
        )
        for t in bronze
    ]


def _is_kafka(table: TableAsset) -> bool:
    return table.ingestion is not None and table.ingestion.source.format == "kafka"


def _watched(ingestion: IngestionContract) -> str:
    kafka = ingestion.source.kafka
    if kafka is not None:
        return f"offsets of Kafka topic {kafka.topic}"
    return f"files under {ingestion.source.path}"


def kafka_assign(project: Project, table: TableAsset) -> Assign:
    """A Kafka source's recording: ranges up to the high watermarks, into today's partition."""
    from lakehouse_assets.assets.kafka_bronze import contract_label

    where = contract_label(project, table)

    def assign(
        manifest: Manifest, source: str, ingestion: IngestionContract, by: str, _: Lister
    ) -> tuple[list[ManifestEntry], dict[str, ManifestEntry]]:
        settings = ingestion.source.kafka
        assert settings is not None
        return record_new_ranges(
            manifest, source, settings, lambda: watermarks(settings, where), by, today()
        )

    return assign
