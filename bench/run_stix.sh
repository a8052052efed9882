#!/usr/bin/env bash
# STIX and JSON-parser benchmarks (issue 2): builds the release libraries and the bench
# programs, generates fixed-seed bundles into bench/out/, runs every measurement RUNS times
# (median, min, max), counts instructions with callgrind, and prints markdown tables.
# Usage: bench/run_stix.sh   (env: RUNS=5 SEED=1 OBJ_100M=190000 BIG_KB=10240 DENSE_KB=4096)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
out=$here/out
rel=$root/build/release
RUNS=${RUNS:-5}
SEED=${SEED:-1}
OBJ_100K=${OBJ_100K:-100000}
OBJ_100M=${OBJ_100M:-190000} # ~100 MB with this generator's object mix
OBJ_10K=${OBJ_10K:-10000}    # the callgrind input
BIG_KB=${BIG_KB:-10240}      # one report with ~210k object_refs (~10 MB)
DENSE_KB=${DENSE_KB:-4096}   # one note with ~2M one-digit numbers (~4 MB): the DOM worst case
mkdir -p "$out"

stage() { printf '\n## %s\n\n' "$*" >&2; }

# ---- dependencies and build --------------------------------------------------------
if ! pkg-config --exists jansson; then
    echo "run_stix: installing libjansson-dev (bench only)" >&2
    sudo_cmd=()
    [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq libjansson-dev >/dev/null
fi
command -v valgrind >/dev/null || { echo "run_stix: valgrind missing (scripts/deps.sh)" >&2; exit 1; }

stage "build"
(cd "$root" && cmake --preset release >/dev/null &&
    cmake --build --preset release --target mk_stix mk_base >/dev/null)
# Same optimisation as the release preset (-O2, LTO) so the libraries' LTO objects link.
cflags=(-std=c11 -O2 -flto=auto -DNDEBUG -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L
    -D_FORTIFY_SOURCE=2 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes
    -Wmissing-prototypes -Wformat=2 -Wvla -I"$root/src")
mklibs=("$rel/libmk_stix.a" "$rel/libmk_base.a" -lyajl -lcrypto -lxxhash)
cc -std=c11 -O2 -Wall -Wextra -Werror -o "$out/gen_bundle" "$here/gen_bundle.c"
gcc "${cflags[@]}" -o "$out/bench_stix" "$here/bench_stix.c" "${mklibs[@]}"
gcc "${cflags[@]}" -o "$out/bench_json_libs" "$here/bench_json_libs.c" "${mklibs[@]}" \
    $(pkg-config --libs jansson)

# ---- inputs ---------------------------------------------------------------------------
stage "inputs (seed $SEED)"
gen() { # name args...
    local name=$1
    shift
    "$out/gen_bundle" --seed "$SEED" "$@" >"$out/$name.json" 2>/dev/null
}
gen b10k --objects "$OBJ_10K"
gen b100k --objects "$OBJ_100K"
gen b100m --objects "$OBJ_100M"
gen big --objects "$OBJ_100K" --big-object-kb "$BIG_KB"
gen dense --objects "$OBJ_100K" --dense-object-kb "$DENSE_KB"
echo "| file | command | objects | bytes | largest object (bytes) | sha256 |"
echo "|---|---|---|---|---|---|"
for f in b10k b100k b100m big dense; do
    case $f in
    b10k) args="--objects $OBJ_10K" ;;
    b100k) args="--objects $OBJ_100K" ;;
    b100m) args="--objects $OBJ_100M" ;;
    big) args="--objects $OBJ_100K --big-object-kb $BIG_KB" ;;
    dense) args="--objects $OBJ_100K --dense-object-kb $DENSE_KB" ;;
    esac
    # one object per line, so the longest line is the largest object
    largest=$(LC_ALL=C awk '{ if (length($0) > m) m = length($0) } END { print m }' "$out/$f.json")
    echo "$largest" >"$out/$f.largest"
    printf '| %s.json | `gen_bundle --seed %s %s` | %s | %s | %s | `%s` |\n' "$f" "$SEED" "$args" \
        "$(grep -c '"spec_version"' "$out/$f.json")" "$(stat -c %s "$out/$f.json")" "$largest" \
        "$(sha256sum "$out/$f.json" | cut -d' ' -f1)"
done

# ---- timed runs ------------------------------------------------------------------------
field() { tr ' ' '\n' | sed -n "s/^$1=//p"; }
# median min max of the numbers on stdin
stats() { sort -g | awk '{ a[NR] = $1 } END {
    m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
    printf "%s %s %s\n", m, a[1], a[NR] }'; }
med() { stats | cut -d' ' -f1; }
range() { stats | awk '{ printf "%s (%s–%s)", $1, $2, $3 }'; }

