/* gen_bundle: writes a reproducible STIX 2.1 bundle of mixed, valid objects to stdout
 * for the STIX and JSON benchmarks (bench/run_stix.sh). Standalone C11, no mekong code:
 * `gen_bundle --objects N --seed S [--big-object-kb K] [--dense-object-kb K] > file`. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prng.h"

#define ARRAY_LEN(a)  (sizeof(a) / sizeof((a)[0]))
#define MAX_DEPTH     32
#define POOL          4096 /* recent ids kept per type, for references */
#define ID_LEN        128
#define TIME_BASE     1577836800 /* 2020-01-01T00:00:00Z */
#define TIME_SPAN     (4 * 365 * 86400)
#define MAX_CANON     1024
#define OBJECTS_LIMIT 100000000u

/* ---- PRNG: xoshiro256** seeded by splitmix64 (libc generators are banned, not portable) */

/* Uniform in [0, n); the modulo bias is irrelevant for test data. */
static uint64_t rng_below(struct rng *r, uint64_t n)
{
    return rng_next(r) % n;
}

static bool rng_chance(struct rng *r, unsigned percent)
{
    return rng_below(r, 100) < percent;
}

#define PICK(r, arr) ((arr)[rng_below((r), ARRAY_LEN(arr))])

/* ---- SHA-1 (FIPS 180-4), only for UUIDv5 SCO ids (STIX 2.1 section 2.9) ---------- */

struct sha1 {
    uint32_t h[5];
    uint8_t block[64];
    size_t fill;
    uint64_t bytes;
};

static uint32_t rol32(uint32_t x, int k)
{
    return (x << k) | (x >> (32 - k));
}

static void sha1_block(struct sha1 *c, const uint8_t *p)
{
    uint32_t w[80];
    uint32_t a = c->h[0], b = c->h[1], d = c->h[3], e = c->h[4], cc = c->h[2];

    for (int i = 0; i < 16; i++) {
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
               (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    }
    for (int i = 16; i < 80; i++) {
        w[i] = rol32(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    }
    for (int i = 0; i < 80; i++) {
        uint32_t f;
        uint32_t k;
        uint32_t t;

        if (i < 20) {
            f = (b & cc) | (~b & d);
            k = 0x5a827999;
        } else if (i < 40) {
            f = b ^ cc ^ d;
            k = 0x6ed9eba1;
        } else if (i < 60) {
            f = (b & cc) | (b & d) | (cc & d);
            k = 0x8f1bbcdc;
        } else {
            f = b ^ cc ^ d;
            k = 0xca62c1d6;
        }
        t = rol32(a, 5) + f + e + k + w[i];
        e = d;
        d = cc;
        cc = rol32(b, 30);
        b = a;
        a = t;
    }
    c->h[0] += a;
    c->h[1] += b;
    c->h[2] += cc;
    c->h[3] += d;
    c->h[4] += e;
}

static void sha1_init(struct sha1 *c)
{
    static const uint32_t iv[5] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0};

    memcpy(c->h, iv, sizeof(iv));
    c->fill = 0;
    c->bytes = 0;
}

static void sha1_update(struct sha1 *c, const void *data, size_t n)
{
    const uint8_t *p = data;

    c->bytes += n;
    while (n > 0) {
        size_t take = 64 - c->fill < n ? 64 - c->fill : n;

        memcpy(c->block + c->fill, p, take);
        c->fill += take;
        p += take;
        n -= take;
        if (c->fill == 64) {
            sha1_block(c, c->block);
            c->fill = 0;
        }
    }
}

static void sha1_final(struct sha1 *c, uint8_t out[20])
{
    uint64_t bits = c->bytes * 8;
    uint8_t pad = 0x80;
    uint8_t len[8];

    sha1_update(c, &pad, 1);
    pad = 0;
    while (c->fill != 56) {
        sha1_update(c, &pad, 1);
    }
    for (int i = 0; i < 8; i++) {
        len[i] = (uint8_t)(bits >> (56 - 8 * i));
    }
    sha1_update(c, len, 8);
    for (int i = 0; i < 5; i++) {
        out[4 * i] = (uint8_t)(c->h[i] >> 24);
        out[4 * i + 1] = (uint8_t)(c->h[i] >> 16);
        out[4 * i + 2] = (uint8_t)(c->h[i] >> 8);
        out[4 * i + 3] = (uint8_t)c->h[i];
    }
}

/* ---- identifiers and timestamps -------------------------------------------- */

static void uuid_format(const uint8_t u[16], char *out)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;

    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) {
            out[o++] = '-';
        }
        out[o++] = hex[u[i] >> 4];
        out[o++] = hex[u[i] & 15];
    }
    out[o] = '\0';
}

/* "type--<uuid v4>" from the seeded generator (RFC 9562 section 5.4). */
static void make_id_v4(struct rng *r, const char *type, char id[ID_LEN])
{
    uint8_t u[16];
    char s[37];
    uint64_t a = rng_next(r);
    uint64_t b = rng_next(r);

    memcpy(u, &a, 8);
    memcpy(u + 8, &b, 8);
    u[6] = (uint8_t)((u[6] & 0x0f) | 0x40);
    u[8] = (uint8_t)((u[8] & 0x3f) | 0x80);
    uuid_format(u, s);
    (void)snprintf(id, ID_LEN, "%s--%s", type, s);
}

/* "type--<uuid v5>" of the canonical (RFC 8785) JSON of the ID-contributing
 * properties in the STIX SCO namespace 00abedb4-aa42-466c-9c01-fed23315a9b7. */
