#!/usr/bin/env python3
"""Generates the small captures tests/unit/{capture,decode} read.

Pure python3 (struct, gzip): no scapy needed. Deterministic: fixed addresses,
timestamps and payloads, so rerunning gives byte-identical files.
Usage: python3 tests/data/pcap/make_pcaps.py [OUTDIR]
"""
import gzip
import os
import struct
import sys

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))

MAC_A = bytes.fromhex("020000000001")
MAC_B = bytes.fromhex("020000000002")


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ip4(a):
    return bytes(int(x) for x in a.split("."))


def ip6(a):
    import ipaddress
    return ipaddress.IPv6Address(a).packed


def eth(payload, etype, dst=MAC_B, src=MAC_A):
    return dst + src + struct.pack("!H", etype) + payload


def vlan(vid, etype, payload):
    return struct.pack("!HH", vid, etype) + payload


def ipv4(src, dst, proto, payload, ident=1, flags_off=0, ttl=64, options=b""):
    ihl = 5 + len(options) // 4
    tot = ihl * 4 + len(payload)
    h = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, tot, ident, flags_off, ttl, proto, 0,
                    ip4(src), ip4(dst)) + options
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + payload


def ipv6(src, dst, nh, payload, hlim=64):
    return struct.pack("!IHBB16s16s", 0x60000000, len(payload), nh, hlim, ip6(src),
                       ip6(dst)) + payload


def pseudo(src, dst, proto, length):
    if ":" in src:
        return ip6(src) + ip6(dst) + struct.pack("!IxxxB", length, proto)
    return ip4(src) + ip4(dst) + struct.pack("!xBH", proto, length)


def udp(src, dst, sport, dport, payload):
    ln = 8 + len(payload)
    h = struct.pack("!HHHH", sport, dport, ln, 0)
    c = csum(pseudo(src, dst, 17, ln) + h + payload) or 0xFFFF
    return struct.pack("!HHHH", sport, dport, ln, c) + payload


def tcp(src, dst, sport, dport, seq, ack, flags, payload=b"", options=b""):
    doff = 5 + len(options) // 4
    h = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, doff << 4, flags, 65535, 0, 0) + options
    c = csum(pseudo(src, dst, 6, len(h) + len(payload)) + h + payload)
    h = h[:16] + struct.pack("!H", c) + h[18:]
    return h + payload


def icmp4(typ, code, rest, payload):
    h = struct.pack("!BBH", typ, code, 0) + rest + payload
    return h[:2] + struct.pack("!H", csum(h)) + h[4:]


def icmp6(src, dst, typ, code, rest, payload):
    body = struct.pack("!BBH", typ, code, 0) + rest + payload
    c = csum(pseudo(src, dst, 58, len(body)) + body)
    return body[:2] + struct.pack("!H", c) + body[4:]


def write_pcap(name, frames, linktype=1, nano=False):
    magic = 0xA1B23C4D if nano else 0xA1B2C3D4
    out = struct.pack("<IHHiIII", magic, 2, 4, 0, 0, 262144, linktype)
    for i, f in enumerate(frames):
        sec = 1700000000 + i
        frac = 123456789 if nano else 123456
        out += struct.pack("<IIII", sec, frac, len(f), len(f)) + f
    with open(os.path.join(OUT, name), "wb") as fh:
        fh.write(out)
    return out


def pad4(b):
    return b + b"\0" * (-len(b) % 4)


def write_pcapng(name, frames, linktype=1):
    def block(btype, body):
        body = pad4(body)
        ln = 12 + len(body)
        return struct.pack("<II", btype, ln) + body + struct.pack("<I", ln)

    out = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    # IDB with if_tsresol = 9 (nanoseconds)
    opts = struct.pack("<HH", 9, 1) + b"\x09\0\0\0" + struct.pack("<HH", 0, 0)
    out += block(1, struct.pack("<HHI", linktype, 0, 262144) + opts)
    for i, f in enumerate(frames):
        ts = (1700000000 + i) * 1000000000 + 123456789
        out += block(6, struct.pack("<IIIII", 0, ts >> 32, ts & 0xFFFFFFFF, len(f), len(f)) + f)
    with open(os.path.join(OUT, name), "wb") as fh:
        fh.write(out)


