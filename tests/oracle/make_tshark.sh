#!/usr/bin/env bash
# Regenerates the committed oracle files under tests/oracle/ (see README.md there):
#   tshark/<source>/<capture path>.tsv   fields tshark decodes from every capture
#   ja4/<capture>.tsv                    JA4 values from ../shared/data/ja4/expected.tsv
#   suricata-verify/<test dir>.tsv       values the suricata-verify test.yaml checks expect
# CI never runs this (tshark and PyYAML are not build dependencies): it compares with the
# committed output. Run it by hand after adding a capture, then review the diff.
#
# Usage: tests/oracle/make_tshark.sh [DATA_DIR]   (default: <repo>/../shared/data)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
DATA=${1:-$SRC/../shared/data}
OUT=$HERE
JOBS=${JOBS:-2}

command -v tshark >/dev/null || { echo "make_tshark.sh: tshark is required" >&2; exit 1; }
command -v jq >/dev/null || { echo "make_tshark.sh: jq is required" >&2; exit 1; }
# PyYAML only for the suricata-verify expectations; it is not a dependency of mekong.
python3 -c 'import yaml' 2>/dev/null || {
    echo "make_tshark.sh: python3 PyYAML is required (apt-get install -y python3-yaml)" >&2
    exit 1
}

# The oracle is only as good as the tshark that wrote it: refuse a different version
# rather than silently committing output whose dissectors changed. Override with
# TSHARK_ANY_VERSION=1 and update README.md when moving on deliberately.
want_version="4.0.17"
have_version=$(tshark --version 2>/dev/null | sed -n '1s/^TShark (Wireshark) \([0-9.]*\).*/\1/p')
if [ "$have_version" != "$want_version" ] && [ "${TSHARK_ANY_VERSION:-0}" != 1 ]; then
    echo "make_tshark.sh: tshark $have_version, the committed oracle is from $want_version" >&2
    exit 1
fi

# tshark options (documented in README.md):
#  -o tcp.reassemble_out_of_order:TRUE  Suricata reassembles out-of-order segments; tshark
#                                       4.0 does not by default and would miss requests.
#  -o tcp.desegment_tcp_streams:TRUE, -o tls.desegment_ssl_records:TRUE,
#  -o http.desegment_headers:TRUE       (the defaults, pinned) a ClientHello or request
#                                       header spanning segments is parsed as a whole.
#  -o ip.defragment:TRUE, -o ipv6.defragment:TRUE   as Suricata's defrag (defaults, pinned).
#  -o tcp.check_checksum:FALSE, -o udp.check_checksum:FALSE   Suricata-verify runs with
#                                       "-k none"; offloaded captures carry bad checksums.
#  --enable-heuristic http_tcp / tls_tcp  HTTP and TLS on any port, like Suricata's
#                                       content-based protocol detection (already the 4.0
#                                       default; pinned so a changed profile cannot drop them).
#  -2  two passes, so reassembled PDUs are attributed the same way on every run.
TSHARK_OPTS=(
    -2 -n
    -o tcp.reassemble_out_of_order:TRUE
    -o tcp.desegment_tcp_streams:TRUE
    -o tls.desegment_ssl_records:TRUE
    -o http.desegment_headers:TRUE
    -o ip.defragment:TRUE
    -o ipv6.defragment:TRUE
    -o tcp.check_checksum:FALSE
    -o udp.check_checksum:FALSE
    --enable-heuristic http_tcp
    --enable-heuristic tls_tcp
)

