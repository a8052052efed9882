#!/usr/bin/env bash
# Indicator engine figures for bench/RESULTS.md ("Indicator engine"): builds the
# release libraries and bench_ioc, records the generator's sha256, runs 10k, 100k
# and 1M mixed sets 5 times each (medians), 10M once, a CIDR-only set, then
# callgrind instruction counts per lookup, and the Bloom filter's effect (lookups/s and simulated
# cache misses with and without it, same binary). About 4 minutes on 2 cores.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
out=bench/out
mkdir -p "$out"

cmake --preset release >/dev/null
cmake --build --preset release -j2 --target mk_ioc >/dev/null
rel=build/release
gcc -std=c11 -O2 -Wall -Wextra -Werror -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -Isrc \
    bench/bench_ioc.c "$rel/libmk_ioc.a" "$rel/libmk_stix.a" "$rel/libmk_base.a" \
    -lurcu-qsbr -lidn2 -lpsl -lhs -lyajl -lcrypto -lxxhash -o "$out/bench_ioc"

echo "## generator (seed 1): sha256 of the 1M mix as 'type<TAB>value' lines"
"$out/bench_ioc" 1000000 1 --dump "$out/ioc_mix_1m.tsv" --queries 1000 >/dev/null
cut -f1 "$out/ioc_mix_1m.tsv" | sort | uniq -c | sort -rn
sha256sum "$out/ioc_mix_1m.tsv" | cut -d' ' -f1
rm -f "$out/ioc_mix_1m.tsv"

echo "## mixed sets (median of 5; 10M once)"
for n in 10000 100000 1000000; do
    "$out/bench_ioc" "$n" 5
done
"$out/bench_ioc" 10000000 1

echo "## 1M without the Bloom filter (same binary, filter dropped before the lookups; median of 5)"
"$out/bench_ioc" 1000000 5 --filter 0

echo "## CIDR-only set (IPv4 prefixes /12../32, 15 lengths; median of 5)"
"$out/bench_ioc" 100000 5 --cidr 1

echo "## callgrind: instructions per lookup (run_queries only)"
for args in "100000 1 --queries 200000" "1000000 1 --queries 200000" \
    "100000 1 --queries 200000 --cidr 1"; do
    # shellcheck disable=SC2086 # word splitting of args is wanted
    valgrind --tool=callgrind --toggle-collect=run_queries \
        --callgrind-out-file="$out/ioc.callgrind" "$out/bench_ioc" $args >/dev/null 2>&1
    ir=$(awk '/^summary:/ {print $2}' "$out/ioc.callgrind")
    q=$(echo "$args" | sed -E 's/.*--queries ([0-9]+).*/\1/')
    echo "$args: Ir=$ir per_lookup=$((ir / q))"
    rm -f "$out/ioc.callgrind"
done

echo "## callgrind --cache-sim=yes: data-cache misses per lookup, 1M, filter on / off (run_queries only)"
# perf's cache counters are not available in this KVM guest; valgrind simulates the host's
# D1 and last-level cache (the LL size is what valgrind detects; a sensor shares it with its
# flow table and the rest, so real misses are higher for both).
# Then with a 4 MiB last level: the share of the L3 a sensor thread can count on next to its flow
# table, reassembly and output buffers.
for ll in host 4194304,16,64; do for f in 1 0; do
    llarg=()
    [ "$ll" = host ] || llarg=(--LL="$ll")
    valgrind --tool=callgrind --cache-sim=yes "${llarg[@]}" --toggle-collect=run_queries \
        --callgrind-out-file="$out/ioc.cache.callgrind" "$out/bench_ioc" 1000000 1 \
        --queries 200000 --filter "$f" >/dev/null 2>"$out/ioc.cache.err"
    awk -v f="$f" -v q=200000 '/^events:/ {for (i = 2; i <= NF; i++) ev[i] = $i}
        /^summary:/ {for (i = 2; i <= NF; i++) v[ev[i]] = $i}
        END {printf "LL=%s filter=%s Ir/lookup=%.0f D1 read misses/lookup=%.2f LL read misses/lookup=%.3f\n",
            ll, f, v["Ir"] / q, v["D1mr"] / q, v["DLmr"] / q}' ll="$ll" "$out/ioc.cache.callgrind"
    rm -f "$out/ioc.cache.callgrind" "$out/ioc.cache.err"
done; done
