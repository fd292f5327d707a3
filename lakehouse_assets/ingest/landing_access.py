"""Where landing files are listed and their manifest kept, chosen once from the capabilities:
locally (disk or object storage, a delta-rs manifest under paths.ops) or in the workspace
(`LIST` through the session, a Unity Catalog manifest table)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lakehouse_assets.engine.capabilities import Capabilities
from lakehouse_assets.ingest.landing import LandingFile, list_landing_files
from lakehouse_assets.ingest.manifest import FileManifest
from lakehouse_assets.ingest.session_listing import list_files_in_session
from lakehouse_assets.ingest.uc_manifest import UnityCatalogManifest

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

# The manifest table's schema in the ops catalog (config.json catalogs.ops, else bronze's).
OPS_SCHEMA = "lakehouse_ops"


@dataclass(frozen=True)
class LandingAccess:
    manifest: FileManifest | UnityCatalogManifest
    list_files: Callable[[str], list[LandingFile]]


def landing_access(
    capabilities: Capabilities,
    ops_path: Callable[[], str],
    catalogs: dict[str, str],
    session: Callable[[], SparkSession],
) -> LandingAccess:
    """`ops_path` and `session` are asked only by the choice that needs them."""
    if capabilities.unity_catalog:
        catalog = catalogs.get("ops") or catalogs["bronze"]
        manifest: FileManifest | UnityCatalogManifest = UnityCatalogManifest(
            session, catalog, OPS_SCHEMA
        )
    else:
        manifest = FileManifest(ops_path())
    if capabilities.lists_files_in_session:
        return LandingAccess(manifest, lambda root: list_files_in_session(session(), root))
    return LandingAccess(manifest, list_landing_files)
