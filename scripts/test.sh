#!/usr/bin/env bash
# The whole test suite, as CI runs it (.ci/run): dependencies, lint, a release
# build with warnings as errors, the ASan+UBSan build running every ctest
# (unit, integration, fuzz-corpus replay), and deterministic libFuzzer runs.
# Prints each stage's time at the end; the last line is the total count.
set -uo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)
declare -a stage_names stage_times
failed=0
summary=()

stage() { # stage NAME COMMAND...
    local name=$1 start rc
    shift
    echo "==== $name"
    start=$(date +%s)
    "$@"
    rc=$?
    stage_names+=("$name")
    stage_times+=("$(($(date +%s) - start))s rc=$rc")
    if [ $rc -ne 0 ]; then
        echo "==== $name FAILED (rc $rc)"
        failed=1
    fi
    return $rc
}

configure_build() { # PRESET
    cmake --preset "$1" >/dev/null && cmake --build --preset "$1" -j"$jobs"
}

run_ctest() { # BUILD_DIR LABEL
    local log
    log=$(mktemp)
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        ctest --test-dir "$1" --output-on-failure -j"$jobs" | tee "$log"
    local rc=${PIPESTATUS[0]}
    local line f t
    line=$(grep -E 'tests failed out of' "$log" | tail -1)
    f=$(sed -nE 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\1/p' <<<"$line")
    t=$(sed -nE 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\2/p' <<<"$line")
    summary+=("$2: ${line:-no ctest summary}")
    passed=$((passed + ${t:-0} - ${f:-0}))
    nfailed=$((nfailed + ${f:-1}))
    rm -f "$log"
    return "$rc"
}

passed=0
nfailed=0
stage deps scripts/deps.sh || exit 1
stage asan-build configure_build asan || exit 1
stage lint scripts/lint.sh build/asan
stage release-build configure_build release
stage asan-tests run_ctest build/asan asan
stage fuzz-build configure_build fuzz
stage fuzz-runs run_ctest build/fuzz fuzz

echo
echo "==== stage times"
for i in "${!stage_names[@]}"; do
    printf '  %-14s %s\n' "${stage_names[$i]}" "${stage_times[$i]}"
done
for s in "${summary[@]}"; do
    echo "  $s"
done
[ $failed -eq 0 ] || echo "some stage failed"
echo "total: $passed passed, $nfailed failed"
exit $failed
