#!/usr/bin/env bash
# Sensor throughput benchmark (issue 3): builds the release mekong, generates the fixed-seed
# capture bench/out/big.pcap (bench/gen_pcap.c), measures the libpcap floor and `mekong sensor`
# (threads 1 and 2, every EVE type to a file) RUNS times interleaved, then callgrind; prints
# markdown tables on stdout. Usage: bench/run_sensor.sh   (env: RUNS=5 SEED=1 THREADS="1 2")
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
out=$here/out
mekong=$root/build/release/mekong
RUNS=${RUNS:-5}
SEED=${SEED:-1}
THREADS=${THREADS:-"1 2"}
TYPES=flow,dns,http,fileinfo,tls,quic,anomaly,stats
# sha256 of `gen_pcap --seed 1` (defaults): recorded in bench/RESULTS.md.
BIG_SHA256=eb57ae5316c603d286219a5a8040c28e97a31dfd18e47a9f0ab1cff70c7ae599
CG_ARGS=(--flows 7000 --size-mb 20) # the callgrind capture: 30 MB, 89,741 packets
DATA=${DATA:-/work/shared/data}
mkdir -p "$out"

stage() { printf '\n## %s\n\n' "$*" >&2; }
median() { sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
minmax() { sort -g | awk 'NR==1{lo=$1} {hi=$1} END {printf "%.3f-%.3f", lo, hi}'; }
now() { date +%s.%N; }

# ---- dependencies and build --------------------------------------------------------------
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
if ! command -v tcpdump >/dev/null; then
    echo "run_sensor: installing tcpdump (bench only)" >&2
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq tcpdump >/dev/null
fi
for tool in valgrind jq /usr/bin/time; do
    command -v "$tool" >/dev/null || { echo "run_sensor: $tool missing" >&2; exit 1; }
done

stage "build"
(cd "$root" && cmake --preset release >/dev/null && cmake --build --preset release -j2 >/dev/null)
cflags=(-std=c11 -O2 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
    -Wformat=2 -Wvla -D_DEFAULT_SOURCE)
cc "${cflags[@]}" -o "$out/gen_pcap" "$here/gen_pcap.c" -lcrypto
cc "${cflags[@]}" -o "$out/pcap_floor" "$here/pcap_floor.c" -lpcap

# ---- inputs --------------------------------------------------------------------------------
stage "inputs (seed $SEED)"
big=$out/big.pcap
if [ -f "$big" ] && [ "$SEED" = 1 ] && [ "$(sha256sum <"$big" | cut -d' ' -f1)" = "$BIG_SHA256" ]; then
    echo "run_sensor: $big present, sha256 matches" >&2
else
    t0=$(now)
    "$out/gen_pcap" --seed "$SEED" >"$big" 2>"$out/big.profile.txt"
    echo "run_sensor: generated in $(echo "$(now) - $t0" | bc) s" >&2
fi
big_sha=$(sha256sum <"$big" | cut -d' ' -f1)
[ "$SEED" != 1 ] || [ "$big_sha" = "$BIG_SHA256" ] ||
    echo "run_sensor: WARNING: big.pcap sha256 $big_sha differs from the recorded one" >&2
"$out/gen_pcap" --seed "$SEED" "${CG_ARGS[@]}" >"$out/cg.pcap" 2>/dev/null
mapfile -t real < <(find "$DATA" -type f \( -name '*.pcap' -o -name '*.pcapng' \) | LC_ALL=C sort)
cat "$big" >/dev/null # warm the page cache: every run reads from memory

# ---- timed runs, interleaved ----------------------------------------------------------------
# One row per run and configuration in $out/runs.tsv: config, run, seconds, peak RSS KiB.
runs=$out/runs.tsv
: >"$runs"
timed() { # config cmd... : wall time from date, peak RSS from /usr/bin/time
    local cfg=$1 t0 t1
    shift
    rm -f "$out/eve.json" "$out/eve2.json"
    t0=$(now)
    /usr/bin/time -f %M -o "$out/rss.txt" "$@" >/dev/null 2>"$out/err.txt" ||
        { echo "run_sensor: $cfg failed:" >&2; tail -5 "$out/err.txt" >&2; return 1; }
    t1=$(now)
    printf '%s\t%s\t%s\t%s\n' "$cfg" "$run" "$(echo "$t1 - $t0" | bc)" "$(cat "$out/rss.txt")" >>"$runs"
}
sensor=("$mekong" sensor -q --no-progress --types "$TYPES" -o "$out/eve.json")
# The real captures: `mekong sensor` takes at most 256 -r files and libpcap cannot read a
# pcapng merged from files of different link types and snap lengths, so they are read by two
# consecutive runs of half the files each (EVE to eve.json, then eve2.json), timed together.
half=$(((${#real[@]} + 1) / 2))
{
    echo '#!/bin/sh'
    printf '%q ' "${sensor[@]}" --threads 1
    for f in "${real[@]:0:$half}"; do printf -- '-r %q ' "$f"; done
    printf '&& '
    printf '%q ' "${sensor[@]}" --threads 1 -o "$out/eve2.json"
    for f in "${real[@]:$half}"; do printf -- '-r %q ' "$f"; done
    echo
} >"$out/real_sensor.sh"
chmod +x "$out/real_sensor.sh"
status=ok
for run in $(seq 1 "$RUNS"); do
    stage "run $run/$RUNS"
    timed floor "$out/pcap_floor" "$big"
    timed tcpdump tcpdump -r "$big" -w /dev/null
    for t in $THREADS; do
        timed "sensor-t$t" "${sensor[@]}" --threads "$t" -r "$big" || status=failed
    done
    timed real-floor "$out/pcap_floor" "${real[@]}" || true
    timed real-sensor "$out/real_sensor.sh" || status=failed
done

# ---- EVE contents (one more run each, not timed) --------------------------------------------
stage "EVE events"
eve_types() { cat "$@" | jq -r .event_type | sort | uniq -c | awk '{printf "%s %s, ", $2, $1}'; }
rm -f "$out/eve.json"
"${sensor[@]}" --threads 1 -r "$big" 2>/dev/null || status=failed
big_eve_bytes=$(stat -c %s "$out/eve.json" 2>/dev/null || echo 0)
big_types=$(eve_types "$out/eve.json" 2>/dev/null || echo "none")
rm -f "$out/eve.json"
"$out/real_sensor.sh" 2>/dev/null || status=failed
real_types=$(eve_types "$out/eve.json" "$out/eve2.json" 2>/dev/null || echo "none")
rm -f "$out/eve.json" "$out/eve2.json"

# ---- instruction counts -----------------------------------------------------------------------
stage "callgrind"
cg_packets=$("$out/pcap_floor" "$out/cg.pcap" 2>/dev/null | cut -d' ' -f1)
cg_ir() { awk '/^(summary|totals):/ {print $2; exit}' "$1"; }
valgrind --tool=callgrind --callgrind-out-file="$out/callgrind.floor.out" \
    "$out/pcap_floor" "$out/cg.pcap" >/dev/null 2>&1
valgrind --tool=callgrind --callgrind-out-file="$out/callgrind.sensor.out" \
    "${sensor[@]}" --threads 1 -r "$out/cg.pcap" >/dev/null 2>&1 || status=failed
rm -f "$out/eve.json"
ir_floor=$(cg_ir "$out/callgrind.floor.out")
ir_sensor=$(cg_ir "$out/callgrind.sensor.out" || echo 0)
callgrind_annotate "$out/callgrind.sensor.out" 2>/dev/null | head -60 >"$out/callgrind.sensor.top.txt" || true

# ---- tables ------------------------------------------------------------------------------------
read -r big_pk big_bytes _ < <("$out/pcap_floor" "$big" 2>/dev/null)
read -r real_pk real_bytes _ < <("$out/pcap_floor" "${real[@]}" 2>/dev/null || true)
col() { awk -F'\t' -v c="$1" -v k="$2" '$1==c {print $k}' "$runs"; }
floor_med=$(col floor 3 | median)
real_floor_med=$(col real-floor 3 | median)
t1_med=$(col sensor-t1 3 | median)

echo "| input | sha256 | packets | bytes (frames) | mean packet |"
echo "|---|---|---|---|---|"
# shellcheck disable=SC2016 # the backticks are markdown
printf '| big.pcap (`gen_pcap --seed %s`) | `%s` | %s | %s | %.1f B |\n' "$SEED" "$big_sha" \
    "$big_pk" "$big_bytes" "$(echo "$big_bytes / $big_pk" | bc -l)"
printf '| %s real captures under %s, read in order | - | %s | %s | %.1f B |\n' "${#real[@]}" "$DATA" \
    "$real_pk" "$real_bytes" "$(echo "$real_bytes / $real_pk" | bc -l)"
echo
echo "| configuration | median s | min-max s | packets/s | Gbit/s | vs pcap_floor | peak RSS MiB |"
echo "|---|---|---|---|---|---|---|"
for cfg in floor tcpdump $(for t in $THREADS; do echo "sensor-t$t"; done) real-floor real-sensor; do
    n=$(col "$cfg" 3 | wc -l)
    [ "$n" -gt 0 ] || { echo "| $cfg | failed | | | | | |"; continue; }
    med=$(col "$cfg" 3 | median)
    mm=$(col "$cfg" 3 | minmax)
    rss=$(col "$cfg" 4 | sort -n | tail -1)
    pk=$big_pk by=$big_bytes fl=$floor_med
    case $cfg in real-*) pk=$real_pk by=$real_bytes fl=$real_floor_med ;; esac
    printf '| %s (%s runs) | %.3f | %s | %.0f | %.3f | %.1f %% | %.1f |\n' "$cfg" "$n" "$med" "$mm" \
        "$(echo "$pk / $med" | bc -l)" "$(echo "$by * 8 / $med / 1000000000" | bc -l)" \
        "$(echo "100 * $fl / $med" | bc -l)" "$(echo "$rss / 1024" | bc -l)"
done
echo
for t in $THREADS; do
    [ "$t" = 1 ] || [ -z "$t1_med" ] || printf 'Scaling, %s threads vs 1: %.2fx\n\n' "$t" \
        "$(echo "$t1_med / $(col "sensor-t$t" 3 | median)" | bc -l)"
done
echo "| EVE output | events by type |"
echo "|---|---|"
echo "| big.pcap, threads 1 ($((big_eve_bytes / 1048576)) MiB) | ${big_types%, } |"
echo "| real captures, threads 1 | ${real_types%, } |"
echo
echo "| callgrind, cg.pcap (\`gen_pcap --seed $SEED ${CG_ARGS[*]}\`, $cg_packets packets) | instructions | per packet |"
echo "|---|---|---|"
printf '| pcap_floor | %s | %.0f |\n' "$ir_floor" "$(echo "$ir_floor / $cg_packets" | bc -l)"
printf '| mekong sensor --threads 1 | %s | %.0f |\n' "$ir_sensor" "$(echo "$ir_sensor / $cg_packets" | bc -l)"
echo
echo "status: $status (callgrind top functions: bench/out/callgrind.sensor.top.txt)"
[ "$status" = ok ]
