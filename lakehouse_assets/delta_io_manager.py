"""The Delta IO manager: Dagster's side of every table write, and upstream reads for assets
that take a lakehouse table as an input.

A write arrives as a `TableWrite` (io/table_write.py) that already holds its table, so
`handle_output` only executes it and records its facts. `load_input` reads the upstream table,
filtered to the run's partitions; it loads the contracts once per IO manager instance.
It sits with the entry points because it wires Dagster to the loaded project.

No `from __future__ import annotations`: Dagster resolves ResourceDependency at runtime."""

from typing import TYPE_CHECKING, Any

from dagster import ConfigurableIOManager, InputContext, OutputContext, ResourceDependency
from dagster import MetadataValue as MV
from pydantic import PrivateAttr

from lakehouse_assets.assets.translator import TABLE_METADATA
from lakehouse_assets.contracts.project import Project
from lakehouse_assets.engine.failures import explained_failures
from lakehouse_assets.engine.resource import SparkResource
from lakehouse_assets.io.table_write import TableWrite
from lakehouse_assets.io.upstream import read_partitions, require_materialized
from lakehouse_assets.io.writer import PARTITION_ROW_COUNT, ROW_COUNT
from lakehouse_assets.project_loader import load_project_or_raise
from lakehouse_assets.tables.location import locate_key

if TYPE_CHECKING:
    from pyspark.sql import DataFrame


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

    def handle_output(self, context: OutputContext, obj: TableWrite) -> None:
        if not isinstance(obj, TableWrite):
            raise TypeError(
                f"{context.asset_key.to_user_string()}: the Delta IO manager writes "
                "what a lakehouse table asset yields (a TableWrite), got "
                f"{type(obj).__name__}"
            )
        with explained_failures(obj.asset.key_string):
            facts = obj.execute()
        context.add_output_metadata({k: _metadata_value(k, v) for k, v in facts.items()})

    def _reader(self, context: InputContext) -> str:
        """The asset reading this input: its op is named by its key joined with `__`."""
        op = context.op_def.name
        keys = (a.key_string for a in self.project().assets.values() if "__".join(a.key) == op)
        return next(keys, op)

    def _table_key(self, context: InputContext) -> Any:
        """The contract key behind the input's asset: its spec records it (the translator may
        have given the asset another key); an asset without one is named by its key."""
        upstream = context.upstream_output
        recorded = upstream.definition_metadata.get(TABLE_METADATA) if upstream else None
        return tuple(str(recorded).split("/")) if recorded else tuple(context.asset_key.path)

    def load_input(self, context: InputContext) -> "DataFrame":
        key = self._table_key(context)
        with explained_failures("/".join(key)):
            spark, project = self.spark.get_session(), self.project()
            # Only bronze stores its day as a column; a silver table holds the current state,
            # which a partition of it does not narrow.
            built = project.assets.get(key)
            by_day = context.has_asset_partitions and built is not None and built.kind == "bronze"
            partitions = list(context.asset_partition_keys) if by_day else None
            require_materialized(
                spark,
                project,
                (key,),
                self.spark.capabilities,
                self._reader(context),
                partitions[0] if partitions and len(partitions) == 1 else None,
            )
            location = locate_key(project, key, self.spark.capabilities)
            return read_partitions(spark, location, partitions)
