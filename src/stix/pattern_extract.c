/* STIX pattern prefilter keys (clarifications.md "prefilter, then verify"):
 * mk_stix_pattern_classify() marks indexable comparisons while parsing, and
 * mk_stix_pattern_extract() turns the pattern into one key per disjunct. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "stix/pattern_int.h"

#define MAX_KEYS    16384      /* keys of one pattern; beyond, it is evaluated on demand */
#define DEDUP_MAX   (1u << 16) /* key pairs compared to drop duplicates of an OR */
#define SCRATCH_MAX (64u << 20)

/* ---- classification (at parse time) ---------------------------------------- */

struct target {
    enum mk_pat_key_class cls;
    enum mk_stix_key_kind kind;
    enum mk_stix_key_role role;
    bool by_form;   /* network-traffic refs: the kind follows the address form */
    bool fold_case; /* hex digests: lower-case */
};

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* "MD5", "SHA-1", 'sha256', ... (case and '-' ignored) -> key kind, or -1. */
static int hash_kind(const char *name)
{
    static const struct {
        const char *name;
        enum mk_stix_key_kind kind;
    } algs[] = {
        {"md5", MK_STIX_KEY_HASH_MD5},
        {"sha1", MK_STIX_KEY_HASH_SHA1},
        {"sha256", MK_STIX_KEY_HASH_SHA256},
        {"sha512", MK_STIX_KEY_HASH_SHA512},
    };

    char norm[8];
    size_t j = 0;

    for (; *name != '\0'; name++) {
        if (*name == '-') {
            continue;
        }
        if (j + 1 == sizeof(norm)) {
            return -1;
        }
        norm[j++] = (char)lower(*name);
    }
    norm[j] = '\0';
    for (size_t i = 0; i < MK_ARRAY_LEN(algs); i++) {
        if (strcmp(norm, algs[i].name) == 0) {
            return (int)algs[i].kind;
        }
    }
    return -1;
}

static bool is_key(const struct mk_pat_step *s, const char *name)
{
    return s->kind == MK_PAT_STEP_KEY && strcmp(s->key, name) == 0;
}

/* JA3/JA4 anywhere: a last path component named ja3, ja3_hash, ja3_md5 or ja4
 * (e.g. network-traffic:extensions.'x-mekong-tls'.ja3), or the custom objects
 * x-ja3:hash / x-ja3:value and x-ja4:hash / x-ja4:value. */
static bool ja_target(const struct mk_pat_path *p, struct target *t)
{
    const struct mk_pat_step *last = &p->steps[p->n_steps - 1];
    bool custom = p->n_steps == 1 && (is_key(last, "hash") || is_key(last, "value"));

    if (is_key(last, "ja3") || is_key(last, "ja3_hash") || is_key(last, "ja3_md5") ||
        (custom && strcmp(p->type, "x-ja3") == 0)) {
        t->kind = MK_STIX_KEY_JA3;
        t->fold_case = true;
        return true;
    }
    if (is_key(last, "ja4") || (custom && strcmp(p->type, "x-ja4") == 0)) {
        t->kind = MK_STIX_KEY_JA4;
        return true;
    }
    return false;
}

static bool value_target(const struct mk_pat_path *p, struct target *t)
{
    static const struct {
        const char *type;
        enum mk_stix_key_kind kind;
    } types[] = {
        {"ipv4-addr", MK_STIX_KEY_IPV4},     {"ipv6-addr", MK_STIX_KEY_IPV6},
        {"domain-name", MK_STIX_KEY_DOMAIN}, {"url", MK_STIX_KEY_URL},
        {"email-addr", MK_STIX_KEY_EMAIL},
    };

    if (p->n_steps != 1 || !is_key(&p->steps[0], "value")) {
        return false;
    }
    for (size_t i = 0; i < MK_ARRAY_LEN(types); i++) {
        if (strcmp(p->type, types[i].type) == 0) {
            t->kind = types[i].kind;
            return true;
        }
    }
    return false;
}

