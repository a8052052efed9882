/* ioc: the builder collects normalised indicators in growable arrays and interns
 * their metadata; mk_ioc_builder_finish() hands them to set.c. Entry points:
 * mk_ioc_builder_new(), mk_ioc_builder_add(), mk_ioc_builder_add_warning(). */
#include <stdlib.h>
#include <string.h>

#include <libpsl.h>

#include "ioc/ioc_int.h"

#define POOL_MAX ((size_t)UINT32_MAX - 1) /* offsets into the set's arena are 32-bit */

static bool pool_append(struct mk_ioc_pool *p, const void *data, size_t n, size_t *off)
{
    if (n > POOL_MAX - p->len) {
        return false;
    }
    if (p->len + n > p->alloc) {
        size_t want = p->alloc < 4096 ? 4096 : p->alloc * 2;
        char *q;

        while (want < p->len + n) {
            want *= 2;
        }
        q = realloc(p->data, want);
        if (q == NULL) {
            return false;
        }
        p->data = q;
        p->alloc = want;
    }
    memcpy(p->data + p->len, data, n);
    *off = p->len;
    p->len += n;
    return true;
}

static bool grow(void **arr, size_t *alloc, size_t n, size_t size)
{
    size_t want;
    void *q;

    if (n < *alloc) {
        return true;
    }
    if (n >= MK_IOC_ENTRIES_MAX) {
        return false;
    }
    want = *alloc < 64 ? 64 : *alloc * 2;
    q = realloc(*arr, want * size);
    if (q == NULL) {
        return false;
    }
    *arr = q;
    *alloc = want;
    return true;
}

/* ---- interning -------------------------------------------------------------- */

static bool rehash_strings(struct mk_ioc_builder *b)
{
    size_t size = b->str_mask == 0 ? 256 : (b->str_mask + 1) * 2;
    uint32_t *slots = calloc(size, sizeof(*slots));

    if (slots == NULL) {
        return false;
    }
    for (size_t i = 0; b->str_mask != 0 && i <= b->str_mask; i++) {
        uint32_t v = b->str_slots[i];

        if (v != 0) {
            const char *s = b->strings.data + v - 1;
            size_t j = mk_hash64(s, strlen(s), 0) & (size - 1);

            while (slots[j] != 0) {
                j = (j + 1) & (size - 1);
            }
            slots[j] = v;
        }
    }
    free(b->str_slots);
    b->str_slots = slots;
    b->str_mask = size - 1;
    return true;
}

/* Offset of an interned copy of s in the string pool; 0 for NULL or "". */
static uint32_t intern(struct mk_ioc_builder *b, const char *s)
{
    size_t n;
    size_t j;
    size_t off;

    if (s == NULL || s[0] == '\0' || b->failed) {
        return 0;
    }
    if ((b->n_strs + 1) * 10 > b->str_mask * 7 && !rehash_strings(b)) {
        b->failed = true;
        return 0;
    }
    n = strlen(s);
    j = mk_hash64(s, n, 0) & b->str_mask;
    while (b->str_slots[j] != 0) {
        const char *t = b->strings.data + b->str_slots[j] - 1;

        if (strcmp(s, t) == 0) {
            return b->str_slots[j] - 1;
        }
        j = (j + 1) & b->str_mask;
    }
    if (!pool_append(&b->strings, s, n + 1, &off)) {
        b->failed = true;
        return 0;
    }
    b->str_slots[j] = (uint32_t)off + 1;
    b->n_strs++;
    return (uint32_t)off;
}

static uint64_t meta_hash(const struct mk_ioc_bmeta *m)
{
    uint32_t v[5] = {m->source, m->feed, m->labels, m->kill_chain, (uint32_t)m->tlp};

    return mk_hash64(v, sizeof(v), 1);
}

static bool meta_eq(const struct mk_ioc_bmeta *a, const struct mk_ioc_bmeta *b)
{
    return a->source == b->source && a->feed == b->feed && a->labels == b->labels &&
           a->kill_chain == b->kill_chain && a->tlp == b->tlp;
}

static bool rehash_metas(struct mk_ioc_builder *b)
{
    size_t size = b->meta_mask == 0 ? 64 : (b->meta_mask + 1) * 2;
    uint32_t *slots = calloc(size, sizeof(*slots));

    if (slots == NULL) {
        return false;
    }
    for (size_t i = 0; i < b->n_metas; i++) {
        size_t j = meta_hash(&b->metas[i]) & (size - 1);

        while (slots[j] != 0) {
            j = (j + 1) & (size - 1);
        }
        slots[j] = (uint32_t)i + 1;
    }
    free(b->meta_slots);
    b->meta_slots = slots;
    b->meta_mask = size - 1;
    return true;
}

