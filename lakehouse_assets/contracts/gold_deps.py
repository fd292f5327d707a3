"""Gold tables and what they read: the tables named in their SQL (inline or `sql_file`) or
declared by their Python builder, each resolved to the asset key that provides it. A gold
table whose inputs do not all resolve is not built (the reasons are reported)."""

from __future__ import annotations

from pathlib import Path

from lakehouse_assets.contracts.broken_files import BrokenFiles
from lakehouse_assets.contracts.gold_sql import TableName, tables_read
from lakehouse_assets.contracts.issues import IssueLog
from lakehouse_assets.contracts.placeholders import UnresolvedPlaceholder, resolve_text
from lakehouse_assets.contracts.project import AssetKeyPath, LoadedTable, Project, TableAsset


def gold_layer(table: LoadedTable) -> str:
    """SQL-built tables are gold unless the contract says silver."""
    return "silver" if table.declared_layer == "silver" else "gold"


class GoldDeps:
    def __init__(self, project: Project, log: IssueLog, broken: BrokenFiles):
        self.project = project
        self.log = log
        self.broken = broken

    def sql_asset(self, table: LoadedTable) -> TableAsset | None:
        """The asset of a table built by its SQL, if the SQL reads and resolves."""
        sql = self._sql(table)
        if sql is None:
            return None
        contract = table.contract
        try:
            refs = tables_read(sql)
        except ValueError as exc:
            self.log.add(
                table.file,
                "sql_file" if contract.sql_file else "sql",
                str(exc),
                "write Spark SQL naming tables as schema.table",
            )
            return None
        deps = [self.dep(table.file, ref) for ref in refs]
        if not all(deps):
            return None
        keys = tuple(d for d in deps if d)
        return TableAsset(
            (gold_layer(table), table.schema, table.name),
            "gold_sql",
            table,
            table.file,
            sql=sql,
            deps=tuple(dict.fromkeys(keys)),
            sql_refs=tuple(zip(refs, keys, strict=True)),
        )

    def python_asset(self, table: LoadedTable, reads: tuple[str, ...]) -> TableAsset | None:
        """The asset of a table built by a Python builder that reads `reads` (schema.table)."""
        names = [("", *d.split(".", 1)) for d in reads]
        deps = tuple(self.dep(table.file, n) for n in names)  # type: ignore[arg-type]
        if not all(deps):
            return None
        return TableAsset(
            ("gold", table.schema, table.name),
            "gold_python",
            table,
            table.file,
            deps=tuple(d for d in deps if d),
        )

    def _sql(self, table: LoadedTable) -> str | None:
        """The table's SQL, from `sql` or its `sql_file` with placeholders resolved."""
        contract = table.contract
        if not contract.sql_file:
            return contract.sql
        sql_path = (table.file.parent / contract.sql_file).resolve()
        if not sql_path.is_file():
            self.log.add(
                table.file,
                "sql_file",
                f"broken relative path: {contract.sql_file}",
                "sql_file is relative to the contract file",
            )
            return None
        try:
            return resolve_text(
                sql_path.read_text(encoding="utf-8"), self.project.environment, "sql_file"
            )
        except UnresolvedPlaceholder as exc:
            self.log.add(
                table.file,
                "sql_file",
                f"unresolved placeholder {exc.placeholder}",
                f"use one of {', '.join(exc.known)}",
            )
            return None

    def dep(self, file: Path, ref: TableName) -> AssetKeyPath | None:
        """The asset key a table name stands for; None after reporting why there is none
        (or silently, when the table is declared only by a broken file, which is told)."""
        catalog, schema, name = ref
        label = ".".join(p for p in ref if p)
        if not schema:
            self.log.add(
                file,
                "sql",
                f"table {name!r} needs its schema",
                "name tables as schema.table or {catalog.silver}.schema.table",
            )
            return None
        candidates = self._candidates(catalog, schema, name)
        if len(candidates) == 1:
            return candidates[0]
        broken = self.broken.naming(schema, name)
        if not candidates and broken:
            for target in broken:
                target.dependents.append(file)
            return None
        if not candidates:
            self.log.add(
                file,
                "sql",
                f"reads {label}, which no table contract declares",
                "add a table contract for it or fix the name",
            )
        else:
            self.log.add(
                file,
                "sql",
                f"{label} is ambiguous: " + ", ".join(".".join(c) for c in candidates),
                "qualify it with its catalog, e.g. {catalog.silver}." + f"{schema}.{name}",
            )
        return None

    def _candidates(self, catalog: str, schema: str, name: str) -> list[AssetKeyPath]:
        # Built tables win; an unbuilt contract (old version, scratch copy) is only a fallback.
        project = self.project
        candidates = [a.key for a in project.assets.values() if a.key[1:] == (schema, name)]
        candidates += [
            (gold_layer(t), schema, name)
            for t in project.tables
            if t.contract.has_sql and (t.schema, t.name) == (schema, name)
        ]
        if not candidates:
            candidates = [
                (t.declared_layer or "external", schema, name)
                for t in project.tables
                if (t.schema, t.name) == (schema, name)
            ]
        if catalog:
            by_catalog = [
                c for c in candidates if catalog in (c[0], project.environment.catalogs.get(c[0]))
            ]
            candidates = by_catalog or candidates
        return list(dict.fromkeys(candidates))
