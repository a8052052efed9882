/* DNS analyzer (RFC 1035, 3596, 2782, 6891, 9460): one message per UDP datagram or
 * per length-prefixed TCP record (RFC 1035 4.2.2), reported through sink->dns.
 * Entry points: mk_analyzer_dns, and mk_dns_parse() for one message alone. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "proto/dns_int.h"

/* ---- bounds-checked reads -------------------------------------------------- */

struct cur {
    const uint8_t *p;
    size_t n;
    size_t off;
};

static bool rd_u16(struct cur *c, uint16_t *v)
{
    if (c->off > c->n || c->n - c->off < 2) {
        return false;
    }
    *v = (uint16_t)((c->p[c->off] << 8) | c->p[c->off + 1]);
    c->off += 2;
    return true;
}

static bool rd_u32(struct cur *c, uint32_t *v)
{
    uint16_t hi;
    uint16_t lo;

    if (!rd_u16(c, &hi) || !rd_u16(c, &lo)) {
        return false;
    }
    *v = ((uint32_t)hi << 16) | lo;
    return true;
}

static uint16_t be16(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}

/* ---- a string builder over arena memory: stops (full) at its cap ----------- */

struct sb {
    char *p;
    size_t len;
    size_t cap; /* bytes at p, the NUL included */
    bool full;
};

static char *sb_reserve(struct sb *b, size_t n)
{
    if (b->full || n >= b->cap - b->len) {
        b->full = true;
        return NULL;
    }
    return b->p + b->len;
}

static void sb_put(struct sb *b, const void *s, size_t n)
{
    char *w = sb_reserve(b, n);

    if (w != NULL) {
        memcpy(w, s, n);
        b->len += n;
        b->p[b->len] = '\0';
    }
}

static void sb_cstr(struct sb *b, const char *s)
{
    sb_put(b, s, strlen(s));
}

static void sb_uint(struct sb *b, unsigned long v)
{
    char tmp[24];
    int k = snprintf(tmp, sizeof(tmp), "%lu", v);

    if (k > 0) {
        sb_put(b, tmp, (size_t)k);
    }
}

/* Label and TXT bytes go out as on the wire, except NUL, which would end the
 * C string early: it becomes the RFC 1035 5.1 escape "\000". */
static void sb_bytes(struct sb *b, const uint8_t *s, size_t n)
{
    size_t i = 0;

    while (i < n) {
        const uint8_t *z = memchr(s + i, 0, n - i);
        size_t run = z == NULL ? n - i : (size_t)(z - (s + i));

        sb_put(b, s + i, run);
        i += run;
        if (i < n) {
            sb_put(b, "\\000", 4);
            i++;
        }
    }
}

/* ---- names (RFC 1035 3.1, 4.1.4) -------------------------------------------- */

/* True when `target` is already in seen[0..n): following it again would loop. */
static bool visited(const uint16_t *seen, unsigned n, uint16_t target)
{
    for (unsigned i = 0; i < n; i++) {
        if (seen[i] == target) {
            return true;
        }
    }
    return false;
}

/* Pointers may lead backward or forward (RFC 1035 4.1.4 does not forbid forward
 * ones and Suricata follows them, test dns-forward-pointer). Loops are impossible
 * because a pointer to a target already followed for this name is refused (the
 * visited bound), and the work is bounded by MK_DNS_MAX_JUMPS pointers and the
 * 255-octet name cap; each label is read at most once per jump. */
static enum mk_status name_put(const uint8_t *p, size_t n, size_t *off, struct sb *out)
{
    uint16_t seen[MK_DNS_MAX_JUMPS];
    size_t pos = *off;
    size_t end = 0;
    size_t wire = 1; /* the root label */
    size_t first = out->len;
    unsigned jumps = 0;

    for (;;) {
        uint8_t c;

        if (pos >= n) {
            return MK_ETRUNC;
        }
        c = p[pos];
        if (c == 0) {
            break;
        }
        if ((c & 0xC0) == 0xC0) {
            uint16_t target;

            if (n - pos < 2) {
                return MK_ETRUNC;
            }
            target = (uint16_t)(((c & 0x3F) << 8) | p[pos + 1]);
            if (end == 0) {
                end = pos + 2;
            }
            if (target == pos || jumps >= MK_DNS_MAX_JUMPS || visited(seen, jumps, target)) {
                return MK_EINVAL;
            }
            seen[jumps++] = target;
            pos = target;
            continue;
        }
        /* 0x40 and 0x80: extended label types, obsolete (RFC 6891 5) */
        if ((c & 0xC0) != 0) {
            return MK_EINVAL;
        }
        wire += 1u + c;
        if (wire > MK_DNS_MAX_NAME_WIRE) {
            return MK_EINVAL;
        }
        if (n - pos - 1 < c) {
            return MK_ETRUNC;
        }
        if (out->len > first) {
            sb_put(out, ".", 1);
        }
        sb_bytes(out, p + pos + 1, c);
        pos += 1u + c;
    }
    *off = end != 0 ? end : pos + 1;
    return out->full ? MK_ELIMIT : MK_OK;
}