/* Index of the interned metadata of attrs (0 = none at all). */
static uint32_t intern_meta(struct mk_ioc_builder *b, const struct mk_ioc_attrs *a)
{
    struct mk_ioc_bmeta m = {0};
    size_t j;

    if (a == NULL) {
        return 0;
    }
    m.source = intern(b, a->source);
    m.feed = intern(b, a->feed);
    m.labels = intern(b, a->labels);
    m.kill_chain = intern(b, a->kill_chain);
    m.tlp = a->tlp;
    if (b->failed) {
        return 0;
    }
    if ((b->n_metas + 1) * 10 > b->meta_mask * 7 && !rehash_metas(b)) {
        b->failed = true;
        return 0;
    }
    j = meta_hash(&m) & b->meta_mask;
    while (b->meta_slots[j] != 0) {
        if (meta_eq(&b->metas[b->meta_slots[j] - 1], &m)) {
            return b->meta_slots[j] - 1;
        }
        j = (j + 1) & b->meta_mask;
    }
    if (!grow((void **)&b->metas, &b->a_metas, b->n_metas, sizeof(m))) {
        b->failed = true;
        return 0;
    }
    b->metas[b->n_metas] = m;
    b->meta_slots[j] = (uint32_t)++b->n_metas;
    return (uint32_t)b->n_metas - 1;
}

/* ---- life cycle ---------------------------------------------------------------- */

struct mk_ioc_builder *mk_ioc_builder_new(int64_t now)
{
    struct mk_ioc_builder *b = calloc(1, sizeof(*b));
    struct mk_ioc_attrs none = {.tlp = MK_TLP_UNSET};
    size_t off;

    if (b == NULL) {
        return NULL;
    }
    b->now = now;
    b->psl = psl_builtin();
    if (b->psl == NULL) {
        b->psl_owned = psl_latest(NULL);
        b->psl = b->psl_owned;
    }
    /* offset 0 of the string pool is "", index 0 of the metadata is "none" */
    if (!pool_append(&b->strings, "", 1, &off) || (intern_meta(b, &none), b->failed)) {
        mk_ioc_builder_free(b);
        return NULL;
    }
    return b;
}

void mk_ioc_builder_free(struct mk_ioc_builder *b)
{
    if (b == NULL) {
        return;
    }
    free(b->strings.data);
    free(b->str_slots);
    free(b->keys.data);
    free(b->ents);
    free(b->warns);
    free(b->metas);
    free(b->meta_slots);
    psl_free(b->psl_owned);
    free(b);
}

/* ---- adding ------------------------------------------------------------------------ */

/* The canonical key of a value: binary + text for addresses, text otherwise. */
struct key {
    enum mk_ioc_type type;
    char buf[MK_IOC_URL_MAX + 64];
    size_t key_len;
    size_t text_len;
};

static bool is_ip_type(enum mk_ioc_type t)
{
    return mk_ioc_is_binary_type(t);
}

static enum mk_status make_key(enum mk_ioc_type type, const char *value, size_t len, struct key *k)
{
    struct mk_ioc_ip ip;
    enum mk_status st;

    k->type = type;
    k->key_len = 0;
    if (is_ip_type(type) || type == MK_IOC_DOMAIN) {
        /* an address handed in as a domain is an address */
        st = mk_ioc_parse_ip(value, len, &ip);
        if (st == MK_OK) {
            k->type = ip.type;
            memcpy(k->buf, ip.bin, ip.bin_len);
            k->key_len = ip.bin_len;
            k->text_len = strlen(ip.text);
            memcpy(k->buf + ip.bin_len, ip.text, k->text_len + 1);
            return MK_OK;
        }
        if (type != MK_IOC_DOMAIN) {
            return st;
        }
        st = mk_ioc_norm_domain(value, len, k->buf, sizeof(k->buf), &k->key_len);
    } else if (type == MK_IOC_URL) {
        st = mk_ioc_norm_url(value, len, k->buf, sizeof(k->buf), &k->key_len);
    } else if ((unsigned)type < MK_IOC_TYPE_COUNT) {
        st = mk_ioc_norm_value(type, value, len, k->buf, sizeof(k->buf), &k->key_len);
    } else {
        st = MK_EINVAL;
    }
    k->text_len = k->key_len;
    return st;
}

static uint32_t clamp_time(int64_t t)
{
    if (t <= 0) {
        return 0;
    }
    return t >= (int64_t)UINT32_MAX ? UINT32_MAX : (uint32_t)t;
}

