#!/usr/bin/env bash
# Fetch an Apache Kafka broker's jars (kafka_2.13 and its runtime dependencies, .ci/kafka/pom.xml)
# once, with Maven, into .cache/kafka (or $1), for tests/kafka_broker.py, which starts it in KRaft
# mode on 127.0.0.1. Tests never download: they skip, naming this command, when the folder is
# empty. Idempotent: a folder already holding this version's broker jar is left as it is.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-.cache/kafka}
VERSION=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' .ci/kafka/pom.xml)
if [ -f "$OUT/kafka_2.13-$VERSION.jar" ]; then
  echo "kafka: $(ls "$OUT" | wc -l) jars already in $OUT (Kafka $VERSION)"
  exit 0
fi
command -v mvn >/dev/null || { echo "kafka: needs Maven (apt-get install maven)" >&2; exit 1; }
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)  # Maven resolves a relative folder against the pom's
# Into a side folder first, moved in whole: an interrupted fetch never looks like a done one.
rm -rf "$OUT.partial"
mvn -q -B -Dstyle.color=never -f .ci/kafka/pom.xml dependency:copy-dependencies \
  -DincludeScope=runtime -DoutputDirectory="$OUT.partial"
rm -rf "$OUT"
mv "$OUT.partial" "$OUT"
echo "kafka: $(ls "$OUT" | wc -l) jars in $OUT (Kafka $VERSION):"
ls "$OUT"