A4, B4 = "192.0.2.1", "192.0.2.2"
A6, B6 = "2001:db8::1", "2001:db8::2"
MSS = b"\x02\x04\x05\xb4\x01\x01\x04\x02"  # MSS 1460, NOP, NOP, SACK-permitted


def basic_frames():
    get = b"GET / HTTP/1.0\r\n\r\n"
    dns = bytes.fromhex("123401000001000000000000076578616d706c6503636f6d0000010001")
    return [
        eth(ipv4(A4, B4, 6, tcp(A4, B4, 40000, 80, 1000, 0, 0x02, options=MSS)), 0x0800),
        eth(ipv4(B4, A4, 6, tcp(B4, A4, 80, 40000, 5000, 1001, 0x12, options=MSS)), 0x0800,
            MAC_A, MAC_B),
        eth(ipv4(A4, B4, 6, tcp(A4, B4, 40000, 80, 1001, 5001, 0x18, get)), 0x0800),
        eth(ipv6(A6, B6, 17, udp(A6, B6, 5353, 53, dns)), 0x86DD),
        eth(vlan(100, 0x0800, ipv4(A4, B4, 1, icmp4(8, 0, b"\0\1\0\1", b"ping"))), 0x8100),
        eth(vlan(10, 0x8100, vlan(20, 0x0800, ipv4(A4, B4, 17, udp(A4, B4, 1234, 5678, b"qinq")))),
            0x88A8),
        eth(bytes.fromhex("0001080006040001") + MAC_A + ip4(A4) + bytes(6) + ip4(B4), 0x0806,
            b"\xff" * 6),
        eth(ipv6(A6, B6, 58, icmp6(A6, B6, 128, 0, b"\0\1\0\1", b"ping6")), 0x86DD),
    ]


def tunnel_frames():
    inner4 = ipv4("10.1.0.1", "10.1.0.2", 6, tcp("10.1.0.1", "10.1.0.2", 1111, 443, 1, 0, 0x02))
    inner6 = ipv6("fd00::1", "fd00::2", 17, udp("fd00::1", "fd00::2", 2222, 9999, b"inner"))
    inner_eth = eth(inner4, 0x0800, MAC_B, MAC_A)
    gre = lambda flags, proto, extra, pl: struct.pack("!HH", flags, proto) + extra + pl
    outer = lambda proto, pl: eth(ipv4(A4, B4, proto, pl), 0x0800)
    outer_udp = lambda dport, pl: outer(17, udp(A4, B4, 50000, dport, pl))
    erspan2 = struct.pack("!HHI", 0x1000 | 0, 0x0001, 7)
    erspan3 = struct.pack("!HHIHBB", 0x2000, 0x0001, 0, 0, 0, 0)
    geneve = struct.pack("!BBHI", 1, 0, 0x6558, 42 << 8) + struct.pack("!HBB", 0x0102, 3, 0)
    teredo_origin = struct.pack("!HH4s", 0, 0xFFFF ^ 3544, bytes(4))
    mpls = struct.pack("!II", (100 << 12) | 64, (200 << 12) | 0x100 | 64)
    pw = struct.pack("!I", (300 << 12) | 0x100 | 64) + bytes(4)
    pppoe = struct.pack("!BBHH", 0x11, 0, 0x1234, 2 + len(inner4)) + b"\x00\x21" + inner4
    pptp = struct.pack("!HHHHI", 0x3001, 0x880B, 4 + len(inner4), 7, 1) + b"\xff\x03\x00\x21"
    return [
        outer(47, gre(0, 0x0800, b"", inner4)),                                  # GRE
        outer(47, gre(0x3000, 0x86DD, struct.pack("!II", 5, 6), inner6)),        # GRE key+seq
        outer(47, gre(0, 0x6558, b"", inner_eth)),                               # GRE Ethernet
        outer(47, gre(0x1000, 0x88BE, struct.pack("!I", 1), erspan2 + inner_eth)),  # ERSPAN II
        outer(47, gre(0, 0x22EB, b"", erspan3 + inner_eth)),                     # ERSPAN III
        outer_udp(4789, struct.pack("!II", 0x08000000, 42 << 8) + inner_eth),    # VXLAN
        outer_udp(6081, geneve + inner_eth),                                     # GENEVE
        outer(4, inner4),                                                        # IPv4 in IPv4
        outer(41, inner6),                                                       # 6in4
        outer_udp(3544, teredo_origin + inner6),                                 # Teredo
        eth(mpls + inner4, 0x8847),                                              # MPLS
        eth(pw + inner_eth, 0x8847),                                             # MPLS PW
        eth(pppoe, 0x8864),                                                      # PPPoE
        outer(47, pptp + inner4),                                                # PPTP GRE v1
    ]


