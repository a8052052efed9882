#!/usr/bin/env bash
# What the sensor benchmark's goal leaves for the sensor itself (issue 3: >= 40% of a bare
# libpcap read on one core). Measures, on bench/out/big.pcap, the parts every sensor must do
# on the clarified profile, each alone: reading the capture with libpcap (the floor), hashing
# every HTTP body byte with MD5, SHA-1 and SHA-256 (bench/hash_floor.c, the sensor's EVP calls,
# the capture's own body volume and mean body size), and writing the EVE output into the page
# cache (a copy of the sensor's own eve.json). Also `mekong sensor` with every EVE type and
# with the stats event only. RUNS times interleaved, medians; prints markdown on stdout.
# Needs bench/run_sensor.sh's outputs (build, big.pcap). Usage: bench/run_bound.sh (env RUNS=5)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
out=$here/out
mekong=$root/build/release/mekong
big=$out/big.pcap
RUNS=${RUNS:-5}
TYPES=flow,dns,http,fileinfo,tls,quic,anomaly,stats
median() { sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
now() { date +%s.%N; }

[ -x "$mekong" ] && [ -f "$big" ] || { echo "run_bound: run bench/run_sensor.sh first" >&2; exit 1; }
cflags=(-std=c11 -O2 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
    -Wformat=2 -Wvla -D_DEFAULT_SOURCE)
cc "${cflags[@]}" -o "$out/hash_floor" "$here/hash_floor.c" -lcrypto
cc "${cflags[@]}" -o "$out/pcap_floor" "$here/pcap_floor.c" -lpcap
cat "$big" >/dev/null

# the capture's own volumes: EVE bytes, HTTP body bytes and their mean size
rm -f "$out/eve.json"
"$mekong" sensor -q --no-progress --types "$TYPES" -o "$out/eve.json" -r "$big"
cp "$out/eve.json" "$out/eve.keep"
eve_bytes=$(stat -c %s "$out/eve.keep")
read -r bodies body_bytes < <(jq -r 'select(.event_type == "fileinfo") | .fileinfo.size' \
    "$out/eve.keep" | awk '{n++; s+=$1} END {print n, s}')
mean_body=$((body_bytes / bodies))

runs=$out/bound.tsv
: >"$runs"
timed() { # name cmd...
    local name=$1 t0 t1
    shift
    t0=$(now)
    "$@" >/dev/null 2>&1
    t1=$(now)
    printf '%s\t%s\n' "$name" "$(echo "$t1 - $t0" | bc)" >>"$runs"
}
for run in $(seq 1 "$RUNS"); do
    echo "run_bound: run $run/$RUNS" >&2
    timed floor "$out/pcap_floor" "$big"
    timed hashes "$out/hash_floor" "$body_bytes" "$mean_body"
    rm -f "$out/eve.copy"
    timed eve-write cp "$out/eve.keep" "$out/eve.copy"
    rm -f "$out/eve.json"
    timed sensor-stats "$mekong" sensor -q --no-progress --types stats -o "$out/eve.json" -r "$big"
    rm -f "$out/eve.json"
    timed sensor-all "$mekong" sensor -q --no-progress --types "$TYPES" -o "$out/eve.json" -r "$big"
done
rm -f "$out/eve.copy" "$out/eve.json" "$out/eve.keep"

med() { awk -F'\t' -v k="$1" '$1==k {print $2}' "$runs" | median; }
floor=$(med floor)
hashes=$(med hashes)
write=$(med eve-write)
stats=$(med sensor-stats)
all=$(med sensor-all)
budget=$(echo "$floor / 0.4" | bc -l)
must=$(echo "$floor + $hashes + $write" | bc -l)
pk=$("$out/pcap_floor" "$big" | cut -d' ' -f1)
echo "| part (big.pcap, one core) | median s |"
echo "|---|---|"
printf '| libpcap read loop (pcap_floor) | %.3f |\n' "$floor"
printf '| MD5 + SHA-1 + SHA-256 of %s body bytes (%s bodies, mean %s B) | %.3f |\n' \
    "$body_bytes" "$bodies" "$mean_body" "$hashes"
printf '| writing %s bytes of EVE into the page cache (cp) | %.3f |\n' "$eve_bytes" "$write"
printf '| **sum of the three** | **%.3f** |\n' "$must"
printf '| the goal: 40 %% of the floor = floor / 0.4 | %.3f |\n' "$budget"
printf '| left for decoding, flows, reassembly, parsers, JSON | %.3f (%.0f ns per packet) |\n' \
    "$(echo "$budget - $must" | bc -l)" "$(echo "($budget - $must) * 1000000000 / $pk" | bc -l)"
printf '| mekong sensor, stats event only (no EVE formatting or writing) | %.3f |\n' "$stats"
printf '| mekong sensor, every EVE type | %.3f (%.1f %% of the floor) |\n' "$all" \
    "$(echo "100 * $floor / $all" | bc -l)"
