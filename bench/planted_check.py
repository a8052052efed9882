#!/usr/bin/env python3
"""planted_check.py: are the planted indicators' hits all alerted, and nothing else? (issue 4)

Usage: bench/planted_check.py PLANTED_LIST EVE [--examples 5]

Independent of libmekong by design (docs/clarifications.md, issue 4): the planted list is
parsed and normalised here, with Python's ipaddress module and this file's own URL and
domain rules; the expected hits are computed from the sensor's NON-alert events only, and
then compared with its alert events. Run the sensor with `--alert-rate 0` (no rate limit)
and `--no-default-warnings` (the capture's servers are in 198.18.0.0/15).

Indicator forms (Maltrail trail rules): `#` comments; `http://` / `https://` dropped;
a.b.c.d or IPv6 -> address; a.b.c.d:port or [v6]:port -> address + port; /path -> URL path
on any host; host[:port]/path -> URL; 32/40/64 hex -> hash (32 hex also a JA3, as a plain
list cannot tell them apart); JA4 shape -> JA4; domain:port -> domain; else domain.

What is observed per flow (flow_id), from every non-alert event:
  endpoints      src_ip/src_port and dest_ip/dest_port -> address, address + port
  dns            rrname of queries and answers, answers[].rrname, answers[].rdata
                 (A/AAAA -> address; CNAME/NS/PTR -> name; MX "pref name" -> name)
  http           hostname -> name; hostname[:http_port] + url -> URL (and path alone)
  tls, quic      sni -> name; ja3.hash, ja3s.hash -> JA3/MD5; ja4 -> JA4
  fileinfo       md5, sha1, sha256
A name matches a domain indicator D when it equals D or ends with "." + D (case-insensitive,
trailing dot ignored). A URL matches when host (lower-case, no trailing dot), port (default
80 dropped; also 443) and path (percent-encoding of unreserved characters decoded, other
escapes upper-cased, dot segments removed per RFC 3986 5.2.4) are equal, with or without
the query; a path indicator compares the path only.

Expected hits: the set of (flow_id, indicator). Alerts are deduplicated per flow and
indicator by the sensor, so each expected pair should have exactly one alert.
Reports expected, found, missed (with examples), false alerts (indicator not planted, value
that the indicator does not explain, or no such value among the flow's events), duplicates.
Exit status 0 only when nothing is missed and nothing is false.
"""
import argparse
import collections
import ipaddress
import json
import re
import sys

HEX = re.compile(r"[0-9a-fA-F]+")
JA4 = re.compile(r"[tqd][0-9s][0-9][di][0-9]{4}[0-9a-z]{2}_[0-9a-f]{12}_[0-9a-f]{12}")
UNRESERVED = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def norm_name(n):
    return n.strip().lower().rstrip(".")


def norm_ip(s):
    try:
        a = ipaddress.ip_address(s.strip())
    except ValueError:
        return None
    if isinstance(a, ipaddress.IPv6Address) and a.ipv4_mapped:
        a = a.ipv4_mapped
    return str(a)


def remove_dot_segments(path):
    """RFC 3986 5.2.4."""
    inp, out = path, []
    while inp:
        if inp.startswith("../"):
            inp = inp[3:]
        elif inp.startswith("./"):
            inp = inp[2:]
        elif inp.startswith("/./"):
            inp = inp[2:]
        elif inp == "/.":
            inp = "/"
        elif inp.startswith("/../"):
            inp = inp[3:]
            if out:
                out.pop()
        elif inp == "/..":
            inp = "/"
            if out:
                out.pop()
        elif inp in (".", ".."):
            inp = ""
        else:
            i = inp.find("/", 1)
            seg = inp if i < 0 else inp[:i]
            out.append(seg)
            inp = "" if i < 0 else inp[i:]
    return "".join(out)


def norm_pct(s):
    """Decode %XX of unreserved characters, upper-case the other escapes."""
    def rep(m):
        c = chr(int(m.group(1), 16))
        return c if c in UNRESERVED else "%" + m.group(1).upper()
    return re.sub(r"%([0-9a-fA-F]{2})", rep, s)


def norm_target(target):
    """Request target -> (path, query or None)."""
    target = target.split("#", 1)[0]
    path, q, query = target.partition("?")
    path = remove_dot_segments(norm_pct(path or "/")) or "/"
    return path, (norm_pct(query) if q else None)


def norm_host_port(host, port):
    host = norm_name(host)
    if host.startswith("[") and host.endswith("]"):
        host = "[" + (norm_ip(host[1:-1]) or host[1:-1]) + "]"
    elif norm_ip(host):
        host = norm_ip(host)
    if port in (None, "", 80, 443, "80", "443"):
        return host
    return f"{host}:{int(port)}"


