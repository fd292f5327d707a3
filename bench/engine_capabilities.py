"""Try, on a live engine, each Delta/Spark feature the capabilities object decides on, and
print what worked (the facts behind engine/capabilities.py):

    python bench/engine_capabilities.py local
    python bench/engine_capabilities.py spark spark_jars=.cache/jars   (classic: own process)
    python bench/engine_capabilities.py connect connect_url=sc://HOST:PORT connect_profile=spark

Each probe runs in a fresh temp folder; a failure prints the first line of its error."""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lakehouse_assets.engine.resource import SparkResource


def probes(spark: Any, root: Path) -> dict[str, Callable[[], Any]]:
    def table(name: str, props: str = "", rows: int = 4, files: int = 1) -> str:
        """A Delta table created by name + LOCATION (works on every engine); its path ref."""
        path = root / name
        tblprops = f" TBLPROPERTIES ({props})" if props else ""
        spark.sql(
            f"CREATE TABLE {name} USING delta LOCATION '{path}'{tblprops} AS "
            f"SELECT CAST(id AS INT) AS id, CAST(id AS STRING) AS v FROM range({rows})"
        ).collect()
        for n in range(1, files):  # more files, disjoint key ranges
            spark.sql(
                f"INSERT INTO {name} SELECT CAST(id AS INT) AS id, CAST(id AS STRING) AS v "
                f"FROM range({n * 1000}, {n * 1000 + rows})"
            ).collect()
        return f"delta.`{path}`"

    def cdf() -> Any:
        ref = table("cdf", "'delta.enableChangeDataFeed' = 'true'")
        spark.sql(f"UPDATE {ref} SET v = 'x' WHERE id = 1").collect()
        changes = spark.read.format("delta").option("readChangeFeed", "true")
        return changes.option("startingVersion", 0).load(str(root / "cdf")).count()

    def merge_pruning() -> Any:
        ref = table("m", rows=100, files=4)
        spark.sql(
            f"MERGE INTO {ref} t USING (SELECT 1001 AS id, 'y' AS v) s ON t.id = s.id "
            "WHEN MATCHED THEN UPDATE SET v = s.v WHEN NOT MATCHED THEN INSERT *"
        ).collect()
        from deltalake import DeltaTable  # the log's metrics, whichever engine wrote them

        metrics = DeltaTable(str(root / "m")).history(1)[0].get("operationMetrics", {})
        keys = ("numTargetFilesRemoved", "numTargetFilesAdded", "numTargetRowsCopied")
        return {k: metrics.get(k) for k in keys}

    def file_path() -> Any:
        (root / "j").mkdir()
        (root / "j" / "a.json").write_text('{"a": 1}\n')
        read = spark.read.format("json").load(str(root / "j"))
        return read.select("_metadata.file_path").collect()[0][0]

    def defaults() -> Any:
        path = root / "d"
        spark.sql(
            f"CREATE TABLE d (id INT, v STRING DEFAULT 'dflt') USING delta LOCATION '{path}' "
            "TBLPROPERTIES ('delta.feature.allowColumnDefaults' = 'supported')"
        ).collect()
        spark.sql("INSERT INTO d (id) VALUES (1)").collect()
        return spark.sql("SELECT v FROM d").collect()[0][0]

    def file_format(fmt: str) -> Callable[[], Any]:
        def run() -> Any:  # written by the same engine: a reader-only engine shows "no"
            spark.range(3).write.format(fmt).save(str(root / fmt))
            return spark.read.format(fmt).load(str(root / fmt)).count()

        return run

    def create_at_path() -> Any:
        spark.sql(f"CREATE TABLE delta.`{root / 'p'}` (id INT) USING delta").collect()
        return "created"

    def history() -> Any:
        return len(spark.sql(f"DESCRIBE HISTORY {table('h')}").collect())

    def sql(name: str, statement: str) -> Callable[[], Any]:
        def run() -> Any:
            return len(spark.sql(statement.format(ref=table(name, rows=10, files=3))).collect())

        return run

    return {
        "CREATE TABLE delta.`path`": create_at_path,
        "Change Data Feed write + read": cdf,
        "DESCRIBE HISTORY": history,
        "OPTIMIZE": sql("o", "OPTIMIZE {ref}"),
        "OPTIMIZE ZORDER BY": sql("z", "OPTIMIZE {ref} ZORDER BY (id)"),
        "VACUUM": sql("vac", "VACUUM {ref} RETAIN 168 HOURS"),
        "ALTER TABLE ADD COLUMNS": sql("a", "ALTER TABLE {ref} ADD COLUMNS (extra INT)"),
        "MERGE of 1 key into 4 files": merge_pruning,
        "_metadata.file_path": file_path,
        "DEFAULT columns": defaults,
        "Avro": file_format("avro"),
        "ORC": file_format("orc"),
    }


def main(mode: str, *settings: str) -> None:
    resource = SparkResource(mode=mode, **dict(s.split("=", 1) for s in settings))  # type: ignore[arg-type]
    spark = resource.get_session()
    results: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n, name in enumerate(probes(spark, Path(tmp))):
            folder = Path(tmp) / f"p{n}"
            folder.mkdir()
            try:
                results[name] = f"yes: {probe_in(spark, folder, name)}"
            except Exception as exc:  # a probe's failure is its result
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                results[name] = f"no: {first[:160]}"
    resource.stop()
    for name, result in results.items():
        print(f"| {name} | {result} |")
    print(json.dumps(results))


def probe_in(spark: Any, folder: Path, name: str) -> Any:
    return probes(spark, folder)[name]()


if __name__ == "__main__":
    main(*sys.argv[1:])