# From tshark's JSON (one object per frame, repeated keys merged into arrays):
#  - DNS only from the "dns" layer: mDNS and LLMNR are separate tshark layers (mdns,
#    llmnr) and not DNS to Suricata, whose DNS detection ports are 53.
#  - Answer addresses and CNAMEs only from the Answers section, which is what EVE's
#    dns.answers holds; glue records in Additional records are not answers.
#  - SNI/JA3 of the "tls" layer (TLS over TCP) vs the "quic" layer (ClientHello in QUIC
#    CRYPTO frames): the EVE event types differ (tls vs quic).
read -r -d '' TSHARK_JQ <<'EOF' || true
def layer($n): ._source.layers[$n] // empty | if type == "array" then .[] else . end;
def vals($k): .. | objects | .[$k]? // empty | if type == "array" then .[] else . end;
.[] | (
  (layer("dns") | (.Queries // empty | vals("dns.qry.name") | name_norm | line("dns.query")),
                  (.Answers // empty | (vals("dns.a") | line("dns.a")),
                                      (vals("dns.aaaa") | line("dns.aaaa")),
                                      (vals("dns.cname") | name_norm | line("dns.cname")))),
  (layer("http") | (vals("http.host") | host_norm | line("http.host")),
                   (vals("http.request.uri") | line("http.uri")),
                   (vals("http.user_agent") | line("http.user_agent")),
                   (vals("http.response.code") | line("http.status"))),
  (layer("tls") | (vals("tls.handshake.extensions_server_name") | name_norm | line("tls.sni")),
                  (vals("tls.handshake.ja3") | line("tls.ja3")),
                  (vals("tls.handshake.ja3s") | line("tls.ja3s"))),
  (layer("quic") | (vals("tls.handshake.extensions_server_name") | name_norm | line("quic.sni")),
                   (vals("tls.handshake.ja3") | line("quic.ja3")))
)
EOF
JQ_PROG="$(cat "$HERE/fields.jq")"$'\n'"$TSHARK_JQ"

# Second pass, for http.status only, with -o http.desegment_body:FALSE: with body
# reassembly on, tshark never shows a response whose (chunked, Content-Length) body is
# cut short or malformed -- the http-evader captures do that on purpose -- while Suricata
# (libhtp) logs the transaction's status as soon as the header is in. Only the status is
# taken from this pass: without body reassembly tshark reads header-like lines inside
# request bodies ("Continuation" segments) as headers, e.g. User-Agents in an upload.
read -r -d '' STATUS_JQ <<'EOF' || true
def layer($n): ._source.layers[$n] // empty | if type == "array" then .[] else . end;
def vals($k): .. | objects | .[$k]? // empty | if type == "array" then .[] else . end;
.[] | layer("http") | vals("http.response.code") | line("http.status")
EOF
STATUS_PROG="$(cat "$HERE/fields.jq")"$'\n'"$STATUS_JQ"

# tshark_one CAPTURE OUTFILE: the sorted, de-duplicated field lines of one capture. An
# empty file is still written: "tshark saw none of these fields" is an oracle statement.
tshark_one() {
    local cap=$1 out=$2
    mkdir -p "$(dirname "$out")"
    # tshark exits non-zero on a capture cut short mid-packet (several suricata-verify
    # captures are truncated on purpose); the packets before the cut still count.
    {
        { tshark -r "$cap" "${TSHARK_OPTS[@]}" -T json --no-duplicate-keys -J "dns http tls quic" \
              2>/dev/null || true; } | jq -r "$JQ_PROG"
        { tshark -r "$cap" "${TSHARK_OPTS[@]}" -o http.desegment_body:FALSE -T json \
              --no-duplicate-keys -J "http" 2>/dev/null || true; } | jq -r "$STATUS_PROG"
    } | LC_ALL=C sort -u >"$out.tmp"
    mv "$out.tmp" "$out"
}
export -f tshark_one
export JQ_PROG STATUS_PROG
export TSHARK_OPTS_STR="${TSHARK_OPTS[*]}"

# List "capture<TAB>outfile" for every capture of every source, then run them JOBS at a
# time. Sources are globbed, never listed by hand, so no capture can be left out: every
# pcap/pcapng (also gzip'ed, which tshark and mekong both read) of suricata-verify's tests,
# of the JA4 set, and anywhere under the repo's tests/data.
CAP_FIND=(-type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap'
    -o -name '*.pcap.gz' -o -name '*.pcapng.gz' \))