static void make_id_v5(const char *type, const char *canon, char id[ID_LEN])
{
    static const uint8_t ns[16] = {0x00, 0xab, 0xed, 0xb4, 0xaa, 0x42, 0x46, 0x6c,
                                   0x9c, 0x01, 0xfe, 0xd2, 0x33, 0x15, 0xa9, 0xb7};
    struct sha1 c;
    uint8_t h[20];
    char s[37];

    sha1_init(&c);
    sha1_update(&c, ns, sizeof(ns));
    sha1_update(&c, canon, strlen(canon));
    sha1_final(&c, h);
    h[6] = (uint8_t)((h[6] & 0x0f) | 0x50);
    h[8] = (uint8_t)((h[8] & 0x3f) | 0x80);
    uuid_format(h, s);
    (void)snprintf(id, ID_LEN, "%s--%s", type, s);
}

/* RFC 3339 "YYYY-MM-DDTHH:MM:SS.mmmZ" for seconds since the epoch (UTC). */
static void format_time(int64_t t, unsigned ms, char out[32])
{
    int64_t days = t / 86400;
    int64_t rem = t % 86400;
    /* civil_from_days (H. Hinnant), valid for the proleptic Gregorian calendar */
    int64_t z = days + 719468;
    int64_t era = z / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    int64_t y = yoe + era * 400 + (m <= 2);

    char buf[96];

    /* the local buffer keeps -Wformat-truncation quiet; years stay 4 digits here */
    (void)snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03uZ", (int)y, (int)m, (int)d,
                   (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60), ms % 1000);
    memcpy(out, buf, 25);
    out[24] = '\0';
}

/* ---- a small JSON writer to stdout ------------------------------------------ */

struct jw {
    FILE *f;
    int indent; /* 0: one object per line */
    int depth;
    bool has_items[MAX_DEPTH];
    bool after_key;
};

static void jw_newline(struct jw *w)
{
    if (w->indent == 0 && w->depth == 2) {
        (void)fputc('\n', w->f); /* compact: one bundle element per line */
    } else if (w->indent > 0) {
        (void)fputc('\n', w->f);
        for (int i = 0; i < w->depth * w->indent; i++) {
            (void)fputc(' ', w->f);
        }
    }
}

static void jw_sep(struct jw *w)
{
    if (w->after_key) {
        w->after_key = false;
        return;
    }
    if (w->depth > 0) {
        if (w->has_items[w->depth]) {
            (void)fputc(',', w->f);
        }
        w->has_items[w->depth] = true;
        jw_newline(w);
    }
}

static void jw_open(struct jw *w, char c)
{
    jw_sep(w);
    (void)fputc(c, w->f);
    w->depth++;
    w->has_items[w->depth] = false;
}

static void jw_close(struct jw *w, char c)
{
    bool had = w->has_items[w->depth];

    w->depth--;
    if (had && w->indent > 0) {
        jw_newline(w);
    }
    (void)fputc(c, w->f);
}

static void jw_raw_str(FILE *f, const char *s)
{
    (void)fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        switch (*p) {
        case '"':
            (void)fputs("\\\"", f);
            break;
        case '\\':
            (void)fputs("\\\\", f);
            break;
        case '\n':
            (void)fputs("\\n", f);
            break;
        case '\t':
            (void)fputs("\\t", f);
            break;
        default:
            if (*p < 0x20) {
                (void)fprintf(f, "\\u%04x", *p);
            } else {
                (void)fputc(*p, f);
            }
        }
    }
    (void)fputc('"', f);
}

static void jw_key(struct jw *w, const char *k)
{
    jw_sep(w);
    jw_raw_str(w->f, k);
    (void)fputs(w->indent > 0 ? ": " : ":", w->f);
    w->after_key = true;
}

static void jw_str(struct jw *w, const char *s)
{
    jw_sep(w);
    jw_raw_str(w->f, s);
}

static void jw_int(struct jw *w, int64_t v)
{
    jw_sep(w);
    (void)fprintf(w->f, "%" PRId64, v);
}

static void jw_bool(struct jw *w, bool v)
{
    jw_sep(w);
    (void)fputs(v ? "true" : "false", w->f);
}

static void kv_str(struct jw *w, const char *k, const char *v)
{
    jw_key(w, k);
    jw_str(w, v);
}

static void kv_int(struct jw *w, const char *k, int64_t v)
{
    jw_key(w, k);
    jw_int(w, v);
}

static void kv_strs(struct jw *w, const char *k, const char *const *v, size_t n)
{
    jw_key(w, k);
    jw_open(w, '[');
    for (size_t i = 0; i < n; i++) {
        jw_str(w, v[i]);
    }
    jw_close(w, ']');
}

/* ---- word lists ------------------------------------------------------------- */

static const char *const families[] = {
    "Emotet",   "TrickBot",  "QakBot",   "IcedID",   "Cobalt Strike", "AgentTesla",
    "Remcos",   "njRAT",     "AsyncRAT", "RedLine",  "Raccoon",       "LockBit",
    "BlackCat", "Conti",     "Ryuk",     "Dridex",   "Ursnif",        "Formbook",
    "PlugX",    "ShadowPad", "Sliver",   "Mythic",   "Havoc",         "DarkGate",
    "Pikabot",  "Lumma",     "Vidar",    "SystemBC", "Bumblebee",     "Latrodectus"};