enum mk_status mk_dns_name_read(const uint8_t *p, size_t n, size_t *off, char *out, size_t cap)
{
    struct sb b = {.p = out, .cap = cap};

    if (cap == 0) {
        return MK_ELIMIT;
    }
    out[0] = '\0';
    return name_put(p, n, off, &b);
}

/* ---- rdata presentation forms ----------------------------------------------- */

/* One record's data: the whole message (pointers may lead anywhere before)
 * and where the data starts and ends. */
struct rd {
    const uint8_t *p;
    size_t n;
    size_t off;
    size_t end;
    struct sb *out;
};

/* A name inside multi-field data: the root is written "." so that fields
 * cannot run together (as in "0 ." for a null MX, RFC 7505). */
static enum mk_status rd_name(struct rd *r, bool root_dot)
{
    size_t before = r->out->len;
    enum mk_status st = name_put(r->p, r->end, &r->off, r->out);

    if (st == MK_OK && root_dot && r->out->len == before) {
        sb_put(r->out, ".", 1);
    }
    return st;
}

static enum mk_status rd_u16_put(struct rd *r, const char *sep)
{
    struct cur c = {r->p, r->end, r->off};
    uint16_t v;

    if (!rd_u16(&c, &v)) {
        return MK_ETRUNC;
    }
    r->off = c.off;
    sb_uint(r->out, v);
    sb_cstr(r->out, sep);
    return MK_OK;
}

static enum mk_status fmt_addr(struct rd *r, int af, size_t len)
{
    char tmp[46];

    if (r->end - r->off != len) {
        return MK_EINVAL;
    }
    sb_put(r->out, tmp,
           af == AF_INET ? mk_ipv4_format(r->p + r->off, tmp) : mk_ipv6_format(r->p + r->off, tmp));
    r->off = r->end;
    return MK_OK;
}

/* RFC 1035 3.3.14: one or more <character-string>s, joined as Suricata does. */
static enum mk_status fmt_txt(struct rd *r)
{
    if (r->off == r->end) {
        return MK_EINVAL;
    }
    while (r->off < r->end) {
        size_t k = r->p[r->off];

        if (r->end - r->off - 1 < k) {
            return MK_ETRUNC;
        }
        /* character-strings are concatenated, as SPF and DKIM read them
         * (RFC 7208 section 3.3): a long record split at 255 bytes reads whole */
        sb_bytes(r->out, r->p + r->off + 1, k);
        r->off += 1 + k;
    }
    return MK_OK;
}

/* RFC 1035 3.3.13: "mname rname serial refresh retry expire minimum". */
static enum mk_status fmt_soa(struct rd *r)
{
    enum mk_status st = rd_name(r, true);
    struct cur c;

    if (st == MK_OK) {
        sb_put(r->out, " ", 1);
        st = rd_name(r, true);
    }
    if (st != MK_OK) {
        return st;
    }
    c = (struct cur){r->p, r->end, r->off};
    for (int i = 0; i < 5; i++) {
        uint32_t v;

        if (!rd_u32(&c, &v)) {
            return MK_ETRUNC;
        }
        sb_put(r->out, " ", 1);
        sb_uint(r->out, v);
    }
    r->off = c.off;
    return MK_OK;
}

/* RFC 2782: "priority weight port target". */
static enum mk_status fmt_srv(struct rd *r)
{
    enum mk_status st = rd_u16_put(r, " ");

    if (st == MK_OK) {
        st = rd_u16_put(r, " ");
    }
    if (st == MK_OK) {
        st = rd_u16_put(r, " ");
    }
    return st == MK_OK ? rd_name(r, true) : st;
}

static const char *const svc_keys[] = {"mandatory", "alpn",     "no-default-alpn",
                                       "port",      "ipv4hint", "ech",
                                       "ipv6hint",  "dohpath",  "ohttp"};

/* RFC 9460 14.3.2 names the keys; unknown ones are "keyNNNNN" (2.1). */
static void svc_key(struct sb *out, uint16_t key)
{
    if (key < MK_ARRAY_LEN(svc_keys)) {
        sb_cstr(out, svc_keys[key]);
    } else {
        sb_cstr(out, "key");
        sb_uint(out, key);
    }
}

