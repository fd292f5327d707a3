"""Bronze: a partition's landing files -> typed rows plus ingestion metadata columns."""

from __future__ import annotations

from collections.abc import Callable
from functools import reduce
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lakehouse_assets.assets.kafka_bronze import kafka_bronze_batch
from lakehouse_assets.contracts.identifiers import quote
from lakehouse_assets.contracts.project import Project, TableAsset
from lakehouse_assets.engine.capabilities import Capabilities
from lakehouse_assets.ingest.assignment import files_for_partition
from lakehouse_assets.ingest.landing import landing_missing
from lakehouse_assets.ingest.landing_access import LandingAccess, landing_access
from lakehouse_assets.ingest.manifest import FileManifest, ManifestEntry
from lakehouse_assets.ingest.parse import parse_landing
from lakehouse_assets.ingest.readable import require_readable
from lakehouse_assets.io.batch import TableBatch
from lakehouse_assets.storage.scratch import working_dir
from lakehouse_assets.tables.physical import INGESTED_DATE, bronze_framework, physical_columns

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


def ops_root(project: Project) -> str:
    ops = project.environment.paths.get("ops")
    if not ops:
        raise ValueError(
            f"environment {project.env_name!r} has no paths.ops in config.json: "
            'bronze keeps its file manifest there (add e.g. "ops": "ops")'
        )
    return ops


def manifest_for(project: Project) -> FileManifest:
    return FileManifest(ops_root(project))


def landing_access_for(
    project: Project, capabilities: Capabilities, session: Callable[[], SparkSession]
) -> LandingAccess:
    """The manifest and the landing listing this engine uses (ingest/landing_access.py)."""
    return landing_access(
        capabilities, lambda: ops_root(project), project.environment.catalogs, session
    )


def missing_landing_fix(folder: str, partitions: list[str]) -> str:
    """What a run that found no landing folder says (log and metadata): a fresh clone's first
    materialization lands here, and 0 rows alone reads like success."""
    day = partitions[0] if partitions else "YYYY-MM-DD"
    return (
        f"landing folder {folder} does not exist: 0 rows. Put the source's files there (a "
        f"folder per day such as dt={day}/), or point paths.landing of config.json at where "
        "they are (relative paths live under $LAKEHOUSE_DATA_ROOT, default ./.lakehouse)"
    )


def bronze_batch(
    spark: SparkSession,
    capabilities: Capabilities,
    project: Project,
    asset: TableAsset,
    partitions: list[str],
    run_id: str,
    scratch: Path | None = None,
    select: Callable[[str, list[ManifestEntry]], list[ManifestEntry]] | None = None,
) -> TableBatch:
    """`scratch` (see run_scratch): where the landing files' one parse is kept for the run.
    `select` (partition, its manifest entries) -> the entries this run reads (default: all;
    an available-now run of a streaming contract: those not ingested yet, bronze_stream.py)."""
    from pyspark.sql import functions as F

    ingestion = asset.ingestion
    assert ingestion is not None
    require_readable(asset, capabilities)
    access = landing_access_for(project, capabilities, lambda: spark)
    if ingestion.source.format == "kafka":  # offsets, not files (assets/kafka_bronze.py)
        return kafka_bronze_batch(
            spark, capabilities, project, asset, access.manifest, partitions, run_id, select
        )
    columns = list(asset.contract.columns)
    framework = bronze_framework(asset)
    staging = working_dir(ops_root(project)) / "staged_landing"
    goods, rejects, files = [], [], []
    rejected_rows = 0
    for partition in partitions:
        entries = files_for_partition(
            access.manifest, asset.key_string, ingestion, partition, run_id, access.list_files
        )
        if select is not None:
            entries = select(partition, entries)
        if not entries:
            continue
        files += [e.file_path for e in entries]
        parsed = parse_landing(
            spark, entries, ingestion, columns, framework, capabilities, staging, scratch
        )
        day = F.lit(partition).cast("date")
        goods.append(parsed.rows.withColumn(INGESTED_DATE, day))
        rejects.append(parsed.rejected.withColumn(INGESTED_DATE, day))
        rejected_rows += parsed.rejected_rows
    if not goods:
        schema = ", ".join(f"{quote(c.name)} {c.type}" for c in physical_columns(asset))
        empty = spark.createDataFrame([], schema)
        facts: dict[str, Any] = {"files_read": 0}
        # a workspace path is not on this host's disk: only the session could tell
        local = not capabilities.lists_files_in_session
        if ingestion.source.path and local and landing_missing(ingestion.source.path):
            facts["landing_missing"] = ingestion.source.path
            facts["landing_fix"] = missing_landing_fix(ingestion.source.path, partitions)
        return TableBatch(empty, None, partitions, facts)
    data = reduce(lambda a, b: a.unionByName(b), goods)
    rejected = reduce(lambda a, b: a.unionByName(b), rejects)
    return TableBatch(
        data,
        rejected,
        partitions,
        {"files_read": len(files), "source_files": "\n".join(files[:50])},
        rejected_rows=rejected_rows,
    )