def parse_indicator(v):
    """A planted line -> canonical key (kind, value), or None."""
    v = re.sub(r"\s#.*", "", v).strip()
    if not v or v.startswith("#"):
        return None
    low = v.lower()
    for scheme in ("http://", "https://"):
        if low.startswith(scheme):
            v = v[len(scheme):]
            break
    if v.endswith("/") and v.count("/") == 1 and not v.startswith("/"):
        v = v[:-1]  # "http://host/" is a host trail
    if norm_ip(v):
        return ("ip", norm_ip(v))
    m = re.fullmatch(r"\[([0-9a-fA-F:.]+)\]:(\d+)", v) or re.fullmatch(r"([0-9.]+):(\d+)", v)
    if m and norm_ip(m.group(1)):
        return ("ip_port", f"{norm_ip(m.group(1))}|{int(m.group(2))}")
    if v.startswith("/"):
        path, _ = norm_target(v)
        return ("path", path)
    if "/" in v:
        auth, _, target = v.partition("/")
        m = re.fullmatch(r"(\[[^]]+\]|[^:]+)(?::(\d+))?", auth)
        host, port = (m.group(1), m.group(2)) if m else (auth, None)
        path, query = norm_target("/" + target)
        return ("url", norm_host_port(host, port) + path + (("?" + query) if query else ""))
    if HEX.fullmatch(v) and len(v) in (32, 40, 64, 128):
        return ("hash", v.lower())
    if JA4.fullmatch(v.lower()):
        return ("ja4", v.lower())
    m = re.fullmatch(r"([^:]+):\d+", v)
    if m:
        v = m.group(1)  # Maltrail: a domain's port is dropped
    return ("domain", norm_name(v))


class Planted:
    def __init__(self, keys):
        self.keys = set(keys)
        self.by_kind = collections.defaultdict(set)
        for k, v in self.keys:
            self.by_kind[k].add(v)

    def match_name(self, name):
        n = norm_name(name)
        labels = n.split(".")
        return [("domain", ".".join(labels[i:])) for i in range(len(labels))
                if ".".join(labels[i:]) in self.by_kind["domain"]]

    def match_ip(self, ip, port=None):
        ip = norm_ip(ip)
        out = []
        if ip is None:
            return out
        if ip in self.by_kind["ip"]:
            out.append(("ip", ip))
        if port is not None and f"{ip}|{int(port)}" in self.by_kind["ip_port"]:
            out.append(("ip_port", f"{ip}|{int(port)}"))
        return out

    def match_url(self, host, port, target):
        path, query = norm_target(target)
        out = []
        if host:
            base = norm_host_port(host, port)
            for u in {base + path, base + path + ("?" + query if query else "")}:
                if u in self.by_kind["url"]:
                    out.append(("url", u))
        if path in self.by_kind["path"]:
            out.append(("path", path))
        return out

    def match_hash(self, h, kind="hash"):
        h = (h or "").lower()
        return [(kind, h)] if h in self.by_kind[kind] else []


def observations(e):
    """(field, value, matcher-args) of one non-alert event."""
    t = e.get("event_type")
    out = []
    if "src_ip" in e:
        out.append(("endpoint", (e["src_ip"], e.get("src_port"))))
    if "dest_ip" in e:
        out.append(("endpoint", (e["dest_ip"], e.get("dest_port"))))
    if t == "dns":
        d = e["dns"]
        if d.get("rrname"):
            out.append(("name", d["rrname"]))
        for a in d.get("answers", []):
            if a.get("rrname"):
                out.append(("name", a["rrname"]))
            rd = a.get("rdata")
            if not rd:
                continue
            if a.get("rrtype") in ("A", "AAAA"):
                out.append(("endpoint", (rd, None)))
            elif a.get("rrtype") in ("CNAME", "NS", "PTR"):
                out.append(("name", rd))
            elif a.get("rrtype") == "MX" and " " in rd:
                out.append(("name", rd.split(" ", 1)[1]))
    elif t == "http":
        h = e["http"]
        if h.get("hostname"):
            out.append(("name", h["hostname"]))
        if h.get("url") is not None:
            out.append(("url", (h.get("hostname"), h.get("http_port"), h["url"])))
    elif t in ("tls", "quic"):
        x = e[t]
        if x.get("sni"):
            out.append(("name", x["sni"]))
        for k in ("ja3", "ja3s"):
            if isinstance(x.get(k), dict) and x[k].get("hash"):
                out.append(("hash", x[k]["hash"]))
        if x.get("ja4"):
            out.append(("ja4", x["ja4"]))
    elif t == "fileinfo":
        for k in ("md5", "sha1", "sha256"):
            if e["fileinfo"].get(k):
                out.append(("hash", e["fileinfo"][k]))
    return out


