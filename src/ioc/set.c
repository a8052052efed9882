/* ioc: compiles a builder into an immutable set: sort by key hash, merge
 * duplicates, write each distinct key once into the arena, assign stable sids,
 * build the open-addressing tables. Entry point: mk_ioc_set_build(). */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "ioc/ioc_int.h"

uint64_t mk_ioc_key_hash(enum mk_ioc_type type, const void *key, size_t len)
{
    return mk_hash64(key, len, 0x9e3779b97f4a7c15ull * ((uint64_t)type + 1));
}

struct order {
    uint64_t h;
    uint32_t idx;
};

/* Stable LSD radix sort of n records of `size` bytes on the unsigned integer
 * of key_bytes (4 or 8) at key_off, 8 bits a pass; passes where every key has
 * the same byte are skipped. A tenth of qsort's cost on the set's build path;
 * both callers pass constants, so the compiler specialises the copies. tmp
 * holds n records. */
static uint64_t radix_key(const uint8_t *rec, size_t key_off, size_t key_bytes)
{
    if (key_bytes == 8) {
        uint64_t k;

        memcpy(&k, rec + key_off, 8);
        return k;
    }
    uint32_t k32;

    memcpy(&k32, rec + key_off, 4);
    return k32;
}

static inline void radix_sort(void *recs, void *tmp, size_t n, size_t size, size_t key_off,
                              size_t key_bytes)
{
    uint8_t *a = recs;
    uint8_t *b = tmp;

    for (unsigned shift = 0; shift < key_bytes * 8; shift += 8) {
        size_t count[256] = {0};
        size_t pos = 0;

        for (size_t i = 0; i < n; i++) {
            count[(radix_key(a + i * size, key_off, key_bytes) >> shift) & 255]++;
        }
        if (n == 0 || count[(radix_key(a, key_off, key_bytes) >> shift) & 255] == n) {
            continue;
        }
        for (size_t d = 0; d < 256; d++) {
            size_t c = count[d];

            count[d] = pos;
            pos += c;
        }
        for (size_t i = 0; i < n; i++) {
            size_t d = (radix_key(a + i * size, key_off, key_bytes) >> shift) & 255;

            memcpy(b + count[d]++ * size, a + i * size, size);
        }
        memcpy(a, b, n * size);
    }
}

/* Within one key: entries ordered by what they say, so the layout does not
 * depend on the order of loading; equal (metadata, id) pairs are merged. */
struct runrec {
    uint32_t meta, stix_id, name, pattern, seq;
};

static int cmp_runrec(const void *pa, const void *pb)
{
    const struct runrec *a = pa;
    const struct runrec *b = pb;
    const uint32_t va[] = {a->meta, a->stix_id, a->name, a->pattern, a->seq};
    const uint32_t vb[] = {b->meta, b->stix_id, b->name, b->pattern, b->seq};

    for (size_t i = 0; i < MK_ARRAY_LEN(va); i++) {
        if (va[i] != vb[i]) {
            return va[i] < vb[i] ? -1 : 1;
        }
    }
    return 0;
}

/* ---- sids ------------------------------------------------------------------------ */

struct sidrec {
    uint32_t base;
    uint32_t idx;
    uint64_t ident;   /* hash of the stix id, or of type + value */
    uint64_t content; /* hash of the metadata strings and attributes */
    bool by_stix_id;  /* ident is a STIX id: every key of that indicator shares its sid */
};

static int cmp_sidrec(const void *pa, const void *pb)
{
    const struct sidrec *a = pa;
    const struct sidrec *b = pb;

    if (a->base != b->base) {
        return a->base < b->base ? -1 : 1;
    }
    if (a->ident != b->ident) {
        return a->ident < b->ident ? -1 : 1;
    }
    if (a->content != b->content) {
        return a->content < b->content ? -1 : 1;
    }
    return a->idx < b->idx ? -1 : a->idx > b->idx;
}

/* The order of cmp_sidrec: a stable radix sort on base (r starts in idx
 * order), then the rare runs of equal bases by the full comparison. */
