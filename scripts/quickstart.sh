#!/usr/bin/env bash
# Quick start: install what is missing, build the release binary, and run the
# main job on sample data the repository owns.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j"$(nproc)" >/dev/null
echo "== mekong stix validate samples/stix/threat-report.json"
build/release/mekong stix validate samples/stix/threat-report.json
