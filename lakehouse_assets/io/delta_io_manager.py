"""The Delta IO manager: owns every write (create, replace partition, merge, overwrite) and
loads upstream tables filtered to the partitions a run needs.

No `from __future__ import annotations`: Dagster resolves ResourceDependency at runtime."""

from typing import TYPE_CHECKING, Any

from dagster import ConfigurableIOManager, InputContext, OutputContext, ResourceDependency
from dagster import MetadataValue as MV

from lakehouse_assets.contracts.project import Project, TableAsset
from lakehouse_assets.engine.failures import explained_failures
from lakehouse_assets.engine.resource import SparkResource
from lakehouse_assets.io.batch import TableBatch
from lakehouse_assets.io.project_cache import get_project
from lakehouse_assets.io.upstream import require_materialized
from lakehouse_assets.io.writer import TableWriterForAsset, read_partitions
from lakehouse_assets.tables.location import locate_key

if TYPE_CHECKING:
    from pyspark.sql import DataFrame


def _metadata_value(key: str, value: Any) -> Any:
    if key == "path":
        return MV.path(value)
    if key == "delta_version":
        return MV.int(value)
    return value


class DeltaIOManager(ConfigurableIOManager):
    spark: ResourceDependency[SparkResource]
    project_dir: str | None = None
    env: str | None = None

    def _project(self) -> Project:
        return get_project(self.project_dir, self.env)

    def _asset(self, key_path: list[str]) -> TableAsset:
        return self._project().asset(key_path)

    def handle_output(self, context: OutputContext, obj: TableBatch) -> None:
        if not isinstance(obj, TableBatch):
            raise TypeError(f"{context.asset_key.to_user_string()}: the Delta IO manager writes "
                            f"a TableBatch, got {type(obj).__name__}")
        asset = self._asset(context.asset_key.path)
        with explained_failures(asset.key_string):
            writer = TableWriterForAsset(self.spark.get_session(), self.spark.capabilities,
                                         self._project(), asset)
            facts = writer.write(obj, context.run_id)
        context.add_output_metadata({k: _metadata_value(k, v) for k, v in facts.items()})

    def _reader(self, context: InputContext) -> str:
        """The asset reading this input: its op is named by its key joined with `__`."""
        op = context.op_def.name
        keys = (a.key_string for a in self._project().assets.values() if "__".join(a.key) == op)
        return next(keys, op)

    def load_input(self, context: InputContext) -> "DataFrame":
        key: Any = tuple(context.asset_key.path)
        partitions = list(context.asset_partition_keys) if context.has_asset_partitions else None
        label = "/".join(key)
        with explained_failures(label):
            spark = self.spark.get_session()
            require_materialized(spark, self._project(), (key,), self.spark.capabilities,
                                 self._reader(context),
                                 partitions[0] if partitions and len(partitions) == 1 else None)
            location = locate_key(self._project(), key, self.spark.capabilities)
            return read_partitions(spark, location, partitions)