static enum mk_status svc_list(struct sb *out, const uint8_t *v, size_t len, uint16_t key)
{
    size_t step = key == 0 ? 2 : key == 4 ? 4 : 16;

    if (len == 0 || len % step != 0) {
        return MK_EINVAL;
    }
    for (size_t i = 0; i < len; i += step) {
        char tmp[46];

        if (i > 0) {
            sb_put(out, ",", 1);
        }
        if (key == 0) {
            svc_key(out, be16(v + i));
        } else {
            sb_put(out, tmp, key == 4 ? mk_ipv4_format(v + i, tmp) : mk_ipv6_format(v + i, tmp));
        }
    }
    return MK_OK;
}

/* RFC 9460 7.1.1: alpn-ids, each length-prefixed, written comma-separated. */
static enum mk_status svc_alpn(struct sb *out, const uint8_t *v, size_t len)
{
    size_t i = 0;

    if (len == 0) {
        return MK_EINVAL;
    }
    while (i < len) {
        size_t k = v[i];

        if (k == 0 || len - i - 1 < k) {
            return MK_EINVAL;
        }
        if (i > 0) {
            sb_put(out, ",", 1);
        }
        sb_bytes(out, v + i + 1, k);
        i += 1 + k;
    }
    return MK_OK;
}

static void sb_encoded(struct sb *out, const uint8_t *v, size_t len, bool base64)
{
    size_t need = base64 ? 4 * ((len + 2) / 3) : 2 * len;
    char *w = sb_reserve(out, need);

    if (w == NULL) {
        return;
    }
    if (base64) {
        (void)EVP_EncodeBlock((unsigned char *)w, v, (int)len);
    } else {
        mk_hex_encode(v, len, w);
    }
    out->len += need;
    out->p[out->len] = '\0';
}

static enum mk_status svc_value(struct sb *out, uint16_t key, const uint8_t *v, size_t len)
{
    switch (key) {
    case 0: /* mandatory */
    case 4: /* ipv4hint */
    case 6: /* ipv6hint */
        return svc_list(out, v, len, key);
    case 1:
        return svc_alpn(out, v, len);
    case 2: /* no-default-alpn */
    case 8: /* ohttp (RFC 9540) */
        return len == 0 ? MK_OK : MK_EINVAL;
    case 3: /* port */
        if (len != 2) {
            return MK_EINVAL;
        }
        sb_uint(out, be16(v));
        return MK_OK;
    case 5: /* ech: base64 as in the presentation form */
        sb_encoded(out, v, len, true);
        return MK_OK;
    case 7: /* dohpath (RFC 9461) */
        sb_bytes(out, v, len);
        return MK_OK;
    default:
        sb_encoded(out, v, len, false);
        return MK_OK;
    }
}

/* RFC 9460 2.2: "priority target key=value ...". */
static enum mk_status fmt_svcb(struct rd *r)
{
    enum mk_status st = rd_u16_put(r, " ");

    if (st == MK_OK) {
        st = rd_name(r, true);
    }
    while (st == MK_OK && r->off < r->end) {
        struct cur c = {r->p, r->end, r->off};
        uint16_t key;
        uint16_t len;

        if (!rd_u16(&c, &key) || !rd_u16(&c, &len) || r->end - c.off < len) {
            return MK_ETRUNC;
        }
        sb_put(r->out, " ", 1);
        svc_key(r->out, key);
        if (len > 0 || (key != 2 && key != 8)) {
            sb_put(r->out, "=", 1);
        }
        st = svc_value(r->out, key, r->p + c.off, len);
        r->off = c.off + len;
    }
    return st;
}

static enum mk_status fmt_rdata(uint16_t type, struct rd *r)
{
    switch (type) {
    case MK_DNS_TYPE_A:
        return fmt_addr(r, AF_INET, 4);
    case MK_DNS_TYPE_AAAA:
        return fmt_addr(r, AF_INET6, 16);
    case MK_DNS_TYPE_CNAME:
    case MK_DNS_TYPE_NS:
    case MK_DNS_TYPE_PTR:
        return rd_name(r, false);
    case MK_DNS_TYPE_MX: {
        enum mk_status st = rd_u16_put(r, " ");

        return st == MK_OK ? rd_name(r, true) : st;
    }
    case MK_DNS_TYPE_TXT:
        return fmt_txt(r);
    case MK_DNS_TYPE_SOA:
        return fmt_soa(r);
    case MK_DNS_TYPE_SRV:
        return fmt_srv(r);
    case MK_DNS_TYPE_SVCB:
    case MK_DNS_TYPE_HTTPS:
        return fmt_svcb(r);
    default:
        sb_encoded(r->out, r->p + r->off, r->end - r->off, false);
        r->off = r->end;
        return MK_OK;
    }
}

