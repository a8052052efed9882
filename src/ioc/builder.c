/* ioc: the builder collects normalised indicators in growable arrays and interns
 * their metadata; mk_ioc_builder_finish() hands them to set.c. Entry points:
 * mk_ioc_builder_new(), mk_ioc_builder_add(), mk_ioc_builder_add_warning(). */
#include <stdio.h>
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

/* Whether s (NULL and "" are the same) is the interned string at `off`. */
static bool same_str(const struct mk_ioc_builder *b, const char *s, uint32_t off)
{
    if (s == NULL || s[0] == '\0') {
        return off == 0;
    }
    return off != 0 && strcmp(s, b->strings.data + off) == 0;
}

static bool same_meta(const struct mk_ioc_builder *b, const struct mk_ioc_bmeta *m,
                      const struct mk_ioc_attrs *a)
{
    return m->tlp == a->tlp && same_str(b, a->source, m->source) && same_str(b, a->feed, m->feed) &&
           same_str(b, a->labels, m->labels) && same_str(b, a->kill_chain, m->kill_chain);
}

/* Index of the interned metadata of attrs (0 = none at all). The loaders pass
 * the same attributes for every line of a file: the last record is compared
 * first, which saves four string hashes per indicator. */
static uint32_t intern_meta(struct mk_ioc_builder *b, const struct mk_ioc_attrs *a)
{
    struct mk_ioc_bmeta m = {0};
    size_t j;

    if (a == NULL) {
        return 0;
    }
    if (b->last_meta < b->n_metas && !b->failed && same_meta(b, &b->metas[b->last_meta], a)) {
        return b->last_meta;
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
            b->last_meta = b->meta_slots[j] - 1;
            return b->last_meta;
        }
        j = (j + 1) & b->meta_mask;
    }
    if (!grow((void **)&b->metas, &b->a_metas, b->n_metas, sizeof(m))) {
        b->failed = true;
        return 0;
    }
    b->metas[b->n_metas] = m;
    b->meta_slots[j] = (uint32_t)++b->n_metas;
    b->last_meta = (uint32_t)b->n_metas - 1;
    return b->last_meta;
}

/* ---- public suffixes ------------------------------------------------------------
 * psl_is_public_suffix2() walks libpsl's DAFSA twice per name (the name, then its
 * parent for wildcard rules), ~3,500 instructions: a quarter of building 1M
 * indicators. A name of two or more labels can only be a public suffix if it is
 * a rule or the child of a wildcard rule, so its last two labels are the last two
 * of some rule (or, for two labels, its TLD has a "*.tld" rule). The filter holds
 * those, read from the list libpsl's builtin data was made from; names that pass
 * it (and one-label names) still get libpsl's verdict, so results are identical. */

#define PSL_LIST_MAX (16u << 20)
#define PSL_LAZY     256 /* small builders (tests, reloads of a few lines) skip the file */

static uint64_t psl_hash(const char *s, size_t n, uint64_t seed)
{
    uint64_t h = mk_hash64(s, n, seed);

    return h != 0 ? h : 1;
}

static bool pslf_has(const struct mk_ioc_psl_filter *f, uint64_t h)
{
    for (size_t j = h & f->mask;; j = (j + 1) & f->mask) {
        if (f->slots[j] == h) {
            return true;
        }
        if (f->slots[j] == 0) {
            return false;
        }
    }
}

static void pslf_put(struct mk_ioc_psl_filter *f, uint64_t h)
{
    size_t j = h & f->mask;

    while (f->slots[j] != 0 && f->slots[j] != h) {
        j = (j + 1) & f->mask;
    }
    f->slots[j] = h;
}

/* Start of the last two labels of s[0..n) (0 for fewer); *labels = 1, 2 or 3 (3 or more). */
static size_t last_two(const char *s, size_t n, unsigned *labels)
{
    *labels = 1;
    for (size_t i = n; i-- > 0;) {
        if (s[i] == '.' && ++*labels == 3) {
            return i + 1;
        }
    }
    return 0;
}

/* Adds one rule ("!" and "*." prefixes allowed) in lower case. */
static void pslf_add_rule(struct mk_ioc_psl_filter *f, char *r, size_t n)
{
    bool wild = false;
    unsigned labels;
    size_t from;

    if (n > 0 && r[0] == '!') {
        r++;
        n--;
    }
    if (n >= 2 && r[0] == '*' && r[1] == '.') {
        r += 2;
        n -= 2;
        wild = true;
    }
    for (size_t i = 0; i < n; i++) {
        if (r[i] >= 'A' && r[i] <= 'Z') {
            r[i] = "abcdefghijklmnopqrstuvwxyz"[r[i] - 'A'];
        }
    }
    from = last_two(r, n, &labels);
    for (size_t i = from; i < n; i++) {
        f->has_idn = f->has_idn || (unsigned char)r[i] >= 0x80;
    }
    if (labels >= 2) {
        pslf_put(f, psl_hash(r + from, n - from, 2));
    } else if (wild) {
        pslf_put(f, psl_hash(r, n, 1));
    }
}

