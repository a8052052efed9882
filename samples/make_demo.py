#!/usr/bin/env python3
"""Generates samples/pcap/demo.pcap, the capture the README's quick start analyses,
and samples/pcap/demo-expected.tsv, the indicator hits planted in it.

An office network (10.20.30.0/24) talking to the outside: ordinary DNS, web and
TLS traffic, plus a host that resolves and contacts the ShadowPad C2 of
samples/stix/threat-report.json and a few hosts on samples/indicators/blocklist.txt.
The expected hits are written here, by this script, from what it plants: the
integration test compares mekong's alerts with them, so a matcher bug cannot
hide behind shared code. Pure python3; deterministic (fixed times and payloads).
Usage: python3 samples/make_demo.py
"""
import hashlib
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "data", "pcap"))
from make_pcaps import eth, ipv4, ipv6, tcp, udp  # noqa: E402

T0 = 1795853700  # 2026-11-28T08:15:00Z
packets = []
expected = []  # (indicator type, indicator value, matched field, matched value)


def emit(t, frame):
    packets.append((t, frame))


def ip_frame(src, dst, proto, l4):
    if ":" in src:
        return eth(ipv6(src, dst, proto, l4), 0x86DD)
    return eth(ipv4(src, dst, proto, l4), 0x0800)


def dns_name(name):
    out = b""
    for label in name.split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def dns_msg(qid, name, qtype, answers=(), response=False):
    flags = 0x8180 if response else 0x0100
    msg = struct.pack("!HHHHHH", qid, flags, 1, len(answers), 0, 0)
    msg += dns_name(name) + struct.pack("!HH", qtype, 1)
    for rtype, rdata in answers:
        msg += b"\xc0\x0c" + struct.pack("!HHIH", rtype, 1, 300, len(rdata)) + rdata
    return msg


def dns_exchange(t, client, server, sport, qid, name, answers):
    q = dns_msg(qid, name, 1)
    r = dns_msg(qid, name, 1, [(1, bytes(int(x) for x in a.split("."))) for a in answers],
                response=True)
    emit(t, ip_frame(client, server, 17, udp(client, server, sport, 53, q)))
    emit(t + 0.01, ip_frame(server, client, 17, udp(server, client, 53, sport, r)))


def tcp_session(t, client, server, sport, dport, request, response, close=True):
    """A full TCP conversation: handshake, one request, one response, FIN."""
    cs, ss = 1000, 5000
    f = lambda a, b, sp, dp, seq, ack, fl, pl=b"": ip_frame(a, b, 6, tcp(a, b, sp, dp, seq, ack, fl, pl))
    emit(t, f(client, server, sport, dport, cs, 0, 0x02))
    emit(t + 0.001, f(server, client, dport, sport, ss, cs + 1, 0x12))
    emit(t + 0.002, f(client, server, sport, dport, cs + 1, ss + 1, 0x10))
    emit(t + 0.003, f(client, server, sport, dport, cs + 1, ss + 1, 0x18, request))
    cs += 1 + len(request)
    if response:
        emit(t + 0.020, f(server, client, dport, sport, ss + 1, cs, 0x18, response))
    ss += 1 + len(response)
    if close:
        emit(t + 0.030, f(client, server, sport, dport, cs, ss, 0x11))
        emit(t + 0.031, f(server, client, dport, sport, ss, cs + 1, 0x11))
        emit(t + 0.032, f(client, server, sport, dport, cs + 1, ss + 1, 0x10))


def client_hello(sni):
    ext = b""
    name = sni.encode()
    sn = struct.pack("!HBH", len(name) + 3, 0, len(name)) + name
    ext += struct.pack("!HH", 0, len(sn)) + sn
    groups = struct.pack("!HHHH", 6, 0x001D, 0x0017, 0x0018)
    ext += struct.pack("!HH", 10, len(groups)) + groups
    ext += struct.pack("!HHB", 11, 2, 1) + b"\x00"
    sig = struct.pack("!HHHH", 6, 0x0403, 0x0804, 0x0401)
    ext += struct.pack("!HH", 13, len(sig)) + sig
    alpn = b"\x02h2\x08http/1.1"
    ext += struct.pack("!HHH", 16, len(alpn) + 2, len(alpn)) + alpn
    ext += struct.pack("!HHB", 43, 5, 4) + b"\x03\x04\x03\x03"
    ks = struct.pack("!HH", 0x001D, 32) + bytes(range(32))
    ext += struct.pack("!HHH", 51, len(ks) + 2, len(ks)) + ks
    ciphers = struct.pack("!HHHHH", 8, 0x1301, 0x1302, 0xC02F, 0xC030)
    body = b"\x03\x03" + bytes(32) + b"\x20" + bytes(range(32)) + ciphers + b"\x01\x00"
    body += struct.pack("!H", len(ext)) + ext
    hs = b"\x01" + struct.pack("!I", len(body))[1:] + body
    return b"\x16\x03\x01" + struct.pack("!H", len(hs)) + hs


def http_get(host, path, ua="Mozilla/5.0 (Windows NT 10.0; Win64; x64)"):
    return ("GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\nAccept: */*\r\n\r\n"
            % (path, host, ua)).encode()


def http_ok(body, ctype="text/html"):
    head = "HTTP/1.1 200 OK\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n" % (ctype, len(body))
    return head.encode() + body


