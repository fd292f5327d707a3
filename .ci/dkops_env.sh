#!/usr/bin/env bash
# Set-up for tests/test_dkops_differential.py: the real DKOps framework (dkops[local]==0.3.6)
# in its own venv (it pins pyspark 3.5.3; ours is 4.2) plus the Delta jars its Spark session
# needs, fetched here with Maven so that the test never downloads anything.
# Idempotent: a second run only checks. Usage: .ci/dkops_env.sh  (from the repository root)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${DKOPS_PYTHON:-${PYTHON:-python3}}
VENV=.cache/dkops-venv
JARS=.cache/dkops-jars
DELTA=3.2.0  # the DELTA_VERSION DKOps 0.3.6 documents, matching its delta-spark pin
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import DKOps, delta, pyspark" 2>/dev/null; then
  "$PY" -m venv "$VENV"
  "$VENV/bin/python" -m pip install -q --upgrade pip
  # pyspark 3.5.3 is an sdist: the first install builds it (pip caches the wheel afterwards).
  "$VENV/bin/python" -m pip install -q "dkops[local]==0.3.6"
fi
mkdir -p "$JARS"
for artifact in "io.delta:delta-spark_2.12:$DELTA" "io.delta:delta-storage:$DELTA"; do
  name=$(echo "$artifact" | awk -F: '{print $2"-"$3".jar"}')
  if [ ! -s "$JARS/$name" ]; then
    mvn -q -B -Dstyle.color=never dependency:copy -Dartifact="$artifact" -DoutputDirectory="$JARS" >/dev/null
  fi
done
echo "DKOps venv: $VENV ($("$VENV/bin/python" -c 'import importlib.metadata as m; print("dkops", m.version("dkops"), "pyspark", m.version("pyspark"))'))"
echo "Delta jars: $(ls "$JARS" | tr '\n' ' ')"
