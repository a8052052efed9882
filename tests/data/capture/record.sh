#!/usr/bin/env bash
# Records the real-traffic captures in this folder (http.pcap, dns.pcap, tls-mtu300.pcap)
# between two network namespaces joined by a veth pair. Run as root by a developer, never
# by CI: the captures are committed. quic-2initials.pcap is built by make_quic.py instead.
# Usage: sudo tests/data/capture/record.sh [OUTDIR]    (needs tcpdump curl dig dnsmasq
# openssl ethtool python3; apt-get install tcpdump curl bind9-dnsutils dnsmasq-base
# openssl ethtool)
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$(mkdir -p "${1:-$HERE}" && cd "${1:-$HERE}" && pwd)
PY=${PYTHON:-python3}
NS_C=mkcap-client
NS_S=mkcap-server
C4=10.99.0.1
S4=10.99.0.2
C6=fd99::1
S6=fd99::2
T=10 # seconds any one client command may take
WORK=$(mktemp -d)
chmod 755 "$WORK"
PIDS=()

cleanup() {
    local p
    for p in "${PIDS[@]}"; do
        kill "$p" 2>/dev/null || true
    done
    for p in "${PIDS[@]}"; do
        wait "$p" 2>/dev/null || true
    done
    ip netns del "$NS_C" 2>/dev/null || true
    ip netns del "$NS_S" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

[ "$(id -u)" -eq 0 ] || { echo "record.sh: run as root (network namespaces)" >&2; exit 2; }
for tool in tcpdump curl dig dnsmasq openssl ethtool "$PY"; do
    command -v "$tool" >/dev/null || { echo "record.sh: $tool is missing" >&2; exit 2; }
done

c() { timeout "$T" ip netns exec "$NS_C" "$@"; }   # a client command, bounded
s_bg() {                                            # a server, bounded, stopped by cleanup
    local log=$1
    shift
    timeout 300 ip netns exec "$NS_S" "$@" >"$log" 2>&1 &
    PIDS+=($!)
}
wait_for() {   # wait_for FILE REGEX: until a server or tcpdump says it is ready
    local i
    for i in $(seq 1 50); do
        grep -qE "$2" "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "record.sh: timed out waiting for /$2/ in $1" >&2
    cat "$1" >&2
    exit 1
}

# --- the two namespaces and the veth pair ---------------------------------------------
ip netns del "$NS_C" 2>/dev/null || true
ip netns del "$NS_S" 2>/dev/null || true
ip netns add "$NS_C"
ip netns add "$NS_S"
ip link add veth-c netns "$NS_C" type veth peer name veth-s netns "$NS_S"
for ns in "$NS_C" "$NS_S"; do
    ip -n "$ns" link set lo up
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_ra=0
done
ip -n "$NS_C" addr add "$C4/24" dev veth-c
ip -n "$NS_C" addr add "$C6/64" dev veth-c nodad
ip -n "$NS_S" addr add "$S4/24" dev veth-s
ip -n "$NS_S" addr add "$S6/64" dev veth-s nodad
# No offloads: the capture then holds wire-sized segments with valid checksums.
ip netns exec "$NS_C" ethtool -K veth-c tx off tso off gso off gro off >/dev/null
ip netns exec "$NS_S" ethtool -K veth-s tx off tso off gso off gro off >/dev/null
ip -n "$NS_C" link set veth-c up
ip -n "$NS_S" link set veth-s up
sleep 1

# cap_start FILE: tcpdump on the server's end of the veth, whole packets, TCP/UDP only
# (no neighbour discovery noise); cap_stop ends it.
CAP_PID=
cap_start() {
    timeout 120 ip netns exec "$NS_S" tcpdump -i veth-s -s 0 -U --immediate-mode -Z root -n -w "$1" 'tcp or udp' \
        >"$WORK/tcpdump.log" 2>&1 &
    CAP_PID=$!
    PIDS+=("$CAP_PID")
    wait_for "$WORK/tcpdump.log" 'listening on'
}
cap_stop() {
    sleep 1
    kill -INT "$CAP_PID"
    wait "$CAP_PID" || true
    cat "$WORK/tcpdump.log" >&2
}
stop_servers() {   # everything started after tcpdump's last PIDS entry
    local p
    for p in "${PIDS[@]}"; do
        kill "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
    done
    PIDS=()
}

# --- http.pcap --------------------------------------------------------------------------
mkdir -p "$WORK/www"
echo "<html><body>mekong capture index</body></html>" >"$WORK/www/index.html"
echo "hello from mekong" >"$WORK/www/hello.txt"
# file.bin: known content, 3000 bytes "mekong-0000\n" ... so its hashes are checkable
for i in $(seq 0 249); do printf 'mekong-%04d\n' "$i"; done >"$WORK/www/file.bin"
md5sum "$WORK/www/file.bin" "$WORK/www/hello.txt" "$WORK/www/index.html" >&2
sha256sum "$WORK/www/file.bin" "$WORK/www/hello.txt" "$WORK/www/index.html" >&2
cap_start "$OUT/http.pcap"
s_bg "$WORK/http.log" "$PY" "$HERE/http_server.py" "$WORK/www" 80 8080
wait_for "$WORK/http.log" '^ready'
u=http://$S4
c curl -sS -o /dev/null -o /dev/null "$u/index.html" "$u/hello.txt"          # keep-alive, 2 GETs
c curl -sS -o /dev/null "$u/missing.html" || true                          # 404
c curl -sS -o /dev/null -X POST -H 'Content-Type: application/x-www-form-urlencoded' \
    --data-binary 'name=mekong&value=42' "$u/submit"                        # POST with body
c curl -sS -o /dev/null "$u/file.bin"                                       # known file
c curl -sS -o /dev/null -A 'mekong-capture/1.0 (test)' -H 'X-Forwarded-For: 203.0.113.7' \
    -e "$u/index.html" "$u/hello.txt"                                       # UA, XFF, Referer
c curl -sS -o /dev/null "http://[$S6]/hello.txt"                           # IPv6
c curl -sS -o /dev/null "$u:8080/hello.txt"                                 # port 8080
c curl -sS -o /dev/null "$u/chunked"                                        # chunked response
c curl -sS -o /dev/null "$u/redirect"                                       # 301 + Location
cap_stop
stop_servers

# --- dns.pcap ---------------------------------------------------------------------------
# HTTPS (type 65) RR for mekong.test: priority 1, target ".", alpn="h2,h3" (RFC 9460)
HTTPS_RR=00010000010006026832026833
# SOA for mekong.test: ns.mekong.test hostmaster.mekong.test 1 1800 900 604800 60
SOA_RR=026e73066d656b6f6e67047465737400
SOA_RR=${SOA_RR}0a686f73746d6173746572066d656b6f6e67047465737400
SOA_RR=${SOA_RR}00000001000007080000038400093a800000003c
cap_start "$OUT/dns.pcap"
s_bg "$WORK/dns.log" dnsmasq --no-daemon --conf-file=/dev/null --no-resolv --no-hosts \
    --pid-file= --bind-interfaces --listen-address="$S4" --listen-address="$S6" --port=53 \
    --log-queries --log-facility=- \
    --local=/mekong.test/ \
    --host-record=www.mekong.test,10.99.0.80,fd99::80 \
    --host-record=mail.mekong.test,10.99.0.25 \
    --host-record=sip.mekong.test,10.99.0.60 \
    --cname=alias.mekong.test,alias2.mekong.test \
    --cname=alias2.mekong.test,www.mekong.test \
    --mx-host=mekong.test,mail.mekong.test,10 \
    --txt-record=mekong.test,"v=spf1 -all","mekong test zone" \
    --srv-host=_sip._tcp.mekong.test,sip.mekong.test,5060,10,20 \
    --dns-rr=mekong.test,6,$SOA_RR \
    --dns-rr=mekong.test,65,$HTTPS_RR
wait_for "$WORK/dns.log" 'started'
d() { c dig +tries=1 +time=2 "$@" >>"$WORK/dig.log"; }
d @"$S4" www.mekong.test A
d @"$S4" www.mekong.test AAAA
d @"$S4" alias.mekong.test A                  # CNAME chain alias -> alias2 -> www
d @"$S4" mekong.test MX
d @"$S4" mekong.test TXT
d @"$S4" -x 10.99.0.80                        # PTR
d @"$S4" nothere.mekong.test A || true        # NXDOMAIN
d @"$S4" mekong.test SOA
d @"$S4" _sip._tcp.mekong.test SRV
d @"$S4" mekong.test TYPE65                   # HTTPS
d @"$S4" +tcp www.mekong.test A               # over TCP
d @"$S4" +tcp mekong.test TXT
d @"$S6" www.mekong.test AAAA                 # over IPv6
cap_stop
stop_servers
cat "$WORK/dig.log" >&2

# --- tls-mtu300.pcap --------------------------------------------------------------------
# MTU 300 (MSS 260): every ClientHello spans several TCP segments. IPv6 needs an MTU of
# 1280, so this capture is IPv4 only.
openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=mekong.test/O=mekong" \
    -addext "subjectAltName=DNS:mekong.test" -keyout "$WORK/key.pem" -out "$WORK/cert.pem" \
    2>/dev/null
openssl x509 -in "$WORK/cert.pem" -noout -subject -issuer -serial -fingerprint -sha1 \
    -dates >&2
ip -n "$NS_C" link set veth-c mtu 300
ip -n "$NS_S" link set veth-s mtu 300
cap_start "$OUT/tls-mtu300.pcap"
s_bg "$WORK/tls.log" openssl s_server -accept 443 -cert "$WORK/cert.pem" \
    -key "$WORK/key.pem" -alpn http/1.1 -www
wait_for "$WORK/tls.log" 'ACCEPT'
sc() { c openssl s_client -connect "$S4:443" -servername mekong.test "$@" </dev/null \
    >>"$WORK/s_client.log" 2>&1; }
sc -alpn h2,http/1.1                                   # TLS 1.3
sc -alpn h2,http/1.1 -tls1_2                           # TLS 1.2: certificate in clear
sc -alpn h2,http/1.1 -groups P-521:X25519:P-256        # large (133-byte) P-521 key share
cap_stop
stop_servers
grep -E '^(New|Protocol|ALPN|Server certificate|subject|issuer)' "$WORK/s_client.log" >&2 || true

ls -l "$OUT"/http.pcap "$OUT"/dns.pcap "$OUT"/tls-mtu300.pcap