static bool sort_sidrecs(struct sidrec *r, size_t n)
{
    struct sidrec *tmp = malloc((n ? n : 1) * sizeof(*tmp));

    if (tmp == NULL) {
        return false;
    }
    radix_sort(r, tmp, n, sizeof(*r), offsetof(struct sidrec, base), sizeof(r->base));
    free(tmp);
    for (size_t i = 0; i < n;) {
        size_t end = i + 1;

        while (end < n && r[end].base == r[i].base) {
            end++;
        }
        if (end - i > 1) {
            qsort(r + i, end - i, sizeof(*r), cmp_sidrec);
        }
        i = end;
    }
    return true;
}

static uint64_t str_hash(const char *arena, uint32_t off, uint64_t seed)
{
    const char *s = arena + off;

    return mk_hash64(s, strlen(s), seed);
}

static const char *entry_text(const struct mk_ioc_set *s, const struct mk_ioc_entry *e)
{
    return s->arena + e->key_off + (mk_ioc_is_binary_type(e->type) ? e->key_len : 0);
}

/* sid = 1e9 + H % 1e9 with H over the STIX id, or over type and canonical value;
 * equal bases are resolved by sorting on (base, identity, content) and taking
 * the next free number, so the same set of indicators gets the same sids in any
 * load order. */
static bool assign_sids(struct mk_ioc_set *s, const struct mk_ioc_bmeta *bmetas, size_t n_metas)
{
    size_t n = s->main.n_entries;
    struct sidrec *r = malloc((n ? n : 1) * sizeof(*r));
    uint64_t *mh = malloc((n_metas ? n_metas : 1) * sizeof(*mh));
    uint32_t last = 0;

    if (r == NULL || mh == NULL) {
        free(r);
        free(mh);
        return false;
    }
    for (size_t i = 0; i < n_metas; i++) { /* the metadata part of the content hash */
        const struct mk_ioc_bmeta *m = &bmetas[i];

        mh[i] = str_hash(s->arena, m->source, 1) ^ str_hash(s->arena, m->feed, 2) * 3 ^
                str_hash(s->arena, m->labels, 3) * 5 ^ str_hash(s->arena, m->kill_chain, 4) * 7;
    }
    for (size_t i = 0; i < n; i++) {
        const struct mk_ioc_entry *e = &s->main.entries[i];
        const struct mk_ioc_extra *x = e->extra ? &s->extras[e->extra - 1] : NULL;
        const struct mk_ioc_bmeta *m = &bmetas[e->meta];
        const char *text = entry_text(s, e);
        size_t text_len = mk_ioc_is_binary_type(e->type) ? strlen(text) : e->key_len;
        uint64_t id = x != NULL && x->stix_id_off != 0
                          ? str_hash(s->arena, x->stix_id_off, 7)
                          : mk_hash64(text, text_len, 0x51d0000ull + e->type);
        uint64_t c = mh[e->meta];

        if (x != NULL) {
            c ^= str_hash(s->arena, x->name_off, 5) * 11 ^
                 str_hash(s->arena, x->pattern_off, 6) * 13;
            c ^= ((uint64_t)x->valid_from << 32 | x->valid_until) * 17;
        }
        c ^= ((uint64_t)m->tlp << 8 | e->confidence) * 19;
        r[i] = (struct sidrec){.base = MK_IOC_SID_BASE + (uint32_t)(id % MK_IOC_SID_SPAN),
                               .idx = (uint32_t)i,
                               .ident = id,
                               .content = c,
                               .by_stix_id = x != NULL && x->stix_id_off != 0};
    }
    free(mh);
    if (!sort_sidrecs(r, n)) {
        free(r);
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        /* the keys of one STIX indicator (its domain and its URL, say) are one
         * signature: one sid, one alert per flow, one temporal history */
        bool same = i > 0 && r[i].by_stix_id && r[i - 1].by_stix_id && r[i].ident == r[i - 1].ident;
        uint32_t sid = same ? last : r[i].base > last ? r[i].base : last + 1;

        s->main.entries[r[i].idx].sid = sid;
        last = sid;
    }
    free(r);
    return true;
}

/* ---- building one table ------------------------------------------------------------ */

struct ctx {
    struct mk_ioc_builder *b;
    struct mk_ioc_set *s;
    struct mk_ioc_pool arena;
    size_t a_extras;
    uint64_t *hash; /* key hash of each entry that starts a run (for fill_slots) */
};

