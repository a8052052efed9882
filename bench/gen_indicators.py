#!/usr/bin/env python3
"""gen_indicators.py: fixed-seed indicator lists for the end-to-end sensor benchmark (issue 4).

Usage: bench/gen_indicators.py --eve EVE --outdir DIR [--seed 1] [--sizes 100000,1000000]
                               [--planted 200]

EVE is the sensor's output for the benchmark capture with no indicators loaded (every event
type; bench/run_ioc_e2e.sh makes it from `gen_pcap --seed 1`). It is read for two things:
  * every value the capture shows (names and their parent domains, addresses, URL paths,
    fingerprints, file hashes), so that the random indicators provably do NOT occur in it;
  * candidates for the planted indicators, which DO occur in it.

Writes, in Maltrail trail format (a header comment naming Maltrail, one value per line):
  DIR/ioc_planted.txt   the K planted indicators (bench/planted_check.py reads this one)
  DIR/ioc_<N>.txt       N random indicators (100k, 1M); the largest size also carries the
                        K planted ones appended, so it holds N + K lines of values.

The random values follow the mix of ../shared/data/trails (234 files, 135,651 values,
counted with --count-trails): domains 69.16 %, URL path trails on any host 11.73 %,
ip:port 10.74 %, http://<ipv4> 4.24 %, URL with a domain host and a path 3.89 %,
URL with an IPv4 host and a path 0.23 %, bare IPv4 0.002 %. Domain label counts as in the
trails (2: 33.2 %, 3: 61.8 %, 4: 4.1 %, 5: 0.9 %).

Only the standard library; random.Random seeded with integers (deterministic across
CPython versions for randrange/choice/shuffle/sample). Prints the sha256 of every file.
"""
import argparse
import collections
import glob
import hashlib
import ipaddress
import json
import os
import re
import random
import sys

MIX = [  # (kind, count in the trails)
    ("domain", 93821),
    ("url_path", 15915),
    ("ip_port", 14573),
    ("http_ip", 5755),
    ("url_domain", 5276),
    ("url_ip", 308),
    ("ipv4", 3),
]
DOMAIN_LABELS = [(2, 31165), (3, 58001), (4, 3838), (5, 816)]
TLDS = ["com", "net", "org", "ru", "info", "xyz", "top", "biz", "online", "site", "cn", "io",
        "pw", "club", "tk", "in", "br", "de", "uk", "su"]
PORTS = [80, 443, 8080, 8443, 4444, 1337, 5555, 8000, 8888, 9001]
ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"
LOWER = "abcdefghijklmnopqrstuvwxyz"
EXTS = ["", "", "", "/", ".php", ".dll", ".exe", ".bin", ".zip", ".js"]
HEADER = ("# Maltrail trail format (synthetic benchmark list, mekong bench/gen_indicators.py)\n"
          "# Reference: bench/RESULTS.md\n")

# Address ranges no random indicator is drawn from: special-purpose ranges (RFC 6890) and
# everything the benchmark capture uses (10/8 clients, 198.18/15 servers).
EXCLUDED_V4 = [ipaddress.ip_network(n) for n in (
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
    "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15",
    "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/3")]


def weighted_counts(total, weights):
    """Split total over the weights by largest remainder (sums exactly to total)."""
    s = sum(w for _, w in weights)
    raw = [(k, total * w / s) for k, w in weights]
    out = {k: int(x) for k, x in raw}
    rest = total - sum(out.values())
    for k, x in sorted(raw, key=lambda kx: kx[1] - int(kx[1]), reverse=True)[:rest]:
        out[k] += 1
    return out


