"""The code location: the components of lakehouse_assets/defs/ (dg's defs folder), by default
one LakehouseComponent on the contracts in $LAKEHOUSE_PROJECT_DIR (default contracts/).

Settings come from the environment so the same code runs everywhere:
LAKEHOUSE_PROJECT_DIR, LAKEHOUSE_ENV (an environments.<name> of config.json), and
LAKEHOUSE_SPARK_MODE = local (embedded Sail, default) | connect | spark | databricks, with
LAKEHOUSE_CONNECT_URL for connect and, for databricks, Databricks unified auth (DATABRICKS_HOST
with DATABRICKS_TOKEN, DATABRICKS_CLIENT_ID/_SECRET or DATABRICKS_CONFIG_PROFILE; a compute:
DATABRICKS_CLUSTER_ID or DATABRICKS_SERVERLESS_COMPUTE_ID=auto), read by the Databricks SDK.
Importing this module starts no engine, and needs no Spark client (the engine extras bring one).
"""

import warnings
from pathlib import Path

from dagster import BetaWarning, ComponentTree, PreviewWarning

import lakehouse_assets.defs

with warnings.catch_warnings():
    # Dagster's own loader warns about its own beta/preview internals (once per asset), as
    # load_from_defs_folder() keeps quiet about.
    warnings.simplefilter("ignore", BetaWarning)
    warnings.simplefilter("ignore", PreviewWarning)
    # What load_from_defs_folder() does, without looking for pyproject.toml: an installed
    # (non-editable) package has none above it, and `-m lakehouse_assets.definitions` must load.
    defs = ComponentTree(
        defs_module=lakehouse_assets.defs,
        project_root=Path(__file__).resolve().parents[1],
        code_location_name="lakehouse_assets",
    ).build_defs()
