#!/usr/bin/env bash
# Live capture on a veth pair into a network namespace this test creates:
# BPF, SIGHUP reopening the EVE file, SIGTERM flushing open flows. Needs root
# and iproute2; skipped (and said so) otherwise.
. "$(dirname "$0")/lib.sh"

veth_namespace lv

"$MEKONG" sensor -q -i "$host_if" --bpf "udp port 5353 or udp port 5354" -o "$TMP/live.json" \
    --stats-interval 1 --host live-test 2>"$TMP/sensor.err" &
pid=$!
sleep 1
udp() { # udp PORT: one datagram from the namespace to the host side
    echo hi | ip netns exec "$ns" timeout 2 bash -c "cat > /dev/udp/192.0.2.1/$1" 2>/dev/null || true
}
udp 5354
sleep 1.5
mv "$TMP/live.json" "$TMP/live.json.1"
kill -HUP "$pid"
sleep 0.5
# a datagram the filter lets through and one it does not
udp 5353
udp 9999
sleep 1.5
kill -TERM "$pid"
rc=0
timeout 10 tail --pid="$pid" -f /dev/null || rc=$?
wait "$pid" 2>/dev/null || true
pid=
[ "$rc" -eq 0 ] && ok "SIGTERM stops a live sensor" || not_ok "live sensor did not stop"
expect_grep "$TMP/live.json.1" '"event_type":"stats"' "events before the rotation went to the old file"
[ -f "$TMP/live.json" ] && ok "SIGHUP reopened the EVE file" || not_ok "no new file after SIGHUP"
expect_grep "$TMP/live.json" '"dest_port":5354.*"reason":"shutdown"' "open flows flushed at SIGTERM"
expect_grep "$TMP/live.json" '"in_iface":"'"$host_if"'"' "in_iface names the interface"
expect_grep "$TMP/live.json" '"event_type":"stats"' "periodic stats written"
expect_grep "$TMP/live.json" '"dest_port":5353' "BPF passes udp port 5353"
if grep -q '"dest_port":9999' "$TMP/live.json" "$TMP/live.json.1"; then
    not_ok "BPF let udp port 9999 through"
else
    ok "BPF filters udp port 9999 out"
fi
finish
