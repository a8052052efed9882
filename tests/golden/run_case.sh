#!/usr/bin/env bash
# Runs one golden case and prints mekong's output normalised: sorted keys, no timestamps,
# flow ids, flow start/end or stats; one event per line, lines sorted (LC_ALL=C).
# Usage: run_case.sh MEKONG CASE_DIR    (CASE_DIR holds args, input, expected.jsonl)
set -euo pipefail
mekong=$1
dir=$2
input=$(head -n1 "$dir/input")
case $input in /*) ;; *) input=$dir/$input ;; esac
read -r -a args <"$dir/args" || true
out=$(mktemp)
trap 'rm -f "$out"' EXIT
timeout 120 "$mekong" sensor -r "$input" -o "$out" --no-progress -q "${args[@]}"
jq -S -c 'del(.timestamp, .flow_id, .flow.start, .flow.end, .stats)
          | select(.event_type != "stats")' "$out" | LC_ALL=C sort