/* The most a type's presentation form can take, so one arena block suffices;
 * the builder still stops at the cap should this be wrong. */
static size_t rdata_bound(uint16_t type, size_t rdlen)
{
    switch (type) {
    case MK_DNS_TYPE_A:
    case MK_DNS_TYPE_AAAA:
        return INET6_ADDRSTRLEN;
    case MK_DNS_TYPE_CNAME:
    case MK_DNS_TYPE_NS:
    case MK_DNS_TYPE_PTR:
    case MK_DNS_TYPE_MX:
    case MK_DNS_TYPE_SRV:
        return MK_DNS_NAME_BUF + 32;
    case MK_DNS_TYPE_SOA:
        return 2 * MK_DNS_NAME_BUF + 64;
    case MK_DNS_TYPE_TXT:
        return 4 * rdlen + 1;
    case MK_DNS_TYPE_SVCB:
    case MK_DNS_TYPE_HTTPS:
        return MK_DNS_NAME_BUF + 8 * rdlen + 64;
    default:
        return 2 * rdlen + 1;
    }
}

/* ---- messages (RFC 1035 4.1) ------------------------------------------------ */

struct hdr {
    uint16_t id;
    uint16_t flags;
    uint16_t qd;
    uint16_t an;
    uint16_t ns;
    uint16_t ar;
};

static void hdr_read(const uint8_t *p, struct hdr *h)
{
    h->id = be16(p);
    h->flags = be16(p + 2);
    h->qd = be16(p + 4);
    h->an = be16(p + 6);
    h->ns = be16(p + 8);
    h->ar = be16(p + 10);
}

/* Refuses counts the message cannot hold: a question takes at least 5 bytes,
 * a record 11, so absurd counts fail before any work. */
static bool counts_fit(const struct hdr *h, size_t n)
{
    size_t need = (size_t)h->qd * 5 + ((size_t)h->an + h->ns + h->ar) * 11;

    return h->qd <= MK_DNS_MAX_QUESTIONS && n >= MK_DNS_HDR_LEN && need <= n - MK_DNS_HDR_LEN;
}

static enum mk_status parse_questions(struct cur *c, uint16_t qd, struct mk_arena *a,
                                      struct mk_dns_msg *m)
{
    char name[MK_DNS_NAME_BUF];

    m->qname = "";
    for (uint16_t i = 0; i < qd; i++) {
        uint16_t type;
        uint16_t cls;
        enum mk_status st = mk_dns_name_read(c->p, c->n, &c->off, name, sizeof(name));

        if (st != MK_OK) {
            return st;
        }
        if (!rd_u16(c, &type) || !rd_u16(c, &cls)) {
            return MK_ETRUNC;
        }
        if (i == 0) {
            m->qname = mk_arena_strndup(a, name, strlen(name));
            m->qtype = type;
            m->qclass = cls;
            if (m->qname == NULL) {
                return MK_ENOMEM;
            }
        }
    }
    return MK_OK;
}

/* One resource record (RFC 1035 4.1.3); rr == NULL checks and skips it. */
static enum mk_status parse_rr(struct cur *c, struct mk_arena *a, struct mk_dns_rr *rr)
{
    char name[MK_DNS_NAME_BUF];
    uint16_t type;
    uint16_t cls;
    uint32_t ttl;
    uint16_t rdlen;
    enum mk_status st = mk_dns_name_read(c->p, c->n, &c->off, name, sizeof(name));
    struct rd r;
    struct sb out;

    if (st != MK_OK) {
        return st;
    }
    if (!rd_u16(c, &type) || !rd_u16(c, &cls) || !rd_u32(c, &ttl) || !rd_u16(c, &rdlen) ||
        c->n - c->off < rdlen) {
        return MK_ETRUNC;
    }
    r = (struct rd){c->p, c->n, c->off, c->off + rdlen, &out};
    c->off += rdlen;
    if (rr == NULL) {
        return MK_OK;
    }
    *rr = (struct mk_dns_rr){.rrname = mk_arena_strndup(a, name, strlen(name)),
                             .rrtype = type,
                             .rrclass = cls,
                             .ttl = ttl};
    out = (struct sb){.cap = rdata_bound(type, rdlen)};
    out.p = mk_arena_alloc(a, out.cap);
    if (rr->rrname == NULL || out.p == NULL) {
        return MK_ENOMEM;
    }
    out.p[0] = '\0';
    st = fmt_rdata(type, &r);
    if (st == MK_OK && (r.off != r.end || out.full)) {
        st = out.full ? MK_ELIMIT : MK_EINVAL;
    }
    rr->rdata = out.p;
    return st;
}