static const char *const words[] = {
    "alpha", "beacon", "cloud",  "delta",   "echo",   "falcon", "grid",  "harbor", "iris",
    "jade",  "krypt",  "lumen",  "matrix",  "nexus",  "orbit",  "pulse", "quartz", "relay",
    "sigma", "tango",  "umbra",  "vector",  "wave",   "xeno",   "yield", "zephyr", "update",
    "cdn",   "login",  "secure", "account", "verify", "portal", "mail",  "static", "api"};
static const char *const tlds[] = {"com", "net", "org", "info", "biz", "ru",
                                   "cn",  "xyz", "top", "io",   "co",  "example"};
static const char *const malware_types[] = {
    "backdoor",  "bot",        "downloader",           "dropper",
    "keylogger", "ransomware", "remote-access-trojan", "spyware",
    "trojan",    "worm"};
static const char *const indicator_types[] = {"anomalous-activity", "attribution", "benign",
                                              "compromised", "malicious-activity"};
static const char *const tactics[] = {"reconnaissance",  "resource-development",
                                      "initial-access",  "execution",
                                      "persistence",     "privilege-escalation",
                                      "defense-evasion", "credential-access",
                                      "discovery",       "lateral-movement",
                                      "collection",      "command-and-control",
                                      "exfiltration",    "impact"};
static const char *const sectors[] = {"financial-services", "government-national", "healthcare",
                                      "technology",         "telecommunications",  "energy",
                                      "education",          "manufacturing"};
static const char *const techniques[] = {"Command and Scripting Interpreter",
                                         "Phishing",
                                         "Valid Accounts",
                                         "Exploit Public-Facing Application",
                                         "Ingress Tool Transfer",
                                         "Obfuscated Files",
                                         "Scheduled Task/Job",
                                         "Process Injection",
                                         "Credential Dumping",
                                         "Remote Services",
                                         "Data Encrypted for Impact"};
/* Descriptions carry escapes and non-ASCII UTF-8, as real reports do. */
static const char *const prose[] = {
    "Observed in a phishing campaign against regional banks.",
    "Loader delivered via \"invoice\" attachments;\nsecond stage fetched over HTTPS.",
    "Infrastructure hosted in Zürich and São Paulo — rotated weekly.",
    "C2 beacons every 60 s with jitter; see the vendor's write-up.",
    "Обнаружено в рассылке; домены регистрируются массово.",
    "攻撃者はVPN機器の脆弱性を悪用した。",
    "Tab-separated\tconfig fields were recovered from memory.",
    "Back-slash paths like C:\\Users\\Public\\svc.exe are dropped."};
static const char *const report_types[] = {"threat-report", "campaign",       "malware",
                                           "indicator",     "attack-pattern", "vulnerability"};

/* TLP 2.0 marking definitions (FIRST TLP 2.0 via the OASIS extension definition). */
static const char *const tlp2_names[] = {"clear", "green", "amber", "amber+strict", "red"};
static const char *const tlp2_ids[] = {"marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
                                       "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
                                       "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
                                       "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
                                       "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"};
#define TLP2_EXTENSION "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"

/* ---- generator state ------------------------------------------------------------ */

enum pool_kind { P_IDENTITY, P_INDICATOR, P_MALWARE, P_ATTACK, P_VULN, P_OBSERVED, P_ANY, P_N };

struct gen {
    struct rng rng;
    struct jw w;
    char (*pool[P_N])[ID_LEN];
    size_t pool_n[P_N];
    uint64_t emitted;
};

static void remember(struct gen *g, enum pool_kind k, const char *id)
{
    size_t slot = g->pool_n[k] % POOL;

    (void)snprintf(g->pool[k][slot], ID_LEN, "%s", id);
    g->pool_n[k]++;
    if (k != P_ANY) {
        remember(g, P_ANY, id);
    }
}

/* A recent id of kind k, or NULL when none was generated yet. */
static const char *recall(struct gen *g, enum pool_kind k)
{
    size_t n = g->pool_n[k] < POOL ? g->pool_n[k] : POOL;

    return n == 0 ? NULL : g->pool[k][rng_below(&g->rng, n)];
}

struct times {
    char created[32];
    char modified[32];
    int64_t t;
};

static void pick_times(struct gen *g, struct times *tm)
{
    int64_t c = TIME_BASE + (int64_t)rng_below(&g->rng, TIME_SPAN);
    int64_t m = c + (rng_chance(&g->rng, 60) ? 0 : (int64_t)rng_below(&g->rng, 90 * 86400));
    unsigned ms = (unsigned)rng_below(&g->rng, 1000);

    format_time(c, ms, tm->created);
    format_time(m, m == c ? ms : (unsigned)rng_below(&g->rng, 1000), tm->modified);
    tm->t = c;
}

/* Opens an SDO/SRO and writes the common properties (section 3.2). */
static void open_sdo(struct gen *g, const char *type, char id[ID_LEN], struct times *tm)
{
    struct jw *w = &g->w;
    const char *creator = recall(g, P_IDENTITY);

    make_id_v4(&g->rng, type, id);
    pick_times(g, tm);
    jw_open(w, '{');
    kv_str(w, "type", type);
    kv_str(w, "spec_version", "2.1");
    kv_str(w, "id", id);
    if (creator != NULL && strcmp(type, "identity") != 0) {
        kv_str(w, "created_by_ref", creator);
    }
    kv_str(w, "created", tm->created);
    kv_str(w, "modified", tm->modified);
    if (rng_chance(&g->rng, 70)) {
        jw_key(w, "object_marking_refs");
        jw_open(w, '[');
        jw_str(w, tlp2_ids[rng_below(&g->rng, ARRAY_LEN(tlp2_ids))]);
        jw_close(w, ']');
    }
    if (rng_chance(&g->rng, 30)) {
        kv_int(w, "confidence", (int64_t)rng_below(&g->rng, 101));
    }
}

