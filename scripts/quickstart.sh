#!/usr/bin/env bash
# Quick start: install what is missing, build the release binary, and run the
# main job on sample data the repository owns: `mekong analyze` matches a demo
# capture against a STIX 2.1 threat report and a blocklist and prints a report.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j"$(nproc)" >/dev/null
echo "== mekong stix validate samples/stix/threat-report.json"
build/release/mekong stix validate samples/stix/threat-report.json
echo
echo "== mekong analyze samples/pcap/demo.pcap --indicators samples/stix/threat-report.json --indicators samples/indicators/blocklist.txt"
build/release/mekong analyze samples/pcap/demo.pcap \
    --indicators samples/stix/threat-report.json \
    --indicators samples/indicators/blocklist.txt