list_source() { # ROOT SOURCE [FIND ARGS]
    local root=$1 src=$2 rel
    shift 2
    [ -d "$root" ] || return 0
    (cd "$root" && find . "$@" "${CAP_FIND[@]}" | sed 's|^\./||' | LC_ALL=C sort) |
        while IFS= read -r rel; do printf '%s\t%s\n' "$root/$rel" "$OUT/tshark/$src/$rel.tsv"; done
}
list_captures() {
    list_source "$DATA/suricata-verify/tests" suricata-verify
    list_source "$DATA/ja4" ja4 -maxdepth 1
    list_source "$SRC/tests/data" repo
}

# Start from empty trees so a capture that disappeared leaves no stale oracle behind.
rm -rf "$OUT/tshark" "$OUT/ja4" "$OUT/suricata-verify"
mkdir -p "$OUT/tshark" "$OUT/ja4" "$OUT/suricata-verify"

list_captures >"$OUT/.captures.tmp"
n_caps=$(wc -l <"$OUT/.captures.tmp")
# The options travel as one string (exported arrays do not survive into bash -c); none
# of them contains a space.
# shellcheck disable=SC2016 # $1 $2 are expanded by the inner bash
tr '\t' '\n' <"$OUT/.captures.tmp" |
    xargs -d '\n' -n 2 -P "$JOBS" bash -c \
        'read -r -a TSHARK_OPTS <<<"$TSHARK_OPTS_STR"; tshark_one "$1" "$2"' _
rm -f "$OUT/.captures.tmp"
echo "tshark: $n_caps captures"

# JA4: the JA4 authors' reference values. Rows with an empty ja4 are flows without a
# ClientHello; they carry no expectation.
if [ -f "$DATA/ja4/expected.tsv" ]; then
    awk -F'\t' -v out="$OUT/ja4" 'NR > 1 && $8 != "" { print "ja4\t" $8 > (out "/" $1 ".tsv.tmp") }' \
        "$DATA/ja4/expected.tsv"
    # Captures of the set with no ClientHello at all still get an (empty) file, so the
    # test also checks that mekong invents no JA4 for them.
    for cap in "$DATA"/ja4/*.pcap "$DATA"/ja4/*.pcapng; do
        [ -e "$cap" ] || continue
        f="$OUT/ja4/$(basename "$cap").tsv"
        if [ -f "$f.tmp" ]; then LC_ALL=C sort -u "$f.tmp" >"$f"; rm -f "$f.tmp"; else : >"$f"; fi
    done
    echo "ja4: $(find "$OUT/ja4" -name '*.tsv' | wc -l) captures"
fi

# suricata-verify: the values the test authors' checks expect. Only "filter" checks that
# assert presence (count absent or > 0); a count of 0 asserts absence and is no value.
if [ -d "$DATA/suricata-verify/tests" ]; then
    python3 "$HERE/sv_expect.py" "$DATA/suricata-verify/tests" "$OUT/suricata-verify"
    # Same normalisation as the other two sources: run the raw values through fields.jq.
    find "$OUT/suricata-verify" -name '*.raw' | while IFS= read -r raw; do
        jq -r "$(cat "$HERE/fields.jq")"'
            .[] | .v as $v | .f as $f
            | if ($f == "dns.query" or $f == "dns.cname" or $f == "tls.sni" or $f == "quic.sni")
                then ($v | name_norm) elif $f == "http.host" then ($v | host_norm) else $v end
            | line($f)' "$raw" | LC_ALL=C sort -u >"${raw%.raw}.tsv"
        rm -f "$raw"
    done
    echo "suricata-verify: $(find "$OUT/suricata-verify" -name '*.tsv' | wc -l) tests with field expectations"
fi
