#!/usr/bin/env bash
# Regenerates tests/golden/<case>/expected.jsonl from the current mekong binary.
# Check every change by hand against the capture (tshark -V) before committing it;
# known wrong outputs are listed in KNOWN-ISSUES.md.
# Usage: tests/golden/regen.sh [MEKONG] [CASE...]   (MEKONG defaults to build/golden/mekong)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mekong=${1:-${MEKONG:-$here/../../build/golden/mekong}}
shift || true
cases=("$@")
if [ ${#cases[@]} -eq 0 ]; then
    for d in "$here"/*/; do
        [ -f "$d/args" ] && cases+=("$(basename "$d")")
    done
fi
for c in "${cases[@]}"; do
    bash "$here/run_case.sh" "$mekong" "$here/$c" >"$here/$c/expected.jsonl.new"
    mv "$here/$c/expected.jsonl.new" "$here/$c/expected.jsonl"
    echo "$c: $(wc -l <"$here/$c/expected.jsonl") events"
done
