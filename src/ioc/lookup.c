/* ioc: lookups on an immutable set: exact keys by open addressing, CIDR by one
 * probe per prefix length present (longest first), domains by one probe per
 * label boundary, URLs with and without the query. No allocation, no locks.
 * Entry points: mk_ioc_match_ip(), _domain(), _url(), _value(). */
#include <string.h>

#include "ioc/ioc_int.h"

long mk_ioc_tables_find(const struct mk_ioc_tables *t, const char *arena, enum mk_ioc_type type,
                        const void *key, size_t len)
{
    uint64_t h;
    uint32_t tag;
    size_t j;

    if (t->n_entries == 0) {
        return -1;
    }
    h = mk_ioc_key_hash(type, key, len);
    if (t->bloom != NULL) {
        uint64_t bits = mk_ioc_bloom_bits(h);

        if ((t->bloom[mk_ioc_bloom_word(h, t->bloom_mask)] & bits) != bits) {
            return -1; /* certainly absent: the slot array is not touched */
        }
    }
    tag = (uint32_t)(h >> 32) >> t->idx_bits;
    j = h & t->mask;
    for (;;) {
        uint32_t v = t->slots[j];

        if (v == 0) {
            return -1;
        }
        if (v >> t->idx_bits == tag) {
            size_t i = (v & ((1u << t->idx_bits) - 1)) - 1;
            const struct mk_ioc_entry *e = &t->entries[i];

            if (e->type == type && e->key_len == len && memcmp(arena + e->key_off, key, len) == 0) {
                return (long)i;
            }
        }
        j = (j + 1) & t->mask;
    }
}

struct hits {
    const struct mk_ioc_set *s;
    int64_t now;
    struct mk_ioc_hit *out;
    size_t max, n;
};

static const char *opt_str(const char *arena, uint32_t off)
{
    return off != 0 ? arena + off : NULL;
}

/* Adds the valid entries of the run starting at `first`; returns how many. */
static size_t collect(struct hits *h, long first)
{
    const struct mk_ioc_set *s = h->s;
    const struct mk_ioc_entry *e;
    size_t added = 0;

    if (first < 0) {
        return 0;
    }
    for (e = &s->main.entries[first];
         e < s->main.entries + s->main.n_entries && e->key_off == s->main.entries[first].key_off;
         e++) {
        const struct mk_ioc_extra *x = e->extra != 0 ? &s->extras[e->extra - 1] : NULL;
        struct mk_ioc_hit *o;

        if (x != NULL && ((x->valid_from != 0 && h->now < (int64_t)x->valid_from) ||
                          (x->valid_until != 0 && h->now >= (int64_t)x->valid_until))) {
            continue;
        }
        added++;
        if (h->n >= h->max) {
            continue; /* counted so the caller knows it was a hit, not returned */
        }
        o = &h->out[h->n++];
        o->sid = e->sid;
        o->type = (enum mk_ioc_type)e->type;
        o->value = s->arena + e->key_off + (mk_ioc_is_binary_type(o->type) ? e->key_len : 0);
        o->meta = &s->metas[e->meta];
        o->confidence = e->confidence;
        o->stix_id = x != NULL ? opt_str(s->arena, x->stix_id_off) : NULL;
        o->name = x != NULL ? opt_str(s->arena, x->name_off) : NULL;
        o->pattern = x != NULL ? opt_str(s->arena, x->pattern_off) : NULL;
        o->valid_from = x != NULL ? x->valid_from : 0;
        o->valid_until = x != NULL ? x->valid_until : 0;
    }
    return added;
}

static size_t done(struct hits *h, size_t found, bool warned, uint64_t *suppressed)
{
    if (found == 0) {
        return 0;
    }
    if (warned) {
        if (suppressed != NULL) {
            (*suppressed)++;
        }
        return 0;
    }
    return h->n;
}

/* ---- addresses ---------------------------------------------------------------------- */

static const uint8_t v4_mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

static bool has_len(const struct mk_ioc_tables *t, bool v4, unsigned len)
{
    if (v4) {
        return len < 64 && ((t->cidr4_lens >> len) & 1) != 0;
    }
    return len < 128 && ((t->cidr6_lens[len >> 6] >> (len & 63)) & 1) != 0;
}

