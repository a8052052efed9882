#!/usr/bin/env bash
# `mekong analyze` as the README's quick start runs it: every hit planted in
# samples/pcap/demo.pcap (listed by samples/make_demo.py, independently of
# mekong) is found, nothing else alerts, and the report says so.
. "$(dirname "$0")/lib.sh"
s="$MK_SRC/samples"

expect_rc 0 "analyze --help" -- "$MEKONG" analyze --help
expect_rc 2 "analyze without a capture" -- "$MEKONG" analyze
expect_rc 0 "analyze the demo capture" -- "$MEKONG" analyze "$s/pcap/demo.pcap" \
    --indicators "$s/stix/threat-report.json" --indicators "$s/indicators/blocklist.txt" \
    --eve "$TMP/eve.json"
cp "$TMP/out" "$TMP/report.txt"
expect_grep "$TMP/report.txt" "^INDICATOR HITS: 10 indicators, 13 alerts" "report counts the hits"
expect_grep "$TMP/report.txt" "update.example-c2.net" "report names the C2 domain"
expect_grep "$TMP/report.txt" "Beacon then download" "the FOLLOWEDBY ... WITHIN pattern fires"
expect_grep "$TMP/report.txt" "^DNS NAMES QUERIED" "report lists DNS names"
expect_grep "$TMP/report.txt" "^TOP TALKERS" "report lists top talkers"

# planted hits vs alerts, compared as sets of (type, value, field)
grep -v '^#' "$s/pcap/demo-expected.tsv" | sort >"$TMP/expected"
jq -r 'select(.event_type == "alert") | .alert.metadata |
       [.indicator_type[0], .indicator_value[0], .matched_field[0]] | @tsv' "$TMP/eve.json" |
    sort >"$TMP/got"
if diff "$TMP/expected" "$TMP/got" >"$TMP/diff"; then
    ok "every planted hit alerts, and nothing else ($(wc -l <"$TMP/got") alerts)"
else
    not_ok "alerts differ from the planted hits"
    sed 's/^/#   /' "$TMP/diff"
fi
if grep -q 'notevil.example' "$TMP/got"; then not_ok "notevil.example alerted"; else
    ok "notevil.example does not match evil.example"; fi
if jq -e 'select(.event_type == "alert" and .dest_port == 8080)' "$TMP/eve.json" >/dev/null; then
    not_ok "192.0.2.44:8080 alerted although the pattern needs port 443"
else
    ok "the compound pattern's port is verified"
fi
expect_grep "$TMP/eve.json" '"alert":\{"action":"allowed","gid":1,"signature_id":[0-9]+' \
    "alerts carry gid 1 and a signature id"
expect_grep "$TMP/eve.json" '"tlp":\["TLP:GREEN"\]' "alerts carry the TLP"
expect_grep "$TMP/eve.json" '"stix_id":\["indicator--' "alerts carry the STIX id"

# the same alerts with two workers (each thread its own RCU reader of the
# indicator set); a plain list: temporal patterns are per worker
for mode in "--threads 1" "--threads 2"; do
    rm -f "$TMP/mode.json" # EVE files are appended to, as Suricata does
    # shellcheck disable=SC2086 # $mode is two options on purpose
    "$MEKONG" sensor -q --no-progress -r "$s/pcap/demo.pcap" $mode \
        --indicators "$s/indicators/blocklist.txt" -o "$TMP/mode.json"
    jq -r 'select(.event_type == "alert") | .alert.metadata |
           [.indicator_value[0], .matched_field[0]] | @tsv' "$TMP/mode.json" |
        sort >"$TMP/mode-${mode// /}"
done
if [ -s "$TMP/mode---threads1" ] && cmp -s "$TMP/mode---threads1" "$TMP/mode---threads2"
then ok "one and two worker threads raise the same alerts"
else not_ok "two worker threads change the alerts"; fi

# warning lists and --home-net suppress what they name, nothing else; a bad
# warning-list line is reported with its line number and why, and skipped
printf 'evil.example\nnot a value!!\n' >"$TMP/warn.txt"
expect_rc 0 "a warning list with a bad line still loads" -- "$MEKONG" sensor -q --no-progress \
    -r "$s/pcap/demo.pcap" --indicators "$s/indicators/blocklist.txt" \
    --warning-list "$TMP/warn.txt" --home-net 198.51.100.66 -o "$TMP/warned.json"
expect_grep "$TMP/err" "warn.txt:2: not a warning-list entry" "the bad line is named"
jq -r 'select(.event_type == "alert") | .alert.metadata |
       [.indicator_value[0], .matched_field[0]] | @tsv' "$TMP/warned.json" | sort >"$TMP/warned"
