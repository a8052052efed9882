#!/usr/bin/env bash
# `mekong sensor` as a user runs it on the repository's own captures: inputs
# (pcap, pcapng, gzip, several files, stdin), outputs (file, stdout, unix
# socket), bad input, and the signals (SIGTERM flushes flows, SIGHUP reopens).
. "$(dirname "$0")/lib.sh"
pcaps="$MK_SRC/tests/data/pcap"
sensor() { "$MEKONG" sensor -q --no-progress "$@"; }

expect_rc 0 "sensor --help" -- "$MEKONG" sensor --help
expect_grep "$TMP/out" "usage: mekong sensor" "help names the command"
expect_rc 2 "no input is a usage error" -- "$MEKONG" sensor
expect_rc 2 "missing capture is an error" -- sensor -r "$TMP/none.pcap" -o "$TMP/e.json"
expect_grep "$TMP/err" "none.pcap" "the error names the file"
expect_rc 2 "garbage file is an error" -- sensor -r "$pcaps/garbage.bin" -o "$TMP/e.json"
expect_rc 2 "bad --threads value" -- "$MEKONG" sensor --threads 0 -r "$pcaps/basic.pcap"
expect_rc 2 "unknown event type" -- "$MEKONG" sensor --types flow,bogus -r "$pcaps/basic.pcap"

# the same traffic as pcap, pcapng and gzip'ed pcap gives the same events
for f in basic.pcap basic.pcapng basic.pcap.gz; do
    expect_rc 0 "read $f" -- sensor -r "$pcaps/$f" -o "$TMP/$f.json"
    jq -c -S 'select(.event_type != "stats") | del(.timestamp, .flow_id, .flow.start, .flow.end)' \
        "$TMP/$f.json" | sort >"$TMP/$f.norm"
done
if [ -s "$TMP/basic.pcap.norm" ] && cmp -s "$TMP/basic.pcap.norm" "$TMP/basic.pcapng.norm" &&
    cmp -s "$TMP/basic.pcap.norm" "$TMP/basic.pcap.gz.norm"; then
    ok "pcap, pcapng and gzip give identical events"
else
    not_ok "formats disagree"
fi
expect_grep "$TMP/basic.pcap.json" '"event_type":"dns".*"rrname":"example.com"' "DNS query logged"
expect_grep "$TMP/basic.pcap.json" '"event_type":"http"' "HTTP transaction logged"
expect_grep "$TMP/basic.pcap.json" '"event_type":"stats"' "final stats event"
expect_grep "$TMP/basic.pcap.json" '"community_id":"1:' "community id on events"

# every event of a flow shares its flow_id
n=$(jq -r 'select(.event_type != "stats") | [.community_id, .flow_id] | @tsv' "$TMP/basic.pcap.json" |
    sort -u | cut -f1 | uniq -d | wc -l)
[ "$n" -eq 0 ] && ok "one flow_id per flow" || not_ok "$n flows with several flow_ids"

# stdout output, several files in order, --types filter, --host
expect_rc 0 "two files to stdout" -- sensor -r "$pcaps/basic.pcap" "$pcaps/tunnels.pcap" -o - \
    --types flow --host sensor-7
[ "$(jq -r .event_type "$TMP/out" | sort -u | tr '\n' ' ')" = "flow " ] && ok "--types flow only" ||
    not_ok "--types let other events through"
expect_grep "$TMP/out" '"host":"sensor-7"' "--host written"
expect_grep "$TMP/out" '"tunnel":\{"depth":' "tunnelled flow records its encapsulation"

# threads: the same events with 1 and 2 workers
sensor -r "$pcaps/basic.pcap" "$pcaps/tunnels.pcap" "$pcaps/frags.pcap" -o "$TMP/t1.json" --threads 1
sensor -r "$pcaps/basic.pcap" "$pcaps/tunnels.pcap" "$pcaps/frags.pcap" -o "$TMP/t2.json" --threads 2
for t in t1 t2; do
    jq -c -S 'select(.event_type != "stats") | del(.flow_id)' "$TMP/$t.json" | sort >"$TMP/$t.norm"
done
cmp -s "$TMP/t1.norm" "$TMP/t2.norm" && [ -s "$TMP/t1.norm" ] && ok "1 and 2 threads agree" ||
    not_ok "1 and 2 threads disagree"

# inputs the run cannot start with: a clear message and exit 2, never a crash
# (these used to write the final stats through a writer never set up)
expect_rc 2 "an unreadable indicator file" -- "$MEKONG" sensor -q --no-progress \
    -r "$pcaps/basic.pcap" --indicators "$TMP/no-such-file" -o "$TMP/x.json"
expect_grep "$TMP/err" "no-such-file: cannot open" "the unreadable indicator file is named"
expect_rc 2 "an EVE file that cannot be opened" -- "$MEKONG" sensor -q --no-progress \
    -r "$pcaps/basic.pcap" -o "$TMP/no-such-dir/eve.json"
expect_grep "$TMP/err" "no-such-dir/eve.json: cannot open" "the EVE path is named"
expect_rc 2 "analyze with an unreadable indicator file" -- "$MEKONG" analyze \
    "$pcaps/basic.pcap" --indicators "$TMP/no-such-file"

# a truncated capture: the packets before the cut are processed, exit 0, a warning
expect_rc 0 "truncated capture is not fatal" -- "$MEKONG" sensor --no-progress \
    -r "$pcaps/truncated.pcap" -o "$TMP/trunc.json"
expect_grep "$TMP/err" "truncated|ends inside" "truncation is reported"
expect_grep "$TMP/trunc.json" '"event_type":"flow"' "flows before the cut are logged"

# stdin
expect_rc 0 "read a capture from stdin" -- sh -c "\"$MEKONG\" sensor -q --no-progress -r - -o \"$TMP/stdin.json\" < \"$pcaps/basic.pcap\""
expect_grep "$TMP/stdin.json" '"event_type":"dns"' "stdin capture decoded"

# unix socket output (a listener made with socat when available)
if command -v socat >/dev/null; then
    socat -u UNIX-LISTEN:"$TMP/eve.sock" CREATE:"$TMP/sock.json" &
    spid=$!
    for _ in $(seq 50); do [ -S "$TMP/eve.sock" ] && break; sleep 0.1; done
    expect_rc 0 "write to a unix socket" -- sensor -r "$pcaps/basic.pcap" -o "unix:$TMP/eve.sock"
    wait "$spid" 2>/dev/null || true
    expect_grep "$TMP/sock.json" '"event_type":"dns"' "events arrive on the socket"
else
    ok "# skip unix socket test: socat not installed"
fi

finish