def match(p, kind, val):
    if kind == "endpoint":
        return p.match_ip(val[0], val[1])
    if kind == "name":
        return p.match_name(val)
    if kind == "url":
        return p.match_url(*val)
    if kind == "hash":
        return p.match_hash(val)
    if kind == "ja4":
        return p.match_hash(val, "ja4")
    return []


def explains(p, key, field, value):
    """Does indicator `key` match the alert's matched_value in matched_field?"""
    kind = key[0]
    if kind in ("ip", "ip_port"):
        if field in ("src_ip", "dest_ip", "dns.answers.rdata") and norm_ip(value):
            if kind == "ip":
                return norm_ip(value) == key[1]
            return key[1].startswith(norm_ip(value) + "|")  # the port is the flow's
        return False
    if kind == "domain":
        return field.endswith(("rrname", "rdata", "hostname", "sni")) and \
            key in p.match_name(value)
    if kind in ("url", "path"):
        m = re.fullmatch(r"https?://([^/]*)(/.*)?", value or "")
        if field != "http.url" or not m:
            return False
        auth = m.group(1)
        am = re.fullmatch(r"(\[[^]]+\]|[^:]*)(?::(\d+))?", auth)
        return key in p.match_url(am.group(1), am.group(2), m.group(2) or "/") if am else False
    if kind == "hash":
        return (value or "").lower() == key[1]
    if kind == "ja4":
        return (value or "").lower() == key[1]
    return False


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("planted")
    ap.add_argument("eve")
    ap.add_argument("--examples", type=int, default=5)
    a = ap.parse_args()

    with open(a.planted, errors="replace") as f:
        keys = [k for k in map(parse_indicator, f) if k]
    p = Planted(keys)
    expected = {}                    # (flow_id, key) -> (field kind, value) of the first hit
    alerts = collections.Counter()   # (flow_id, key) -> number of alerts
    false = []
    alert_examples = {}
    n_events = collections.Counter()
    with open(a.eve) as f:
        for line in f:
            e = json.loads(line)
            t = e.get("event_type")
            n_events[t] += 1
            fid = e.get("flow_id")
            if t == "alert":
                md = e["alert"].get("metadata", {})
                vals = md.get("indicator_value", [])
                for i, v in enumerate(vals):
                    typ = (md.get("indicator_type") or [""] * len(vals))[i]
                    field = (md.get("matched_field") or [""] * len(vals))[i]
                    mv = (md.get("matched_value") or [""] * len(vals))[i]
                    key = parse_indicator(v)
                    if key not in p.keys:
                        false.append(("indicator not planted", fid, v, typ, field, mv))
                        continue
                    if not explains(p, key, field, mv):
                        false.append(("matched value not explained", fid, v, typ, field, mv))
                        continue
                    alerts[(fid, key)] += 1
                    alert_examples.setdefault((fid, key), (field, mv))
                continue
            if fid is None:
                continue
            for kind, val in observations(e):
                for key in match(p, kind, val):
                    expected.setdefault((fid, key), (t, kind, val))

    found = {k for k in alerts if k in expected}
    missed = [k for k in expected if k not in alerts]
    for k in alerts:
        if k not in expected:
            false.append(("no such value in the flow's events", k[0], k[1][1], k[1][0],
                          *alert_examples[k]))
    dups = {k: c for k, c in alerts.items() if c > 1}

    by_kind = collections.Counter(k[1][0] for k in expected)
    hit_keys = {k[1] for k in expected}
    print(f"planted indicators: {len(p.keys)} distinct ({len(keys)} lines); "
          f"{len(hit_keys)} occur in the EVE's events")
    never = sorted(p.keys - hit_keys)
    if never:
        print(f"  planted but not seen in any event ({len(never)}): {never[:10]}")
    print(f"events read: " + ", ".join(f"{t} {c}" for t, c in n_events.most_common()))
    print(f"expected hits (flow, indicator): {len(expected)}  by kind: " +
          ", ".join(f"{k} {c}" for k, c in sorted(by_kind.items())))
    print(f"found: {len(found)}")
    print(f"missed: {len(missed)}")
    for k in missed[:a.examples]:
        print(f"  missed flow_id {k[0]} indicator {k[1]} seen as {expected[k]}")
    mk = collections.Counter(k[1][0] for k in missed)
    if missed:
        print("  missed by kind: " + ", ".join(f"{k} {c}" for k, c in sorted(mk.items())))
    print(f"false alerts: {len(false)}")
    for x in false[:a.examples]:
        print(f"  false ({x[0]}): flow_id {x[1]} indicator {x[2]!r} type {x[3]} "
              f"field {x[4]} value {x[5]!r}")
    print(f"duplicate alerts (same flow and indicator): {len(dups)}")
    ok = not missed and not false
    print("result: " + ("PASS, every planted hit alerted, no false alert" if ok else "FAIL"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
