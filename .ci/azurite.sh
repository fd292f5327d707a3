#!/usr/bin/env bash
# Azurite (Microsoft's Azure Storage emulator, from npm) for tests/test_azure_gcs_storage.py:
# installed under the gitignored .cache/azurite. Best effort: without node/npm that test skips
# and names this script.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -x .cache/azurite/node_modules/.bin/azurite-blob ]; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "npm is not installed: the Azurite tests will skip (apt-get install nodejs npm)"
  exit 0
fi
npm install --silent --no-audit --no-fund --prefix .cache/azurite azurite@3 \
  || echo "could not install azurite; the Azurite tests will skip"