def frag_frames():
    data = bytes(range(256)) * 4  # 1024 bytes of UDP payload
    u4 = udp(A4, B4, 7000, 7001, data)
    parts = [(0, u4[:512], 0x2000), (64, u4[512:1024], 0x2000), (128, u4[1024:], 0)]
    f4 = [eth(ipv4(A4, B4, 17, p, ident=77, flags_off=fl | off), 0x0800) for off, p, fl in parts]
    u6 = udp(A6, B6, 7000, 7001, data)
    fh = lambda off, m: struct.pack("!BBHI", 17, 0, off | m, 0xABCD)
    f6 = [eth(ipv6(A6, B6, 44, fh(0, 1) + u6[:600]), 0x86DD),
          eth(ipv6(A6, B6, 44, fh(600, 0) + u6[600:]), 0x86DD)]
    # delivered out of order: last IPv4 fragment first
    return [f4[2], f4[0], f4[1], f6[0], f6[1]]


def main():
    basic = basic_frames()
    raw = write_pcap("basic.pcap", basic)
    write_pcapng("basic.pcapng", basic)
    write_pcap("basic_nano.pcap", basic[:2], nano=True)
    with gzip.GzipFile(os.path.join(OUT, "basic.pcap.gz"), "wb", mtime=0) as g:
        g.write(raw)
    # cut in the middle of the 4th record's data: 3 good frames, then truncation
    off = 24 + sum(16 + len(f) for f in basic[:3]) + 16 + 10
    with open(os.path.join(OUT, "truncated.pcap"), "wb") as fh:
        fh.write(raw[:off])
    with open(os.path.join(OUT, "garbage.bin"), "wb") as fh:
        fh.write(b"this is not a capture file, just some text\n" * 4)
    write_pcap("tunnels.pcap", tunnel_frames())
    write_pcap("frags.pcap", frag_frames())
    p4 = ipv4(A4, B4, 17, udp(A4, B4, 1, 2, b"x"))
    p6 = ipv6(A6, B6, 17, udp(A6, B6, 1, 2, b"x"))
    write_pcap("sll.pcap", [struct.pack("!HHH8sH", 0, 1, 6, MAC_A + b"\0\0", 0x0800) + p4], 113)
    write_pcap("sll2.pcap", [struct.pack("!HHIHBB8s", 0x86DD, 0, 2, 1, 0, 6, MAC_A + b"\0\0") + p6],
               276)
    write_pcap("raw.pcap", [p4, p6], 101)
    write_pcap("null.pcap", [struct.pack("<I", 2) + p4, struct.pack("<I", 30) + p6], 0)
    write_pcap("loop.pcap", [struct.pack("!I", 2) + p4, struct.pack("!I", 24) + p6], 108)
    write_pcap("ppp.pcap", [b"\xff\x03\x00\x21" + p4, b"\xff\x03\x00\x57" + p6], 9)
    write_pcap("chdlc.pcap", [b"\x0f\x00\x08\x00" + p4, b"\x8f\x00\x86\xdd" + p6], 104)


if __name__ == "__main__":
    main()
