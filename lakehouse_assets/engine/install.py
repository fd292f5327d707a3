"""Which engine extra a mode needs, and the pip command that installs it.

The base install carries no Spark client (the extras' clients cannot share an environment), so
importing the code location works without one; asking for a session without it fails here,
naming the command.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from lakehouse_assets.engine.setup_error import EngineSetupError

# mode -> the extra that provides its client
EXTRA = {"local": "local", "connect": "local", "spark": "spark", "databricks": "databricks"}
# mode -> modules its session needs (imported, not just found: a broken install fails here too)
MODULES = {
    "local": ("pysail.spark", "pyspark.sql.connect.session"),
    "connect": ("pyspark.sql.connect.session",),
    "spark": ("pyspark.java_gateway", "delta"),
    "databricks": ("databricks.connect",),
}


def pip_command(extra: str) -> str:
    return f'pip install -e ".[{extra}]" (from the repo root; from a wheel: "<wheel>[{extra}]")'


def require_modules(mode: str) -> None:
    """Raise EngineSetupError naming the pip command when `mode`'s client is not installed."""
    for module in MODULES[mode]:
        try:
            importlib.import_module(module)
        except ImportError as exc:
            raise EngineSetupError(
                f"LAKEHOUSE_SPARK_MODE={mode} needs {module.split('.')[0]}, which is not "
                f"installed ({exc.name or module}): {pip_command(EXTRA[mode])}"
            ) from None
    if mode == "spark":
        import pyspark

        # pyspark-client (the `local` extra) has the modules but not the JVM jars.
        if not (Path(pyspark.__file__).parent / "jars").is_dir():
            raise EngineSetupError(
                "LAKEHOUSE_SPARK_MODE=spark needs the full pyspark (with its jars), not "
                f"pyspark-client: pip uninstall -y pyspark-client && {pip_command('spark')}"
            )