static enum mk_status parse_section(struct cur *c, uint16_t count, uint32_t keep_max,
                                    struct mk_arena *a, const struct mk_dns_rr **arr, size_t *n)
{
    size_t keep = count < keep_max ? count : keep_max;
    struct mk_dns_rr *rrs = NULL;

    if (keep > 0) {
        rrs = mk_arena_alloc(a, keep * sizeof(*rrs));
        if (rrs == NULL) {
            return MK_ENOMEM;
        }
    }
    for (size_t i = 0; i < count; i++) {
        enum mk_status st = parse_rr(c, a, i < keep ? &rrs[i] : NULL);

        if (st != MK_OK) {
            return st;
        }
    }
    if (arr != NULL) {
        *arr = rrs;
        *n = keep;
    }
    return MK_OK;
}

enum mk_status mk_dns_parse(const uint8_t *p, size_t n, const struct mk_proto_config *cfg,
                            struct mk_arena *a, struct mk_dns_msg *out)
{
    struct cur c = {p, n, MK_DNS_HDR_LEN};
    struct hdr h;
    enum mk_status st;

    memset(out, 0, sizeof(*out));
    if (n < MK_DNS_HDR_LEN) {
        return MK_ETRUNC;
    }
    hdr_read(p, &h);
    out->id = h.id;
    out->flags = h.flags;
    out->is_response = (h.flags & 0x8000) != 0;
    out->opcode = (uint8_t)((h.flags >> 11) & 0xF);
    out->rcode = (uint8_t)(h.flags & 0xF);
    out->n_questions = h.qd;
    if (!counts_fit(&h, n)) {
        return MK_EINVAL;
    }
    st = parse_questions(&c, h.qd, a, out);
    if (st == MK_OK) {
        st = parse_section(&c, h.an, cfg->max_dns_answers, a, &out->answers, &out->n_answers);
    }
    if (st == MK_OK) {
        st = parse_section(&c, h.ns, cfg->max_dns_answers, a, &out->authorities,
                           &out->n_authorities);
    }
    /* additional records (OPT, glue): checked, not reported */
    if (st == MK_OK) {
        st = parse_section(&c, h.ar, 0, a, NULL, NULL);
    }
    return st;
}

/* ---- names for EVE ---------------------------------------------------------- */

const char *mk_dns_type_name(uint16_t rrtype)
{
    static const struct {
        uint16_t type;
        const char *name;
    } names[] = {
        {1, "A"},           {2, "NS"},          {5, "CNAME"},   {6, "SOA"},     {7, "MB"},
        {8, "MG"},          {9, "MR"},          {10, "NULL"},   {11, "WKS"},    {12, "PTR"},
        {13, "HINFO"},      {14, "MINFO"},      {15, "MX"},     {16, "TXT"},    {17, "RP"},
        {18, "AFSDB"},      {24, "SIG"},        {25, "KEY"},    {28, "AAAA"},   {29, "LOC"},
        {33, "SRV"},        {35, "NAPTR"},      {36, "KX"},     {37, "CERT"},   {39, "DNAME"},
        {41, "OPT"},        {42, "APL"},        {43, "DS"},     {44, "SSHFP"},  {45, "IPSECKEY"},
        {46, "RRSIG"},      {47, "NSEC"},       {48, "DNSKEY"}, {49, "DHCID"},  {50, "NSEC3"},
        {51, "NSEC3PARAM"}, {52, "TLSA"},       {53, "SMIMEA"}, {55, "HIP"},    {59, "CDS"},
        {60, "CDNSKEY"},    {61, "OPENPGPKEY"}, {62, "CSYNC"},  {63, "ZONEMD"}, {64, "SVCB"},
        {65, "HTTPS"},      {99, "SPF"},        {249, "TKEY"},  {250, "TSIG"},  {251, "IXFR"},
        {252, "AXFR"},      {255, "ANY"},       {256, "URI"},   {257, "CAA"},
    };

    for (size_t i = 0; i < MK_ARRAY_LEN(names); i++) {
        if (names[i].type == rrtype) {
            return names[i].name;
        }
    }
    return NULL;
}

