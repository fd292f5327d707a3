"""What each engine can do, decided in one place."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Capabilities:
    engine: str
    # Tables are addressed as delta.`path` (local lakehouse) rather than catalog.schema.table.
    tables_by_path: bool
    # CREATE TABLE delta.`path` (...) works; otherwise a table is created under a name + LOCATION.
    create_table_at_path: bool
    # The hidden _metadata.file_path column of file sources (else files are read one by one).
    file_metadata_column: bool
    change_data_feed: bool
    # DESCRIBE HISTORY, ALTER TABLE (ADD COLUMNS, ALTER COLUMN, SET TBLPROPERTIES) and COMMENT
    # ON TABLE in Spark SQL; without it the delta-rs adapter maintains tables on local paths.
    sql_table_maintenance: bool
    # Unity Catalog: managed tables by name, column masks and GRANTs.
    unity_catalog: bool
    # MERGE reads only the target files the batch's keys can match. Without it (Sail 0.7 joins
    # the batch against the whole table) the writer merges the batch's key slice and writes it
    # back with delta-rs, so a merge costs what the batch costs (io/key_slice_merge.py).
    merge_prunes_files: bool
    # Landing file formats its reader takes (Sail has no ORC; classic Spark reads Avro only
    # with the spark-avro package, which our `spark` mode does not add).
    file_formats: frozenset[str]
    # CREATE TABLE ... (c T DEFAULT expr) with the allowColumnDefaults table feature. Not used
    # on Sail: delta-rs, which writes our merges there, does not take that writer feature, so
    # defaults are filled on write instead (same values).
    column_defaults: bool
    # Landing files are listed through the session (Databricks SQL `LIST`), not the local disk:
    # the Dagster host may be outside the workspace that sees /Volumes/... and cloud paths.
    lists_files_in_session: bool = False
    # CREATE TABLE ... CLUSTER BY (Delta liquid clustering): delta-spark 3.1+ and Databricks.
    liquid_clustering: bool = False
    # json_object_keys(): Sail's local-cluster mode cannot ship it to its workers (0.7.2:
    # "no UDF found for json_object_keys"); the keys then come from the parsed map instead.
    json_object_keys: bool = True
    # Spark's Kafka source (spark-sql-kafka-0-10, fetched with the Delta jars by
    # .ci/fetch_jars.sh) reads a bronze day's offset ranges; without it the Dagster host reads
    # them with confluent-kafka and hands the session an Arrow table (same rows either way).
    kafka_source: bool = False

    def missing(self, feature: str) -> str:
        return f"the {self.engine} engine cannot {feature}"


SAIL = Capabilities(
    engine="sail", tables_by_path=True, create_table_at_path=False,
    file_metadata_column=False, change_data_feed=False, sql_table_maintenance=False,
    unity_catalog=False, merge_prunes_files=False,
    file_formats=frozenset({"json", "csv", "parquet", "avro", "text"}), column_defaults=False,
)  # fmt: skip
# Apache Spark 4.2 + Delta 4.4, classic or behind a Spark Connect server (connect_profile
# spark): each value tried on the engine by bench/engine_capabilities.py (README, "Running
# beyond your laptop"). Its MERGE rewrites only the files holding matched keys (1 of 4 in the
# probe) and runs as a distributed join, so the writer uses it as is; Avro needs the
# spark-avro package, which pyspark does not ship.
SPARK = Capabilities(
    engine="spark", tables_by_path=True, create_table_at_path=True,
    file_metadata_column=True, change_data_feed=True, sql_table_maintenance=True,
    unity_catalog=False, merge_prunes_files=True,
    file_formats=frozenset({"json", "csv", "parquet", "orc", "text"}), column_defaults=True,
    liquid_clustering=True, kafka_source=True,
)  # fmt: skip
DATABRICKS = Capabilities(
    engine="databricks", tables_by_path=False, create_table_at_path=True,
    file_metadata_column=True, change_data_feed=True, sql_table_maintenance=True,
    unity_catalog=True, merge_prunes_files=True,
    file_formats=frozenset({"json", "csv", "parquet", "avro", "orc", "text"}),
    column_defaults=True, lists_files_in_session=True, liquid_clustering=True,
)  # fmt: skip
SAIL_CLUSTER = replace(SAIL, engine="sail (local-cluster)", json_object_keys=False)
PROFILES = {"sail": SAIL, "spark": SPARK, "databricks": DATABRICKS}


def embedded_sail() -> Capabilities:
    """The embedded engine's, as $LAKEHOUSE_SAIL_MODE runs it (engine/sail_server.py)."""
    cluster = os.environ.get("LAKEHOUSE_SAIL_MODE", "").strip() == "local-cluster"
    return SAIL_CLUSTER if cluster else SAIL
