#!/usr/bin/env bash
# The oracle fields of one mekong EVE file, as "<field>\t<value>" lines, sorted and
# de-duplicated, normalised by the same fields.jq as make_tshark.sh's tshark side.
#
# Usage: tests/oracle/mekong_fields.sh EVE.json [EVE.json...]
# With several files each line starts with "<file>\t": the oracle test extracts all its
# captures' EVE files in one jq process instead of hundreds.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[ $# -ge 1 ] || { echo "usage: mekong_fields.sh EVE.json [EVE.json...]" >&2; exit 2; }
tag=false
[ $# -eq 1 ] || tag=true

# Values are taken from the protocol objects of any event: an alert or fileinfo event
# repeats its transaction's http/tls object, with the same values, so this adds nothing
# the protocol event lacks but also loses nothing if only the alert carries them.
# DNS: the query name of queries and answers (dns.rrname in the Suricata 7 format,
# dns.queries[].rrname in the 8 format), and A/AAAA/CNAME rdata of the answer section
# (answers[], or the "grouped" answer format) -- authorities are not answers.
# ja4 is one field for TLS and QUIC, as the JA4 reference lists both in one column.
read -r -d '' PROG <<'EOF' || true
def fields:
def rdata($t): ((.answers // [])[] | select(.rrtype == $t) | .rdata), ((.grouped // {})[$t] // [] | .[]);
(.dns // empty | ((.rrname, (.queries // [])[].rrname) | name_norm | line("dns.query")),
                 (rdata("A") | line("dns.a")),
                 (rdata("AAAA") | line("dns.aaaa")),
                 (rdata("CNAME") | name_norm | line("dns.cname"))),
(.http // empty | (.hostname | select(. != null) | host_norm | line("http.host")),
                  (.url | line("http.uri")),
                  (.http_user_agent | line("http.user_agent")),
                  (.status | line("http.status"))),
(.tls // empty | (.sni | select(. != null) | name_norm | line("tls.sni")),
                 (.ja3.hash | line("tls.ja3")),
                 (.ja3s.hash | line("tls.ja3s")),
                 (.ja4 | line("ja4"))),
(.quic // empty | (.sni | select(. != null) | name_norm | line("quic.sni")),
                  (.ja3.hash | line("quic.ja3")),
                  (.ja4 | line("ja4")));
fields | if $tag then "\(input_filename)\t\(.)" else . end
EOF

jq -r --argjson tag "$tag" "$(cat "$HERE/fields.jq")"$'\n'"$PROG" "$@" | LC_ALL=C sort -u