const char *mk_dns_rcode_name(uint8_t rcode)
{
    /* RFC 1035 4.1.1, RFC 2136 2.2, RFC 6891 9 (BADVERS), RFC 8945, RFC 7873 */
    static const char *const names[] = {
        "NOERROR",  "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP",   "REFUSED",
        "YXDOMAIN", "YXRRSET", "NXRRSET",  "NOTAUTH",  "NOTZONE",  "DSOTYPENI",
        "12",       "13",      "14",       "15",       "BADVERS",  "BADKEY",
        "BADTIME",  "BADMODE", "BADNAME",  "BADALG",   "BADTRUNC", "BADCOOKIE",
    };

    return rcode < MK_ARRAY_LEN(names) ? names[rcode] : "UNKNOWN";
}

/* ---- probing ---------------------------------------------------------------- */

/* Skips a whole message without building anything: the probe's full check.
 * The message must fill p[0..n) exactly (a datagram or a TCP record). */
static bool msg_walk(const uint8_t *p, size_t n, const struct hdr *h)
{
    struct cur c = {p, n, MK_DNS_HDR_LEN};
    char name[MK_DNS_NAME_BUF];
    size_t rrs = (size_t)h->an + h->ns + h->ar;

    for (size_t i = 0; i < h->qd; i++) {
        if (mk_dns_name_read(p, n, &c.off, name, sizeof(name)) != MK_OK || n - c.off < 4) {
            return false;
        }
        c.off += 4;
    }
    for (size_t i = 0; i < rrs; i++) {
        uint16_t rdlen;

        if (mk_dns_name_read(p, n, &c.off, name, sizeof(name)) != MK_OK || n - c.off < 10) {
            return false;
        }
        c.off += 8;
        if (!rd_u16(&c, &rdlen) || n - c.off < rdlen) {
            return false;
        }
        c.off += rdlen;
    }
    return c.off == n;
}

/* A header a real client or server would send: a known opcode, and for a
 * query rcode 0 and at least one question. Off the DNS ports (strict) a query
 * must also carry exactly one question and no records (NOTIFY and UPDATE
 * aside). On port 53 (lenient), Suricata's DNS port, Suricata takes any query
 * it can parse: a query carrying answer records (test dns-answer-name) or
 * several questions (test dns-forward-pointer) is logged there, so it is
 * accepted here too. mDNS and LLMNR queries keep the stricter form: their
 * known-answer lists are not DNS as Suricata and tshark see it. */
static bool hdr_plausible(const struct hdr *h, size_t msg_len, bool lenient)
{
    unsigned opcode = (h->flags >> 11) & 0xF;

    if (opcode == 3 || opcode > 6 || !counts_fit(h, msg_len)) {
        return false;
    }
    if ((h->flags & 0x8000) != 0) {
        return lenient || h->qd <= 1;
    }
    if ((h->flags & 0xF) != 0 || h->qd == 0) {
        return false;
    }
    if (lenient) {
        return true;
    }
    return h->qd == 1 && (opcode >= 4 || (h->an == 0 && h->ns == 0));
}

/* A question name as a resolver would ask it: non-empty, labels of letters,
 * digits, '-' and '_' (RFC 952/1123 host names plus the service labels of
 * RFC 2782/8552) separated by dots. */
static bool name_is_hostname(const char *name)
{
    size_t label = 0;

    if (*name == '\0') {
        return false;
    }
    for (const char *c = name; *c != '\0'; c++) {
        unsigned char ch = (unsigned char)*c;

        if (ch == '.') {
            if (label == 0) {
                return false;
            }
            label = 0;
        } else if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                   (ch >= '0' && ch <= '9') || ch == '-' || ch == '_') {
            label++;
        } else {
            return false;
        }
    }
    return true;
}

static bool qclass_known(uint16_t cls)
{
    cls &= 0x7FFF; /* mDNS: the top bit asks for a unicast reply (RFC 6762 5.4) */
    return cls == 1 || cls == 3 || cls == 4 || cls == 254 || cls == 255;
}

