#!/usr/bin/env bash
# Fetch the Delta Lake jars (and Spark's Kafka source, spark-sql-kafka-0-10) that classic Spark
# (LAKEHOUSE_SPARK_MODE=spark) and a JVM Spark Connect server need, once, with Maven
# (mvn dependency:copy-dependencies), into .cache/jars (or $1). Tests never download: they skip,
# naming this command, when the folder is empty.
# Jars pyspark already ships (Hadoop, Jackson, Parquet, log4j, Scala...) are left out, so Spark's
# own versions are the only ones on the class path.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-.cache/jars}
PY=${PYTHON:-python}
command -v mvn >/dev/null || { echo "fetch_jars: needs Maven (apt-get install maven)" >&2; exit 1; }
# The artifact ids of pyspark's own jars (name minus version), and the Delta version to fetch:
# both from the installed packages, so they cannot drift from what runs.
read -r DELTA_VERSION SPARK_MM SPARK_VERSION SHIPPED < <("$PY" - <<'PY'
import re
from pathlib import Path

import pyspark

from lakehouse_assets.engine.spark_jars import DELTA_JARS_VERSION

jars = Path(pyspark.__file__).parent / "jars"
ids = sorted({re.sub(r"-\d[^-]*(-\d+)?\.jar$", "", j.name) for j in jars.glob("*.jar")})
mm = ".".join(pyspark.__version__.split(".")[:2])
print(DELTA_JARS_VERSION, mm, pyspark.__version__, ",".join(ids))
PY
)
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)  # Maven resolves a relative folder against the pom's
rm -f "$OUT"/*.jar
mvn -q -B -Dstyle.color=never -f .ci/jars/pom.xml dependency:copy-dependencies \
  -Ddelta.version="$DELTA_VERSION" -Dspark.mm="$SPARK_MM" -Dspark.version="$SPARK_VERSION" \
  -DincludeScope=runtime -DexcludeArtifactIds="$SHIPPED" -DoutputDirectory="$OUT"
echo "fetch_jars: $(ls "$OUT" | wc -l) jars in $OUT (Delta $DELTA_VERSION, Kafka source for Spark $SPARK_VERSION)"