static void close_obj(struct gen *g)
{
    jw_close(&g->w, '}');
    g->emitted++;
}

static void kill_chain(struct gen *g, const char *chain)
{
    struct jw *w = &g->w;
    size_t n = 1 + rng_below(&g->rng, 2);

    jw_key(w, "kill_chain_phases");
    jw_open(w, '[');
    for (size_t i = 0; i < n; i++) {
        jw_open(w, '{');
        kv_str(w, "kill_chain_name", chain);
        kv_str(w, "phase_name", PICK(&g->rng, tactics));
        jw_close(w, '}');
    }
    jw_close(w, ']');
}

/* ---- values inside patterns and SCOs ------------------------------------------- */

static void rand_ipv4(struct gen *g, char out[16])
{
    uint64_t x = rng_next(&g->rng);

    (void)snprintf(out, 16, "%u.%u.%u.%u", (unsigned)(1 + (x & 0xff) % 223),
                   (unsigned)(x >> 8 & 0xff), (unsigned)(x >> 16 & 0xff),
                   (unsigned)(1 + (x >> 24 & 0xff) % 254));
}

static void rand_domain(struct gen *g, char out[96])
{
    (void)snprintf(out, 96, "%s-%s%u.%s", PICK(&g->rng, words), PICK(&g->rng, words),
                   (unsigned)rng_below(&g->rng, 10000), PICK(&g->rng, tlds));
}

static void rand_url(struct gen *g, char out[256])
{
    char d[96];

    rand_domain(g, d);
    (void)snprintf(out, 256, "%s://%s/%s/%s%u.php?id=%u",
                   rng_chance(&g->rng, 70) ? "https" : "http", d, PICK(&g->rng, words),
                   PICK(&g->rng, words), (unsigned)rng_below(&g->rng, 100),
                   (unsigned)rng_below(&g->rng, 1000000));
}

static void rand_hex(struct gen *g, size_t nbytes, char *out)
{
    static const char hex[] = "0123456789abcdef";

    for (size_t i = 0; i < nbytes; i++) {
        uint64_t x = rng_next(&g->rng);

        out[2 * i] = hex[x & 15];
        out[2 * i + 1] = hex[(x >> 4) & 15];
    }
    out[2 * nbytes] = '\0';
}

/* One of several realistic pattern shapes (STIX 2.1 part 9). */
static void rand_pattern(struct gen *g, char *out, size_t cap)
{
    char a[256];
    char b[256];
    char h[129];
    char t1[32];
    char t2[32];

    switch (rng_below(&g->rng, 12)) {
    case 0:
    case 1:
        rand_ipv4(g, a);
        (void)snprintf(out, cap, "[ipv4-addr:value = '%s']", a);
        break;
    case 2:
        rand_ipv4(g, a);
        *strrchr(a, '.') = '\0';
        (void)snprintf(out, cap, "[ipv4-addr:value ISSUBSET '%s.0/24']", a);
        break;
    case 3:
        rand_domain(g, a);
        (void)snprintf(out, cap, "[domain-name:value = '%s']", a);
        break;
    case 4:
        rand_url(g, a);
        (void)snprintf(out, cap, "[url:value = '%s']", a);
        break;
    case 5:
        rand_hex(g, 32, h);
        (void)snprintf(out, cap, "[file:hashes.'SHA-256' = '%s']", h);
        break;
    case 6:
        rand_hex(g, 16, h);
        rand_hex(g, 20, a);
        (void)snprintf(out, cap, "[file:hashes.MD5 = '%s' OR file:hashes.'SHA-1' = '%s']", h, a);
        break;
    case 7:
        rand_ipv4(g, a);
        (void)snprintf(
            out, cap,
            "[network-traffic:dst_ref.type = 'ipv4-addr' AND "
            "network-traffic:dst_ref.value = '%s' AND network-traffic:dst_port = %u]",
            a, (unsigned)(rng_chance(&g->rng, 50) ? 443 : 1024 + rng_below(&g->rng, 60000)));
        break;
    case 8:
        rand_domain(g, a);
        rand_url(g, b);
        (void)snprintf(out, cap,
                       "[email-addr:value = 'billing@%s'] FOLLOWEDBY [url:value = '%s'] WITHIN "
                       "600 SECONDS",
                       a, b);
        break;
    case 9:
        rand_ipv4(g, a);
        format_time(TIME_BASE + (int64_t)rng_below(&g->rng, TIME_SPAN), 0, t1);
        format_time(TIME_BASE + TIME_SPAN + (int64_t)rng_below(&g->rng, 86400 * 30), 0, t2);
        (void)snprintf(out, cap, "[ipv4-addr:value = '%s'] START t'%s' STOP t'%s'", a, t1, t2);
        break;
    case 10:
        (void)snprintf(out, cap,
                       "[file:name LIKE '%s_%%.pdf.exe' AND file:size < %u] REPEATS 2 TIMES",
                       PICK(&g->rng, words), (unsigned)(10000 + rng_below(&g->rng, 5000000)));
        break;
    default:
        rand_domain(g, a);
        rand_domain(g, b);
        (void)snprintf(out, cap, "[domain-name:value IN ('%s', '%s')]", a, b);
        break;
    }
}

