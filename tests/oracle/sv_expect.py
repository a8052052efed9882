#!/usr/bin/env python3
"""Field expectations from suricata-verify test.yaml files, for make_tshark.sh.

For each test directory holding a test.yaml and one capture, writes
OUT/<test dir>.raw: a JSON list of {"f": field, "v": value} (normalised afterwards by
fields.jq, so the rules live in one place). Tests whose checks name none of the fields
below get no file.

Mapping from Suricata EVE keys (7 and 8 formats) to oracle field names:
  tls.sni -> tls.sni            tls.ja3.hash -> tls.ja3     tls.ja4, quic.ja4 -> ja4
  quic.sni -> quic.sni          http.hostname -> http.host  http.url -> http.uri
  dns.rrname, dns.queries[N].rrname, dns.query[N].rrname -> dns.query
  dns.answers[N].rdata -> dns.a / dns.aaaa / dns.cname when the same match gives
  dns.answers[N].rrtype A / AAAA / CNAME (other record types are not oracle fields).
dns.answers[N].rrname is left out: it is the owner name of a record, which the tshark
oracle does not extract either.
"""
import json
import os
import re
import sys

import yaml

SIMPLE = {
    "tls.sni": "tls.sni",
    "tls.ja3.hash": "tls.ja3",
    "tls.ja4": "ja4",
    "quic.ja4": "ja4",
    "quic.sni": "quic.sni",
    "http.hostname": "http.host",
    "http.url": "http.uri",
    "dns.rrname": "dns.query",
}
QNAME = re.compile(r"^dns\.quer(?:y|ies)\[\d+\]\.rrname$")
ANS = re.compile(r"^dns\.answers\[(\d+)\]\.rdata$")
RRTYPE_FIELD = {"A": "dns.a", "AAAA": "dns.aaaa", "CNAME": "dns.cname"}


def expectations(doc):
    out = []
    for check in (doc or {}).get("checks") or []:
        flt = check.get("filter") if isinstance(check, dict) else None
        if not isinstance(flt, dict):
            continue
        count = flt.get("count")
        # count 0 asserts that no such event exists: it is not an expected value.
        if count is not None and int(count) == 0:
            continue
        match = flt.get("match") or {}
        for key, val in match.items():
            if val is None or isinstance(val, (dict, list, bool)):
                continue
            field = SIMPLE.get(key)
            if field is None and QNAME.match(key):
                field = "dns.query"
            m = ANS.match(key)
            if field is None and m:
                rrtype = match.get("dns.answers[%s].rrtype" % m.group(1))
                field = RRTYPE_FIELD.get(str(rrtype))
            if field is not None:
                out.append({"f": field, "v": str(val)})
    return out


def main():
    root, outdir = sys.argv[1], sys.argv[2]
    n = 0
    for dirpath, _dirs, files in sorted(os.walk(root)):
        if "test.yaml" not in files:
            continue
        with open(os.path.join(dirpath, "test.yaml"), encoding="utf-8") as fh:
            doc = yaml.safe_load(fh)
        exp = expectations(doc)
        if not exp:
            continue
        rel = os.path.relpath(dirpath, root)
        dest = os.path.join(outdir, rel + ".raw")
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        with open(dest, "w", encoding="utf-8") as fh:
            json.dump(exp, fh)
        n += 1
    print("sv_expect: %d tests with field expectations" % n, file=sys.stderr)


if __name__ == "__main__":
    main()