/* Which key a path feeds, if any. */
static bool find_target(const struct mk_pat_path *p, struct target *t)
{
    bool nt = strcmp(p->type, "network-traffic") == 0;
    int hk;

    memset(t, 0, sizeof(*t));
    t->cls = MK_PAT_KEY_STRONG;
    if (value_target(p, t)) {
        return true;
    }
    if (strcmp(p->type, "file") == 0 && p->n_steps == 2 && is_key(&p->steps[0], "hashes") &&
        p->steps[1].kind == MK_PAT_STEP_KEY && (hk = hash_kind(p->steps[1].key)) >= 0) {
        t->kind = (enum mk_stix_key_kind)hk;
        t->fold_case = true;
        return true;
    }
    if (nt && p->n_steps == 2 && is_key(&p->steps[1], "value") &&
        (is_key(&p->steps[0], "src_ref") || is_key(&p->steps[0], "dst_ref"))) {
        t->role = is_key(&p->steps[0], "src_ref") ? MK_STIX_ROLE_SRC : MK_STIX_ROLE_DST;
        t->by_form = true;
        return true;
    }
    if (nt && p->n_steps == 1 &&
        (is_key(&p->steps[0], "src_port") || is_key(&p->steps[0], "dst_port"))) {
        t->role = is_key(&p->steps[0], "src_port") ? MK_STIX_ROLE_SRC : MK_STIX_ROLE_DST;
        t->kind = MK_STIX_KEY_PORT;
        t->cls = MK_PAT_KEY_WEAK;
        return true;
    }
    return p->steps[p->n_steps - 1].kind == MK_PAT_STEP_KEY && ja_target(p, t);
}

/* IPv4, IPv6 (either with an optional "/n"), or -1. */
static int address_kind(const char *s, size_t n)
{
    const char *slash = memchr(s, '/', n);
    size_t alen = slash != NULL ? (size_t)(slash - s) : n;
    uint8_t addr[16];
    char buf[64];

    if (alen == 0 || alen >= sizeof(buf)) {
        return -1;
    }
    memcpy(buf, s, alen);
    buf[alen] = '\0';
    if (inet_pton(AF_INET, buf, addr) == 1) {
        return MK_STIX_KEY_IPV4;
    }
    return inet_pton(AF_INET6, buf, addr) == 1 ? MK_STIX_KEY_IPV6 : -1;
}

/* The key form of one literal; false when it cannot be a key. */
static bool lit_key(struct mk_arena *a, const struct target *t, enum mk_pat_op op,
                    struct mk_pat_lit *l)
{
    char *v;
    int ak;

    if (t->kind == MK_STIX_KEY_PORT) {
        char port[8];

        if (l->type != MK_PAT_LIT_INT || l->i < 0 || l->i > 65535) {
            return false;
        }
        (void)snprintf(port, sizeof(port), "%u", (unsigned)l->i);
        l->key = mk_arena_strndup(a, port, strlen(port));
        l->key_kind = MK_STIX_KEY_PORT;
        return true;
    }
    if (l->type != MK_PAT_LIT_STR || l->len == 0 || strlen(l->str) != l->len) {
        return false;
    }
    ak = address_kind(l->str, l->len);
    l->key_kind = (uint8_t)t->kind;
    if (t->by_form) {
        /* A domain has no '/', and ISSUBSET is for addresses only. */
        bool domain = ak < 0 && op != MK_PAT_ISSUBSET && memchr(l->str, '/', l->len) == NULL;

        if (ak < 0 && !domain) {
            return false;
        }
        l->key_kind = (uint8_t)(ak >= 0 ? ak : MK_STIX_KEY_DOMAIN);
    } else if (op == MK_PAT_ISSUBSET && (ak < 0 || ak != (int)t->kind)) {
        return false;
    }
    if (!t->fold_case) {
        l->key = l->str;
        return true;
    }
    v = mk_arena_strndup(a, l->str, l->len);
    for (size_t i = 0; v != NULL && i < l->len; i++) {
        v[i] = (char)lower(v[i]);
    }
    l->key = v;
    return true;
}

enum mk_status mk_stix_pattern_classify(struct mk_arena *a, struct mk_pat_cmp *t)
{
    struct target tg;

    t->key_class = MK_PAT_KEY_NONE;
    if (t->negated || (t->op != MK_PAT_EQ && t->op != MK_PAT_IN && t->op != MK_PAT_ISSUBSET) ||
        !find_target(&t->path, &tg) ||
        (t->op == MK_PAT_ISSUBSET && tg.kind != MK_STIX_KEY_IPV4 && tg.kind != MK_STIX_KEY_IPV6 &&
         !tg.by_form)) {
        return MK_OK;
    }
    for (size_t i = 0; i < t->n_lits; i++) {
        if (!lit_key(a, &tg, (enum mk_pat_op)t->op, &t->lits[i])) {
            return MK_OK; /* one member that cannot be a key spoils the whole set */
        }
        if (t->lits[i].key == NULL) {
            return MK_ENOMEM;
        }
    }
    t->key_class = (uint8_t)tg.cls;
    t->key_role = (uint8_t)tg.role;
    return MK_OK;
}