/* ---- objects ------------------------------------------------------------------ */

static void gen_tlp_markings(struct gen *g)
{
    struct jw *w = &g->w;

    for (size_t i = 0; i < ARRAY_LEN(tlp2_ids); i++) {
        char name[32];

        (void)snprintf(name, sizeof(name), "TLP:%s", tlp2_names[i]);
        for (char *p = name + 4; *p != '\0'; p++) {
            if (*p >= 'a' && *p <= 'z') {
                *p = (char)(*p - 'a' + 'A');
            }
        }
        jw_open(w, '{');
        kv_str(w, "type", "marking-definition");
        kv_str(w, "spec_version", "2.1");
        kv_str(w, "id", tlp2_ids[i]);
        kv_str(w, "created", "2022-10-01T00:00:00.000Z");
        kv_str(w, "name", name);
        jw_key(w, "extensions");
        jw_open(w, '{');
        jw_key(w, TLP2_EXTENSION);
        jw_open(w, '{');
        kv_str(w, "extension_type", "property-extension");
        kv_str(w, "tlp_2_0", tlp2_names[i]);
        jw_close(w, '}');
        jw_close(w, '}');
        close_obj(g);
    }
}

static void gen_identity(struct gen *g)
{
    char id[ID_LEN];
    char name[128];
    struct times tm;
    const char *sector = PICK(&g->rng, sectors);

    open_sdo(g, "identity", id, &tm);
    (void)snprintf(name, sizeof(name), "%s %s Ltd.", PICK(&g->rng, words), PICK(&g->rng, words));
    kv_str(&g->w, "name", name);
    kv_str(&g->w, "identity_class", "organization");
    kv_strs(&g->w, "sectors", &sector, 1);
    kv_str(&g->w, "contact_information", "soc@example.org");
    close_obj(g);
    remember(g, P_IDENTITY, id);
}

static void gen_indicator(struct gen *g)
{
    struct jw *w = &g->w;
    char id[ID_LEN];
    char pattern[768];
    char name[160];
    char until[32];
    struct times tm;
    const char *type = PICK(&g->rng, indicator_types);

    open_sdo(g, "indicator", id, &tm);
    rand_pattern(g, pattern, sizeof(pattern));
    (void)snprintf(name, sizeof(name), "%s activity %u", PICK(&g->rng, families),
                   (unsigned)rng_below(&g->rng, 100000));
    kv_str(w, "name", name);
    if (rng_chance(&g->rng, 40)) {
        kv_str(w, "description", PICK(&g->rng, prose));
    }
    kv_strs(w, "indicator_types", &type, 1);
    kv_str(w, "pattern", pattern);
    kv_str(w, "pattern_type", "stix");
    kv_str(w, "pattern_version", "2.1");
    kv_str(w, "valid_from", tm.created);
    if (rng_chance(&g->rng, 50)) {
        format_time(tm.t + 86400 * (int64_t)(1 + rng_below(&g->rng, 365)), 0, until);
        kv_str(w, "valid_until", until);
    }
    if (rng_chance(&g->rng, 30)) {
        kill_chain(g, "mitre-attack");
    }
    if (rng_chance(&g->rng, 20)) {
        const char *labels[] = {"feed", PICK(&g->rng, words)};

        kv_strs(w, "labels", labels, 2);
    }
    if (rng_chance(&g->rng, 25)) {
        kv_int(w, "x_mekong_score", (int64_t)rng_below(&g->rng, 1000));
        kv_str(w, "x_source_feed", PICK(&g->rng, words));
    }
    close_obj(g);
    remember(g, P_INDICATOR, id);
}

static void gen_malware(struct gen *g)
{
    struct jw *w = &g->w;
    char id[ID_LEN];
    char name[96];
    struct times tm;
    const char *types[] = {PICK(&g->rng, malware_types), "trojan"};

    open_sdo(g, "malware", id, &tm);
    (void)snprintf(name, sizeof(name), "%s v%u", PICK(&g->rng, families),
                   (unsigned)rng_below(&g->rng, 20));
    kv_str(w, "name", name);
    kv_str(w, "description", PICK(&g->rng, prose));
    kv_strs(w, "malware_types", types, strcmp(types[0], "trojan") == 0 ? 1 : 2);
    jw_key(w, "is_family");
    jw_bool(w, rng_chance(&g->rng, 70));
    kv_str(w, "first_seen", tm.created);
    kill_chain(g, "mitre-attack");
    close_obj(g);
    remember(g, P_MALWARE, id);
}

static void gen_attack_pattern(struct gen *g)
{
    struct jw *w = &g->w;
    char id[ID_LEN];
    char ext[32];
    char url[128];
    char capec[32];
    struct times tm;
    unsigned t = 1000 + (unsigned)rng_below(&g->rng, 600);
    unsigned sub = 1 + (unsigned)rng_below(&g->rng, 9);

    open_sdo(g, "attack-pattern", id, &tm);
    kv_str(w, "name", PICK(&g->rng, techniques));
    kv_str(w, "description", PICK(&g->rng, prose));
    (void)snprintf(ext, sizeof(ext), "T%u.%03u", t, sub);
    (void)snprintf(url, sizeof(url), "https://attack.mitre.org/techniques/T%u/%03u", t, sub);
    (void)snprintf(capec, sizeof(capec), "CAPEC-%u", (unsigned)rng_below(&g->rng, 700));
    jw_key(w, "external_references");
    jw_open(w, '[');
    jw_open(w, '{');
    kv_str(w, "source_name", "mitre-attack");
    kv_str(w, "url", url);
    kv_str(w, "external_id", ext);
    jw_close(w, '}');
    jw_open(w, '{');
    kv_str(w, "source_name", "capec");
    kv_str(w, "external_id", capec);
    jw_close(w, '}');
    jw_close(w, ']');
    kill_chain(g, "mitre-attack");
    if (rng_chance(&g->rng, 50)) {
        const char *platforms[] = {"Windows", "Linux", "macOS"};

        kv_strs(w, "x_mitre_platforms", platforms, 1 + rng_below(&g->rng, 3));
        kv_str(w, "x_mitre_version", "1.2");
    }
    close_obj(g);
    remember(g, P_ATTACK, id);
}

