# Helpers for integration tests: sourced, never run. MEKONG is the binary under test.
set -euo pipefail
: "${MEKONG:?MEKONG must name the mekong binary}"
: "${MK_SRC:?MK_SRC must name the source tree}"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fails=0
checks=0

ok() { checks=$((checks + 1)); echo "ok - $*"; }
not_ok() { checks=$((checks + 1)); fails=$((fails + 1)); echo "not ok - $*"; }

# expect_rc RC DESCRIPTION -- COMMAND...: runs COMMAND, output in $TMP/out and $TMP/err
expect_rc() {
    local want=$1 what=$2 rc=0
    shift 3
    "$@" >"$TMP/out" 2>"$TMP/err" || rc=$?
    if [ "$rc" -eq "$want" ]; then ok "$what (rc $rc)"; else
        not_ok "$what: rc $rc, wanted $want"; sed 's/^/#   /' "$TMP/out" "$TMP/err" | head -20
    fi
}

# expect_grep FILE REGEX DESCRIPTION
expect_grep() {
    if grep -qE -- "$2" "$1"; then ok "$3"; else not_ok "$3: no /$2/ in $1"; sed 's/^/#   /' "$1" | head -20; fi
}

finish() {
    echo "$((checks - fails)) passed, $fails failed"
    [ "$fails" -eq 0 ]
}
