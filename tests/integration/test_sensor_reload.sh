#!/usr/bin/env bash
# Indicator hot reload on a live sensor: a DNS name that is not an indicator
# does not alert; after the list gains it (SIGUSR2, and separately a plain
# file change) the same query alerts, with no restart. Needs root, iproute2
# and network namespaces (created here); skipped otherwise.
. "$(dirname "$0")/lib.sh"

# network namespaces need root, iproute2 and a kernel/sandbox that lets
# `ip netns exec` mount (a chroot does not): probe all of it, skip otherwise
if [ "$(id -u)" -ne 0 ] || ! command -v ip >/dev/null || ! ip netns add "mk-rl-$$" 2>/dev/null; then
    ok "# skip reload test: needs root, iproute2 and network namespaces"
    finish
    exit 0
fi
if ! ip netns exec "mk-rl-$$" true 2>/dev/null; then
    ip netns del "mk-rl-$$" 2>/dev/null || true
    ok "# skip reload test: 'ip netns exec' does not work here (chroot or sandbox)"
    finish
    exit 0
fi
ns="mk-rl-$$"
host_if="mkr$$a"
peer_if="mkr$$b"
cleanup() {
    [ -n "${pid:-}" ] && kill -KILL "$pid" 2>/dev/null
    ip link del "$host_if" 2>/dev/null
    ip netns del "$ns" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT
ip link add "$host_if" type veth peer name "$peer_if"
ip link set "$peer_if" netns "$ns"
ip addr add 192.0.2.1/30 dev "$host_if"
ip link set "$host_if" up
ip netns exec "$ns" ip addr add 192.0.2.2/30 dev "$peer_if"
ip netns exec "$ns" ip link set "$peer_if" up
ip netns exec "$ns" ip neigh add 192.0.2.1 lladdr "$(cat /sys/class/net/"$host_if"/address)" \
    dev "$peer_if"

# query NAME: one DNS query (type A) from the namespace, from a new source port
query() {
    local labels="" l
    for l in ${1//./ }; do labels+=$(printf '\\x%02x%s' "${#l}" "$l"); done
    # one write, so one datagram: build the message in a file first
    printf "\\x12\\x34\\x01\\x00\\x00\\x01\\x00\\x00\\x00\\x00\\x00\\x00${labels}\\x00\\x00\\x01\\x00\\x01" \
        >"$TMP/query.bin"
    ip netns exec "$ns" timeout 2 bash -c "cat '$TMP/query.bin' > /dev/udp/192.0.2.1/53" \
        2>/dev/null || true
}
alerts() { grep -c '"event_type":"alert"' "$TMP/eve.json" 2>/dev/null || true; }

printf '# empty for now\nnot-this.example\n' >"$TMP/list.txt"
"$MEKONG" sensor -i "$host_if" --indicators "$TMP/list.txt" -o "$TMP/eve.json" \
    --stats-interval 0 --pidfile "$TMP/sensor.pid" 2>"$TMP/sensor.err" &
pid=$!
sleep 1
query c2.reload-test.example
sleep 1
[ "$(alerts)" = 0 ] && ok "no alert before the name is an indicator" || not_ok "alert before reload"

echo "reload-test.example" >>"$TMP/list.txt"
touch -d '+2 seconds' "$TMP/list.txt" # a new mtime even within the same second
expect_rc 0 "mekong reload --pidfile asks the sensor to reload" -- \
    "$MEKONG" reload --pidfile "$TMP/sensor.pid"
sleep 2.5
query c2.reload-test.example
sleep 1
[ "$(alerts)" = 1 ] && ok "the new indicator alerts after the reload" ||
    not_ok "alerts after reload: $(alerts)"
expect_grep "$TMP/sensor.err" "reload" "the reload is logged"

# a second change without a signal: the file watch alone reloads
echo "other-test.example" >>"$TMP/list.txt"
touch -d '+4 seconds' "$TMP/list.txt"
sleep 2.5
query www.other-test.example
sleep 1
kill -TERM "$pid"
timeout 10 tail --pid="$pid" -f /dev/null || true
wait "$pid" 2>/dev/null || true
pid=
[ "$(alerts)" = 2 ] && ok "a changed file is reloaded without a signal" ||
    not_ok "alerts after the file change: $(alerts)"
expect_grep "$TMP/eve.json" '"ioc":\{[^}]*"reloads":[1-9]' "stats count the reloads"
[ ! -e "$TMP/sensor.pid" ] && ok "the pid file is removed at exit" || not_ok "pid file left behind"
finish