/* ---- extraction ------------------------------------------------------------ */

/* A disjunction of keys. `any`: some disjunct has no indexable term, so the
 * whole thing cannot be prefiltered (it may match without any key). */
struct dnf {
    struct mk_stix_key *v;
    size_t n;
    bool any;
};

struct xctx {
    struct mk_arena scratch;
    bool failed;
};

static const struct dnf dnf_any = {.any = true};

static bool dnf_alloc(struct xctx *x, struct dnf *d, size_t n)
{
    d->any = false;
    d->n = 0;
    d->v = mk_arena_alloc(&x->scratch, (n > 0 ? n : 1) * sizeof(*d->v));
    if (d->v == NULL) {
        x->failed = true;
        return false;
    }
    return true;
}

static struct dnf test_dnf(struct xctx *x, const struct mk_pat_cmp *t)
{
    struct dnf d;

    if (t->key_class == MK_PAT_KEY_NONE || t->n_lits > MAX_KEYS || !dnf_alloc(x, &d, t->n_lits)) {
        return dnf_any;
    }
    for (size_t i = 0; i < t->n_lits; i++) {
        const struct mk_pat_lit *l = &t->lits[i];
        struct mk_stix_key_term *term = &d.v[d.n].terms[0];

        d.v[d.n++].n_terms = 1;
        term->kind = (enum mk_stix_key_kind)l->key_kind;
        term->role = (enum mk_stix_key_role)t->key_role;
        term->is_cidr = l->key_kind <= MK_STIX_KEY_IPV6 &&
                        (t->op == MK_PAT_ISSUBSET || strchr(l->key, '/') != NULL);
        term->value = l->key;
    }
    return d;
}

static bool same_term(const struct mk_stix_key_term *a, const struct mk_stix_key_term *b)
{
    return a->kind == b->kind && a->role == b->role && a->is_cidr == b->is_cidr &&
           strcmp(a->value, b->value) == 0;
}

static bool same_key(const struct mk_stix_key *a, const struct mk_stix_key *b)
{
    if (a->n_terms != b->n_terms) {
        return false;
    }
    for (size_t i = 0; i < a->n_terms; i++) {
        if (!same_term(&a->terms[i], &b->terms[i])) {
            return false;
        }
    }
    return true;
}

static void add_term(struct mk_stix_key *k, const struct mk_stix_key_term *t)
{
    for (size_t i = 0; i < k->n_terms; i++) {
        if (same_term(&k->terms[i], t)) {
            return;
        }
    }
    /* Past the cap a term is dropped: a key with fewer terms is only broader. */
    if (k->n_terms < MK_STIX_KEY_MAX_TERMS) {
        k->terms[k->n_terms++] = *t;
    }
}

static void add_terms(struct mk_stix_key *out, const struct mk_stix_key *k, bool ports)
{
    for (size_t i = 0; i < k->n_terms; i++) {
        if ((k->terms[i].kind == MK_STIX_KEY_PORT) == ports) {
            add_term(out, &k->terms[i]);
        }
    }
}

/* a AND b on one object: one compound key, address terms before ports. */
static void merge(const struct mk_stix_key *a, const struct mk_stix_key *b, struct mk_stix_key *out)
{
    out->n_terms = 0;
    add_terms(out, a, false);
    add_terms(out, b, false);
    add_terms(out, a, true);
    add_terms(out, b, true);
}

static bool only_ports(const struct mk_stix_key *k)
{
    for (size_t i = 0; i < k->n_terms; i++) {
        if (k->terms[i].kind != MK_STIX_KEY_PORT) {
            return false;
        }
    }
    return true;
}

static bool has_port_only_key(const struct dnf *d)
{
    for (size_t i = 0; i < d->n; i++) {
        if (only_ports(&d->v[i])) {
            return true;
        }
    }
    return false;
}

/* Either side of an AND alone is a correct prefilter: prefer one whose keys do
 * not rest on ports alone, then the smaller one. */
static const struct dnf *pick_side(const struct dnf *a, const struct dnf *b)
{
    if (has_port_only_key(a) != has_port_only_key(b)) {
        return has_port_only_key(a) ? b : a;
    }
    return a->n <= b->n ? a : b;
}

static struct dnf and_dnf(struct xctx *x, const struct dnf *a, const struct dnf *b)
{
    struct dnf d;

