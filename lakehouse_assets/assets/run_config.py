"""Run config shared by every in-process materialization (demo, `lakehouse materialize`,
tests, benches): Dagster's console logger at WARNING, so a run prints only what matters."""

QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
