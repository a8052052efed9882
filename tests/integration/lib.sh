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

# veth_namespace TAG: a veth pair from this host (192.0.2.1, $host_if) into a new
# network namespace $ns (192.0.2.2, $peer_if), removed on exit together with
# $pid if set. Skips the whole test (exit 0, saying why) where namespaces
# cannot be used: not root, no iproute2, or a chroot where `ip netns exec`
# cannot mount.
veth_namespace() {
    ns="mk-$1-$$"
    host_if="mk$1$$a"
    peer_if="mk$1$$b"
    if [ "$(id -u)" -ne 0 ] || ! command -v ip >/dev/null || ! ip netns add "$ns" 2>/dev/null; then
        ok "# skip: needs root, iproute2 and network namespaces"
        finish
        exit 0
    fi
    if ! ip netns exec "$ns" true 2>/dev/null; then
        ip netns del "$ns" 2>/dev/null || true
        ok "# skip: 'ip netns exec' does not work here (chroot or sandbox)"
        finish
        exit 0
    fi
    trap 'veth_cleanup' EXIT
    ip link add "$host_if" type veth peer name "$peer_if"
    ip link set "$peer_if" netns "$ns"
    ip addr add 192.0.2.1/30 dev "$host_if"
    ip link set "$host_if" up
    ip netns exec "$ns" ip addr add 192.0.2.2/30 dev "$peer_if"
    ip netns exec "$ns" ip link set "$peer_if" up
    ip netns exec "$ns" ip link set lo up
    # a static neighbour: datagrams go out whatever the host's ARP settings
    ip netns exec "$ns" ip neigh add 192.0.2.1 \
        lladdr "$(cat /sys/class/net/"$host_if"/address)" dev "$peer_if"
}

veth_cleanup() {
    [ -n "${pid:-}" ] && kill -KILL "$pid" 2>/dev/null
    ip link del "$host_if" 2>/dev/null
    ip netns del "$ns" 2>/dev/null
    rm -rf "$TMP"
}
