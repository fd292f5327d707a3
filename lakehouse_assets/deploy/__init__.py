"""Running the lakehouse where Dagster's daemon is not: `lakehouse materialize` (one selection,
one partition, in-process) and the Databricks Asset Bundle whose job tasks run it."""