    if (a->any || b->any) {
        return a->any ? *b : *a;
    }
    if (a->n == 0 || b->n == 0) {
        return a->n == 0 ? *a : *b; /* a side that never holds (IN ()) */
    }
    if (b->n > MAX_KEYS / a->n || !dnf_alloc(x, &d, a->n * b->n)) {
        return *pick_side(a, b);
    }
    for (size_t i = 0; i < a->n; i++) {
        for (size_t j = 0; j < b->n; j++) {
            merge(&a->v[i], &b->v[j], &d.v[d.n++]);
        }
    }
    return d;
}

/* OR: every disjunct needs keys; duplicates are dropped. */
static struct dnf or_dnf(struct xctx *x, const struct dnf *a, const struct dnf *b)
{
    struct dnf d;

    if (a->any || b->any || a->n + b->n > MAX_KEYS || !dnf_alloc(x, &d, a->n + b->n)) {
        return dnf_any;
    }
    if (a->n > 0) {
        memcpy(d.v, a->v, a->n * sizeof(*d.v));
    }
    d.n = a->n;
    for (size_t j = 0; j < b->n; j++) {
        bool dup = false;

        /* Duplicates only cost index space: skip the quadratic check on big sets. */
        for (size_t i = 0; i < a->n && !dup && a->n * b->n <= DEDUP_MAX; i++) {
            dup = same_key(&a->v[i], &b->v[j]);
        }
        if (!dup) {
            d.v[d.n++] = b->v[j];
        }
    }
    return d;
}

/* Recursion: the AST height is capped at MK_PAT_MAX_DEPTH (64) by the parser. */
// NOLINTNEXTLINE(misc-no-recursion): AST height capped at MK_PAT_MAX_DEPTH (64)
static struct dnf cmp_dnf(struct xctx *x, const struct mk_pat_cmp *c)
{
    struct dnf acc;

    if (c->kind == MK_PAT_CMP_TEST) {
        return test_dnf(x, c);
    }
    acc = cmp_dnf(x, c->first);
    for (const struct mk_pat_cmp *k = c->first->next; k != NULL && !x->failed; k = k->next) {
        struct dnf b = cmp_dnf(x, k);

        acc = c->kind == MK_PAT_CMP_AND ? and_dnf(x, &acc, &b) : or_dnf(x, &acc, &b);
    }
    return acc;
}

/* Observation level: OR needs keys on every side; AND and FOLLOWEDBY take the
 * keys of every side that has some, because each side's observations must be
 * able to propose the indicator for the verifier's history of observations to
 * hold all the parts (a key on one side alone would never see the other
 * side's observation); qualifiers keep their operand's keys. */
// NOLINTNEXTLINE(misc-no-recursion): AST height capped at MK_PAT_MAX_DEPTH (64)
static struct dnf obs_dnf(struct xctx *x, const struct mk_pat_obs *o)
{
    struct dnf acc;

    if (o->kind == MK_PAT_OBS_LEAF) {
        acc = cmp_dnf(x, o->cmp);
        return has_port_only_key(&acc) ? dnf_any : acc;
    }
    acc = obs_dnf(x, o->first);
    if (o->kind != MK_PAT_OBS_AND && o->kind != MK_PAT_OBS_OR && o->kind != MK_PAT_OBS_FOLLOWEDBY) {
        return acc;
    }
    for (const struct mk_pat_obs *k = o->first->next; k != NULL && !x->failed; k = k->next) {
        struct dnf b = obs_dnf(x, k);

        /* OR: the union; AND/FOLLOWEDBY: the union of the sides that have
         * keys (an unindexable side adds none, and takes none away) */
        bool is_or = o->kind == MK_PAT_OBS_OR;

        if (!is_or && acc.any) {
            acc = b;
        } else if (is_or || !b.any) {
            acc = or_dnf(x, &acc, &b);
        }
    }
    return acc;
}

size_t mk_stix_pattern_extract(const struct mk_stix_pattern *p, mk_stix_key_fn fn, void *ctx)
{
    struct xctx x = {.failed = false};
    struct dnf d;
    size_t n = 0;

    if (p == NULL || p->root == NULL) {
        return 0;
    }
    mk_arena_init(&x.scratch, 64u << 10, SCRATCH_MAX);
    d = obs_dnf(&x, p->root);
    if (!d.any && !x.failed) {
        for (; n < d.n; n++) {
            fn(ctx, &d.v[n]);
        }
    }
    mk_arena_fini(&x.scratch);
    return n;
}
