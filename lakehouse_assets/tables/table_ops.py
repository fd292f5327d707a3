"""Table maintenance through one port, two adapters: Spark SQL where the engine has it,
delta-rs on table paths (local or object storage, opened by lakehouse_assets.storage) where
it does not (Sail: no DESCRIBE HISTORY, no ALTER TABLE...)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from lakehouse_assets.contracts.models import Column
from lakehouse_assets.engine.capabilities import Capabilities
from lakehouse_assets.engine.delta_types import delta_type
from lakehouse_assets.storage.delta import delta_table, write_delta
from lakehouse_assets.tables import alter_sql
from lakehouse_assets.tables.location import TableLocation
from lakehouse_assets.tables.physical import partition_expression, partition_filter

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


class TableOps(Protocol):
    def version(self) -> int: ...
    def rows_in_partitions(self, column: str, days: list[str]) -> int: ...
    def row_count(self) -> int: ...
    def history(self, limit: int | None = None) -> list[dict[str, Any]]: ...
    def set_properties(self, props: dict[str, str]) -> None: ...
    def add_columns(self, columns: list[Column]) -> None: ...
    # Safe migrations (lakehouse_assets.migrations).
    def set_table_comment(self, comment: str) -> None: ...
    def set_column_comment(self, column: str, comment: str) -> None: ...
    def drop_not_null(self, column: str) -> None: ...
    def widen_column(self, column: str, new_type: str) -> None: ...


def arrow_type(spark_type: str) -> Any:
    """Contract type -> pyarrow type (the widening targets delta-rs rewrites to)."""
    import pyarrow as pa

    if spark_type.startswith("DECIMAL"):
        p, s = spark_type[8:-1].split(",")
        return pa.decimal128(int(p), int(s))
    return {
        "BIGINT": pa.int64(),
        "INT": pa.int32(),
        "SMALLINT": pa.int16(),
        "DOUBLE": pa.float64(),
        "FLOAT": pa.float32(),
        "TIMESTAMP_NTZ": pa.timestamp("us"),
    }[spark_type]


class DeltaRsTableOps:
    def __init__(self, path: str):
        self._table = delta_table(path)

    def version(self) -> int:
        return int(self._table.version())

    def rows_in_partitions(self, column: str, days: list[str]) -> int:
        """From the log's per-file row counts when the column partitions the table: no scan."""
        import pyarrow as pa
        import pyarrow.compute as pc

        files = pa.table(self._table.get_add_actions(flatten=True))  # arro3 -> pyarrow
        values = f"partition.{column}"
        if values in files.column_names and files["num_records"].null_count == 0:
            hit = pc.is_in(pc.cast(files[values], pa.string()), value_set=pa.array(days))
            return int(pc.sum(files["num_records"].filter(hit)).as_py() or 0)
        data = self._table.to_pyarrow_dataset()
        return data.count_rows(filter=partition_expression(column, days))

    def row_count(self) -> int:
        """From the log's per-file row counts (no scan) when every file has them."""
        import pyarrow as pa
        import pyarrow.compute as pc

        files = pa.table(self._table.get_add_actions(flatten=True))
        if files.num_rows and files["num_records"].null_count == 0:
            return int(pc.sum(files["num_records"]).as_py() or 0)
        return self._table.to_pyarrow_dataset().count_rows()

    def history(self, limit: int | None = None) -> list[dict[str, Any]]:
        return list(self._table.history(limit))

    def set_properties(self, props: dict[str, str]) -> None:
        self._table.alter.set_table_properties(props, raise_if_not_exists=False)

    def add_columns(self, columns: list[Column]) -> None:
        from deltalake import Field

        fields = [
            Field(
                c.name,
                delta_type(c.type),
                nullable=True,
                metadata={"comment": c.comment} if c.comment else None,
            )
            for c in columns
        ]
        self._table.alter.add_columns(fields)

    def set_table_comment(self, comment: str) -> None:
        self._table.alter.set_table_description(comment)

    def set_column_comment(self, column: str, comment: str) -> None:
        self._table.alter.set_column_metadata(column, {"comment": comment})

    def drop_not_null(self, column: str) -> None:
        self._table.alter.drop_column_not_null(column)

    def widen_column(self, column: str, new_type: str) -> None:
        """delta-rs cannot change a type in place: rewrite the table (old versions stay for
        time travel), keeping partitioning, description and properties."""
        import pyarrow as pa

        data = self._table.to_pyarrow_table()
        field = data.schema.field(column).with_type(arrow_type(new_type))
        data = data.set_column(
            data.schema.get_field_index(column), field, data.column(column).cast(field.type)
        )
        meta = self._table.metadata()
        write_delta(
            self._table,
            pa.Table.from_batches(data.to_batches(), data.schema),
            mode="overwrite",
            schema_mode="overwrite",
            partition_by=list(meta.partition_columns) or None,
        )
        self._table.update_incremental()


class SparkSqlTableOps:
    def __init__(self, spark: SparkSession, location: TableLocation):
        self._spark = spark
        self._ref = location.sql_ref

    def _rows(self, sql: str) -> list[dict[str, Any]]:
        return [r.asDict() for r in self._spark.sql(sql).collect()]

    def version(self) -> int:
        return int(self._rows(f"DESCRIBE HISTORY {self._ref} LIMIT 1")[0]["version"])

    def rows_in_partitions(self, column: str, days: list[str]) -> int:
        where = partition_filter(column, days)
        return int(self._rows(f"SELECT count(*) AS n FROM {self._ref} WHERE {where}")[0]["n"])

    def row_count(self) -> int:
        return int(self._rows(f"SELECT count(*) AS n FROM {self._ref}")[0]["n"])

    def history(self, limit: int | None = None) -> list[dict[str, Any]]:
        suffix = f" LIMIT {int(limit)}" if limit else ""
        return self._rows(f"DESCRIBE HISTORY {self._ref}{suffix}")

    def set_properties(self, props: dict[str, str]) -> None:
        self._spark.sql(alter_sql.set_properties_sql(self._ref, props))

    def add_columns(self, columns: list[Column]) -> None:
        self._spark.sql(alter_sql.add_columns_sql(self._ref, columns))

    def set_table_comment(self, comment: str) -> None:
        self._spark.sql(alter_sql.table_comment_sql(self._ref, comment)).collect()

    def set_column_comment(self, column: str, comment: str) -> None:
        self._spark.sql(alter_sql.column_comment_sql(self._ref, column, comment)).collect()

    def drop_not_null(self, column: str) -> None:
        self._spark.sql(alter_sql.drop_not_null_sql(self._ref, column)).collect()

    def widen_column(self, column: str, new_type: str) -> None:
        # Delta type widening (Databricks, Delta 3.2+): enable the feature, then change the type.
        self.set_properties({"delta.enableTypeWidening": "true"})
        self._spark.sql(alter_sql.widen_type_sql(self._ref, column, new_type)).collect()


def table_ops(spark: SparkSession, location: TableLocation, capabilities: Capabilities) -> TableOps:
    if capabilities.sql_table_maintenance:
        return SparkSqlTableOps(spark, location)
    if location.path is not None:
        return DeltaRsTableOps(location.path)
    raise RuntimeError(
        f"{location.label}: {capabilities.missing('maintain tables')} and the "
        "table has no path for delta-rs"
    )
