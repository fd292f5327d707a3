"""Where a load starts: the contract folder, its config.json, the chosen environment, and the
contract files below the folder."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from lakehouse_assets.contracts.environment import ProjectConfig
from lakehouse_assets.contracts.errors import ContractIssue, join_words
from lakehouse_assets.contracts.issues import IssueLog
from lakehouse_assets.contracts.pydantic_issues import validation_issues

CONTRACT_SUFFIXES = (".json", ".yaml", ".yml")
CONFIG_CANDIDATES = ("config.json", "config/config.json", "config.yaml", "config/config.yaml")


def default_project_dir() -> Path:
    return Path(os.environ.get("LAKEHOUSE_PROJECT_DIR", "contracts")).resolve()


def read_document(path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    return yaml.safe_load(text) if path.suffix in (".yaml", ".yml") else json.loads(text)


def check_folder(log: IssueLog, root_given: bool) -> None:
    """Stops the load unless the contract folder exists; the fix names how it was chosen."""
    root = log.root
    if root.is_dir():
        return
    if root_given:
        fix = "pass the folder that holds config.json"
    elif os.environ.get("LAKEHOUSE_PROJECT_DIR"):
        fix = "set LAKEHOUSE_PROJECT_DIR to the folder that holds config.json"
    else:
        fix = "pass the contract folder, or set LAKEHOUSE_PROJECT_DIR"
    what = "is a file, not a folder" if root.exists() else "does not exist"
    # The folder itself is named as is: relative to itself it would read ".".
    log.issues.append(ContractIssue(root, "", f"contract folder {what}", fix))
    log.fail()


def read_config(log: IssueLog) -> tuple[Path, ProjectConfig]:
    """config.json (or its alternatives); stops the load when it is missing or invalid."""
    root = log.root
    file = next((root / c for c in CONFIG_CANDIDATES if (root / c).is_file()), None)
    if file is None:
        log.add(
            root / "config.json",
            "",
            "no config.json in the contract folder",
            "add config.json (or config/config.json) with 'environments'",
        )
        log.fail()
    try:
        return file, ProjectConfig.model_validate(read_document(file))
    except ValidationError as exc:
        validation_issues(log, file, exc)
    except (ValueError, yaml.YAMLError) as exc:
        log.add(file, "", f"does not parse: {exc}", "fix the JSON/YAML syntax")
    log.fail()


def environment_name(
    log: IssueLog, config_file: Path, config: ProjectConfig, env_arg: str | None
) -> str:
    """The chosen environment; an unknown one stops the load, advised on where the choice
    came from (the argument, LAKEHOUSE_ENV, or config.json)."""
    env_var = os.environ.get("LAKEHOUSE_ENV") or None
    name = env_arg or env_var or config.EXECUTION_ENVIRONMENT
    if name in config.environments:
        return name
    names = sorted(config.environments)
    message = f"no environment named {name!r}; it defines {join_words(names, 'and')}"
    if env_arg:
        fix = "use " + join_words([f"--env {n}" for n in names])
    elif env_var:
        message = (
            f"LAKEHOUSE_ENV is {name!r}, which config.json does not define "
            f"(it defines {join_words(names, 'and')})"
        )
        fix = f"set LAKEHOUSE_ENV to {join_words(names)}, or unset it"
    else:
        fix = f"set EXECUTION_ENVIRONMENT to {join_words(names)}, or pass --env"
    field_name = "environments" if env_arg or env_var else "EXECUTION_ENVIRONMENT"
    log.add(config_file, field_name, message, fix)
    log.fail()


def contract_files(root: Path, config_file: Path) -> list[Path]:
    """Every contract file below the folder, sorted; hidden folders and JSON Schemas skipped."""
    files = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).parts
        if (
            path.suffix in CONTRACT_SUFFIXES
            and path.is_file()
            and path != config_file
            and not any(p.startswith(".") for p in rel)
            and not path.name.endswith(".schema.json")
        ):
            files.append(path)
    return files