static bool arena_put(struct mk_ioc_pool *p, const void *data, size_t n, size_t *off)
{
    *off = p->len;
    if (n == 0) {
        return true;
    }
    if (n > (size_t)UINT32_MAX - 1 - p->len) {
        return false;
    }
    if (p->len + n > p->alloc) {
        size_t want = p->alloc < 4096 ? 4096 : p->alloc + p->alloc / 2;
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

static bool same_key(const struct mk_ioc_builder *b, const struct mk_ioc_bentry *x,
                     const struct mk_ioc_bentry *y)
{
    return x->type == y->type && x->key_len == y->key_len &&
           memcmp(b->keys.data + x->key_off, b->keys.data + y->key_off, x->key_len) == 0;
}

static void note_key(struct mk_ioc_tables *t, const struct mk_ioc_bentry *e, const char *key)
{
    switch (e->type) {
    case MK_IOC_CIDR4:
        t->cidr4_lens |= 1ull << (uint8_t)key[0];
        break;
    case MK_IOC_CIDR6:
        t->cidr6_lens[(uint8_t)key[0] >> 6] |= 1ull << ((uint8_t)key[0] & 63);
        break;
    case MK_IOC_DOMAIN:
        t->domain_lens[e->key_len >> 6] |= 1ull << (e->key_len & 63);
        break;
    case MK_IOC_IP_PORT:
        t->has_ip_port = true;
        break;
    case MK_IOC_URL:
        t->has_path_url = t->has_path_url || key[0] == '/';
        break;
    default:
        break;
    }
}

static bool put_extra(struct ctx *c, const struct mk_ioc_bentry *be, struct mk_ioc_entry *e)
{
    struct mk_ioc_set *s = c->s;

    if (be->stix_id_off == 0 && be->name_off == 0 && be->pattern_off == 0 && be->valid_from == 0 &&
        be->valid_until == 0) {
        return true;
    }
    if (s->n_extras == c->a_extras) {
        size_t want = c->a_extras < 64 ? 64 : c->a_extras * 2;
        struct mk_ioc_extra *q = realloc(s->extras, want * sizeof(*q));

        if (q == NULL) {
            return false;
        }
        s->extras = q;
        c->a_extras = want;
    }
    s->extras[s->n_extras++] = (struct mk_ioc_extra){.stix_id_off = be->stix_id_off,
                                                     .name_off = be->name_off,
                                                     .pattern_off = be->pattern_off,
                                                     .valid_from = be->valid_from,
                                                     .valid_until = be->valid_until};
    e->extra = (uint32_t)s->n_extras;
    return true;
}

/* Writes one key run (all entries with this key, `ids` into be[]) as entries. */
static bool emit_run(struct ctx *c, struct mk_ioc_tables *t, const struct mk_ioc_bentry *be,
                     struct runrec *rr, size_t k)
{
    const struct mk_ioc_bentry *first = &be[rr[0].seq];
    size_t len =
        mk_ioc_is_binary_type(first->type) ? first->key_len + first->text_len : first->key_len;
    size_t off;
    char nul = '\0';

    if (!arena_put(&c->arena, c->b->keys.data + first->key_off, len, &off) ||
        !arena_put(&c->arena, &nul, 1, &len)) {
        return false;
    }
    note_key(t, first, c->b->keys.data + first->key_off);
    if (k > 1) {
        qsort(rr, k, sizeof(*rr), cmp_runrec);
    }
    for (size_t i = 0; i < k; i++) {
        const struct mk_ioc_bentry *e = &be[rr[i].seq];
        struct mk_ioc_entry *out;

        if (i > 0 && rr[i].meta == rr[i - 1].meta && rr[i].stix_id == rr[i - 1].stix_id) {
            continue; /* same key, source and id: merged, the first added wins */
        }
        out = &t->entries[t->n_entries++];
        *out = (struct mk_ioc_entry){.key_off = (uint32_t)off,
                                     .key_len = (uint16_t)e->key_len,
                                     .type = e->type,
                                     .confidence = e->confidence,
                                     .meta = e->meta};
        if (!put_extra(c, e, out)) {
            return false;
        }
        c->s->count_type[e->type] += t == &c->s->main;
    }
    return true;
}

/* hash[i] (if not NULL) is the key hash of entry i when it starts a run. */
static bool fill_slots(struct mk_ioc_tables *t, const char *arena, const uint64_t *hash,
                       bool with_bloom)
{
    size_t size = 16;
    size_t runs = 0;

    for (size_t i = 0; i < t->n_entries; i++) {
        runs += i == 0 || t->entries[i].key_off != t->entries[i - 1].key_off;
    }
    while (size * 7 < runs * 10) {
        size *= 2;
    }
    t->idx_bits = 1;
    while (t->idx_bits < 31 && ((size_t)1 << t->idx_bits) <= t->n_entries) {
        t->idx_bits++;
    }
    if (t->idx_bits > 28 || size > ((size_t)1 << 31)) {
        return false;
    }
    t->slots = calloc(size, sizeof(*t->slots));
    if (t->slots == NULL) {
        return false;
    }
    t->mask = (uint32_t)(size - 1);
    if (with_bloom) {
        size_t words = 1;

        while (words * 64 < runs * MK_IOC_BLOOM_BITS_PER_KEY && words < ((size_t)1 << 24)) {
            words *= 2;
        }
        t->bloom = calloc(words, sizeof(*t->bloom));
        if (t->bloom == NULL) {
            return false;
        }
        t->bloom_mask = (uint32_t)(words - 1);
    }
    for (size_t i = 0; i < t->n_entries; i++) {
        const struct mk_ioc_entry *e = &t->entries[i];
        uint64_t h;
        size_t j;

        if (i > 0 && e->key_off == t->entries[i - 1].key_off) {
            continue;
        }
        h = hash != NULL ? hash[i] : mk_ioc_key_hash(e->type, arena + e->key_off, e->key_len);
        j = h & t->mask;
        while (t->slots[j] != 0) {
            j = (j + 1) & t->mask;
        }
        t->slots[j] = (uint32_t)((h >> 32) >> t->idx_bits << t->idx_bits) | (uint32_t)(i + 1);
        if (t->bloom != NULL) {
            t->bloom[mk_ioc_bloom_word(h, t->bloom_mask)] |= mk_ioc_bloom_bits(h);
        }
    }
    return true;
}

/* Shrinks an allocation to n bytes; keeps the old one if realloc fails. */
static void *shrink(void *p, size_t n)
{
    void *q = n > 0 ? realloc(p, n) : NULL;

    return q != NULL ? q : p;
}

/* Emits the keys of o[i..end) (one hash, normally one key; different keys
 * that share a 64-bit hash are split here). */
static bool emit_group(struct ctx *c, struct mk_ioc_tables *t, const struct mk_ioc_bentry *be,
                       const struct order *o, size_t i, size_t end, struct runrec *rr, bool *done)
{
    for (size_t a = i; a < end; a++) {
        size_t k = 0;

        if (done[a]) {
            continue;
        }
        for (size_t z = a; z < end; z++) {
            const struct mk_ioc_bentry *e = &be[o[z].idx];

            if (!done[z] && same_key(c->b, &be[o[a].idx], e)) {
                done[z] = true;
                rr[k++] =
                    (struct runrec){e->meta, e->stix_id_off, e->name_off, e->pattern_off, o[z].idx};
            }
        }
        if (c->hash != NULL) {
            c->hash[t->n_entries] = o[a].h;
        }
        if (!emit_run(c, t, be, rr, k)) {
            return false;
        }
    }
    return true;
}

/* Sorts be[0..n) by key hash, groups equal keys and emits them into t. */
static bool build_table(struct ctx *c, struct mk_ioc_tables *t, const struct mk_ioc_bentry *be,
                        size_t n)
{
    struct order *o = malloc((n ? n : 1) * sizeof(*o));
    struct order *tmp = malloc((n ? n : 1) * sizeof(*tmp));
    struct runrec *rr = malloc((n ? n : 1) * sizeof(*rr));
    bool *done = calloc(n ? n : 1, sizeof(*done));
    bool ok = o != NULL && tmp != NULL && rr != NULL && done != NULL;

    t->entries = malloc((n ? n : 1) * sizeof(*t->entries));
    ok = ok && t->entries != NULL;
    for (size_t i = 0; ok && i < n; i++) {
        o[i] = (struct order){
            .h = mk_ioc_key_hash(be[i].type, c->b->keys.data + be[i].key_off, be[i].key_len),
            .idx = (uint32_t)i};
    }
    if (ok) {
        radix_sort(o, tmp, n, sizeof(*o), offsetof(struct order, h), sizeof(o->h));
    }
    free(tmp);
    for (size_t i = 0; ok && i < n;) {
        size_t end = i + 1;

        while (end < n && o[end].h == o[i].h) {
            end++;
        }
        ok = emit_group(c, t, be, o, i, end, rr, done);
        i = end;
    }
    free(done);
    free(rr);
    free(o);
    if (ok) {
        t->entries = shrink(t->entries, t->n_entries * sizeof(*t->entries));
    }
    return ok;
}

static bool finish_metas(struct mk_ioc_set *s, const struct mk_ioc_builder *b)
{
    s->n_metas = b->n_metas;
    s->metas = calloc(s->n_metas ? s->n_metas : 1, sizeof(*s->metas));
    if (s->metas == NULL) {
        return false;
    }
    for (size_t i = 0; i < b->n_metas; i++) {
        const struct mk_ioc_bmeta *m = &b->metas[i];

        s->metas[i] = (struct mk_ioc_meta){.source = s->arena + m->source,
                                           .feed = s->arena + m->feed,
                                           .labels = s->arena + m->labels,
                                           .kill_chain = s->arena + m->kill_chain,
                                           .tlp = m->tlp};
    }
    return true;
}

struct mk_ioc_set *mk_ioc_set_build(struct mk_ioc_builder *b)
{
    struct ctx c = {.b = b};
    uint64_t *hash;
    size_t off;
    bool ok;

    c.s = calloc(1, sizeof(*c.s));
    if (c.s == NULL) {
        return NULL;
    }
    /* the main table's key hashes are kept for its slots (NULL: hashed again) */
    c.hash = calloc(b->n_ents ? b->n_ents : 1, sizeof(*c.hash));
    hash = c.hash;
    /* the interned strings first, so their pool offsets are arena offsets */
    ok = arena_put(&c.arena, b->strings.data, b->strings.len, &off) &&
         build_table(&c, &c.s->main, b->ents, b->n_ents);
    c.hash = NULL;
    ok = ok && build_table(&c, &c.s->warn, b->warns, b->n_warns);
    if (ok) {
        c.s->arena = shrink(c.arena.data, c.arena.len);
        c.s->arena_len = c.arena.len;
        c.arena.data = NULL;
        c.s->extras = shrink(c.s->extras, c.s->n_extras * sizeof(*c.s->extras));
        ok = assign_sids(c.s, b->metas, b->n_metas) && finish_metas(c.s, b) &&
             fill_slots(&c.s->main, c.s->arena, hash, true) &&
             fill_slots(&c.s->warn, c.s->arena, NULL, false);
    }
    free(hash);
    free(c.arena.data);
    if (!ok) {
        mk_ioc_set_free(c.s);
        return NULL;
    }
    return c.s;
}

/* ---- accessors ------------------------------------------------------------------ */

static void tables_free(struct mk_ioc_tables *t)
{
    free(t->entries);
    free(t->slots);
    free(t->bloom);
}

void mk_ioc_set_free(struct mk_ioc_set *s)
{
    if (s == NULL) {
        return;
    }
    tables_free(&s->main);
    tables_free(&s->warn);
    free(s->extras);
    free(s->metas);
    free(s->arena);
    free(s);
}

size_t mk_ioc_set_count(const struct mk_ioc_set *s)
{
    return s != NULL ? s->main.n_entries : 0;
}

size_t mk_ioc_set_count_type(const struct mk_ioc_set *s, enum mk_ioc_type t)
{
    if (s == NULL || (unsigned)t >= MK_IOC_TYPE_COUNT) {
        return 0;
    }
    return s->count_type[t];
}

static size_t tables_memory(const struct mk_ioc_tables *t)
{
    return t->n_entries * sizeof(*t->entries) + ((size_t)t->mask + 1) * sizeof(*t->slots) +
           (t->bloom != NULL ? ((size_t)t->bloom_mask + 1) * sizeof(*t->bloom) : 0);
}

size_t mk_ioc_set_memory(const struct mk_ioc_set *s)
{
    if (s == NULL) {
        return 0;
    }
    return sizeof(*s) + tables_memory(&s->main) + tables_memory(&s->warn) +
           s->n_extras * sizeof(*s->extras) + s->n_metas * sizeof(*s->metas) + s->arena_len;
}
