#!/usr/bin/env python3
"""Regenerates the committed TLS/QUIC fixtures of tests/data/tls/ from public captures.

Run by hand (needs tshark 4.x), never by the tests:
    tests/data/tls/extract.py /path/to/shared/data > /dev/null
Sources: the JA4 authors' captures (FoxIO-LLC/ja4, BSD-3, commit 0e54bc8) with their
expected.tsv, and suricata-verify (GPLv2 test data) TLS 1.3 draft captures with the JA3
values of their test.yaml. Output files:
    ja4_clienthellos.tsv  name, expected ja4, handshake message hex (type 1 + body)
    ja4_quic.tsv          name, expected ja4, sni, client Initial UDP payloads (hex, ';')
    ja3_clienthellos.tsv  name, expected ja3 string, ja3 hash, handshake message hex
    glupteba_server.hex   the server-to-client TCP payload of suricata-verify tls-glupteba
"""
import csv
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def tshark_json(pcap, dfilter):
    out = subprocess.run(["tshark", "-r", pcap, "-Y", dfilter, "-x", "-T", "json", "-J", "tls tcp udp"],
                         capture_output=True, check=True).stdout
    return json.loads(out)


def handshakes(node, want_type):
    """Yields the raw hex of every handshake message of `want_type` under node."""
    if isinstance(node, list):
        for n in node:
            yield from handshakes(n, want_type)
        return
    if not isinstance(node, dict):
        return
    hs = node.get("tls.handshake")
    raw = node.get("tls.handshake_raw")
    if hs is not None and raw is not None:
        hs_l = hs if isinstance(hs, list) else [hs]
        raw_l = raw if isinstance(raw[0], list) else [raw]
        for h, r in zip(hs_l, raw_l):
            if isinstance(h, dict) and h.get("tls.handshake.type") == str(want_type):
                yield r[0]
    for v in node.values():
        yield from handshakes(v, want_type)



def ja4_tcp(data, rows):
    seen = set()
    out = []
    for r in rows:
        if r["transport"] != "tcp" or not r["ja4"] or r["ja4"] in seen:
            continue
        pcap = os.path.join(data, "ja4", r["pcap"])
        pkts = tshark_json(pcap, "tls.handshake.type==1 && tcp.srcport==%s" % r["src_port"])
        hexes = [h for p in pkts for h in handshakes(p, 1)]
        if not hexes:
            continue
        seen.add(r["ja4"])
        out.append((r["pcap"] + ":" + r["src_port"], r["ja4"], hexes[0]))
    return out


def ja4_quic(data, rows):
    seen = set()
    out = []
    for r in rows:
        if r["transport"] != "udp" or not r["ja4"]:
            continue
        key = (r["ja4"], r["pcap"])
        if key in seen:
            continue
        pcap = os.path.join(data, "ja4", r["pcap"])
        res = subprocess.run(["tshark", "-r", pcap, "-Y",
                              "udp.srcport==%s && quic.long.packet_type==0" % r["src_port"],
                              "-T", "fields", "-e", "udp.payload"],
                             capture_output=True, check=True).stdout.decode().split()
        if not res:
            continue
        seen.add(key)
        out.append((r["pcap"] + ":" + r["src_port"], r["ja4"], r["sni"], ";".join(res[:4])))
    return out


JA3_CASES = [
    # suricata-verify test, expected ja3 string, ja3 hash (from its test.yaml)
    ("tls/tls13-draft14/tls13_draft14.pcap",
     "772,49195-49199-52393-52392-49196-49200-49162-49161-49171-49172-51-57-47-53-10,"
     "0-23-65281-10-11-35-13172-16-5-65282-40-13,23-24-25-256-257-258-259-260,0",
     "65825469c473e48f3ee2571129256ab0"),
    ("tls/tls13-draft23/tls13_draft23.pcap",
     "771,4865-4866-4867-49195-49199-49196-49200-52393-52392-49161-49187-49171-49191-49162-"
     "49188-49172-49192-156-157-47-60-53-61-10,65281-23-35-13-11-51-45-43-10,29-23-24,0",
     "0558cf38ebac58d332d7f39308fcd006"),
]


def ja3_cases(data):
    out = []
    for path, s, h in JA3_CASES:
        pkts = tshark_json(os.path.join(data, "suricata-verify/tests", path), "tls.handshake.type==1")
        hexes = [x for p in pkts for x in handshakes(p, 1)]
        out.append((path, s, h, hexes[0]))
    return out


def main():
    data = sys.argv[1]
    with open(os.path.join(data, "ja4/expected.tsv")) as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    with open(os.path.join(HERE, "ja4_clienthellos.tsv"), "w") as f:
        for row in ja4_tcp(data, rows):
            f.write("\t".join(row) + "\n")
    with open(os.path.join(HERE, "ja4_quic.tsv"), "w") as f:
        for row in ja4_quic(data, rows):
            f.write("\t".join(row) + "\n")
    with open(os.path.join(HERE, "ja3_clienthellos.tsv"), "w") as f:
        for row in ja3_cases(data):
            f.write("\t".join(row) + "\n")
    # The server's side of the stream (ServerHello, Certificate, ...): the client sent an
    # SSLv2-compatible ClientHello, so only this direction is TLS records.
    res = subprocess.run(["tshark", "-r", os.path.join(data, "suricata-verify/tests/tls/tls-glupteba/input.pcap"),
                          "-Y", "tcp.srcport==443 && tcp.len>0", "-T", "fields", "-e", "tcp.payload"],
                         capture_output=True, check=True).stdout.decode().split()
    with open(os.path.join(HERE, "glupteba_server.hex"), "w") as f:
        f.write("".join(res) + "\n")

if __name__ == "__main__":
    main()
