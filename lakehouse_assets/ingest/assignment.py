"""Which bronze partition a landing file goes to, and which files a partition reads.

One rule, shared by the landing sensors and the bronze asset: a new file belongs to the date in
its path (`dt=YYYY-MM-DD`, `YYYY/MM/DD`) when the contract has `partition_from_path` (default
true), else to its modification date in UTC (for a file that just landed: today). Once recorded
in the manifest a file never moves, even if modified later (re-run its partition to re-read it).
"""

from __future__ import annotations

from collections.abc import Callable

from lakehouse_assets.contracts.models import IngestionContract
from lakehouse_assets.ingest.landing import LandingFile, list_landing_files
from lakehouse_assets.ingest.manifest import FileManifest, ManifestEntry
from lakehouse_assets.ingest.uc_manifest import UnityCatalogManifest

Manifest = FileManifest | UnityCatalogManifest
Lister = Callable[[str], list[LandingFile]]


def partition_of(file: LandingFile, ingestion: IngestionContract) -> str:
    return file.partition(ingestion.partition_from_path)


def assign_new_files(
    manifest: Manifest,
    source: str,
    ingestion: IngestionContract,
    by: str,
    list_files: Lister = list_landing_files,
) -> tuple[list[ManifestEntry], dict[str, ManifestEntry]]:
    """Record every landing file not yet in the manifest; returns (new entries, prior entries).
    `list_files`: how the landing folder is listed (ingest/landing_access.py chooses)."""
    assert ingestion.source.path is not None
    known = manifest.entries(source)
    fresh = [f for f in list_files(ingestion.source.path) if f.path not in known]
    new = manifest.assign(
        source, fresh, {f.path: partition_of(f, ingestion) for f in fresh}, by, known=known
    )
    return new, known


def files_for_partition(
    manifest: Manifest,
    source: str,
    ingestion: IngestionContract,
    partition: str,
    by: str,
    list_files: Lister = list_landing_files,
) -> list[ManifestEntry]:
    """Assign new landing files of this partition in the manifest, then return all of its files."""
    assert ingestion.source.path is not None
    known = manifest.entries(source)
    fresh = [f for f in list_files(ingestion.source.path) if f.path not in known]
    mine = [f for f in fresh if partition_of(f, ingestion) == partition]
    manifest.assign(source, mine, {f.path: partition for f in mine}, by, known=known)
    return manifest.files_for(source, partition)
