#!/usr/bin/env bash
# Indicator hot reload on a live sensor: a DNS name that is not an indicator
# does not alert; after the list gains it (SIGUSR2, and separately a plain
# file change) the same query alerts, with no restart. Needs root, iproute2
# and network namespaces (created here); skipped otherwise.
. "$(dirname "$0")/lib.sh"

veth_namespace rl

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