/* p[0..avail) is the start of a message of msg_len bytes. */
static enum mk_probe_result probe_msg(const uint8_t *p, size_t avail, size_t msg_len, bool hint,
                                      bool lenient)
{
    struct hdr h;
    size_t off = MK_DNS_HDR_LEN;
    char name[MK_DNS_NAME_BUF];
    enum mk_status st;

    if (avail < MK_DNS_HDR_LEN) {
        return MK_PROBE_MORE;
    }
    hdr_read(p, &h);
    if (!hdr_plausible(&h, msg_len, lenient)) {
        return MK_PROBE_NO;
    }
    if (h.qd == 0) {
        return hint ? MK_PROBE_YES : MK_PROBE_NO;
    }
    st = mk_dns_name_read(p, avail, &off, name, sizeof(name));
    if (st == MK_ETRUNC || (st == MK_OK && avail - off < 4)) {
        return avail < msg_len ? MK_PROBE_MORE : MK_PROBE_NO;
    }
    if (st != MK_OK || be16(p + off) == 0) {
        return MK_PROBE_NO;
    }
    if (hint) {
        return MK_PROBE_YES;
    }
    /* strict: Z clear (RFC 1035 4.1.1), a host name asked in a known class,
     * then the whole message must walk */
    if ((h.flags & 0x0040) != 0 || !name_is_hostname(name) || !qclass_known(be16(p + off + 2))) {
        return MK_PROBE_NO;
    }
    if (avail < msg_len) {
        return MK_PROBE_MORE;
    }
    return msg_walk(p, msg_len, &h) ? MK_PROBE_YES : MK_PROBE_NO;
}

enum mk_probe_result mk_dns_probe(const uint8_t *data, size_t len, uint16_t port)
{
    bool hint = port == 53 || port == 5353 || port == 5355;
    enum mk_probe_result udp = MK_PROBE_NO;
    enum mk_probe_result tcp;
    size_t rec;

    /* NetBIOS name and datagram services (RFC 1002 4.2, 5.1) use DNS-like
     * headers and names: never DNS, whatever the content says */
    if (port == MK_DNS_PORT_NETBIOS_NS || port == MK_DNS_PORT_NETBIOS_DGM) {
        return MK_PROBE_NO;
    }
    if (len >= MK_DNS_HDR_LEN) {
        udp = probe_msg(data, len, len, hint, port == 53);
        if (udp == MK_PROBE_YES) {
            return udp;
        }
    }
    if (len < 2) {
        return MK_PROBE_MORE;
    }
    rec = be16(data);
    if (rec < MK_DNS_HDR_LEN) {
        return udp;
    }
    tcp = probe_msg(data + 2, len - 2 < rec ? len - 2 : rec, rec, hint, port == 53);
    return tcp == MK_PROBE_NO ? udp : tcp;
}

/* ---- the analyzer ----------------------------------------------------------- */

/* TCP reassembly of one direction. A record split across segments is
 * collected in `buf`, sized to that record (at most 2 + 65535 bytes) and
 * freed once it is parsed: UDP flows, and TCP flows between split records,
 * hold no buffer (a datagram needs nothing kept). */
struct dns_dir {
    uint8_t *buf; /* cap bytes while a split record is collected, else NULL */
    size_t cap;
    size_t have;
    uint8_t len2[2]; /* the record's length prefix while it is incomplete */
    bool desync;     /* after a gap: skip until a segment starts with a record */
};

struct dns_state {
    struct dns_dir dir[2];
};

static void *dns_state_new(void)
{
    return calloc(1, sizeof(struct dns_state));
}

static void dns_state_free(void *state)
{
    struct dns_state *s = state;

    if (s == NULL) {
        return;
    }
    free(s->dir[0].buf);
    free(s->dir[1].buf);
    free(s);
}

static size_t dns_state_size(const void *state)
{
    const struct dns_state *s = state;

    return sizeof(*s) + s->dir[0].cap + s->dir[1].cap;
}

static void anomaly(struct mk_proto_ctx *ctx, struct mk_flow *flow, const char *event)
{
    if (ctx->sink.anomaly != NULL) {
        ctx->sink.anomaly(ctx->sink.ctx, flow, event);
    }
}

static void report(struct mk_proto_ctx *ctx, struct mk_flow *flow, enum mk_flow_dir dir,
                   const uint8_t *p, size_t n, bool tcp)
{
    struct mk_dns_msg m;
    enum mk_status st = mk_dns_parse(p, n, &ctx->cfg, ctx->scratch, &m);

    if (st != MK_OK) {
        anomaly(ctx, flow, st == MK_ENOMEM ? "dns.scratch_full" : "dns.malformed");
        return;
    }
    m.over_tcp = tcp;
    if (ctx->sink.dns != NULL) {
        ctx->sink.dns(ctx->sink.ctx, flow, dir, &m);
    }
}

static void dir_release(struct dns_dir *d)
{
    free(d->buf);
    d->buf = NULL;
    d->cap = 0;
    d->have = 0;
}

/* Copies bytes of the record being assembled; returns how many it took (0:
 * no memory). The length prefix is kept aside until it is whole, then the
 * buffer is made for exactly that record. */