static enum mk_status append(struct mk_ioc_builder *b, bool warn, const struct key *k,
                             const struct mk_ioc_attrs *a)
{
    struct mk_ioc_bentry e = {.type = (uint8_t)k->type,
                              .confidence = MK_IOC_CONFIDENCE_UNKNOWN,
                              .key_len = (uint32_t)k->key_len,
                              .text_len = (uint32_t)k->text_len};
    size_t off;
    size_t *n = warn ? &b->n_warns : &b->n_ents;

    if (a != NULL) {
        e.meta = intern_meta(b, a);
        e.stix_id_off = intern(b, a->stix_id);
        e.name_off = intern(b, a->name);
        e.pattern_off = intern(b, a->pattern);
        e.confidence = a->confidence;
        e.valid_from = clamp_time(a->valid_from);
        e.valid_until = clamp_time(a->valid_until);
    }
    if (b->failed) {
        return MK_ENOMEM;
    }
    if (!grow(warn ? (void **)&b->warns : (void **)&b->ents, warn ? &b->a_warns : &b->a_ents, *n,
              sizeof(e))) {
        return MK_ENOMEM;
    }
    if (!pool_append(&b->keys, k->buf,
                     mk_ioc_is_binary_type(k->type) ? k->key_len + k->text_len : k->key_len,
                     &off)) {
        return MK_ENOMEM;
    }
    e.key_off = off;
    e.seq = (uint32_t)*n;
    (warn ? b->warns : b->ents)[(*n)++] = e;
    return MK_OK;
}

enum mk_status mk_ioc_builder_add(struct mk_ioc_builder *b, enum mk_ioc_type type,
                                  const char *value, size_t len, const struct mk_ioc_attrs *attrs,
                                  struct mk_error *err)
{
    struct key k;
    enum mk_status st;

    if (b == NULL || value == NULL) {
        return MK_EINVAL;
    }
    st = make_key(type, value, len, &k);
    if (st != MK_OK) {
        if (err != NULL) {
            mk_error_set(err, "", "not a valid %s: \"%.*s\"", mk_ioc_type_name(type),
                         len > 80 ? 80 : (int)len, value);
        }
        return st == MK_ENOMEM ? st : MK_EINVAL;
    }
    if (k.type == MK_IOC_DOMAIN && b->psl != NULL &&
        psl_is_public_suffix2(b->psl, k.buf, PSL_TYPE_ANY) != 0) {
        if (err != NULL) {
            mk_error_set(err, "", "domain \"%s\" is a public suffix: refused", k.buf);
        }
        return MK_ELIMIT;
    }
    if (attrs != NULL && attrs->revoked) {
        return MK_OK; /* the caller counts it */
    }
    if (attrs != NULL && attrs->valid_until != 0 && attrs->valid_until <= b->now) {
        return MK_OK; /* already expired: the caller counts it */
    }
    return append(b, false, &k, attrs);
}

enum mk_status mk_ioc_builder_add_warning(struct mk_ioc_builder *b, enum mk_ioc_type type,
                                          const char *value, size_t len, struct mk_error *err)
{
    struct key k;
    enum mk_status st;

    if (b == NULL || value == NULL) {
        return MK_EINVAL;
    }
    st = make_key(type, value, len, &k);
    if (st != MK_OK) {
        if (err != NULL) {
            mk_error_set(err, "", "not a valid %s: \"%.*s\"", mk_ioc_type_name(type),
                         len > 80 ? 80 : (int)len, value);
        }
        return MK_EINVAL;
    }
    return append(b, true, &k, NULL);
}

enum mk_status mk_ioc_builder_add_default_warnings(struct mk_ioc_builder *b)
{
    /* RFC 6890 special-purpose ranges that never carry a partner's indicator,
     * plus multicast; the documentation ranges stay matchable (test data). */
    static const char *const ranges[] = {
        "0.0.0.0/8",     "10.0.0.0/8",   "100.64.0.0/10",  "127.0.0.0/8",   "169.254.0.0/16",
        "172.16.0.0/12", "192.0.0.0/24", "192.168.0.0/16", "198.18.0.0/15", "224.0.0.0/4",
        "240.0.0.0/4",   "::/128",       "::1/128",        "100::/64",      "fc00::/7",
        "fe80::/10",     "ff00::/8",
    };

    for (size_t i = 0; i < MK_ARRAY_LEN(ranges); i++) {
        enum mk_status st =
            mk_ioc_builder_add_warning(b, MK_IOC_CIDR4, ranges[i], strlen(ranges[i]), NULL);

        if (st != MK_OK) {
            return st;
        }
    }
    return MK_OK;
}

struct mk_ioc_set *mk_ioc_builder_finish(struct mk_ioc_builder *b)
{
    struct mk_ioc_set *s = NULL;

    if (b != NULL && !b->failed) {
        s = mk_ioc_set_build(b);
    }
    mk_ioc_builder_free(b);
    return s;
}
