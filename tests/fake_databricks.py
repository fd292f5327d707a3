"""A Databricks session for tests: no workspace can exist here, so SQL runs on the embedded Sail
engine, but what a Unity Catalog workspace rejects is rejected, with Databricks' error classes:

- `LIST '<path>'` only on /Volumes/... or cloud storage, and a path that does not exist fails
  (`[PATH_NOT_FOUND]`); /Volumes/<rest> is served from a local folder;
- a table in a schema nobody created (`[SCHEMA_NOT_FOUND]`);
- path-based Delta access or a table LOCATION on the local disk (Unity Catalog only knows
  /Volumes and cloud storage) (`[UC_FILE_SCHEME_FOR_TABLE_CREATION_NOT_SUPPORTED]`,
  `[UC_COMMAND_NOT_SUPPORTED...]`).

Unity Catalog names (`cat`.`schema`.`table`) become Sail tables at a warehouse folder, in SQL,
`spark.table` and (inside `routed_writes()`) `saveAsTable`; CLUSTER BY (which Sail lacks) is
recorded, then dropped; DESCRIBE HISTORY / DETAIL (which Sail lacks) are answered from the
table's Delta log with delta-rs. Everything else is Sail's own behaviour.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyspark.errors import AnalysisException

CLOUD = ("s3://", "s3a://", "abfss://", "gs://", "r2://")
# `a`.`b`.`c` or a.b.c (plain identifiers, as our SQL writes them)
NAME3 = r"`?(\w+)`?\.`?(\w+)`?\.`?(\w+)`?"
NAME2 = r"`?(\w+)`?\.`?(\w+)`?"
QUOTED3 = r"`(\w+)`\.`(\w+)`\.`(\w+)`"  # our SQL quotes every Unity Catalog name


def databricks_error(error_class: str, message: str, sqlstate: str) -> AnalysisException:
    return AnalysisException(f"[{error_class}] {message} SQLSTATE: {sqlstate}")


@dataclass
class FakeCatalog:
    owner: FakeDatabricksSession

    def tableExists(self, name: str) -> bool:
        return _key(name) in self.owner.tables

    def __getattr__(self, name: str) -> Any:  # temp views etc.: Sail's own
        return getattr(self.owner.sail.catalog, name)


@dataclass
class FakeReader:
    """spark.read whose paths are workspace paths (served from the fake's volume folder)."""

    owner: FakeDatabricksSession
    reader: Any

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.reader, name)
        if name in ("text", "csv", "json", "parquet", "load"):

            def read(paths: Any = None, *args: Any, **kwargs: Any) -> Any:
                many = [paths] if isinstance(paths, str) else list(paths or [])
                local = [self.owner.local_path(p) for p in many]
                return attr(local if not isinstance(paths, str) else local[0], *args, **kwargs)

            return read
        if callable(attr):

            def chained(*args: Any, **kwargs: Any) -> Any:
                result = attr(*args, **kwargs)
                return FakeReader(self.owner, result) if result is not None else result

            return chained
        return attr


def _key(name: str) -> str:
    return ".".join(part.strip("`") for part in name.split(".")).lower()