/* The longest prefix of a (alen bytes) in t's CIDR keys: first entry or -1. */
static long find_prefix(const struct mk_ioc_tables *t, const char *arena, const uint8_t *a,
                        size_t alen, bool longest_valid_only, struct hits *h, size_t *found)
{
    bool v4 = alen == 4;
    uint8_t key[17];

    if ((v4 && t->cidr4_lens == 0) || (!v4 && (t->cidr6_lens[0] | t->cidr6_lens[1]) == 0)) {
        return -1;
    }
    for (unsigned len = (unsigned)alen * 8; len-- > 0;) {
        long i;

        if (!has_len(t, v4, len)) {
            continue;
        }
        key[0] = (uint8_t)len;
        memcpy(key + 1, a, alen);
        mk_ioc_mask(key + 1, alen, len);
        i = mk_ioc_tables_find(t, arena, v4 ? MK_IOC_CIDR4 : MK_IOC_CIDR6, key, alen + 1);
        if (i < 0) {
            continue;
        }
        if (!longest_valid_only) {
            return i;
        }
        /* a prefix whose indicators are all expired does not hide a shorter one */
        *found += collect(h, i);
        if (*found > 0) {
            return i;
        }
    }
    return -1;
}

static bool ip_warned(const struct mk_ioc_set *s, const uint8_t *a, size_t alen, uint16_t port)
{
    const struct mk_ioc_tables *t = &s->warn;
    uint8_t key[18];
    size_t unused = 0;

    if (t->n_entries == 0) {
        return false;
    }
    if (mk_ioc_tables_find(t, s->arena, alen == 4 ? MK_IOC_IPV4 : MK_IOC_IPV6, a, alen) >= 0) {
        return true;
    }
    if (port != 0 && t->has_ip_port) {
        memcpy(key, a, alen);
        key[alen] = (uint8_t)(port >> 8);
        key[alen + 1] = (uint8_t)port;
        if (mk_ioc_tables_find(t, s->arena, MK_IOC_IP_PORT, key, alen + 2) >= 0) {
            return true;
        }
    }
    return find_prefix(t, s->arena, a, alen, false, NULL, &unused) >= 0;
}

size_t mk_ioc_match_ip(const struct mk_ioc_set *s, const uint8_t addr[16], uint16_t port,
                       int64_t now, struct mk_ioc_hit *out, size_t max, uint64_t *suppressed)
{
    struct hits h = {.s = s, .now = now, .out = out, .max = max};
    const struct mk_ioc_tables *t;
    const uint8_t *a = addr;
    size_t alen = 16;
    size_t found = 0;
    uint8_t key[18];

    if (s == NULL || addr == NULL || s->main.n_entries == 0) {
        return 0;
    }
    t = &s->main;
    if (memcmp(addr, v4_mapped, 12) == 0) {
        a = addr + 12;
        alen = 4;
    }
    found += collect(
        &h, mk_ioc_tables_find(t, s->arena, alen == 4 ? MK_IOC_IPV4 : MK_IOC_IPV6, a, alen));
    if (port != 0 && t->has_ip_port) {
        memcpy(key, a, alen);
        key[alen] = (uint8_t)(port >> 8);
        key[alen + 1] = (uint8_t)port;
        found += collect(&h, mk_ioc_tables_find(t, s->arena, MK_IOC_IP_PORT, key, alen + 2));
    }
    (void)find_prefix(t, s->arena, a, alen, true, &h, &found);
    return done(&h, found, found > 0 && ip_warned(s, a, alen, port), suppressed);
}

/* ---- domains ------------------------------------------------------------------------- */

static bool has_domain_len(const struct mk_ioc_tables *t, size_t len)
{
    return len <= 255 && ((t->domain_lens[len >> 6] >> (len & 63)) & 1) != 0;
}

/* Lower-case copy of a wire name (the common case), or the full normaliser for
 * anything non-ASCII. Returns the length, 0 if it cannot be a name. */
static size_t wire_name(const char *name, size_t len, char *buf, size_t cap)
{
    size_t n;

    if (len > 0 && name[len - 1] == '.') {
        len--;
    }
    if (len == 0 || len > MK_IOC_DOMAIN_MAX || len >= cap) {
        return 0;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)name[i];

        if (c >= 0x80) {
            return mk_ioc_norm_domain(name, len, buf, cap, &n) == MK_OK ? n : 0;
        }
        buf[i] = (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
    }
    buf[len] = '\0';
    return len;
}

/* Probes name and its parents at label boundaries; `to_tld` includes the last label. */
static long domain_probe(const struct mk_ioc_tables *t, const char *arena, const char *name,
                         size_t len, bool to_tld, struct hits *h, size_t *found)
{
    const char *p = name;
    size_t n = len;

    for (;;) {
        const char *dot;

        if (has_domain_len(t, n)) {
            long i = mk_ioc_tables_find(t, arena, MK_IOC_DOMAIN, p, n);

            if (i >= 0 && h == NULL) {
                return i;
            }
            if (i >= 0) {
                *found += collect(h, i);
            }
        }
        dot = memchr(p, '.', n);
        if (dot == NULL) {
            return -1;
        }
        n -= (size_t)(dot + 1 - p);
        p = dot + 1;
        if (!to_tld && memchr(p, '.', n) == NULL) {
            return -1; /* a public suffix is never an indicator: skip the TLD */
        }
    }
}

