"""The metadata keys Dagster's UI reads (row-count charts, the table's address), written by
every table write: contract tables and users' own assets alike."""

ROW_COUNT = "dagster/row_count"  # rows in the table after the write
PARTITION_ROW_COUNT = "dagster/partition_row_count"  # rows in the partition the run wrote
URI = "dagster/uri"  # where the table lives
