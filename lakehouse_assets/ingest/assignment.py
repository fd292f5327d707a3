"""Which files a bronze partition reads: its manifest entries plus new files that belong to it."""

from __future__ import annotations

from lakehouse_assets.contracts.models import IngestionContract
from lakehouse_assets.ingest.landing import list_landing_files
from lakehouse_assets.ingest.manifest import FileManifest, ManifestEntry


def files_for_partition(
    manifest: FileManifest, source: str, ingestion: IngestionContract, partition: str, by: str
) -> list[ManifestEntry]:
    """Assign new landing files of this partition in the manifest, then return all of its files.

    A new file belongs to the date in its path, else to its modification date (UTC); once
    assigned it never moves, even if modified later (re-run its partition to re-read it).
    """
    assert ingestion.source.path is not None
    known = manifest.entries(source)
    fresh = [f for f in list_landing_files(ingestion.source.path) if f.path not in known]
    mine = [f for f in fresh if f.partition(ingestion.partition_from_path) == partition]
    manifest.assign(source, mine, {f.path: partition for f in mine}, by)
    return manifest.files_for(source, partition)