if grep -q 'evil.example' "$TMP/warned" || grep -q '198.51.100.66' "$TMP/warned"; then
    not_ok "a warning-listed value or the home net still alerted"
elif [ -s "$TMP/warned" ] && [ "$(wc -l <"$TMP/warned")" -lt "$(wc -l <"$TMP/mode---threads1")" ]
then ok "warning list and --home-net suppress exactly their values ($(wc -l <"$TMP/warned") alerts left)"
else not_ok "suppression removed everything or nothing"; fi
expect_rc 2 "--home-net with a bad value" -- "$MEKONG" sensor -q --no-progress \
    -r "$s/pcap/demo.pcap" --indicators "$s/indicators/blocklist.txt" --home-net not-an-address \
    -o "$TMP/bad.json"
expect_grep "$TMP/err" "home-net takes an address or a CIDR" "a bad --home-net is named"

# the same sids on a second run (stable across loads)
"$MEKONG" analyze "$s/pcap/demo.pcap" --indicators "$s/indicators/blocklist.txt" \
    --indicators "$s/stix/threat-report.json" --eve "$TMP/eve2.json" >/dev/null
a=$(jq -r 'select(.event_type == "alert") | .alert.signature_id' "$TMP/eve.json" | sort -u)
b=$(jq -r 'select(.event_type == "alert") | .alert.signature_id' "$TMP/eve2.json" | sort -u)
[ -n "$a" ] && [ "$a" = "$b" ] && ok "signature ids are stable across loads" ||
    not_ok "signature ids changed between loads"

# JSON report
expect_rc 0 "analyze --json" -- "$MEKONG" analyze --json "$s/pcap/demo.pcap" \
    --indicators "$s/stix/threat-report.json" --indicators "$s/indicators/blocklist.txt"
[ "$(jq '.hits | length' "$TMP/out")" = 10 ] && ok "JSON report has 10 hit groups" ||
    not_ok "JSON report hit groups: $(jq '.hits | length' "$TMP/out" 2>&1)"
[ "$(jq '.alerts' "$TMP/out")" = 13 ] && ok "JSON report counts 13 alerts" || not_ok "JSON alerts"

# without indicators: a report, no hits; --fail-on-hit for scripts
expect_rc 0 "analyze without indicators" -- "$MEKONG" analyze "$s/pcap/demo.pcap"
expect_grep "$TMP/out" "^INDICATOR HITS: none" "no hits without indicators"
expect_rc 1 "--fail-on-hit exits 1 on hits" -- "$MEKONG" analyze --fail-on-hit \
    "$s/pcap/demo.pcap" --indicators "$s/indicators/blocklist.txt"
# JA3 and JA4 from a plain list (a bare 32-hex JA3 loads as MD5 and still matches)
ja3=$(jq -r 'select(.event_type == "tls") | .tls.ja3.hash' "$TMP/eve.json" | head -1)
ja4=$(jq -r 'select(.event_type == "tls") | .tls.ja4' "$TMP/eve.json" | head -1)
printf '%s\n%s\n' "$ja3" "$ja4" >"$TMP/fp.txt"
"$MEKONG" analyze "$s/pcap/demo.pcap" --indicators "$TMP/fp.txt" --eve "$TMP/fp.json" >/dev/null
n3=$(jq -r 'select(.event_type == "alert") | .alert.metadata.matched_field[0]' "$TMP/fp.json" |
    grep -c '^tls.ja3.hash$' || true)
n4=$(jq -r 'select(.event_type == "alert") | .alert.metadata.matched_field[0]' "$TMP/fp.json" |
    grep -c '^tls.ja4$' || true)
[ "$n3" -eq 4 ] && ok "JA3 from a plain list alerts on the 4 TLS flows" || not_ok "JA3 alerts: $n3"
[ "$n4" -eq 4 ] && ok "JA4 from a plain list alerts on the 4 TLS flows" || not_ok "JA4 alerts: $n4"

# validity: at packet time (2026-11-28) an indicator valid only from 2030 does not fire
printf 'value,type,valid_from\nevil.example,domain,2030-01-01T00:00:00Z\n' >"$TMP/future.csv"
"$MEKONG" analyze --validity-at packet "$s/pcap/demo.pcap" --indicators "$TMP/future.csv" \
    --eve "$TMP/future.json" >/dev/null
[ "$(grep -c '"event_type":"alert"' "$TMP/future.json" || true)" -eq 0 ] &&
    ok "an indicator not yet valid at packet time does not fire" ||
    not_ok "a not-yet-valid indicator fired"
finish