/* Reads the whole list at path if its SHA-1 is libpsl's; NULL otherwise. */
static char *read_psl_list(const char *path, size_t *len)
{
    FILE *fp = path != NULL ? fopen(path, "rb") : NULL;
    const char *want = psl_builtin_sha1sum();
    uint8_t sha[20];
    char hex[41];
    char *data = NULL;
    size_t n = 0;
    size_t cap = 0;

    if (fp == NULL) {
        return NULL;
    }
    for (;;) {
        size_t got;

        if (n == cap) {
            char *q = cap < PSL_LIST_MAX ? realloc(data, cap = cap ? cap * 2 : 1u << 18) : NULL;

            if (q == NULL) {
                free(data);
                (void)fclose(fp);
                return NULL;
            }
            data = q;
        }
        got = fread(data + n, 1, cap - n, fp);
        n += got;
        if (got == 0) {
            break;
        }
    }
    if (ferror(fp) || want == NULL) {
        n = 0;
    }
    (void)fclose(fp);
    mk_hash_sha1(data, n, sha);
    mk_hex_encode(sha, sizeof(sha), hex);
    if (n == 0 || strcmp(hex, want) != 0) {
        free(data);
        return NULL;
    }
    *len = n;
    return data;
}

/* Builds the filter from libpsl's source list; leaves it not ready if the list
 * is missing, differs from the builtin data or memory runs out. */
static void pslf_build(struct mk_ioc_builder *b)
{
    struct mk_ioc_psl_filter *f = &b->pslf;
    size_t n = 0;
    size_t rules = 0;
    size_t size = 1024;
    char *data;

    f->tried = true;
    if (b->psl == NULL || b->psl != psl_builtin()) {
        return;
    }
    data = read_psl_list(psl_builtin_filename(), &n);
    if (data == NULL) {
        return;
    }
    for (size_t i = 0; i < n; i++) {
        rules += data[i] == '\n';
    }
    while (size < 2 * rules + 2) {
        size *= 2;
    }
    f->slots = calloc(size, sizeof(*f->slots));
    f->mask = size - 1;
    for (size_t i = 0; f->slots != NULL && i < n;) {
        size_t end = i;
        size_t a;
        size_t z;

        while (end < n && data[end] != '\n') {
            end++;
        }
        /* as libpsl: blanks trimmed, "//" comments skipped, the rule is the first word */
        a = i;
        while (a < end && (data[a] == ' ' || data[a] == '\t' || data[a] == '\r')) {
            a++;
        }
        z = a;
        while (z < end && data[z] != ' ' && data[z] != '\t' && data[z] != '\r') {
            z++;
        }
        if (z > a && !(z - a >= 2 && data[a] == '/' && data[a + 1] == '/')) {
            pslf_add_rule(f, data + a, z - a);
        }
        i = end + 1;
    }
    free(data);
    f->ready = f->slots != NULL;
}

/* Whether the label at s (n bytes to the end of the name) is an IDNA A-label:
 * the only form a non-ASCII rule label takes in a canonical name. */
static bool is_a_label(const char *s, size_t n)
{
    return n >= 4 && s[0] == 'x' && s[1] == 'n' && s[2] == '-' && s[3] == '-';
}

bool mk_ioc_builder_is_public_suffix(struct mk_ioc_builder *b, const char *name, size_t len)
{
    struct mk_ioc_psl_filter *f = &b->pslf;
    unsigned labels;
    size_t from;

    if (b->psl == NULL) {
        return false;
    }
    if (!f->tried && b->psl_lazy-- == 0) {
        pslf_build(b);
    }
    if (f->ready && len > 0) {
        from = last_two(name, len, &labels);
        if (labels >= 2) {
            const char *tld = (const char *)memchr(name + from, '.', len - from) + 1;
            size_t tld_len = len - (size_t)(tld - name);
            bool maybe =
                pslf_has(f, psl_hash(name + from, len - from, 2)) ||
                (labels == 2 && pslf_has(f, psl_hash(tld, tld_len, 1))) ||
                (f->has_idn && (is_a_label(name + from, len - from) || is_a_label(tld, tld_len)));

            if (!maybe) {
                return false;
            }
        }
    }
    return psl_is_public_suffix2(b->psl, name, PSL_TYPE_ANY) != 0;
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
    b->psl_lazy = PSL_LAZY;
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
    free(b->pslf.slots);
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
        /* most indicators carry none of these: skip the call */
        e.stix_id_off = a->stix_id != NULL ? intern(b, a->stix_id) : 0;
        e.name_off = a->name != NULL ? intern(b, a->name) : 0;
        e.pattern_off = a->pattern != NULL ? intern(b, a->pattern) : 0;
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

/* The canonical key of a value, or the reason there is none: MK_ENOMEM as
 * such (not blamed on the value), anything else as an invalid value, named. */
static enum mk_status key_of(enum mk_ioc_type type, const char *value, size_t len, struct key *k,
                             struct mk_error *err)
{
    enum mk_status st = make_key(type, value, len, k);

    if (st == MK_OK || st == MK_ENOMEM) {
        return st;
    }
    if (err != NULL) {
        mk_error_set(err, "", "not a valid %s: \"%.*s\"", mk_ioc_type_name(type),
                     len > 80 ? 80 : (int)len, value);
    }
    return MK_EINVAL;
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
    st = key_of(type, value, len, &k, err);
    if (st != MK_OK) {
        return st;
    }
    if (k.type == MK_IOC_DOMAIN && mk_ioc_builder_is_public_suffix(b, k.buf, k.key_len)) {
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
    st = key_of(type, value, len, &k, err);
    if (st != MK_OK) {
        return st; /* out of memory is not an invalid warning-list value */
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
