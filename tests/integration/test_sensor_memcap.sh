#!/usr/bin/env bash
# Memory caps under load: thousands of concurrent flows (bench/gen_pcap, built as a test
# helper) through tiny flow and application memcaps. Caps are hit and counted, and no flow
# is lost: every flow still ends with a flow event (evicted ones as "forced").
. "$(dirname "$0")/lib.sh"

gen=$MK_BUILD/tests/gen_pcap
[ -x "$gen" ] || gen=$MK_BUILD/gen_pcap
"$gen" --seed 7 --flows 4000 --size-mb 3 >"$TMP/many.pcap" 2>/dev/null ||
    { not_ok "gen_pcap failed"; finish; }

run() { # name options...: EVE to $TMP/<name>.json
    local name=$1
    shift
    rm -f "$TMP/$name.json"
    "$MEKONG" sensor -q --no-progress -r "$TMP/many.pcap" -o "$TMP/$name.json" "$@"
}
stat_of() { # file counter
    jq -r --arg k "$2" 'select(.event_type == "stats") | .stats | getpath($k / ".") // 0' "$1" |
        tail -1
}
count() { jq -r --arg t "$2" 'select(.event_type == $t) | .event_type' "$1" | wc -l; }

run default
created=$(stat_of "$TMP/default.json" flow.created)
[ "$created" -ge 3500 ] && ok "$created concurrent flows in the capture" ||
    not_ok "only $created flows"
[ "$(stat_of "$TMP/default.json" app_layer.memcap_hits)" = 0 ] &&
    [ "$(stat_of "$TMP/default.json" flow.evicted)" = 0 ] &&
    ok "default caps: no memcap hit" || not_ok "default caps were hit"
[ "$(count "$TMP/default.json" flow)" = "$created" ] && ok "default: a flow event per flow" ||
    not_ok "default: flow events missing"

run app --app-memcap 1
hits=$(stat_of "$TMP/app.json" app_layer.memcap_hits)
[ "$hits" -gt 0 ] && ok "--app-memcap 1: $hits flows refused application state, counted" ||
    not_ok "--app-memcap 1 was never hit"
[ "$(count "$TMP/app.json" flow)" = "$created" ] && ok "--app-memcap 1: no flow lost" ||
    not_ok "--app-memcap 1 lost flow events"
app_events=$(($(count "$TMP/app.json" dns) + $(count "$TMP/app.json" http)))
default_events=$(($(count "$TMP/default.json" dns) + $(count "$TMP/default.json" http)))
[ "$app_events" -gt 0 ] && [ "$app_events" -lt "$default_events" ] &&
    ok "--app-memcap 1: fewer app events ($app_events of $default_events), not none" ||
    not_ok "--app-memcap 1: $app_events app events of $default_events"

run flows --memcap 1
evicted=$(stat_of "$TMP/flows.json" flow.evicted)
[ "$evicted" -gt 0 ] && ok "--memcap 1: $evicted flows evicted" || not_ok "--memcap 1: no eviction"
forced=$(jq -r 'select(.event_type == "flow" and .flow.reason == "forced") | 1' \
    "$TMP/flows.json" | wc -l)
[ "$forced" = "$evicted" ] && ok "evicted flows end as \"forced\"" ||
    not_ok "$forced forced flow events for $evicted evictions"
[ "$(count "$TMP/flows.json" flow)" = "$(stat_of "$TMP/flows.json" flow.created)" ] &&
    ok "--memcap 1: a flow event per flow created" || not_ok "--memcap 1 lost flow events"
finish