@dataclass
class FakeDatabricksSession:
    sail: Any  # the embedded engine's SparkSession
    volumes: Path  # what /Volumes/ holds
    warehouse: Path  # where managed tables' files go
    schemas: set[str] = field(default_factory=set)
    tables: dict[str, str] = field(default_factory=dict)  # cat.schema.table -> Sail name
    clustered: dict[str, list[str]] = field(default_factory=dict)
    statements: list[str] = field(default_factory=list)

    @property
    def catalog(self) -> FakeCatalog:
        return FakeCatalog(self)

    @property
    def read(self) -> FakeReader:
        return FakeReader(self, self.sail.read)

    def local_path(self, path: str) -> str:
        """/Volumes/<rest> -> the folder that serves it; anything else is refused as on
        Databricks (Unity Catalog reads no local disk)."""
        if not path.startswith("/Volumes/"):
            raise databricks_error(
                "UC_COMMAND_NOT_SUPPORTED.WITHOUT_RECOMMENDATION",
                f"Path-based access to a local file system is not supported: {path}.",
                "0AKUC",
            )
        local = self.volumes / path.removeprefix("/Volumes/")
        if not local.exists():
            raise databricks_error("PATH_NOT_FOUND", f"Path does not exist: {path}.", "42K03")
        return str(local)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.sail, name)

    def table(self, name: str) -> Any:
        return self.sail.table(self._names(name))

    @contextlib.contextmanager
    def routed_writes(self) -> Iterator[None]:
        """DataFrames are Sail's own, so `df.write.saveAsTable(name)` goes to Sail, not through
        this session: while this is on, a Unity Catalog name is swapped for the Sail table
        behind it; a new name in a created schema becomes a managed table (as on Databricks),
        in a schema nobody created it fails with [SCHEMA_NOT_FOUND]."""
        from pyspark.sql.connect.readwriter import DataFrameWriter

        original = DataFrameWriter.saveAsTable

        def save(writer: Any, name: str, *args: Any, **kwargs: Any) -> Any:
            parts = [p.strip("`") for p in name.split(".")]
            if len(parts) != 3:
                return original(writer, name, *args, **kwargs)
            key = ".".join(parts).lower()
            if key not in self.tables:
                self._require_schema(*parts[:2])
                sail_name, where = self._sail_table(*parts)
                writer = writer.option("path", str(where))
                self.tables[key] = sail_name
            return original(writer, self.tables[key], *args, **kwargs)

        DataFrameWriter.saveAsTable = save  # type: ignore[method-assign]
        try:
            yield
        finally:
            DataFrameWriter.saveAsTable = original  # type: ignore[method-assign]

    # --- SQL -------------------------------------------------------------------------------

    def sql(self, query: str) -> Any:
        self.statements.append(query)
        text = query.strip()
        if re.search(r"delta\.`(?!s3|abfss|gs)", text):
            raise databricks_error(
                "UC_COMMAND_NOT_SUPPORTED.WITHOUT_RECOMMENDATION",
                "Path-based access to a local file system is not supported in Unity Catalog.",
                "0AKUC",
            )
        listing = re.fullmatch(r"LIST\s+'(.*)'", text, re.I | re.S)
        if listing:
            return self._list(listing.group(1))
        schema = re.fullmatch(rf"CREATE SCHEMA IF NOT EXISTS {NAME2}", text, re.I)
        if schema:
            self.schemas.add(f"{schema.group(1)}.{schema.group(2)}".lower())
            return self.sail.sql("SELECT 1 AS created").limit(0)
        describe = re.fullmatch(
            rf"DESCRIBE (HISTORY|DETAIL) {QUOTED3}(?:\s+LIMIT (\d+))?", text, re.I
        )
        if describe:
            return self._describe(describe)
        create = re.match(rf"CREATE TABLE IF NOT EXISTS {NAME3}\s*\((.*)$", text, re.I | re.S)
        if create:
            return self._create(create)
        return self.sail.sql(self._names(text))

    def _list(self, path: str) -> Any:
        if not (path.startswith("/Volumes/") or path.startswith(CLOUD)):
            raise databricks_error(
                "UC_FILE_SCHEME_FOR_TABLE_CREATION_NOT_SUPPORTED",
                f"LIST is only supported on Unity Catalog volumes and external locations, "
                f"not {path}.",
                "0AKUC",
            )
        local = self.volumes / path.removeprefix("/Volumes/")
        if not local.exists():
            raise databricks_error("PATH_NOT_FOUND", f"Path does not exist: {path}.", "42K03")
        rows = []
        for child in sorted(local.iterdir()) if local.is_dir() else [local]:
            stat = child.stat()
            name = child.name + ("/" if child.is_dir() else "")
            shown = (
                "/Volumes/" + str(child.relative_to(self.volumes)) + ("/" if child.is_dir() else "")
            )
            rows.append(
                (shown, name, 0 if child.is_dir() else stat.st_size, int(stat.st_mtime * 1000))
            )
        schema = "path STRING, name STRING, size BIGINT, modification_time BIGINT"
        return self.sail.createDataFrame(rows, schema)

    def _create(self, match: re.Match[str]) -> Any:
        catalog, schema, table, rest = match.groups()
        self._require_schema(catalog, schema)
        location = re.search(r"LOCATION\s+'([^']*)'", rest, re.I)
        if location and not location.group(1).startswith(("/Volumes/", *CLOUD)):
            raise databricks_error(
                "UC_FILE_SCHEME_FOR_TABLE_CREATION_NOT_SUPPORTED",
                f"Creating table in Unity Catalog with file scheme {location.group(1)} is not "
                "supported.",
                "0AKUC",
            )
        key = f"{catalog}.{schema}.{table}".lower()
        columns, tail = _split_columns(rest)
        cluster = re.search(r"CLUSTER BY \(([^)]*)\)", tail, re.I)
        if cluster:
            self.clustered[key] = [c.strip(" `") for c in cluster.group(1).split(",")]
        partitioned = re.search(r"PARTITIONED BY \([^)]*\)", tail, re.I)
        others = re.sub(
            r"USING delta|CLUSTER BY \([^)]*\)|PARTITIONED BY \([^)]*\)|LOCATION '[^']*'",
            "",
            tail,
            flags=re.I,
        ).strip()
        name, where = self._sail_table(catalog, schema, table)
        statement = (
            f"CREATE TABLE IF NOT EXISTS {name} ({columns}) USING delta "
            f"{partitioned.group(0) if partitioned else ''} LOCATION '{where}' {others}"
        )
        result = self.sail.sql(statement)
        self.tables[key] = name
        return result

    def _describe(self, match: re.Match[str]) -> Any:
        """DESCRIBE HISTORY / DETAIL, which Sail lacks: read from the table's Delta log with
        delta-rs, in Databricks' columns (newest version first)."""
        from datetime import datetime, timezone

        from deltalake import DeltaTable

        what, catalog, schema, table, limit = match.groups()
        self._names(f"`{catalog}`.`{schema}`.`{table}`")  # an unknown table fails as there
        delta = DeltaTable(str(self.warehouse / catalog / schema / table))
        if what.upper() == "HISTORY":
            rows = [
                (
                    int(h["version"]),
                    datetime.fromtimestamp(h["timestamp"] / 1000, timezone.utc),
                    str(h.get("operation")),
                )
                for h in delta.history(int(limit) if limit else None)
            ]
            schema_ = "version BIGINT, timestamp TIMESTAMP, operation STRING"
            return self.sail.createDataFrame(rows, schema_)
        meta = delta.metadata()
        row = (
            "delta",
            f"{catalog}.{schema}.{table}",
            list(meta.partition_columns),
            meta.description,
            {str(k): str(v) for k, v in meta.configuration.items()},
        )
        return self.sail.createDataFrame(
            [row],
            "format STRING, name STRING, partitionColumns ARRAY<STRING>, description STRING, "
            "properties MAP<STRING, STRING>",
        )

    def _require_schema(self, catalog: str, schema: str) -> None:
        if f"{catalog}.{schema}".lower() not in self.schemas:
            raise databricks_error(
                "SCHEMA_NOT_FOUND",
                f"The schema `{catalog}`.`{schema}` cannot be found. Verify the spelling and "
                "correctness of the schema and catalog.",
                "42704",
            )

    def _sail_table(self, catalog: str, schema: str, table: str) -> tuple[str, Path]:
        """The Sail name and folder of a managed table (its database created)."""
        # one Sail database per fake workspace: tests share the Sail session, not their tables
        database = "fake_uc_" + hashlib.sha1(str(self.warehouse).encode()).hexdigest()[:12]
        self.sail.sql(f"CREATE DATABASE IF NOT EXISTS {database}").collect()
        name = f"{database}.{catalog}__{schema}__{table}".lower()
        return name, self.warehouse / catalog / schema / table

    def _names(self, text: str) -> str:
        """Unity Catalog names -> the Sail tables behind them (unknown ones fail as on
        Databricks: the table does not exist)."""

        def swap(match: re.Match[str]) -> str:
            key = ".".join(match.groups()).lower()
            if key not in self.tables:
                raise databricks_error(
                    "TABLE_OR_VIEW_NOT_FOUND",
                    f"The table or view `{'`.`'.join(match.groups())}` cannot be found.",
                    "42P01",
                )
            return self.tables[key]

        return re.sub(QUOTED3, swap, text)


def _split_columns(rest: str) -> tuple[str, str]:
    """`cols) tail` (after CREATE TABLE name's opening parenthesis) -> (cols, tail)."""
    depth, quoted = 1, ""
    for i, ch in enumerate(rest):
        if quoted:
            quoted = "" if ch == quoted and rest[i - 1] != "\\" else quoted
        elif ch in "'`":
            quoted = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return rest[:i], rest[i + 1 :]
    raise ValueError(f"no closing parenthesis in {rest!r}")
