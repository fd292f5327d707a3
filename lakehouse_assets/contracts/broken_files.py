"""Contract files that did not load ("broken"). Their own errors are reported where they were
made; contracts that reference one report nothing about that reference. Instead the broken file
gets one `info` issue naming the files that wait for it, and the tables they would build are
marked blocked. What a broken file names (its schema and table, the contracts it points at) is
salvaged from its text, even when it does not parse."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from lakehouse_assets.contracts.discovery import read_document
from lakehouse_assets.contracts.errors import join_words
from lakehouse_assets.contracts.issues import IssueLog
from lakehouse_assets.contracts.project import Project

_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]:,]')
_YAML_TOP_KEY = re.compile(r"^(\w+)\s*:\s*[\"']?([\w./-]+)", re.MULTILINE)


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
        elif (
            depth == 1
            and tokens[i + 1 : i + 2] == [":"]
            and tokens[i + 2 : i + 3] != []
            and tokens[i + 2].startswith('"')
            and token.startswith('"')
        ):
            try:
                found.setdefault(json.loads(token), json.loads(tokens[i + 2]))
            except ValueError:
                continue
    return found


def salvage(file: Path) -> dict[str, str]:
    """Top-level string fields of a contract file that did not load, read as leniently as
    possible (the JSON or YAML may not even parse)."""
    text = file.read_text(encoding="utf-8", errors="replace")
    try:
        raw = read_document(file)
    except (ValueError, yaml.YAMLError):
        raw = (
            _top_level_strings(text)
            if file.suffix == ".json"
            else {m.group(1): m.group(2) for m in _YAML_TOP_KEY.finditer(text)}
        )
    return {k: v for k, v in raw.items() if isinstance(v, str)} if isinstance(raw, dict) else {}


@dataclass
class Broken:
    """A contract file that did not load, and the files whose references to it wait for it."""

    fields: dict[str, str]  # its top-level string fields, as far as they could be read
    dependents: list[Path] = field(default_factory=list)

    @property
    def identity(self) -> tuple[str, str] | None:
        """(schema, name) when the file names a table."""
        schema, name = self.fields.get("schema"), self.fields.get("name")
        return (schema, name) if schema and name else None

    def ref(self, file: Path, key: str) -> Path | None:
        """The file that `key` (source_contract, destination_contract) points at, if readable."""
        return (file.parent / self.fields[key]).resolve() if key in self.fields else None


class BrokenFiles:
    def __init__(self) -> None:
        self.files: dict[Path, Broken] = {}

    def add(self, file: Path) -> None:
        self.files[file] = Broken(salvage(file))

    def wait_for(self, target: Path, dependent: Path) -> bool:
        """True (and `dependent` noted) when `target` is a broken file."""
        if target not in self.files:
            return False
        self.files[target].dependents.append(dependent)
        return True

    def naming(self, schema: str, name: str) -> list[Broken]:
        """Broken files whose text names table schema.name."""
        return [b for b in self.files.values() if b.identity == (schema, name)]

    def report(self, project: Project, log: IssueLog) -> None:
        """Once per broken file, who waits for it (they reported nothing about it themselves);
        tables that wait, directly or through their building contract, are marked blocked."""
        for file, broken in self.files.items():  # broken contracts that point at broken files
            for key in ("source_contract", "destination_contract"):
                target = broken.ref(file, key)
                if target is not None:
                    self.wait_for(target, file)
            destination = broken.ref(file, "destination_contract")
            project.blocked.update([destination] if destination else [])
        for file, broken in self.files.items():
            for dependent in broken.dependents:
                project.blocked.update(self._destinations(project, dependent))
            names = sorted({str(log.rel(f)) for f in broken.dependents})
            if names:
                verb = "depends" if len(names) == 1 else "depend"
                log.add(
                    file,
                    "",
                    f"{join_words(names, 'and')} {verb} on this file; they are "
                    "checked once it loads",
                    severity="info",
                )

    def _destinations(self, project: Project, file: Path) -> list[Path]:
        """The table file a contract builds (a table with SQL builds itself)."""
        if file in self.files:
            return []  # a broken contract's destination is known from what it wrote
        contract = project.ingestions.get(file) or project.promotions.get(file)
        if contract is None:
            return [file]
        return [(file.parent / contract.destination_contract).resolve()]
