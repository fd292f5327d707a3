"""Load a contract folder: every file below it, every problem reported at once.

How problems are reported, so that each mistake yields one message, where it was made:
- A contract file that does not load (syntax, shape, placeholder, validation) is "broken": its
  own errors are reported, its dependents wait for it silently (contracts.broken_files).
- Rules in `expectations` and entries of `columns` are validated one by one: a bad one is
  reported and the rest still loads, so later checks see them (contracts.contract_reading);
  a folder with errors never builds.
- Field paths read as written: `columns[2].type`, `expectations[1] (not_null order_id).action`;
  files are relative to the contract folder.

What depends on the layers above (strategy names and rules, Python gold builders) is handed in
as `Extensions`; `lakehouse_assets.project_loader` wires the real ones.
"""

from __future__ import annotations

from pathlib import Path

from lakehouse_assets.contracts.asset_graph import AssetGraph
from lakehouse_assets.contracts.broken_files import BrokenFiles
from lakehouse_assets.contracts.contract_reading import ContractReader
from lakehouse_assets.contracts.discovery import (
    check_folder,
    contract_files,
    default_project_dir,
    environment_name,
    read_config,
    read_document,
)
from lakehouse_assets.contracts.environment import absolute_paths, data_root
from lakehouse_assets.contracts.errors import ContractError
from lakehouse_assets.contracts.extensions import Extensions
from lakehouse_assets.contracts.issues import IssueLog
from lakehouse_assets.contracts.load_types import load_type_issues
from lakehouse_assets.contracts.project import Project

__all__ = ["default_project_dir", "load_project", "load_project_or_raise", "read_document"]


def load_project(
    root: str | Path | None,
    env: str | None,
    extensions: Extensions,
    data_dir: str | Path | None = None,
) -> Project:
    """Load and check a folder (None: default_project_dir()). Relative paths of the environment
    are taken under `data_dir` (None: data_root(), i.e. $LAKEHOUSE_DATA_ROOT). Contract
    problems land in project.issues; raises ContractError only when the folder, its
    config.json or the chosen environment cannot be used at all."""
    log = IssueLog(Path(root).resolve() if root else default_project_dir())
    check_folder(log, root_given=root is not None)
    config_file, config = read_config(log)
    env_name = environment_name(log, config_file, config, env)
    environment = absolute_paths(
        config.environments[env_name], Path(data_dir).resolve() if data_dir else data_root()
    )
    builders = extensions.builders.deps(config.PYTHON_MODULES)
    project = Project(log.root, config, env_name, environment)
    broken = BrokenFiles()
    reader = ContractReader(project, log, extensions.strategies.known())
    for file in contract_files(log.root, config_file):
        if not reader.read(file):
            broken.add(file)
    AssetGraph(project, log, broken, extensions.strategies, builders).build()
    log.issues += load_type_issues(project, extensions.strategies)
    broken.report(project, log)
    project.issues = log.issues
    return project


def load_project_or_raise(
    root: str | Path | None,
    env: str | None,
    extensions: Extensions,
    data_dir: str | Path | None = None,
) -> Project:
    project = load_project(root, env, extensions, data_dir)
    if project.errors:
        raise ContractError(project.issues)
    return project
