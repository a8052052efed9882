#!/usr/bin/env bash
# shellcheck disable=SC2016 # backticks in printf formats are markdown
# Indicators end to end (issue 4): `mekong sensor` on the fixed-seed benchmark capture with 0,
# 100k and 1M indicators loaded (the 1M list includes the planted ones), RUNS times each,
# interleaved; then callgrind instructions per packet (0 vs 1M) on the small capture of the same
# generator, and bench/planted_check.py on the EVE of the last 1M run. Prints markdown tables.
# Usage: bench/run_ioc_e2e.sh   (env: RUNS=5 SEED=1 MEKONG=path NO_BUILD=1 NO_CALLGRIND=1)
#
# Sensor flags for every configuration (identical across 0/100k/1M, so the ratios compare the
# indicators only): every EVE type, --threads 1, and
#   --alert-rate 0           every alert written (the planted check needs all of them)
#   --no-default-warnings    the capture's servers are in 198.18.0.0/15, on the default list
#   --app-memcap 4096        with the default 512 MB, the tree of 2026-11-26 15:15 lost the
#                            app-layer events of ~30 % of DNS/HTTP/TLS/QUIC flows (RESULTS.md)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
out=$here/out
RUNS=${RUNS:-5}
SEED=${SEED:-1}
TYPES=flow,dns,http,fileinfo,tls,quic,anomaly,stats
FLAGS=(--alert-rate 0 --no-default-warnings --app-memcap 4096)
BIG_SHA256=eb57ae5316c603d286219a5a8040c28e97a31dfd18e47a9f0ab1cff70c7ae599
# sha256 of bench/gen_indicators.py's lists for seed 1 (recorded in bench/RESULTS.md)
declare -A LIST_SHA256=(
    [ioc_planted.txt]=3d6553c4345c6bd5ecea4dbb5dfd5d2b600a7c335a8f496edd2ba32fe09ca617
    [ioc_100k.txt]=74ea7844f5c15caf65d5be38e48655b02f503b61d8624d517fdb3564f787c19d
    [ioc_1m.txt]=2bbda844b804fbc17e0724d37f26fc5cf74ee35cefd981cbfab33b9b8b808884
)
CG_ARGS=(--flows 7000 --size-mb 20) # as bench/run_sensor.sh: 30 MB, 89,741 packets
mkdir -p "$out"

