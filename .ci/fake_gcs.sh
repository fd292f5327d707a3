#!/usr/bin/env bash
# fake-gcs-server (a Google Cloud Storage emulator, a Go module) for
# tests/test_azure_gcs_storage.py: built into the gitignored .cache/gobin. Best effort: without
# Go that test skips and names this script.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -x .cache/gobin/fake-gcs-server ]; then
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  echo "go is not installed: the fake-gcs-server tests will skip (https://go.dev/doc/install)"
  exit 0
fi
GOBIN="$PWD/.cache/gobin" go install github.com/fsouza/fake-gcs-server@v1.52.2 \
  || echo "could not build fake-gcs-server; the GCS tests will skip"
