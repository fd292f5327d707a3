"""Load a contract folder: every file below it, every problem reported at once.

Rules (issue 6): the asset graph is driven by ingestion and promotion contracts and by gold SQL
or registered Python gold builders. Other table contracts are loaded and validated, not built.

How problems are reported (issue 11), so that each mistake yields one message, where it was made:
- A contract file that does not load (syntax, shape, placeholder, validation) is "broken". Its
  own errors are reported; contracts that reference it (by path, or gold SQL by schema.table,
  taken from the broken file's text when it does not parse) report nothing about that reference.
  Instead the broken file gets one `info` issue naming the files that depend on it.
- Rules in `expectations` and entries of `columns` are validated one by one: a bad one is
  reported and the rest still loads, so later checks see them. A bad column stays as a stand-in
  (its name, type STRING) so that nothing reports it missing; a folder with errors never builds.
- Field paths read as written: `columns[2].type`, `expectations[1] (not_null order_id).action`;
  files are relative to the contract folder.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from lakehouse_assets.assets.python_gold import import_builder_modules, registered_builders
from lakehouse_assets.contracts.environment import LAYERS, ProjectConfig, absolute_paths
from lakehouse_assets.contracts.errors import ContractError, ContractIssue, Severity
from lakehouse_assets.contracts.expectations import SHAPE_TAGS, parse_expectations
from lakehouse_assets.contracts.format_rules import (
    Problem,
    bronze_problems,
    promoted_columns,
    select_problems,
    silver_problems,
    source_problems,
)
from lakehouse_assets.contracts.gold_sql import TableName, tables_read
from lakehouse_assets.contracts.identifiers import is_identifier
from lakehouse_assets.contracts.load_types import load_type_issues
from lakehouse_assets.contracts.models import (
    Column,
    IngestionContract,
    PromotionContract,
    TableContract,
)
from lakehouse_assets.contracts.placeholders import UnresolvedPlaceholder, resolve, resolve_text
from lakehouse_assets.contracts.project import (
    AssetKeyPath,
    LoadedTable,
    Project,
    TableAsset,
)

CONTRACT_SUFFIXES = (".json", ".yaml", ".yml")
CONFIG_CANDIDATES = ("config.json", "config/config.json", "config.yaml", "config/config.yaml")


def default_project_dir() -> Path:
    return Path(os.environ.get("LAKEHOUSE_PROJECT_DIR", "contracts")).resolve()


def load_project(root: str | Path | None = None, env: str | None = None) -> Project:
    """Load and check a folder. Contract problems land in project.issues; raises ContractError
    only when the folder, its config.json or the chosen environment cannot be used at all."""
    return _Loader(Path(root).resolve() if root else default_project_dir(), env,
                   root_given=root is not None).load()


def load_project_or_raise(root: str | Path | None = None, env: str | None = None) -> Project:
    project = load_project(root, env)
    if project.errors:
        raise ContractError(project.issues)
    return project


def read_document(path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    return yaml.safe_load(text) if path.suffix in (".yaml", ".yml") else json.loads(text)


def _kind(data: dict[str, Any]) -> str | None:
    if "columns" in data:
        return "table"
    if "strategy" in data or "source_contract" in data:
        return "promotion"
    if "destination_contract" in data:
        return "ingestion"
    return None


MODELS: dict[str, type[BaseModel]] = {
    "table": TableContract, "ingestion": IngestionContract, "promotion": PromotionContract}
# Parts of a pydantic error location that name its machinery, not a field of the contract.
_INTERNAL_LOC = re.compile(r"^[\w-]+\[.*\]$")
_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]:,]')
_YAML_TOP_KEY = re.compile(r"^(\w+)\s*:\s*[\"']?([\w./-]+)", re.MULTILINE)


def _loc(loc: tuple[Any, ...], prefix: str = "") -> str:
    text = prefix
    for part in loc:
        if isinstance(part, str) and (part in SHAPE_TAGS or _INTERNAL_LOC.match(part)):
            continue
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _join(words: list[str], last: str = "or") -> str:
    """a / a or b / a, b or c"""
    return f" {last} ".join(words) if len(words) < 3 else \
        ", ".join(words[:-1]) + f" {last} " + words[-1]


def _top_level_strings(text: str) -> dict[str, str]:
    """String members of the outer JSON object, read token by token so a syntax error later
    in the file (a missing comma, a truncated end) does not hide them."""
    found: dict[str, str] = {}
    tokens = _JSON_TOKEN.findall(text)
    depth = 0
    for i, token in enumerate(tokens):
        if token in ("{", "["):
            depth += 1
        elif token in ("}", "]"):
            depth -= 1
        elif depth == 1 and tokens[i + 1:i + 2] == [":"] and tokens[i + 2:i + 3] != [] \
                and tokens[i + 2].startswith('"') and token.startswith('"'):
            try:
                found.setdefault(json.loads(token), json.loads(tokens[i + 2]))
            except ValueError:
                continue
    return found


def _salvage(file: Path) -> dict[str, str]:
    """Top-level string fields of a contract file that did not load, read as leniently as
    possible (the JSON or YAML may not even parse)."""
    text = file.read_text(encoding="utf-8", errors="replace")
    try:
        raw = read_document(file)
    except (ValueError, yaml.YAMLError):
        raw = _top_level_strings(text) if file.suffix == ".json" else \
            {m.group(1): m.group(2) for m in _YAML_TOP_KEY.finditer(text)}
    return {k: v for k, v in raw.items() if isinstance(v, str)} if isinstance(raw, dict) else {}


@dataclass
class _Broken:
    """A contract file that did not load, and the files whose references to it wait for it."""

    fields: dict[str, str]  # its top-level string fields, as far as they could be read
    dependents: list[Path] = dataclass_field(default_factory=list)

    @property
    def identity(self) -> tuple[str, str] | None:
        """(schema, name) when the file names a table."""
        schema, name = self.fields.get("schema"), self.fields.get("name")
        return (schema, name) if schema and name else None

    def ref(self, file: Path, key: str) -> Path | None:
        """The file that `key` (source_contract, destination_contract) points at, if readable."""
        return (file.parent / self.fields[key]).resolve() if key in self.fields else None


def _stand_in(raw: Any, exc: ValidationError) -> dict[str, Any] | None:
    """A column that failed validation, kept by name (type STRING) so later checks still see it;
    None when even its name is unusable."""
    if not isinstance(raw, dict) or not is_identifier(str(raw.get("name", ""))):
        return None
    bad = {err["loc"][0] for err in exc.errors() if err["loc"]}
    candidate = {"type": "STRING", **{k: v for k, v in raw.items() if k not in bad}}
    try:
        Column.model_validate(candidate)
    except ValidationError:
        return {"name": raw["name"], "type": "STRING"}
    return candidate


def _declared_layer(raw: dict[str, Any], file: Path) -> str | None:
    layer = (raw.get("properties") or {}).get("layer")
    if isinstance(layer, str) and layer:
        return layer
    catalog = str(raw.get("catalog", ""))
    for name in LAYERS:
        if catalog == f"{{catalog.{name}}}":
            return name
    return next((p for p in reversed(file.parent.parts) if p in LAYERS), None)


def _gold_layer(table: LoadedTable) -> str:
    """SQL-built tables are gold unless the contract says silver."""
    return "silver" if table.declared_layer == "silver" else "gold"


class _Loader:
    def __init__(self, root: Path, env: str | None, root_given: bool = True):
        self.root = root
        self.root_given = root_given
        self.env_arg = env
        self.env_var = os.environ.get("LAKEHOUSE_ENV") or None
        self.issues: list[ContractIssue] = []
        self.broken: dict[Path, _Broken] = {}

    def issue(
        self, file: Path, field: str, message: str, fix: str = "", severity: Severity = "error"
    ) -> None:
        self.issues.append(ContractIssue(self._rel(file), field, message, fix, severity))

    def _rel(self, file: Path) -> Path:
        try:
            return file.relative_to(self.root)
        except ValueError:
            return file

    # -- folder, config and environment -------------------------------------------------------
    def _check_folder(self) -> None:
        if self.root.is_dir():
            return
        if self.root_given:
            fix = "pass the folder that holds config.json"
        elif os.environ.get("LAKEHOUSE_PROJECT_DIR"):
            fix = "set LAKEHOUSE_PROJECT_DIR to the folder that holds config.json"
        else:
            fix = "pass the contract folder, or set LAKEHOUSE_PROJECT_DIR"
        what = "is a file, not a folder" if self.root.exists() else "does not exist"
        # The folder itself is named as is: relative to itself it would read ".".
        self.issues.append(ContractIssue(self.root, "", f"contract folder {what}", fix))
        raise ContractError(self.issues)

    def _environment_name(self, config_file: Path, config: ProjectConfig) -> str:
        """The chosen environment; an unknown one is advised on where the choice came from."""
        name = self.env_arg or self.env_var or config.EXECUTION_ENVIRONMENT
        if name in config.environments:
            return name
        names = sorted(config.environments)
        message = f"no environment named {name!r}; it defines {_join(names, 'and')}"
        if self.env_arg:
            fix = "use " + _join([f"--env {n}" for n in names])
        elif self.env_var:
            message = f"LAKEHOUSE_ENV is {name!r}, which config.json does not define " \
                      f"(it defines {_join(names, 'and')})"
            fix = f"set LAKEHOUSE_ENV to {_join(names)}, or unset it"
        else:
            fix = f"set EXECUTION_ENVIRONMENT to {_join(names)}, or pass --env"
        field_name = "EXECUTION_ENVIRONMENT" if not (self.env_arg or self.env_var) \
            else "environments"
        self.issue(config_file, field_name, message, fix)
        raise ContractError(self.issues)

    def _config(self) -> tuple[Path, ProjectConfig] | None:
        file = next((self.root / c for c in CONFIG_CANDIDATES if (self.root / c).is_file()), None)
        if file is None:
            self.issue(self.root / "config.json", "", "no config.json in the contract folder",
                       "add config.json (or config/config.json) with 'environments'")
            return None
        try:
            return file, ProjectConfig.model_validate(read_document(file))
        except ValidationError as exc:
            self._validation_issues(file, exc)
        except (ValueError, yaml.YAMLError) as exc:
            self.issue(file, "", f"does not parse: {exc}", "fix the JSON/YAML syntax")
        return None

    def load(self) -> Project:
        self._check_folder()
        found = self._config()
        if found is None:
            raise ContractError(self.issues)
        config_file, config = found
        env_name = self._environment_name(config_file, config)
        environment = absolute_paths(config.environments[env_name])
        import_builder_modules(config.PYTHON_MODULES)
        project = Project(self.root, config, env_name, environment)
        self._read_all(project, config_file)
        self._build_assets(project)
        self.issues += load_type_issues(project)
        self._report_broken(project)
        project.issues = self.issues
        return project

    # -- files -------------------------------------------------------------------------------
    def _contract_files(self, config_file: Path) -> list[Path]:
        files = []
        for path in sorted(self.root.rglob("*")):
            rel = path.relative_to(self.root).parts
            if (
                path.suffix in CONTRACT_SUFFIXES
                and path.is_file()
                and path != config_file
                and not any(p.startswith(".") for p in rel)
                and not path.name.endswith(".schema.json")
            ):
                files.append(path)
        return files

    def _read_all(self, project: Project, config_file: Path) -> None:
        for file in self._contract_files(config_file):
            if not self._read(project, file):
                self.broken[file] = _Broken(_salvage(file))

    def _read(self, project: Project, file: Path) -> bool:
        """Load one contract file into the project; False (after reporting why) if it fails."""
        try:
            raw = read_document(file)
        except (ValueError, yaml.YAMLError) as exc:
            self.issue(file, "", f"does not parse: {exc}", "fix the JSON/YAML syntax")
            return False
        if not isinstance(raw, dict):
            self.issue(file, "", "a contract file must hold one object",
                       "wrap the contract in { ... }")
            return False
        kind = _kind(raw)
        if kind is None:
            self.issue(file, "", "cannot tell which kind of contract this is",
                       "a table contract has 'columns'; an ingestion contract has "
                       "'destination_contract'; a promotion contract has 'strategy'")
            return False
        try:
            data = resolve(raw, project.environment)
        except UnresolvedPlaceholder as exc:
            self.issue(file, exc.field, f"unresolved placeholder {exc.placeholder}",
                       f"use one of {', '.join(exc.known)} or add it to config.json")
            return False
        contract = self._validate(file, kind, data)
        if contract is None:
            return False
        self._warn_unknown(file, contract, "")
        if isinstance(contract, TableContract):
            project.tables.append(LoadedTable(file, contract, _declared_layer(raw, file)))
        elif isinstance(contract, IngestionContract):
            project.ingestions[file] = contract
        elif isinstance(contract, PromotionContract):
            project.promotions[file] = contract
        return True

    def _validate(self, file: Path, kind: str, data: dict[str, Any]) -> BaseModel | None:
        """The contract, its invalid rules and columns reported and left out (or stood in);
        None if the rest of it is invalid. Rules are checked even then: errors do not hide."""
        has_rules = kind in ("table", "promotion")
        rules, rule_errors = parse_expectations(data.get("expectations") if has_rules else None)
        for at, exc in rule_errors:
            self._validation_issues(file, exc, at)
        if has_rules:
            data = {k: v for k, v in data.items() if k != "expectations"}
        if kind == "table":
            data = self._checked_columns(file, data)
        try:
            contract = MODELS[kind].model_validate(data)
        except ValidationError as exc:
            self._validation_issues(file, exc)
            return None
        return contract.model_copy(update={"expectations": rules}) if has_rules else contract

    def _checked_columns(self, file: Path, data: dict[str, Any]) -> dict[str, Any]:
        columns = data.get("columns")
        if not isinstance(columns, list):
            return data  # the model reports it
        kept = []
        for i, column in enumerate(columns):
            try:
                Column.model_validate(column)
                kept.append(column)
            except ValidationError as exc:
                self._validation_issues(file, exc, f"columns[{i}]")
                stand_in = _stand_in(column, exc)
                kept += [stand_in] if stand_in else []
        return {**data, "columns": kept}

    def _validation_issues(self, file: Path, exc: ValidationError, prefix: str = "") -> None:
        for err in exc.errors():
            field = _loc(err["loc"], prefix)
            message = err["msg"].removeprefix("Value error, ")
            fix = ""
            if err["type"] == "missing":
                message, fix = "required field is missing", f"add '{err['loc'][-1]}'"
            elif err["type"] == "literal_error":
                fix = f"use {err.get('ctx', {}).get('expected', 'an allowed value')}"
                message = f"{err.get('input')!r} is not allowed"
            elif err["type"] == "extra_forbidden":
                fix = "remove it"
            self.issue(file, field, message, fix)

    def _warn_unknown(self, file: Path, model: BaseModel, prefix: str) -> None:
        unknown = model.unknown_fields() if hasattr(model, "unknown_fields") else []
        for name in unknown:
            self.issue(file, f"{prefix}{name}", "unknown field (ignored)",
                       "remove it or check its spelling", severity="warning")
        for name in type(model).model_fields:
            value = getattr(model, name)
            items = value if isinstance(value, list) else [value]
            for i, item in enumerate(items):
                if isinstance(item, BaseModel):
                    index = f"[{i}]" if isinstance(value, list) else ""
                    self._warn_unknown(file, item, f"{prefix}{name}{index}.")

    def _report(self, file: Path, problems: list[Problem]) -> None:
        for field, message, fix, severity in problems:
            self.issue(file, field, message, fix, severity)  # type: ignore[arg-type]

    # -- references --------------------------------------------------------------------------
    def _ref(self, project: Project, file: Path, ref: str, field: str) -> LoadedTable | None:
        by_file = {t.file: t for t in project.tables}
        target = (file.parent / ref).resolve()
        if not target.is_relative_to(self.root):  # `..` past the folder: never read it
            self.issue(file, field, f"{ref} points outside the contract folder",
                       "keep contracts in the folder; paths are relative to the contract file")
            return None
        if target in by_file:
            return by_file[target]
        if target in self.broken:  # its own errors say what is wrong; see _report_broken
            self.broken[target].dependents.append(file)
            return None
        if target.is_file():
            self.issue(file, field, f"{ref} is not a table contract",
                       "point it at a file with 'columns'")
            return None
        tail = "/".join(p for p in Path(ref).parts if p not in ("..", "."))
        matches = [t for f, t in by_file.items() if f.as_posix().endswith("/" + tail)]
        if len(matches) == 1:
            self.issue(file, field,
                       f"{ref} does not exist relative to this file; using "
                       f"{self._rel(matches[0].file)}",
                       "make the path relative to the contract file", severity="warning")
            return matches[0]
        if len(matches) > 1:
            names = ", ".join(str(self._rel(m.file)) for m in matches)
            self.issue(file, field, f"{ref} is ambiguous: it matches {names}",
                       "give the path relative to this contract file")
            return None
        self.issue(file, field, f"broken relative path: {ref} (looked for {target})",
                   "paths are relative to the contract file, e.g. ../../tables/bronze/x.json")
        return None

    # -- assets ------------------------------------------------------------------------------
    def _add(self, project: Project, asset: TableAsset) -> None:
        other = project.assets.get(asset.key)
        if other is None:
            project.assets[asset.key] = asset
            return
        files = sorted({str(self._rel(f)) for f in (other.producer_file, asset.producer_file,
                                                      other.table.file, asset.table.file)})
        self.issue(asset.producer_file, "", f"table {'.'.join(asset.key)} is built by two "
                   f"contracts: {' and '.join(files)}",
                   "disable one of them (enabled: false) or give the tables different names")

    def _build_assets(self, project: Project) -> None:
        for file, ing in project.ingestions.items():
            table = self._ref(project, file, ing.destination_contract, "destination_contract")
            if table is None or not ing.enabled:
                continue
            self._report(table.file, bronze_problems(ing, table.contract))
            self._report(file, source_problems(ing, table.contract))
            self._add(project, TableAsset(("bronze", table.schema, table.name), "bronze",
                                          table, file, ingestion=ing))
        for file, promo in project.promotions.items():
            source = self._ref(project, file, promo.source_contract, "source_contract")
            dest = self._ref(project, file, promo.destination_contract, "destination_contract")
            if source is None or dest is None or not promo.enabled:
                continue
            self._check_promotion(file, promo, source, dest)
            self._report(dest.file, silver_problems(promo, dest.contract, source.contract))
            self._report(file, select_problems(promo, source.contract))
            source_key = self._key_of(project, source)
            self._add(project, TableAsset(("silver", dest.schema, dest.name), "silver", dest,
                                          file, promotion=promo, deps=(source_key,),
                                          source_columns=tuple(source.contract.column_names)))
        builders = registered_builders()
        for table in project.tables:
            label = f"{table.schema}.{table.name}"
            if table.contract.has_sql:
                self._add_gold_sql(project, table)
            elif label in builders and (table.declared_layer in (None, "gold")):
                deps = tuple(self._sql_dep(project, table.file, ("", *d.split(".", 1)))
                             for d in builders[label].deps)  # type: ignore[arg-type]
                if all(deps):
                    self._add(project, TableAsset(("gold", table.schema, table.name),
                                                  "gold_python", table, table.file,
                                                  deps=tuple(d for d in deps if d)))
        for asset in project.assets.values():
            for dep in asset.deps:
                if dep not in project.assets and dep not in project.external:
                    source = next((t for t in project.tables if (t.schema, t.name) == dep[1:]),
                                  None)
                    if source is not None:
                        project.external[dep] = source

    def _key_of(self, project: Project, table: LoadedTable) -> AssetKeyPath:
        for asset in project.assets.values():
            if asset.table.file == table.file:
                return asset.key
        return (table.declared_layer or "bronze", table.schema, table.name)

    def _check_promotion(
        self, file: Path, promo: PromotionContract, source: LoadedTable, dest: LoadedTable
    ) -> None:
        src_cols = promoted_columns(promo, source.contract)
        dst_cols = set(dest.contract.column_names)
        for key in promo.merge_keys:
            if key not in dst_cols:
                self.issue(file, "merge_keys", f"merge key {key!r} is not a column of "
                           f"{self._rel(dest.file)}", f"use one of {sorted(dst_cols)}")
            elif key not in src_cols:
                self.issue(file, "merge_keys", f"merge key {key!r} is not a column of the "
                           f"source {self._rel(source.file)}", f"use one of {sorted(src_cols)}")
        for field, col in (("watermark_col", promo.watermark_col),
                           ("sequence_by", promo.sequence_by)):
            if col and col not in src_cols:
                self.issue(file, field, f"{col!r} is not a column of the source "
                           f"{self._rel(source.file)}", f"use one of {sorted(src_cols)}")
        if promo.strategy == "cdc_merge" and promo.op_col not in src_cols:
            self.issue(file, "op_col", f"cdc_merge needs the operation column {promo.op_col!r} "
                       f"in {self._rel(source.file)}", "add it to the source or set op_col")
        if promo.strategy in ("cdc_merge", "scd2", "incremental_replace") and not promo.order_col:
            self.issue(file, "watermark_col", f"{promo.strategy} needs an ordering column",
                       "set watermark_col (or sequence_by) to an event time or sequence")
        if promo.strategy == "scd2":
            names = promo.scd2
            missing = [c for c in (names.valid_from, names.valid_to, names.is_current)
                       if c not in dst_cols]
            if missing:
                self.issue(file, "scd2", f"scd2 columns {missing} are not in "
                           f"{self._rel(dest.file)}", "add them to the silver contract")

    def _add_gold_sql(self, project: Project, table: LoadedTable) -> None:
        contract = table.contract
        sql = contract.sql
        if contract.sql_file:
            sql_path = (table.file.parent / contract.sql_file).resolve()
            if not sql_path.is_file():
                self.issue(table.file, "sql_file", f"broken relative path: {contract.sql_file}",
                           "sql_file is relative to the contract file")
                return
            try:
                sql = resolve_text(sql_path.read_text(encoding="utf-8"), project.environment,
                                   "sql_file")
            except UnresolvedPlaceholder as exc:
                self.issue(table.file, "sql_file", f"unresolved placeholder {exc.placeholder}",
                           f"use one of {', '.join(exc.known)}")
                return
        assert sql is not None
        try:
            refs = tables_read(sql)
        except ValueError as exc:
            self.issue(table.file, "sql_file" if contract.sql_file else "sql", str(exc),
                       "write Spark SQL naming tables as schema.table")
            return
        deps = [self._sql_dep(project, table.file, ref) for ref in refs]
        if all(deps):
            keys = tuple(d for d in deps if d)
            self._add(project, TableAsset((_gold_layer(table), table.schema, table.name),
                                          "gold_sql", table, table.file, sql=sql,
                                          deps=tuple(dict.fromkeys(keys)),
                                          sql_refs=tuple(zip(refs, keys, strict=True))))

    def _sql_dep(self, project: Project, file: Path, ref: TableName) -> AssetKeyPath | None:
        catalog, schema, name = ref
        label = ".".join(p for p in ref if p)
        if not schema:
            self.issue(file, "sql", f"table {name!r} needs its schema",
                       "name tables as schema.table or {catalog.silver}.schema.table")
            return None
        # Built tables win; an unbuilt contract (old version, scratch copy) is only a fallback.
        candidates = [a.key for a in project.assets.values() if a.key[1:] == (schema, name)]
        candidates += [(_gold_layer(t), schema, name) for t in project.tables
                       if t.contract.has_sql and (t.schema, t.name) == (schema, name)]
        if not candidates:
            candidates = [(t.declared_layer or "external", schema, name) for t in project.tables
                          if (t.schema, t.name) == (schema, name)]
        if catalog:
            by_catalog = [
                c for c in candidates
                if catalog in (c[0], project.environment.catalogs.get(c[0]))
            ]
            candidates = by_catalog or candidates
        candidates = list(dict.fromkeys(candidates))
        if len(candidates) == 1:
            return candidates[0]
        broken = [b for b in self.broken.values() if b.identity == (schema, name)]
        if not candidates and broken:
            for target in broken:
                target.dependents.append(file)
            return None
        if not candidates:
            self.issue(file, "sql", f"reads {label}, which no table contract declares",
                       "add a table contract for it or fix the name")
        else:
            self.issue(file, "sql", f"{label} is ambiguous: " +
                       ", ".join(".".join(c) for c in candidates),
                       "qualify it with its catalog, e.g. {catalog.silver}." + f"{schema}.{name}")
        return None

    def _report_broken(self, project: Project) -> None:
        """Once per broken file, who waits for it (they reported nothing about it themselves);
        tables that wait, directly or through their building contract, are marked blocked."""
        for file, broken in self.broken.items():  # broken contracts that point at broken files
            for key in ("source_contract", "destination_contract"):
                target = broken.ref(file, key)
                if target in self.broken:
                    self.broken[target].dependents.append(file)
            destination = broken.ref(file, "destination_contract")
            project.blocked.update([destination] if destination else [])
        for file, broken in self.broken.items():
            for dependent in broken.dependents:
                project.blocked.update(self._destinations(project, dependent))
            names = sorted({str(self._rel(f)) for f in broken.dependents})
            if names:
                verb = "depends" if len(names) == 1 else "depend"
                self.issue(file, "", f"{_join(names, 'and')} {verb} on this file; they are "
                           "checked once it loads", severity="info")

    def _destinations(self, project: Project, file: Path) -> list[Path]:
        """The table file a contract builds (a table with SQL builds itself)."""
        if file in self.broken:
            return []  # a broken contract's destination is known from what it wrote
        contract = project.ingestions.get(file) or project.promotions.get(file)
        if contract is None:
            return [file]
        return [(file.parent / contract.destination_contract).resolve()]
