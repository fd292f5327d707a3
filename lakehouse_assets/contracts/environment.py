"""config.json: the environments a contract folder can run in."""

from __future__ import annotations

import os
import re
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

LAYERS = ("landing", "bronze", "silver", "gold", "ops")
_OPTION_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_REFERENCE = re.compile(r"\{env:([^}]*)\}")
_VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class Environment(BaseModel):
    model_config = ConfigDict(extra="allow")

    env: str
    env_short: str = ""
    catalogs: dict[str, str] = Field(default_factory=dict)
    paths: dict[str, str] = Field(default_factory=dict)
    # object_store options (aws_endpoint, azure_storage_account_name, ...) for this
    # environment's paths; a value may be {env:VAR}. Hidden from reprs: values may be secrets.
    storage_options: dict[str, str] = Field(default_factory=dict, repr=False)

    @field_validator("storage_options", mode="before")
    @classmethod
    def _options(cls, value: object) -> object:
        """Errors name the option, never its value (it may be a secret)."""
        if not isinstance(value, dict):
            raise ValueError(
                'must be an object of option names to strings, e.g. {"aws_region": "eu-west-1"}'
            )
        for key, item in value.items():
            if not isinstance(key, str) or not _OPTION_KEY.match(key):
                raise ValueError(f"{key!r} is not an option name (letters, digits and _)")
            if not isinstance(item, str):
                raise ValueError(
                    f"{key}: the value must be a string (quote it, or use {{env:VAR}})"
                )
            for name in _REFERENCE.findall(item):
                if not _VARIABLE.match(name):
                    raise ValueError(
                        f"{key}: {{env:{name}}} does not name an environment variable "
                        "(write {env:NAME}, NAME in letters, digits and _)"
                    )
        return value


class ProjectConfig(BaseModel):
    """The DKOps config.json, plus optional keys of ours (all have defaults)."""

    model_config = ConfigDict(extra="allow")

    EXECUTION_ENVIRONMENT: str = "local"
    environments: dict[str, Environment]
    # First daily partition of bronze and silver assets.
    PARTITION_START_DATE: str = "2024-01-01"
    # Modules imported at load so that their @gold_builder functions register.
    PYTHON_MODULES: list[str] = Field(default_factory=list)


def data_root() -> Path:
    """Where relative environment paths point: $LAKEHOUSE_DATA_ROOT, else ./.lakehouse."""
    return Path(os.environ.get("LAKEHOUSE_DATA_ROOT", Path.cwd() / ".lakehouse")).resolve()


def absolute_path(path: str, root: Path) -> str:
    """A relative path is taken under `root`; absolute paths and URLs stay as they are."""
    return path if ("://" in path or Path(path).is_absolute()) else str(root / path)


def absolute_paths(env: Environment, root: Path) -> Environment:
    """Relative paths in config.json are taken under `root` (default data_root()), so a demo
    can move."""
    paths = {k: absolute_path(v, root) for k, v in env.paths.items()}
    return env.model_copy(update={"paths": paths})