RESOLVER = "10.20.30.1"
ALICE, BOB, CAROL = "10.20.30.40", "10.20.30.41", "10.20.30.42"
PAYLOAD = b"MZ\x90\x00" + b"demo payload, not malware " * 40

# ordinary traffic
t = T0
dns_exchange(t, ALICE, RESOLVER, 40001, 0x1001, "www.example.com", ["93.184.216.34"])
tcp_session(t + 0.1, ALICE, "93.184.216.34", 50001, 443, client_hello("www.example.com"), b"")
dns_exchange(t + 1, BOB, RESOLVER, 40002, 0x1002, "docs.example.org", ["203.0.114.10"])
tcp_session(t + 1.1, BOB, "203.0.114.10", 50002, 80, http_get("docs.example.org", "/index.html"),
            http_ok(b"<html>docs</html>"))
dns_exchange(t + 2, CAROL, RESOLVER, 40003, 0x1003, "notevil.example", ["198.51.100.5"])
tcp_session(t + 2.1, CAROL, "198.51.100.5", 50003, 80, http_get("notevil.example", "/"),
            http_ok(b"fine"))

# the ShadowPad C2 of the sample STIX bundle
t = T0 + 60
dns_exchange(t, ALICE, RESOLVER, 40010, 0x2001, "update.example-c2.net", ["198.51.100.7"])
expected.append(("domain", "update.example-c2.net", "dns.rrname", "update.example-c2.net"))
expected.append(("ipv4", "198.51.100.7", "dns.answers.rdata", "198.51.100.7"))
tcp_session(t + 0.5, ALICE, "198.51.100.7", 50010, 443, client_hello("update.example-c2.net"), b"")
expected.append(("ipv4", "198.51.100.7", "dest_ip", "198.51.100.7"))
expected.append(("domain", "update.example-c2.net", "tls.sni", "update.example-c2.net"))
tcp_session(t + 5, ALICE, "203.0.113.25", 50011, 80,
            http_get("203.0.113.25", "/dl/payload.bin", ua="WinHTTP/1.0"),
            http_ok(PAYLOAD, "application/octet-stream"))
expected.append(("url", "203.0.113.25/dl/payload.bin", "http.url", "http://203.0.113.25/dl/payload.bin"))
# "Beacon then download": the C2 name resolved, then the payload fetched within
# 600 s (a FOLLOWEDBY ... WITHIN pattern over two observations) alerts on the URL
expected.append(("url", "203.0.113.25/dl/payload.bin", "http.url", "http://203.0.113.25/dl/payload.bin"))
expected.append(("cidr4", "203.0.113.0/24", "dest_ip", "203.0.113.25"))
expected.append(("sha256", hashlib.sha256(PAYLOAD).hexdigest(), "fileinfo.sha256",
                 hashlib.sha256(PAYLOAD).hexdigest()))
tcp_session(t + 8, ALICE, "192.0.2.44", 50012, 443, client_hello("cdn.example.net"), b"")
expected.append(("ip_port", "192.0.2.44:443", "dest_ip", "192.0.2.44"))
# the same address on another port must not alert: the pattern needs port 443
tcp_session(t + 9, ALICE, "192.0.2.44", 50013, 8080, http_get("192.0.2.44", "/"), http_ok(b"x"))
tcp_session(t + 10, "2001:db8:20::40", "2001:db8::bad", 50014, 443,
            client_hello("v6.example.net"), b"")
expected.append(("ipv6", "2001:db8::bad", "dest_ip", "2001:db8::bad"))

# samples/indicators/blocklist.txt: a domain (parents match), an IP:port, a URL
t = T0 + 120
dns_exchange(t, BOB, RESOLVER, 40020, 0x3001, "cdn.a.b.evil.example", ["198.51.100.9"])
expected.append(("domain", "evil.example", "dns.rrname", "cdn.a.b.evil.example"))
tcp_session(t + 1, CAROL, "198.51.100.66", 50020, 8443, b"\x00" * 40, b"")
expected.append(("ip_port", "198.51.100.66:8443", "dest_ip", "198.51.100.66"))
tcp_session(t + 2, CAROL, "198.51.100.66", 50021, 22, b"SSH-2.0-OpenSSH_9.2\r\n", b"")  # port 22: no hit
tcp_session(t + 3, BOB, "198.51.100.77", 50022, 80,
            http_get("Downloads.Example.COM:80", "/files/../tools/./loader.exe?id=7"),
            http_ok(b"loader"))
expected.append(("url", "downloads.example.com/tools/loader.exe", "http.url",
                 "http://downloads.example.com/tools/../tools/./loader.exe?id=7"))

packets.sort(key=lambda p: p[0])
with open(os.path.join(HERE, "pcap", "demo.pcap"), "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    for ts, frame in packets:
        sec = int(ts)
        usec = int(round((ts - sec) * 1e6))
        f.write(struct.pack("<IIII", sec, usec, len(frame), len(frame)) + frame)
with open(os.path.join(HERE, "pcap", "demo-expected.tsv"), "w") as f:
    f.write("# indicator_type\tindicator_value\tmatched_field\t(written by samples/make_demo.py)\n")
    for typ, value, field, _seen in expected:
        f.write("%s\t%s\t%s\n" % (typ, value, field))
print("demo.pcap: %d packets, %d planted hits" % (len(packets), len(expected)))