def count_trails(root):
    """The mix of a Maltrail tree (to confirm MIX above)."""
    ipre = r"\d{1,3}(\.\d{1,3}){3}"
    c = collections.Counter()
    labels = collections.Counter()
    for fn in sorted(glob.glob(os.path.join(root, "**", "*.txt"), recursive=True)):
        with open(fn, errors="replace") as f:
            for line in f:
                v = re.sub(r"\s#.*", "", line).strip()
                if not v or v.startswith("#"):
                    continue
                if re.fullmatch(ipre, v):
                    k = "ipv4"
                elif re.fullmatch(ipre + r":\d+", v):
                    k = "ip_port"
                elif v.startswith("/"):
                    k = "url_path"
                elif re.fullmatch(r"https?://" + ipre + r"(:\d+)?/?", v):
                    k = "http_ip"
                elif re.match(r"(https?://)?" + ipre + r"(:\d+)?/", v):
                    k = "url_ip"
                elif "/" in v:
                    k = "url_domain"
                else:
                    k = "domain"
                    labels[min(v.count(".") + 1, 5)] += 1
                c[k] += 1
    n = sum(c.values())
    for k, x in c.most_common():
        print(f"{k:12} {x:7} {100 * x / n:6.2f} %")
    print(f"total {n}; domain labels {sorted(labels.items())}")


class Observed:
    """Everything the capture shows, from the 0-indicator EVE."""

    def __init__(self):
        self.names = set()       # every name seen (dns, http host, sni)
        self.suffixes = set()    # every name and parent at a label boundary
        self.ips = set()         # every address seen (endpoints, dns answers)
        self.paths = set()       # every URL path (query cut off)
        self.values = set()      # ja3/ja3s hashes, ja4, file hashes
        # planting candidates
        self.qnames = collections.Counter()
        self.cnames = collections.Counter()
        self.answer_ips = collections.Counter()
        self.dst = collections.Counter()   # (dest_ip, dest_port, proto, app) of flows
        self.http = []                     # (hostname, http_port or None, url, dest_port)
        self.ja3 = collections.Counter()
        self.ja4 = collections.Counter()
        self.files = []                    # (md5, sha1, sha256)

    def name(self, n):
        if not n:
            return
        n = n.lower().rstrip(".")
        self.names.add(n)
        labels = n.split(".")
        for i in range(len(labels)):
            self.suffixes.add(".".join(labels[i:]))

    def read(self, path):
        apps = {}
        flows = []
        with open(path) as f:
            for line in f:
                e = json.loads(line)
                t = e.get("event_type")
                for k in ("src_ip", "dest_ip"):
                    if k in e:
                        self.ips.add(str(ipaddress.ip_address(e[k])))
                if t == "flow":
                    flows.append((e["flow_id"], e["dest_ip"], e.get("dest_port"), e["proto"]))
                elif t == "dns":
                    d = e["dns"]
                    self.name(d.get("rrname"))
                    if d.get("type") == "query":
                        self.qnames[d["rrname"].lower()] += 1
                    for a in d.get("answers", []):
                        self.name(a.get("rrname"))
                        if a.get("rrtype") in ("A", "AAAA"):
                            ip = str(ipaddress.ip_address(a["rdata"]))
                            self.ips.add(ip)
                            self.answer_ips[ip] += 1
                        elif a.get("rrtype") in ("CNAME", "NS", "PTR"):
                            self.name(a.get("rdata"))
                            self.cnames[a["rdata"].lower()] += 1
                elif t == "http":
                    h = e["http"]
                    apps[e["flow_id"]] = "http"
                    self.name(h.get("hostname"))
                    url = h.get("url", "")
                    self.paths.add(url.split("?")[0])
                    self.http.append((h.get("hostname"), h.get("http_port"), url,
                                      e.get("dest_port")))
                elif t in ("tls", "quic"):
                    x = e[t]
                    apps[e["flow_id"]] = t
                    self.name(x.get("sni"))
                    for k in ("ja3", "ja3s"):
                        if x.get(k, {}).get("hash"):
                            self.values.add(x[k]["hash"])
                    if x.get("ja3", {}).get("hash"):
                        self.ja3[x["ja3"]["hash"]] += 1
                    if x.get("ja4"):
                        self.values.add(x["ja4"])
                        self.ja4[x["ja4"]] += 1
                elif t == "fileinfo":
                    fi = e["fileinfo"]
                    hs = (fi.get("md5"), fi.get("sha1"), fi.get("sha256"))
                    self.values.update(h for h in hs if h)
                    if all(hs):
                        self.files.append(hs)
        for fid, ip, port, proto in flows:
            self.dst[(str(ipaddress.ip_address(ip)), port, proto, apps.get(fid, ""))] += 1


