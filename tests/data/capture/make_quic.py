#!/usr/bin/env python3
"""Builds quic-2initials.pcap: QUIC v1 client Initials whose ClientHello spans two packets.

No Debian QUIC client splits its ClientHello the way Chrome does (python3-aioquic is
not in Debian 12), so this script builds the Initials itself per RFC 9001: initial
secrets by HKDF with the v1 salt, AES-128-GCM payload protection and AES-ECB header
protection (python3-cryptography). Deterministic: fixed connection ids, random, key
shares, addresses and timestamps, so reruns give byte-identical output.

Flow 1 (10.99.0.1:50001 -> 10.99.0.2:443, SNI quic.mekong.test) is Chrome-like: the
first Initial (pn 0) carries the second half of the ClientHello (CRYPTO offset 1000..)
plus a PING, the second Initial (pn 1) carries the first half (CRYPTO offset 0).
Flow 2 (port 50002, SNI inorder.mekong.test) sends the same ClientHello shape with the
CRYPTO frames in order, as a control. The ClientHello carries an X25519MLKEM768 key
share (0x11ec, 1216 bytes of fixed filler) and an X25519 one, like current browsers.
Usage: python3 make_quic.py [OUT.pcap]
"""
import hashlib
import os
import struct
import sys

from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "quic-2initials.pcap")
SALT_V1 = bytes.fromhex("38762cf7f55934b34d179ae6a4c80cadccbb7f0a")  # RFC 9001 5.2
DATAGRAM = 1250          # Chrome pads client Initials to 1250 bytes of UDP payload
SPLIT = 1000             # ClientHello bytes in the first CRYPTO chunk (offset 0)


def filler(tag, n):
    """Deterministic pseudo-random bytes (SHA-256 in counter mode)."""
    out = b""
    i = 0
    while len(out) < n:
        out += hashlib.sha256(tag + struct.pack("!I", i)).digest()
        i += 1
    return out[:n]


# --- RFC 9001 5.2 initial secrets -----------------------------------------------------------
def hkdf_extract(salt, ikm):
    h = hmac.HMAC(salt, hashes.SHA256())
    h.update(ikm)
    return h.finalize()


def expand_label(secret, label, length):
    full = b"tls13 " + label
    info = struct.pack("!HB", length, len(full)) + full + b"\x00"
    return HKDFExpand(hashes.SHA256(), length, info).derive(secret)


def client_keys(dcid):
    cis = expand_label(hkdf_extract(SALT_V1, dcid), b"client in", 32)
    return (expand_label(cis, b"quic key", 16), expand_label(cis, b"quic iv", 12),
            expand_label(cis, b"quic hp", 16))


# --- the ClientHello ------------------------------------------------------------------------
def u8(b):
    return struct.pack("!B", len(b)) + b


def u16(b):
    return struct.pack("!H", len(b)) + b


def ext(typ, body):
    return struct.pack("!H", typ) + u16(body)


def varint(v):
    if v < 0x40:
        return struct.pack("!B", v)
    if v < 0x4000:
        return struct.pack("!H", 0x4000 | v)
    if v < 0x40000000:
        return struct.pack("!I", 0x80000000 | v)
    return struct.pack("!Q", 0xC000000000000000 | v)


def client_hello(sni, scid):
    tp = b"".join(varint(i) + varint(len(v)) + v for i, v in [
        (0x01, varint(30000)),        # max_idle_timeout
        (0x04, varint(15728640)),     # initial_max_data
        (0x05, varint(6291456)),      # initial_max_stream_data_bidi_local
        (0x06, varint(6291456)),      # initial_max_stream_data_bidi_remote
        (0x07, varint(6291456)),      # initial_max_stream_data_uni
        (0x08, varint(100)),          # initial_max_streams_bidi
        (0x09, varint(103)),          # initial_max_streams_uni
        (0x0F, scid),                 # initial_source_connection_id
    ])
    name = sni.encode()
    exts = b"".join([
        ext(0x0000, u16(b"\x00" + u16(name))),                                 # server_name
        ext(0x000A, u16(struct.pack("!HHHH", 0x11EC, 0x001D, 0x0017, 0x0018))),  # groups
        ext(0x000D, u16(bytes.fromhex("0403080404010503080505010806"
                                      "0601"))),                              # sig algs
        ext(0x0010, u16(u8(b"h3"))),                                          # ALPN
        ext(0x0033, u16(struct.pack("!H", 0x11EC) + u16(filler(b"mlkem", 1216)) +
                        struct.pack("!H", 0x001D) + u16(filler(b"x25519", 32)))),  # key_share
        ext(0x002D, u8(b"\x01")),                                              # psk modes
        ext(0x002B, u8(b"\x03\x04")),                                          # versions
        ext(0x0039, tp),                                                       # QUIC TPs
    ])
    body = (b"\x03\x03" + filler(b"random" + name, 32) + u8(b"") +
            u16(struct.pack("!HHH", 0x1301, 0x1302, 0x1303)) + u8(b"\x00") + u16(exts))
    return b"\x01" + struct.pack("!I", len(body))[1:] + body