static void gen_vulnerability(struct gen *g)
{
    struct jw *w = &g->w;
    char id[ID_LEN];
    char cve[32];
    char url[96];
    struct times tm;

    open_sdo(g, "vulnerability", id, &tm);
    (void)snprintf(cve, sizeof(cve), "CVE-%u-%u", 2015 + (unsigned)rng_below(&g->rng, 10),
                   1000 + (unsigned)rng_below(&g->rng, 50000));
    (void)snprintf(url, sizeof(url), "https://nvd.nist.gov/vuln/detail/%s", cve);
    kv_str(w, "name", cve);
    if (rng_chance(&g->rng, 50)) {
        kv_str(w, "description", PICK(&g->rng, prose));
    }
    jw_key(w, "external_references");
    jw_open(w, '[');
    jw_open(w, '{');
    kv_str(w, "source_name", "cve");
    kv_str(w, "external_id", cve);
    kv_str(w, "url", url);
    jw_close(w, '}');
    jw_close(w, ']');
    close_obj(g);
    remember(g, P_VULN, id);
}

static void gen_relationship(struct gen *g)
{
    static const struct {
        const char *type;
        enum pool_kind from;
        enum pool_kind to;
    } kinds[] = {
        {"indicates", P_INDICATOR, P_MALWARE}, {"indicates", P_INDICATOR, P_ATTACK},
        {"uses", P_MALWARE, P_ATTACK},         {"targets", P_MALWARE, P_VULN},
        {"targets", P_MALWARE, P_IDENTITY},    {"related-to", P_INDICATOR, P_INDICATOR},
    };

    char id[ID_LEN];
    struct times tm;
    size_t k = rng_below(&g->rng, ARRAY_LEN(kinds));
    const char *src = recall(g, kinds[k].from);
    const char *dst = recall(g, kinds[k].to);

    if (src == NULL || dst == NULL || src == dst) {
        return;
    }
    /* copy: open_sdo may not overwrite pools, but keep the strings stable anyway */
    {
        char s[ID_LEN];
        char d[ID_LEN];

        (void)snprintf(s, sizeof(s), "%s", src);
        (void)snprintf(d, sizeof(d), "%s", dst);
        open_sdo(g, "relationship", id, &tm);
        kv_str(&g->w, "relationship_type", kinds[k].type);
        kv_str(&g->w, "source_ref", s);
        kv_str(&g->w, "target_ref", d);
    }
    close_obj(g);
}

/* An SCO with a deterministic id; `canon` is its ID-contributing JSON (RFC 8785). */
static void open_sco(struct gen *g, const char *type, const char *canon, char id[ID_LEN])
{
    make_id_v5(type, canon, id);
    jw_open(&g->w, '{');
    kv_str(&g->w, "type", type);
    kv_str(&g->w, "spec_version", "2.1");
    kv_str(&g->w, "id", id);
}

static void gen_value_sco(struct gen *g, const char *type, const char *value, char id[ID_LEN])
{
    char canon[MAX_CANON];

    (void)snprintf(canon, sizeof(canon), "{\"value\":\"%s\"}", value);
    open_sco(g, type, canon, id);
    kv_str(&g->w, "value", value);
    close_obj(g);
}

static void gen_file_sco(struct gen *g, char id[ID_LEN])
{
    struct jw *w = &g->w;
    char md5[33];
    char sha1[41];
    char sha256[65];
    char name[96];
    char canon[MAX_CANON];

    rand_hex(g, 16, md5);
    rand_hex(g, 20, sha1);
    rand_hex(g, 32, sha256);
    (void)snprintf(name, sizeof(name), "%s_%u.exe", PICK(&g->rng, words),
                   (unsigned)rng_below(&g->rng, 10000));
    /* stix2's _choose_one_hash: MD5 first when present */
    (void)snprintf(canon, sizeof(canon), "{\"hashes\":{\"MD5\":\"%s\"},\"name\":\"%s\"}", md5,
                   name);
    open_sco(g, "file", canon, id);
    jw_key(w, "hashes");
    jw_open(w, '{');
    kv_str(w, "MD5", md5);
    kv_str(w, "SHA-1", sha1);
    kv_str(w, "SHA-256", sha256);
    jw_close(w, '}');
    kv_str(w, "name", name);
    kv_int(w, "size", (int64_t)(1024 + rng_below(&g->rng, 20000000)));
    close_obj(g);
}

