"""The Delta IO manager: Dagster's side of every table write, and upstream reads for assets
that take a lakehouse table as an input.

A contract asset's write arrives as a `TableWrite` (io/table_write.py) that already holds its
table, so `handle_output` only executes it and records its facts. A user's own asset hands a
frame (Spark, pyarrow, pandas, polars), written by delta-rs where and as its definition
metadata says (io/user_tables.py, io/user_write.py). `load_input` reads the upstream table,
filtered to the run's partitions, as a Spark DataFrame unless the input's annotation asks for
pyarrow, pandas or polars; it loads the contracts once per IO manager instance.
It sits with the entry points because it wires Dagster to the loaded project.

No `from __future__ import annotations`: Dagster resolves ResourceDependency at runtime."""

from pathlib import Path
from typing import Any

from dagster import ConfigurableIOManager, InputContext, OutputContext, ResourceDependency
from dagster import MetadataValue as MV
from pydantic import PrivateAttr

from lakehouse_assets.assets.translator import TABLE_METADATA
from lakehouse_assets.contracts.environment import data_root
from lakehouse_assets.contracts.project import Project
from lakehouse_assets.engine.failures import explained_failures
from lakehouse_assets.engine.resource import SparkResource
from lakehouse_assets.io.metadata_keys import PARTITION_ROW_COUNT, ROW_COUNT
from lakehouse_assets.io.table_write import TableWrite
from lakehouse_assets.io.upstream import read_partitions, require_materialized
from lakehouse_assets.io.user_frames import FrameKind, from_arrow, requested_kind, to_arrow
from lakehouse_assets.io.user_tables import (
    UserTable,
    keys_are_days,
    read_arrow,
    read_user_table,
    require_written,
    user_table,
)
from lakehouse_assets.io.user_write import write_user_table
from lakehouse_assets.project_loader import load_project_or_raise
from lakehouse_assets.tables.location import locate_key
from lakehouse_assets.tables.physical import INGESTED_DATE


def _metadata_value(key: str, value: Any) -> Any:
    if key == "path":
        return MV.path(value)
    if key in ("delta_version", ROW_COUNT, PARTITION_ROW_COUNT):
        return MV.int(value)
    return value


class DeltaIOManager(ConfigurableIOManager):
    spark: ResourceDependency[SparkResource]
    project_dir: str | None = None
    env: str | None = None
    data_dir: str | None = None  # where relative environment paths point ($LAKEHOUSE_DATA_ROOT)
    _project: Project | None = PrivateAttr(default=None)

    def project(self) -> Project:
        if self._project is None:
            self._project = load_project_or_raise(self.project_dir, self.env, self.data_dir)
        return self._project

    def handle_output(self, context: OutputContext, obj: Any) -> None:
        if isinstance(obj, TableWrite):
            with explained_failures(obj.asset.key_string):
                facts = obj.execute()
            context.add_output_metadata({k: _metadata_value(k, v) for k, v in facts.items()})
            return
        label = context.asset_key.to_user_string() if context.has_asset_key else context.name
        partitions = list(context.asset_partition_keys) if context.has_asset_partitions else None
        with explained_failures(label):
            if not context.has_asset_key:
                raise ValueError(f"{label}: the Delta IO manager stores assets' outputs only")
            table = self._user_table(
                label, context.asset_key.path, context.definition_metadata, bool(partitions)
            )
            days = keys_are_days(context.asset_partitions_def) if partitions else False
            metadata = write_user_table(table, to_arrow(obj, label), partitions, days)
        context.add_output_metadata(metadata)

    def _user_table(self, label: str, key: Any, metadata: Any, partitioned: bool) -> UserTable:
        """A user asset's table: from its metadata, under this project's paths."""
        root = Path(self.data_dir).resolve() if self.data_dir else data_root()
        paths = self.project().environment.paths
        return user_table(label, key, metadata, paths, root, partitioned)

    def _reader(self, context: InputContext) -> str:
        """The asset reading this input: its op is named by its key joined with `__`."""
        op = context.op_def.name
        keys = (a.key_string for a in self.project().assets.values() if "__".join(a.key) == op)
        return next(keys, op)

    def _table_key(self, context: InputContext) -> Any:
        """The contract key behind the input's asset: its spec records it (the translator may
        have given the asset another key); any other asset is named by its key."""
        upstream = context.upstream_output
        recorded = upstream.definition_metadata.get(TABLE_METADATA) if upstream else None
        return tuple(str(recorded).split("/")) if recorded else tuple(context.asset_key.path)

    def load_input(self, context: InputContext) -> Any:
        key = self._table_key(context)
        partitions = list(context.asset_partition_keys) if context.has_asset_partitions else None
        kind = requested_kind(context.dagster_type.typing_type)
        with explained_failures("/".join(key)):
            project = self.project()
            if key not in project.assets and key not in project.external:
                return self._load_user(context, partitions, kind)
            # Only bronze stores its day as a column; a silver table holds the current state,
            # which a partition of it does not narrow.
            if project.assets.get(key) is None or project.assets[key].kind != "bronze":
                partitions = None
            spark = self.spark.get_session()
            require_materialized(
                spark,
                project,
                (key,),
                self.spark.capabilities,
                self._reader(context),
                partitions[0] if partitions and len(partitions) == 1 else None,
            )
            location = locate_key(project, key, self.spark.capabilities)
            if kind != "spark" and location.path:  # what delta-rs reads: no engine needed
                return from_arrow(read_arrow(location.path, INGESTED_DATE, partitions), kind)
            df = read_partitions(spark, location, partitions)
            return df if kind == "spark" else from_arrow(df.toArrow(), kind)

    def _load_user(
        self, context: InputContext, partitions: list[str] | None, kind: FrameKind
    ) -> Any:
        """A user asset's table, located by the upstream asset's own metadata."""
        upstream = context.upstream_output
        assert upstream is not None  # an asset input always has its upstream output
        table = self._user_table(
            context.asset_key.to_user_string(),
            context.asset_key.path,
            upstream.definition_metadata,
            bool(partitions),
        )
        require_written(table, self._reader(context), partitions)
        spark = self.spark.get_session() if kind == "spark" else None
        return read_user_table(table, kind, partitions, spark)