# --- RFC 9000 17.2.2 Initial packets, RFC 9001 5.3/5.4 protection ---------------------------
def crypto_frame(off, data):
    return b"\x06" + varint(off) + varint(len(data)) + data


def initial(dcid, scid, pn, frames):
    key, iv, hp = client_keys(dcid)
    pn_len = 1
    head = (struct.pack("!BI", 0xC0 | (pn_len - 1), 1) + u8(dcid) + u8(scid) + varint(0))
    hdr_len = len(head) + 2 + pn_len
    room = DATAGRAM - hdr_len - 16
    payload = frames + b"\x00" * (room - len(frames))          # PADDING frames
    assert len(payload) == room, "frames too long for one Initial"
    header = head + struct.pack("!H", 0x4000 | (pn_len + len(payload) + 16)) + bytes([pn])
    nonce = bytes(a ^ b for a, b in zip(iv, pn.to_bytes(12, "big")))
    ct = AESGCM(key).encrypt(nonce, payload, header)
    pn_off = len(header) - pn_len
    sample = ct[4 - pn_len:4 - pn_len + 16]
    enc = Cipher(algorithms.AES(hp), modes.ECB()).encryptor()
    mask = enc.update(sample) + enc.finalize()
    first = bytes([header[0] ^ (mask[0] & 0x0F)])
    pn_bytes = bytes(a ^ b for a, b in zip(header[pn_off:], mask[1:1 + pn_len]))
    return first + header[1:pn_off] + pn_bytes + ct


# --- pcap (Ethernet / IPv4 / UDP), as tests/data/pcap/make_pcaps.py writes them -------------
def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def frame(src, dst, sport, dport, payload, ident):
    s, d = bytes(map(int, src.split("."))), bytes(map(int, dst.split(".")))
    ulen = 8 + len(payload)
    pseudo = s + d + struct.pack("!xBH", 17, ulen)
    uc = csum(pseudo + struct.pack("!HHHH", sport, dport, ulen, 0) + payload) or 0xFFFF
    udp = struct.pack("!HHHH", sport, dport, ulen, uc) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), ident, 0x4000, 64, 17, 0, s, d)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return (bytes.fromhex("020000000002") + bytes.fromhex("020000000001") + b"\x08\x00" +
            ip + udp)


def main():
    packets = []
    for port, sni, reorder in [(50001, "quic.mekong.test", True),
                               (50002, "inorder.mekong.test", False)]:
        dcid = filler(b"dcid" + sni.encode(), 8)
        scid = filler(b"scid" + sni.encode(), 8)
        ch = client_hello(sni, scid)
        first, second = ch[:SPLIT], ch[SPLIT:]
        if reorder:   # Chrome: later bytes first, the start of the ClientHello after
            p0 = crypto_frame(SPLIT, second) + b"\x01"       # + PING
            p1 = crypto_frame(0, first)
        else:
            p0 = crypto_frame(0, first)
            p1 = crypto_frame(SPLIT, second)
        packets.append((port, initial(dcid, scid, 0, p0)))
        packets.append((port, initial(dcid, scid, 1, p1)))
        print("%s: ClientHello %d bytes, CRYPTO split at %d, %s" %
              (sni, len(ch), SPLIT, "reordered" if reorder else "in order"))
    out = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1)
    for i, (port, dgram) in enumerate(packets):
        f = frame("10.99.0.1", "10.99.0.2", port, 443, dgram, 100 + i)
        out += struct.pack("<IIII", 1764000000 + i // 2, 1000 * (i % 2), len(f), len(f)) + f
    with open(OUT, "wb") as fh:
        fh.write(out)


if __name__ == "__main__":
    main()