stage() { printf '\n## %s\n\n' "$*" >&2; }
median() { sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
minmax() { sort -g | awk 'NR==1{lo=$1} {hi=$1} END {printf "%.3f-%.3f", lo, hi}'; }
now() { date +%s.%N; }
sha() { sha256sum <"$1" | cut -d' ' -f1; }
for tool in valgrind callgrind_annotate python3 /usr/bin/time bc; do
    command -v "$tool" >/dev/null || { echo "run_ioc_e2e: $tool missing" >&2; exit 1; }
done

# ---- build: a private copy of the binary, so a rebuild by someone else cannot change it mid-run
stage "build"
if [ -z "${MEKONG:-}" ]; then
    [ -n "${NO_BUILD:-}" ] ||
        (cd "$root" && cmake --preset release >/dev/null && cmake --build --preset release -j2 >/dev/null)
    cp "$root/build/release/mekong" "$out/mekong.e2e"
    MEKONG=$out/mekong.e2e
fi
cc -std=c11 -O2 -Wall -Wextra -D_DEFAULT_SOURCE -o "$out/gen_pcap" "$here/gen_pcap.c" -lcrypto
cc -std=c11 -O2 -Wall -Wextra -D_DEFAULT_SOURCE -o "$out/pcap_floor" "$here/pcap_floor.c" -lpcap
sensor=("$MEKONG" sensor -q --no-progress --threads 1 --types "$TYPES" "${FLAGS[@]}")

# ---- inputs --------------------------------------------------------------------------------------
stage "inputs (seed $SEED)"
big=$out/big.pcap
if [ -f "$big" ] && [ "$(sha "$big")" = "$BIG_SHA256" ]; then
    echo "run_ioc_e2e: big.pcap present, sha256 matches" >&2
else
    "$out/gen_pcap" --seed "$SEED" >"$big" 2>"$out/big.profile.txt"
fi
[ "$(sha "$big")" = "$BIG_SHA256" ] || echo "run_ioc_e2e: WARNING: big.pcap sha256 differs" >&2
"$out/gen_pcap" --seed "$SEED" "${CG_ARGS[@]}" >"$out/cg.pcap" 2>/dev/null
head -c 24 "$big" >"$out/empty.pcap" # the pcap header alone: start-up and set build only
lists_ok=1
for f in "${!LIST_SHA256[@]}"; do
    [ -f "$out/$f" ] && [ "$(sha "$out/$f")" = "${LIST_SHA256[$f]}" ] || lists_ok=0
done
if [ "$lists_ok" = 1 ]; then
    echo "run_ioc_e2e: indicator lists present, sha256 match" >&2
else
    # the lists avoid every value of the capture and plant values that occur in it: both read
    # from the EVE of a run with no indicators
    "${sensor[@]}" -r "$big" -o "$out/eve0.json"
    python3 "$here/gen_indicators.py" --eve "$out/eve0.json" --outdir "$out" --seed "$SEED" >&2
    rm -f "$out/eve0.json"
    for f in "${!LIST_SHA256[@]}"; do
        [ "$(sha "$out/$f")" = "${LIST_SHA256[$f]}" ] ||
            echo "run_ioc_e2e: WARNING: $f sha256 $(sha "$out/$f") differs from the recorded one" >&2
    done
fi
# 1m-random: the 1M list without its planted tail (no alerts), to separate the cost of the set
# from the cost of writing the planted hits' alerts (the planted JA3/JA4 hit ~20 % of TLS flows)
head -n -"$(grep -vc '^#' "$out/ioc_planted.txt")" "$out/ioc_1m.txt" >"$out/ioc_1m_random.txt"
declare -A LIST=([none]="" [100k]="$out/ioc_100k.txt" [1m]="$out/ioc_1m.txt"
    [1m-random]="$out/ioc_1m_random.txt")
CONFIGS=(none 100k 1m-random 1m)
ind() { [ -z "${LIST[$1]}" ] || printf -- '--indicators\n%s\n' "${LIST[$1]}"; }
cat "$big" >/dev/null # page cache

# ---- timed runs, interleaved ------------------------------------------------------------------
runs=$out/ioc_runs.tsv
: >"$runs"
timed() { # config input cmd...
    local cfg=$1 input=$2 t0 t1
    shift 2
    rm -f "$out/eve.json"
    t0=$(now)
    /usr/bin/time -f %M -o "$out/rss.txt" "$@" >/dev/null 2>"$out/err.txt" ||
        { echo "run_ioc_e2e: $cfg failed:" >&2; tail -5 "$out/err.txt" >&2; return 1; }
    t1=$(now)
    printf '%s\t%s\t%s\t%s\t%s\n' "$cfg" "$input" "$run" "$(echo "$t1 - $t0" | bc)" \
        "$(cat "$out/rss.txt")" >>"$runs"
}
for run in $(seq 1 "$RUNS"); do
    stage "run $run/$RUNS"
    for cfg in "${CONFIGS[@]}"; do
        mapfile -t extra < <(ind "$cfg")
        timed "$cfg" big "${sensor[@]}" "${extra[@]}" -r "$big" -o "$out/eve.json"
        [ "$cfg" != 1m ] || mv "$out/eve.json" "$out/eve_1m.json"
        timed "$cfg" empty "${sensor[@]}" "${extra[@]}" -r "$out/empty.pcap" -o "$out/eve.json"
    done
done
rm -f "$out/eve.json"

# ---- instruction counts ------------------------------------------------------------------------
cg_ir() { awk '/^(summary|totals):/ {print $2; exit}' "$1"; }
declare -A IR
if [ -z "${NO_CALLGRIND:-}" ]; then
    stage "callgrind"
    for cfg in none 1m; do
        mapfile -t extra < <(ind "$cfg")
        for input in cg empty; do
            valgrind --tool=callgrind --callgrind-out-file="$out/callgrind.ioc.$cfg.$input.out" \
                "${sensor[@]}" "${extra[@]}" -r "$out/$input.pcap" -o "$out/eve.json" >/dev/null 2>&1
            IR[$cfg.$input]=$(cg_ir "$out/callgrind.ioc.$cfg.$input.out")
        done
    done
    rm -f "$out/eve.json"
    callgrind_annotate --inclusive=yes "$out/callgrind.ioc.1m.cg.out" 2>/dev/null | head -80 \
        >"$out/callgrind.ioc.1m.top.txt" || true
    callgrind_annotate "$out/callgrind.ioc.1m.cg.out" 2>/dev/null | grep -E 'ioc|match|XXH' |
        head -30 >"$out/callgrind.ioc.1m.self.txt" || true
fi

# ---- planted-hit check -------------------------------------------------------------------------
stage "planted check"
check_status=0
python3 "$here/planted_check.py" "$out/ioc_planted.txt" "$out/eve_1m.json" >"$out/planted_check.txt" ||
    check_status=$?
alerts_1m=$(grep -c '"event_type":"alert"' "$out/eve_1m.json" || true)

# ---- tables --------------------------------------------------------------------------------------
read -r big_pk _ < <("$out/pcap_floor" "$big" 2>/dev/null)
read -r cg_pk _ < <("$out/pcap_floor" "$out/cg.pcap" 2>/dev/null)
col() { awk -F'\t' -v c="$1" -v i="$2" -v k="$3" '$1==c && $2==i {print $k}' "$runs"; }
med_none=$(col none big 4 | median)
echo "| input | sha256 |"
echo "|---|---|"
printf '| big.pcap (`gen_pcap --seed %s`, %s packets) | `%s` |\n' "$SEED" "$big_pk" "$(sha "$big")"
for f in ioc_100k.txt ioc_1m.txt ioc_1m_random.txt ioc_planted.txt; do
    printf '| %s (%s lines of values) | `%s` |\n' "$f" "$(grep -vc '^#' "$out/$f")" "$(sha "$out/$f")"
done
printf '| mekong binary | `%s` |\n' "$(sha "$MEKONG")"
echo
echo "| indicators | median s | min-max s | packets/s | throughput vs none | cost | start-up + set build, median s | peak RSS MiB |"
echo "|---|---|---|---|---|---|---|---|"
for cfg in "${CONFIGS[@]}"; do
    med=$(col "$cfg" big 4 | median)
    printf '| %s (%s runs) | %.3f | %s | %.0f | %.1f %% | %.1f %% | %.3f | %.1f |\n' "$cfg" \
        "$(col "$cfg" big 4 | wc -l)" "$med" "$(col "$cfg" big 4 | minmax)" \
        "$(echo "$big_pk / $med" | bc -l)" "$(echo "100 * $med_none / $med" | bc -l)" \
        "$(echo "100 - 100 * $med_none / $med" | bc -l)" "$(col "$cfg" empty 4 | median)" \
        "$(echo "$(col "$cfg" big 5 | sort -n | tail -1) / 1024" | bc -l)"
done
echo
if [ -z "${NO_CALLGRIND:-}" ]; then
    echo "| callgrind, cg.pcap (\`gen_pcap --seed $SEED ${CG_ARGS[*]}\`, $cg_pk packets) | instructions | start-up + set build (empty.pcap) | per packet, excluding start-up |"
    echo "|---|---|---|---|"
    for cfg in none 1m; do
        printf '| %s indicators | %s | %s | %.0f |\n' "$cfg" "${IR[$cfg.cg]}" "${IR[$cfg.empty]}" \
            "$(echo "(${IR[$cfg.cg]} - ${IR[$cfg.empty]}) / $cg_pk" | bc -l)"
    done
    printf '\n1M vs none, per packet: %+.1f %%\n\n' "$(echo "100 * ((${IR[1m.cg]} - ${IR[1m.empty]}) / (${IR[none.cg]} - ${IR[none.empty]}) - 1)" | bc -l)"
fi
echo "alerts in the last 1M run's EVE: $alerts_1m"
echo
echo '```'
cat "$out/planted_check.txt"
echo '```'
[ "$check_status" = 0 ]