size_t mk_ioc_match_domain(const struct mk_ioc_set *s, const char *name, size_t len, int64_t now,
                           struct mk_ioc_hit *out, size_t max, uint64_t *suppressed)
{
    struct hits h = {.s = s, .now = now, .out = out, .max = max};
    char buf[MK_IOC_DOMAIN_MAX + 1];
    size_t n;
    size_t found = 0;
    bool warned;

    if (s == NULL || name == NULL || s->main.n_entries == 0) {
        return 0;
    }
    n = wire_name(name, len, buf, sizeof(buf));
    if (n == 0) {
        return 0;
    }
    (void)domain_probe(&s->main, s->arena, buf, n, false, &h, &found);
    warned = found > 0 && domain_probe(&s->warn, s->arena, buf, n, true, NULL, NULL) >= 0;
    return done(&h, found, warned, suppressed);
}

/* ---- URLs and values ----------------------------------------------------------------- */

/* Probes a URL key with and without its query (an indicator without a query
 * matches every query). */
static size_t url_probe(const struct mk_ioc_tables *t, const char *arena, const char *u, size_t n,
                        struct hits *h)
{
    const char *q = memchr(u, '?', n);
    long i = mk_ioc_tables_find(t, arena, MK_IOC_URL, u, n);
    size_t found = 0;

    if (h == NULL && i >= 0) {
        return 1;
    }
    found += h != NULL ? collect(h, i) : 0;
    if (q != NULL) {
        i = mk_ioc_tables_find(t, arena, MK_IOC_URL, u, (size_t)(q - u));
        found += h != NULL ? collect(h, i) : i >= 0;
    }
    return found;
}

size_t mk_ioc_match_url(const struct mk_ioc_set *s, const char *host, int port, const char *uri,
                        int64_t now, struct mk_ioc_hit *out, size_t max, uint64_t *suppressed)
{
    struct hits h = {.s = s, .now = now, .out = out, .max = max};
    char buf[MK_IOC_URL_MAX + 1];
    size_t n;
    size_t found;
    size_t path;
    bool warned = false;

    if (s == NULL || s->count_type[MK_IOC_URL] == 0 ||
        mk_ioc_norm_request(host, port, uri, buf, sizeof(buf), &n) != MK_OK) {
        return 0;
    }
    path = strcspn(buf, "/");
    found = url_probe(&s->main, s->arena, buf, n, &h);
    if (s->main.has_path_url && path < n) {
        found += url_probe(&s->main, s->arena, buf + path, n - path, &h);
    }
    if (found > 0 && s->warn.n_entries > 0) {
        size_t hl = strcspn(buf, ":/");

        warned = url_probe(&s->warn, s->arena, buf, n, NULL) > 0 ||
                 (s->warn.has_path_url &&
                  url_probe(&s->warn, s->arena, buf + path, n - path, NULL) > 0) ||
                 domain_probe(&s->warn, s->arena, buf, hl, true, NULL, NULL) >= 0;
    }
    return done(&h, found, warned, suppressed);
}

size_t mk_ioc_match_value(const struct mk_ioc_set *s, enum mk_ioc_type type, const char *value,
                          size_t len, int64_t now, struct mk_ioc_hit *out, size_t max,
                          uint64_t *suppressed)
{
    struct hits h = {.s = s, .now = now, .out = out, .max = max};
    char buf[MK_IOC_VALUE_MAX + 1];
    size_t n;
    size_t found;
    bool warned;

    if (s == NULL || value == NULL || (unsigned)type >= MK_IOC_TYPE_COUNT ||
        s->count_type[type] == 0) {
        return 0;
    }
    if (type == MK_IOC_DOMAIN) {
        return mk_ioc_match_domain(s, value, len, now, out, max, suppressed);
    }
    if (mk_ioc_norm_value(type, value, len, buf, sizeof(buf), &n) != MK_OK) {
        return 0;
    }
    found = collect(&h, mk_ioc_tables_find(&s->main, s->arena, type, buf, n));
    warned = found > 0 && mk_ioc_tables_find(&s->warn, s->arena, type, buf, n) >= 0;
    return done(&h, found, warned, suppressed);
}