static size_t tcp_buffer(struct dns_dir *d, const uint8_t *data, size_t len)
{
    size_t need;
    size_t take;

    if (d->have < 2) {
        take = 2 - d->have < len ? 2 - d->have : len;
        memcpy(d->len2 + d->have, data, take);
        d->have += take;
        return take;
    }
    need = 2 + (size_t)be16(d->len2);
    if (d->cap < need) {
        uint8_t *p = realloc(d->buf, need);

        if (p == NULL) {
            return 0;
        }
        d->buf = p;
        d->cap = need;
        memcpy(d->buf, d->len2, 2);
    }
    take = need - d->have < len ? need - d->have : len;
    memcpy(d->buf + d->have, data, take);
    d->have += take;
    return take;
}

/* After a gap only a segment that starts with a plausible record resumes. */
static bool resync_ok(const uint8_t *data, size_t len)
{
    struct hdr h;

    if (len < 2 + MK_DNS_HDR_LEN) {
        return false;
    }
    hdr_read(data + 2, &h);
    return be16(data) >= MK_DNS_HDR_LEN && hdr_plausible(&h, be16(data), true);
}

/* RFC 1035 4.2.2 / RFC 7766 6.2.1: records may be split or several per segment;
 * whole records in the segment are parsed in place, the rest is buffered. */
static void tcp_feed(struct dns_dir *d, struct mk_proto_ctx *ctx, struct mk_flow *flow,
                     enum mk_flow_dir dir, const uint8_t *data, size_t len)
{
    if (d->desync && d->have == 0) {
        if (!resync_ok(data, len)) {
            return;
        }
        d->desync = false;
    }
    while (len > 0) {
        size_t take;

        if (d->have == 0 && len >= 2 && len - 2 >= be16(data)) {
            take = 2 + (size_t)be16(data);
            report(ctx, flow, dir, data + 2, take - 2, true);
            data += take;
            len -= take;
            continue;
        }
        take = tcp_buffer(d, data, len);
        if (take == 0) {
            anomaly(ctx, flow, "dns.alloc_failed");
            dir_release(d);
            d->desync = true;
            return;
        }
        data += take;
        len -= take;
        if (d->have >= 2 && d->have == 2 + (size_t)be16(d->len2)) {
            /* no buffer only for an empty record: the prefix was all of it */
            report(ctx, flow, dir, d->buf != NULL ? d->buf + 2 : d->len2, d->have - 2, true);
            dir_release(d);
        }
    }
}

static void dns_gap(void *state, struct mk_proto_ctx *ctx, struct mk_flow *flow,
                    enum mk_flow_dir dir, size_t len)
{
    struct dns_dir *d = &((struct dns_state *)state)->dir[dir == MK_FLOW_TOCLIENT];

    (void)ctx;
    (void)flow;
    (void)len;
    dir_release(d);
    d->desync = true;
}

static void dns_parse(void *state, struct mk_proto_ctx *ctx, struct mk_flow *flow,
                      enum mk_flow_dir dir, const uint8_t *data, size_t len)
{
    struct dns_state *s = state;

    if (data == NULL) {
        dns_gap(state, ctx, flow, dir, len);
        return;
    }
    if (flow != NULL && flow->proto == IPPROTO_TCP) {
        tcp_feed(&s->dir[dir == MK_FLOW_TOCLIENT], ctx, flow, dir, data, len);
    } else {
        report(ctx, flow, dir, data, len, false);
    }
}

static void dns_flow_end(void *state, struct mk_proto_ctx *ctx, struct mk_flow *flow)
{
    /* a partial TCP record is lost with the flow: nothing half-parsed is reported */
    (void)state;
    (void)ctx;
    (void)flow;
}

static enum mk_probe_result dns_probe(const uint8_t *data, size_t len, enum mk_flow_dir dir,
                                      uint16_t port)
{
    (void)dir;
    return mk_dns_probe(data, len, port);
}

const struct mk_analyzer_ops mk_analyzer_dns = {
    .name = "dns",
    .proto = MK_APP_DNS,
    .transports = MK_TRANSPORT_TCP | MK_TRANSPORT_UDP,
    .probe = dns_probe,
    .state_new = dns_state_new,
    .state_bytes = sizeof(struct dns_state),
    .stream_bytes = 128u << 10, /* the two TCP reassembly buffers at most, while needed */
    .state_size = dns_state_size,
    .state_free = dns_state_free,
    .parse = dns_parse,
    .gap = dns_gap,
    .flow_end = dns_flow_end,
};