static void gen_traffic_sco(struct gen *g, char id[ID_LEN])
{
    struct jw *w = &g->w;
    char src_ip[16];
    char dst_ip[16];
    char src[ID_LEN];
    char dst[ID_LEN];
    char canon[MAX_CANON];
    unsigned sport = 1024 + (unsigned)rng_below(&g->rng, 64000);
    unsigned dport = rng_chance(&g->rng, 60) ? 443 : (unsigned)rng_below(&g->rng, 65536);
    const char *protos[] = {"ipv4", "tcp"};

    rand_ipv4(g, src_ip);
    rand_ipv4(g, dst_ip);
    gen_value_sco(g, "ipv4-addr", src_ip, src);
    gen_value_sco(g, "ipv4-addr", dst_ip, dst);
    (void)snprintf(canon, sizeof(canon),
                   "{\"dst_port\":%u,\"dst_ref\":\"%s\",\"protocols\":[\"ipv4\",\"tcp\"],"
                   "\"src_port\":%u,\"src_ref\":\"%s\"}",
                   dport, dst, sport, src);
    open_sco(g, "network-traffic", canon, id);
    kv_str(w, "src_ref", src);
    kv_str(w, "dst_ref", dst);
    kv_int(w, "src_port", sport);
    kv_int(w, "dst_port", dport);
    kv_strs(w, "protocols", protos, 2);
    kv_int(w, "dst_byte_count", (int64_t)rng_below(&g->rng, 10000000));
    close_obj(g);
}

/* SCOs first (top-level, referenced by id as STIX 2.1 prefers), then the observed-data. */
static void gen_observed_data(struct gen *g)
{
    struct jw *w = &g->w;
    char refs[3][ID_LEN];
    char first[32];
    char last[32];
    char id[ID_LEN];
    char v[256];
    struct times tm;
    size_t n = 1 + rng_below(&g->rng, 3);

    for (size_t i = 0; i < n; i++) {
        switch (rng_below(&g->rng, 5)) {
        case 0:
            rand_ipv4(g, v);
            gen_value_sco(g, "ipv4-addr", v, refs[i]);
            break;
        case 1:
            rand_domain(g, v);
            gen_value_sco(g, "domain-name", v, refs[i]);
            break;
        case 2:
            rand_url(g, v);
            gen_value_sco(g, "url", v, refs[i]);
            break;
        case 3:
            gen_file_sco(g, refs[i]);
            break;
        default:
            gen_traffic_sco(g, refs[i]);
            break;
        }
    }
    open_sdo(g, "observed-data", id, &tm);
    format_time(tm.t, 0, first);
    format_time(tm.t + (int64_t)rng_below(&g->rng, 86400), 0, last);
    kv_str(w, "first_observed", first);
    kv_str(w, "last_observed", last);
    kv_int(w, "number_observed", (int64_t)(1 + rng_below(&g->rng, 500)));
    jw_key(w, "object_refs");
    jw_open(w, '[');
    for (size_t i = 0; i < n; i++) {
        jw_str(w, refs[i]);
    }
    jw_close(w, ']');
    close_obj(g);
    remember(g, P_OBSERVED, id);
}

static void gen_sighting(struct gen *g)
{
    struct jw *w = &g->w;
    char id[ID_LEN];
    char of[ID_LEN];
    char od[ID_LEN];
    char where[ID_LEN];
    char last[32];
    struct times tm;
    const char *a = recall(g, rng_chance(&g->rng, 80) ? P_INDICATOR : P_MALWARE);
    const char *b = recall(g, P_OBSERVED);
    const char *c = recall(g, P_IDENTITY);

    if (a == NULL || b == NULL || c == NULL) {
        return;
    }
    (void)snprintf(of, sizeof(of), "%s", a);
    (void)snprintf(od, sizeof(od), "%s", b);
    (void)snprintf(where, sizeof(where), "%s", c);
    open_sdo(g, "sighting", id, &tm);
    format_time(tm.t + (int64_t)rng_below(&g->rng, 7 * 86400), 0, last);
    kv_str(w, "first_seen", tm.created);
    kv_str(w, "last_seen", last);
    kv_int(w, "count", (int64_t)(1 + rng_below(&g->rng, 1000)));
    kv_str(w, "sighting_of_ref", of);
    kv_strs(w, "observed_data_refs", (const char *const[]){od}, 1);
    kv_strs(w, "where_sighted_refs", (const char *const[]){where}, 1);
    close_obj(g);
}

static void gen_report(struct gen *g, size_t n_refs, bool fresh_refs)
{
    struct jw *w = &g->w;
    char id[ID_LEN];
    char name[128];
    char ref[ID_LEN];
    struct times tm;
    const char *rtype = PICK(&g->rng, report_types);

    open_sdo(g, "report", id, &tm);
    (void)snprintf(name, sizeof(name), "%s weekly report %u", PICK(&g->rng, families),
                   (unsigned)rng_below(&g->rng, 1000));
    kv_str(w, "name", name);
    kv_str(w, "description", PICK(&g->rng, prose));
    kv_strs(w, "report_types", &rtype, 1);
    kv_str(w, "published", tm.modified);
    jw_key(w, "object_refs");
    jw_open(w, '[');
    for (size_t i = 0; i < n_refs; i++) {
        const char *r = fresh_refs ? NULL : recall(g, P_ANY);

        if (r == NULL) {
            make_id_v4(&g->rng, "indicator", ref);
            r = ref;
        }
        jw_str(w, r);
    }
    jw_close(w, ']');
    close_obj(g);
}

static void gen_note(struct gen *g)
{
    struct jw *w = &g->w;
    char id[ID_LEN];
    char ref[ID_LEN];
    struct times tm;
    const char *r = recall(g, P_ANY);

    if (r == NULL) {
        return;
    }
    (void)snprintf(ref, sizeof(ref), "%s", r);
    open_sdo(g, "note", id, &tm);
    kv_str(w, "abstract", "Analyst comment");
    kv_str(w, "content", PICK(&g->rng, prose));
    kv_strs(w, "authors", (const char *const[]){"Tier 2 analyst"}, 1);
    kv_strs(w, "object_refs", (const char *const[]){ref}, 1);
    close_obj(g);
}

