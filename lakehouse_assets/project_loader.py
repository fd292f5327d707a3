"""Load a contract folder with this package's strategies and Python gold builders: the contract
loader (contracts.loader) cannot import them itself, being the layer below."""

from __future__ import annotations

from pathlib import Path

from lakehouse_assets.assets.python_gold import RegisteredBuilders
from lakehouse_assets.contracts import loader
from lakehouse_assets.contracts.discovery import default_project_dir
from lakehouse_assets.contracts.extensions import Extensions
from lakehouse_assets.contracts.project import Project
from lakehouse_assets.storage.options import StorageOptions, configure
from lakehouse_assets.strategies.contract_rules import ContractRules

__all__ = ["EXTENSIONS", "default_project_dir", "load_project", "load_project_or_raise"]

EXTENSIONS = Extensions(strategies=ContractRules(), builders=RegisteredBuilders())


def load_project(
    root: str | Path | None = None, env: str | None = None, data_dir: str | Path | None = None
) -> Project:
    """Load and check a folder (default: $LAKEHOUSE_PROJECT_DIR or contracts/); relative
    paths under `data_dir` (default $LAKEHOUSE_DATA_ROOT); problems land in project.issues
    (see contracts.loader)."""
    project = loader.load_project(root, env, EXTENSIONS, data_dir)
    use_storage_options(project)
    return project


def load_project_or_raise(
    root: str | Path | None = None, env: str | None = None, data_dir: str | Path | None = None
) -> Project:
    """As load_project, raising ContractError when the folder has errors."""
    project = loader.load_project_or_raise(root, env, EXTENSIONS, data_dir)
    use_storage_options(project)
    return project


def use_storage_options(project: Project) -> None:
    """The environment's config.json storage_options serve every path of this process."""
    configure(
        StorageOptions(
            project.environment.storage_options,
            f"config.json environments.{project.env_name}.storage_options",
        )
    )
