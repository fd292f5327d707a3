"""The code location: contracts in $LAKEHOUSE_PROJECT_DIR (default contracts/) become assets.

Settings come from the environment so the same code runs everywhere:
LAKEHOUSE_PROJECT_DIR, LAKEHOUSE_ENV (an environments.<name> of config.json), and
LAKEHOUSE_SPARK_MODE = local (embedded Sail, default) | connect | spark | databricks, with
LAKEHOUSE_CONNECT_URL for connect and DATABRICKS_HOST / DATABRICKS_TOKEN /
DATABRICKS_CLUSTER_ID (or DATABRICKS_SERVERLESS=true) for databricks.
Importing this module starts no engine.
"""

from lakehouse_assets.code_location import build_definitions

defs = build_definitions()