/* The memory worst case for a DOM: a note whose custom property is a list of
 * one-digit numbers, ~2 input bytes per value. */
static void gen_dense_note(struct gen *g, size_t n_values)
{
    struct jw *w = &g->w;
    char id[ID_LEN];
    char ref[ID_LEN];
    struct times tm;

    make_id_v4(&g->rng, "indicator", ref);
    open_sdo(g, "note", id, &tm);
    kv_str(w, "content", "Per-sample ranks from the sandbox.");
    kv_strs(w, "object_refs", (const char *const[]){ref}, 1);
    jw_key(w, "x_mekong_ranks");
    jw_open(w, '[');
    for (size_t i = 0; i < n_values; i++) {
        jw_int(w, (int64_t)(i % 10));
    }
    jw_close(w, ']');
    close_obj(g);
}

/* One step of the mix; weights are per 100 (SCOs come with observed-data). */
static void gen_one(struct gen *g)
{
    uint64_t x = rng_below(&g->rng, 100);

    if (x < 36) {
        gen_indicator(g);
    } else if (x < 58) {
        gen_relationship(g);
    } else if (x < 68) {
        gen_observed_data(g);
    } else if (x < 74) {
        gen_sighting(g);
    } else if (x < 80) {
        gen_malware(g);
    } else if (x < 85) {
        gen_attack_pattern(g);
    } else if (x < 90) {
        gen_vulnerability(g);
    } else if (x < 93) {
        gen_identity(g);
    } else if (x < 96) {
        gen_note(g);
    } else {
        gen_report(g, 5 + rng_below(&g->rng, 46), false);
    }
}

/* ---- main ----------------------------------------------------------------------- */

static int usage(void)
{
    (void)fprintf(stderr, "usage: gen_bundle --objects N --seed S [--big-object-kb K] "
                          "[--dense-object-kb K] [--indent N] > bundle.json\n");
    return 2;
}

static bool parse_u64(const char *s, uint64_t *out)
{
    char *end = NULL;
    unsigned long long v;

    if (s == NULL || *s == '\0') {
        return false;
    }
    v = strtoull(s, &end, 10);
    if (*end != '\0') {
        return false;
    }
    *out = v;
    return true;
}

int main(int argc, char **argv)
{
    uint64_t objects = 0;
    uint64_t seed = 1;
    uint64_t big_kb = 0;
    uint64_t dense_kb = 0;
    uint64_t indent = 0;
    struct gen g;
    char bundle_id[ID_LEN];
    static char iobuf[1 << 20];
    bool big_done = false;
    bool dense_done = false;

    for (int i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        uint64_t *dst = strcmp(argv[i], "--objects") == 0           ? &objects
                        : strcmp(argv[i], "--seed") == 0            ? &seed
                        : strcmp(argv[i], "--big-object-kb") == 0   ? &big_kb
                        : strcmp(argv[i], "--dense-object-kb") == 0 ? &dense_kb
                        : strcmp(argv[i], "--indent") == 0          ? &indent
                                                                    : NULL;

        if (dst == NULL || !parse_u64(v, dst)) {
            return usage();
        }
        i++;
    }
    if (objects == 0 || objects > OBJECTS_LIMIT || indent > 8) {
        return usage();
    }
    memset(&g, 0, sizeof(g));
    for (size_t k = 0; k < P_N; k++) {
        g.pool[k] = calloc(POOL, ID_LEN);
        if (g.pool[k] == NULL) {
            (void)fprintf(stderr, "gen_bundle: out of memory\n");
            return 1;
        }
    }
    rng_seed(&g.rng, seed);
    (void)setvbuf(stdout, iobuf, _IOFBF, sizeof(iobuf));
    g.w = (struct jw){.f = stdout, .indent = (int)indent};
    make_id_v4(&g.rng, "bundle", bundle_id);

    jw_open(&g.w, '{');
    kv_str(&g.w, "type", "bundle");
    kv_str(&g.w, "id", bundle_id);
    jw_key(&g.w, "objects");
    jw_open(&g.w, '[');
    gen_tlp_markings(&g);
    for (int i = 0; i < 8; i++) {
        gen_identity(&g);
    }
    while (g.emitted < objects) {
        if (!big_done && big_kb > 0 && g.emitted >= objects / 2) {
            /* ~50 bytes per "indicator--<uuid>", entry of object_refs */
            gen_report(&g, (size_t)(big_kb * 1024 / 50), true);
            big_done = true;
            continue;
        }
        if (!dense_done && dense_kb > 0 && g.emitted >= objects / 2) {
            gen_dense_note(&g, (size_t)(dense_kb * 1024 / 2)); /* "7," per value */
            dense_done = true;
            continue;
        }
        gen_one(&g);
    }
    jw_close(&g.w, ']');
    jw_close(&g.w, '}');
    (void)fputc('\n', stdout);
    for (size_t k = 0; k < P_N; k++) {
        free(g.pool[k]);
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        (void)fprintf(stderr, "gen_bundle: write error\n");
        return 1;
    }
    (void)fprintf(stderr, "gen_bundle: %" PRIu64 " objects, seed %" PRIu64 "\n", g.emitted, seed);
    return 0;
}