res=$out/results.txt
: >"$res"
stage "timed runs: $RUNS rounds, configurations interleaved in each round"
for ((i = 1; i <= RUNS; i++)); do
    for f in b100k b100m big dense; do
        for m in parse validate write; do
            echo "key=stix/$f/$m $("$out/bench_stix" "$out/$f.json" --mode "$m")" >>"$res"
        done
    done
    for f in b100k b100m; do
        for l in yajl mekong jansson; do
            echo "key=libs/$f/$l $("$out/bench_json_libs" "$out/$f.json" --lib "$l")" >>"$res"
        done
    done
    echo "round $i/$RUNS done" >&2
done

get() { grep "^key=$1 " "$res" | while read -r line; do echo "$line" | field "$2"; done; }
mib() { awk '{ printf "%.1f", $1 / 1024 }'; }

stage "STIX reader, validator, writer (wall MB/s of input; write: MB/s of output)"
echo "| file | mode | MB/s median (min–max) | CPU-time MB/s median | write-only MB/s | max RSS MiB | peak object arena (bytes) | errors/warnings |"
echo "|---|---|---|---|---|---|---|---|"
for f in b100k b100m big dense; do
    for m in parse validate write; do
        k=stix/$f/$m
        w="–"
        [ "$m" = write ] && w=$(get "$k" write_mbps | range)
        printf '| %s | %s | %s | %s | %s | %s | %s | %s/%s |\n' "$f" "$m" \
            "$(get "$k" mbps | range)" "$(get "$k" cpu_mbps | med)" "$w" \
            "$(get "$k" maxrss_kb | med | mib)" "$(get "$k" peak_object_bytes | med)" \
            "$(get "$k" errors | med)" "$(get "$k" warnings | med)"
    done
done

stage "memory bound: RSS against the largest object"
# The constant is b100k's RSS (largest object 3 KB); the rest is charged to the largest object.
echo "| file | bytes | largest object (bytes) | peak object arena (bytes) | RSS parse MiB | RSS validate MiB | (RSS validate − b100k's) / largest object |"
echo "|---|---|---|---|---|---|---|"
base=$(get "stix/b100k/validate" maxrss_kb | med)
for f in b100k b100m big dense; do
    largest=$(cat "$out/$f.largest")
    rss=$(get "stix/$f/validate" maxrss_kb | med)
    printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$f" "$(stat -c %s "$out/$f.json")" "$largest" \
        "$(get "stix/$f/parse" peak_object_bytes | med)" "$(get "stix/$f/parse" maxrss_kb | med | mib)" \
        "$(echo "$rss" | mib)" \
        "$(awk -v r="$rss" -v b="$base" -v l="$largest" 'BEGIN {
            if (l < 1048576) print "– (object below RSS resolution)"; else printf "%.2f×", (r - b) * 1024 / l }')"
done

stage "JSON libraries: parse + walk (clarifications.md Issue 2 table)"
echo "| library | file | MB/s median (min–max) | CPU-time MB/s median | max RSS MiB | RSS / file size |"
echo "|---|---|---|---|---|---|"
for f in b100k b100m; do
    size=$(stat -c %s "$out/$f.json")
    for l in yajl mekong jansson; do
        k=libs/$f/$l
        rss=$(get "$k" maxrss_kb | med)
        printf '| %s | %s | %s | %s | %s | %s |\n' "$l" "$f" "$(get "$k" mbps | range)" \
            "$(get "$k" cpu_mbps | med)" "$(echo "$rss" | mib)" \
            "$(awk -v r="$rss" -v s="$size" 'BEGIN { printf "%.2f×", r * 1024 / s }')"
    done
done

# ---- instruction counts ------------------------------------------------------------------
stage "instruction counts (callgrind, b10k.json)"
bytes=$(stat -c %s "$out/b10k.json")
irs() { # prints the instructions callgrind collected for the command
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null |
        sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
echo "| program | instructions | bytes | instructions/byte |"
echo "|---|---|---|---|"
for spec in "bench_stix --mode parse" "bench_stix --mode validate" "bench_stix --mode write" \
    "bench_json_libs --lib yajl" "bench_json_libs --lib mekong" "bench_json_libs --lib jansson"; do
    read -r prog opt val <<<"$spec"
    ir=$(irs "$out/$prog" "$out/b10k.json" "$opt" "$val")
    printf '| `%s` | %s | %s | %s |\n' "$spec" "$ir" "$bytes" \
        "$(awk -v i="$ir" -v b="$bytes" 'BEGIN { printf "%.1f", i / b }')"
done

stage "profile of parse + validate (callgrind_annotate, self cost per function, b10k.json)"
valgrind --tool=callgrind --callgrind-out-file="$out/callgrind.validate.out" \
    "$out/bench_stix" "$out/b10k.json" --mode validate >/dev/null 2>&1
echo '```'
callgrind_annotate "$out/callgrind.validate.out" 2>/dev/null | sed -n '/^Ir/,$p' | awk 'NR <= 28'
echo '```'