def rand_label(r, lo, hi, alphabet=LOWER):
    return "".join(r.choice(alphabet) for _ in range(r.randint(lo, hi)))


def rand_public_v4(r):
    while True:
        a = ipaddress.IPv4Address(r.getrandbits(32))
        if not any(a in n for n in EXCLUDED_V4):
            return str(a)


def rand_domain(r, obs):
    nl = weighted_pick(r, DOMAIN_LABELS)
    while True:
        labels = [rand_label(r, 2, 10, ALNUM) for _ in range(nl - 2)]
        labels += [rand_label(r, 5, 13), r.choice(TLDS)]
        d = ".".join(labels)
        # neither a name of the capture nor a parent of one
        if d not in obs.suffixes:
            return d


def rand_path(r, obs):
    while True:
        segs = [rand_label(r, 3, 12, ALNUM + "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
                for _ in range(r.choice((1, 2, 2, 3)))]
        p = "/" + "/".join(segs) + r.choice(EXTS)
        if p not in obs.paths:
            return p


def rand_ip(r, obs):
    while True:
        ip = rand_public_v4(r)
        if ip not in obs.ips:
            return ip


def weighted_pick(r, weights):
    x = r.randrange(sum(w for _, w in weights))
    for k, w in weights:
        if x < w:
            return k
        x -= w
    raise AssertionError


def random_values(n, seed, obs):
    r = random.Random(seed)
    counts = weighted_counts(n, MIX)
    out = []
    seen = set()
    for kind, _ in MIX:
        made = 0
        while made < counts[kind]:
            if kind == "domain":
                v = rand_domain(r, obs)
            elif kind == "url_path":
                v = rand_path(r, obs)
            elif kind == "ip_port":
                port = r.choice(PORTS) if r.random() < 0.6 else r.randint(1024, 65535)
                v = f"{rand_ip(r, obs)}:{port}"
            elif kind == "http_ip":
                v = f"http://{rand_ip(r, obs)}"
            elif kind == "url_domain":
                v = rand_domain(r, obs) + rand_path(r, obs)
            elif kind == "url_ip":
                v = f"http://{rand_ip(r, obs)}{rand_path(r, obs)}/"
            else:
                v = rand_ip(r, obs)
            if v in seen:
                continue
            seen.add(v)
            out.append(v)
            made += 1
    r.shuffle(out)
    return out, counts


def pick(r, items, k):
    items = sorted(items)
    return r.sample(items, min(k, len(items)))


def planted_values(k, seed, obs):
    """K indicators that occur in the capture, over every matchable field and form."""
    r = random.Random(seed * 7919 + 17)
    out = []
    qnames = [n for n in obs.qnames if n.count(".") >= 2]
    # exact names (DNS query / HTTP host / SNI), some upper-case or with a trailing dot
    for n in pick(r, qnames, 50):
        out.append(n.upper() if r.random() < 0.1 else n + "." if r.random() < 0.05 else n)
    # parent domains of names (subdomain match), never a public suffix: the registrable part
    parents = sorted({n.split(".", 1)[1] for n in qnames if not n.endswith(".co.uk")} |
                     {n.split(".", 1)[1] for n in qnames if n.count(".") >= 3})
    out += pick(r, parents, 22)
    # CNAME targets (only in DNS answers)
    out += pick(r, [n for n in obs.cnames if n not in obs.qnames], 6)
    # destination addresses by protocol, IPv4 and IPv6
    by_app = collections.defaultdict(list)
    for (ip, port, proto, app) in obs.dst:
        by_app[(app or proto, ":" in ip)].append((ip, port))
    for (app, v6), lst in sorted(by_app.items()):
        for ip, _ in pick(r, lst, 3):
            out.append(ip)
    # ip:port (IPv4 a.b.c.d:p, IPv6 [v6]:p)
    for (app, v6), lst in sorted(by_app.items()):
        for ip, port in pick(r, [x for x in lst if x[1] is not None], 2):
            out.append(f"[{ip}]:{port}" if v6 else f"{ip}:{port}")
    # http://ip host trails (HTTP servers)
    for ip, _ in pick(r, by_app[("http", False)], 6):
        out.append(f"http://{ip}")
    # DNS answer addresses (random public ones)
    out += pick(r, [ip for ip, c in obs.answer_ips.items() if c == 1], 6)
    # URLs: host/path in several spellings that normalise to the request
    reqs = pick(r, [x for x in obs.http if x[0] and "?" not in x[2]], 40)
    for i, (host, hport, url, dport) in enumerate(reqs):
        h = host + (f":{hport}" if hport else "")
        form = i % 8
        if form == 0:
            out.append(host.upper() + url)                       # host case
        elif form == 1:
            out.append(h + ":80" + url if not hport else h + url)  # default port
        elif form == 2:
            seg = url.split("/")
            out.append(h + "/" + seg[1] + "/../" + "/".join(seg[1:]))  # dot segments
        elif form == 3:
            out.append(h + "/./" + url[1:])
        elif form == 4:
            out.append(h + "/%" + format(ord(url[1]), "02X") + url[2:])  # %-encoded unreserved
        elif form == 5:
            out.append(url)                                       # path trail, any host
        else:
            out.append(h + url)
    # fingerprints: the rarest JA3 and JA4, and file hashes
    out += [h for h, _ in sorted(obs.ja3.items(), key=lambda x: (x[1], x[0]))[:2]]
    out += [h for h, _ in sorted(obs.ja4.items(), key=lambda x: (x[1], x[0]))[:3]]
    files = pick(r, obs.files, 3)
    out += [files[0][2], files[1][1], files[2][0]] if len(files) == 3 else []
    # dedupe, keep order; top up with exact names to K
    seen, res = set(), []
    for v in out:
        if v not in seen:
            seen.add(v)
            res.append(v)
    extra = [n for n in pick(r, qnames, 4 * k) if n not in seen]
    while len(res) < k and extra:
        res.append(extra.pop())
    return res[:k]


def write(path, values, note):
    with open(path, "w") as f:
        f.write(HEADER)
        f.write(f"# {note}\n")
        for v in values:
            f.write(v + "\n")
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--eve")
    ap.add_argument("--outdir", default="bench/out")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--sizes", default="100000,1000000")
    ap.add_argument("--planted", type=int, default=200)
    ap.add_argument("--count-trails", metavar="DIR")
    a = ap.parse_args()
    if a.count_trails:
        count_trails(a.count_trails)
        return 0
    if not a.eve:
        ap.error("--eve is required")
    obs = Observed()
    obs.read(a.eve)
    print(f"gen_indicators: capture shows {len(obs.names)} names, {len(obs.ips)} addresses, "
          f"{len(obs.paths)} URL paths, {len(obs.values)} fingerprints/hashes", file=sys.stderr)
    planted = planted_values(a.planted, a.seed, obs)
    sizes = [int(s) for s in a.sizes.split(",")]
    sha = write(os.path.join(a.outdir, "ioc_planted.txt"), planted,
                f"{len(planted)} planted indicators that occur in gen_pcap --seed 1")
    print(f"{sha}  ioc_planted.txt  ({len(planted)} values)")
    for n in sizes:
        vals, counts = random_values(n, a.seed * 1000003 + n, obs)
        note = ", ".join(f"{k} {v}" for k, v in counts.items())
        if n == max(sizes):
            vals = vals + planted
            note += f"; then {len(planted)} planted"
        name = f"ioc_{n // 1000}k.txt" if n < 1000000 else f"ioc_{n // 1000000}m.txt"
        sha = write(os.path.join(a.outdir, name), vals, note)
        print(f"{sha}  {name}  ({len(vals)} values: {note})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
