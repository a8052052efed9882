/* STIX pattern evaluation against observed data, mk_stix_pattern_match(): the
 * comparison tests of each [ ... ] on each cyber-observable, then a bounded search
 * over sets of observations for AND, FOLLOWEDBY and the qualifiers. */
#include <arpa/inet.h>
#include <string.h>

#include <regex.h>

#include "stix/pattern_int.h"

#define MAX_BINDINGS 1024        /* candidate observation sets kept per sub-expression */
#define WORK_BUDGET  (1u << 24)  /* set operations per call, then the search stops */
#define SCRATCH_MAX  (64u << 20) /* bytes of scratch memory per call */
#define RX_CACHE     16          /* compiled MATCHES regexes kept per call */

/* A comparison whose operand types do not compare is neither true nor false. */
enum tri {
    TRI_UNDEF,
    TRI_FALSE,
    TRI_TRUE,
};

struct rx {
    const struct mk_pat_cmp *t;
    regex_t re;
    bool ok;
};

/* One way to satisfy an observation expression: the observations it used. */
struct bind {
    const uint64_t *set; /* bit i = observation i */
    struct mk_time min_first;
    struct mk_time max_first;
    struct mk_time max_last;
};

struct bset {
    struct bind *v;
    size_t n;
    size_t cap;
};

struct ctx {
    const struct mk_stix_observation *obs;
    size_t n_obs;
    size_t words;
    size_t work;
    struct mk_arena scratch;
    struct rx rx[RX_CACHE];
    size_t n_rx;
};

/* ---- values ---------------------------------------------------------------- */

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static int cmp_bytes(const char *a, size_t an, const char *b, size_t bn, bool nocase)
{
    size_t n = an < bn ? an : bn;

    for (size_t i = 0; i < n; i++) {
        int ca = (unsigned char)a[i];
        int cb = (unsigned char)b[i];

        if (nocase) {
            ca = lower(ca);
            cb = lower(cb);
        }
        if (ca != cb) {
            return ca < cb ? -1 : 1;
        }
    }
    return an == bn ? 0 : (an < bn ? -1 : 1);
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c = (char)lower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static bool hex_decode(const char *s, size_t n, uint8_t *out)
{
    if (n % 2 != 0) {
        return false;
    }
    for (size_t i = 0; i < n; i += 2) {
        int hi = hexval(s[i]);
        int lo = hexval(s[i + 1]);

        if (hi < 0 || lo < 0) {
            return false;
        }
        out[i / 2] = (uint8_t)(hi << 4 | lo);
    }
    return true;
}

static int b64val(char c)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const char *p = c != '\0' ? strchr(alphabet, c) : NULL;

    return p != NULL ? (int)(p - alphabet) : -1;
}

/* RFC 4648 base64 with padding; *len is the decoded length. */
static bool b64_decode(const char *s, size_t n, uint8_t *out, size_t *len)
{
    size_t j = 0;

    if (n % 4 != 0) {
        return false;
    }
    for (size_t i = 0; i < n; i += 4) {
        uint32_t v = 0;
        int got = 0;

        for (int k = 0; k < 4; k++) {
            int d = b64val(s[i + k]);

            if (d < 0 && !(s[i + k] == '=' && i + 4 == n && k >= 2)) {
                return false;
            }
            v = v << 6 | (uint32_t)(d < 0 ? 0 : d);
            got += d >= 0;
        }
        for (int k = 0; k < got - 1; k++) {
            out[j++] = (uint8_t)(v >> (16 - 8 * k));
        }
    }
    *len = j;
    return true;
}

/* A JSON string holding binary data, as hex or base64 (the literal's form first). */
static bool bytes_of(struct ctx *c, const struct mk_json *v, bool hex_first, const uint8_t **out,
                     size_t *len)
{
    uint8_t *buf = mk_arena_alloc(&c->scratch, v->len + 4);

    if (buf == NULL) {
        return false;
    }
    *out = buf;
    if (hex_first && hex_decode(v->u.str, v->len, buf)) {
        *len = v->len / 2;
        return true;
    }
    if (b64_decode(v->u.str, v->len, buf, len)) {
        return true;
    }
    *len = v->len / 2;
    return !hex_first && hex_decode(v->u.str, v->len, buf);
}

static bool order_number(const struct mk_json *v, const struct mk_pat_lit *l, int *res)
{
    int64_t vi;
    double d;
    double x;

    if (l->type == MK_PAT_LIT_INT && mk_json_get_int(v, &vi)) {
        *res = (vi > l->i) - (vi < l->i);
        return true;
    }
    d = mk_json_number(v);
    x = l->type == MK_PAT_LIT_INT ? (double)l->i : l->f;
    if (d != d || x != x) {
        return false; /* NaN orders against nothing */
    }
    *res = (d > x) - (d < x);
    return true;
}

/* Orders v against l into *res (-1, 0, 1); false when the types do not compare:
 * strings bytewise, numbers numerically, timestamps in time, binary bytewise. */
static bool order(struct ctx *c, const struct mk_json *v, const struct mk_pat_lit *l, bool nocase,
                  int *res)
{
    struct mk_time t;
    const uint8_t *b;
    size_t n;

    if (l->type == MK_PAT_LIT_INT || l->type == MK_PAT_LIT_FLOAT) {
        return v->type == MK_JSON_NUMBER && order_number(v, l, res);
    }
    if (l->type == MK_PAT_LIT_BOOL) {
        *res = v->boolean == l->boolean ? 0 : 1;
        return v->type == MK_JSON_BOOL;
    }
    if (v->type != MK_JSON_STRING) {
        return false;
    }
    switch (l->type) {
    case MK_PAT_LIT_STR:
        *res = cmp_bytes(v->u.str, v->len, l->str, l->len, nocase);
        return true;
    case MK_PAT_LIT_TS:
        if (mk_time_parse_rfc3339(v->u.str, v->len, true, &t) != MK_OK) {
            return false;
        }
        *res = mk_time_cmp(&t, &l->ts);
        return true;
    default: /* HEX, BIN */
        if (!bytes_of(c, v, l->type == MK_PAT_LIT_HEX, &b, &n)) {
            return false;
        }
        *res = cmp_bytes((const char *)b, n, l->str, l->len, false);
        return true;
    }
}

static size_t utf8_step(const char *s, size_t i, size_t n)
{
    i++;
    while (i < n && ((unsigned char)s[i] & 0xc0) == 0x80) {
        i++;
    }
    return i;
}

/* SQL LIKE: '%' matches any run, '_' one character (one UTF-8 code point).
 * Backtracks only to the last '%', so the cost is O(n * m). */
static bool like(const char *s, size_t n, const char *p, size_t m)
{
    size_t i = 0;
    size_t j = 0;
    size_t star_j = SIZE_MAX;
    size_t star_i = 0;

    while (i < n) {
        if (j < m && p[j] == '%') {
            star_j = j++;
            star_i = i;
        } else if (j < m && p[j] == '_') {
            i = utf8_step(s, i, n);
            j++;
        } else if (j < m && p[j] == s[i]) {
            i++;
            j++;
        } else if (star_j != SIZE_MAX) {
            j = star_j + 1;
            star_i = utf8_step(s, star_i, n);
            i = star_i;
        } else {
            return false;
        }
    }
    while (j < m && p[j] == '%') {
        j++;
    }
    return j == m;
}

/* POSIX extended regex, compiled once per call (the spec says PCRE). */
static enum tri regex(struct ctx *c, const struct mk_pat_cmp *t, const struct mk_json *v)
{
    const struct mk_pat_lit *l = &t->lits[0];
    struct rx tmp;
    struct rx *r = NULL;
    enum tri out;

    memset(&tmp, 0, sizeof(tmp));
    for (size_t i = 0; i < c->n_rx && r == NULL; i++) {
        r = c->rx[i].t == t ? &c->rx[i] : NULL;
    }
    if (r == NULL) {
        r = c->n_rx < RX_CACHE ? &c->rx[c->n_rx++] : &tmp;
        r->t = t;
        r->ok = strlen(l->str) == l->len && regcomp(&r->re, l->str, REG_EXTENDED | REG_NOSUB) == 0;
    }
    if (!r->ok) {
        return TRI_UNDEF;
    }
    out = regexec(&r->re, v->u.str, 0, NULL, 0) == 0 ? TRI_TRUE : TRI_FALSE;
    if (r == &tmp) {
        regfree(&tmp.re);
    }
    return out;
}

struct net {
    int family;
    uint8_t addr[16];
    unsigned prefix;
};

/* "a.b.c.d", "a.b.c.d/n" and the IPv6 forms. */
static bool parse_net(const char *s, size_t n, struct net *out)
{
    const char *slash = memchr(s, '/', n);
    size_t alen = slash != NULL ? (size_t)(slash - s) : n;
    unsigned max;
    char buf[64];

    if (alen == 0 || alen >= sizeof(buf)) {
        return false;
    }
    memcpy(buf, s, alen);
    buf[alen] = '\0';
    memset(out->addr, 0, sizeof(out->addr));
    if (inet_pton(AF_INET, buf, out->addr) == 1) {
        out->family = 4;
        max = 32;
    } else if (inet_pton(AF_INET6, buf, out->addr) == 1) {
        out->family = 6;
        max = 128;
    } else {
        return false;
    }
    out->prefix = max;
    if (slash != NULL) {
        size_t i = alen + 1;

        out->prefix = 0;
        if (i == n || n - i > 3) {
            return false;
        }
        for (; i < n; i++) {
            if (s[i] < '0' || s[i] > '9') {
                return false;
            }
            out->prefix = out->prefix * 10 + (unsigned)(s[i] - '0');
        }
    }
    return out->prefix <= max;
}

/* True when every address of `in` is in `out`. */
static bool net_within(const struct net *in, const struct net *out)
{
    unsigned full = out->prefix / 8;
    unsigned rest = out->prefix % 8;

    if (in->family != out->family || in->prefix < out->prefix ||
        memcmp(in->addr, out->addr, full) != 0) {
        return false;
    }
    return rest == 0 || ((in->addr[full] ^ out->addr[full]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

static enum tri subset(const struct mk_pat_cmp *t, const struct mk_json *v)
{
    struct net a;
    struct net b;
    const struct mk_pat_lit *l = &t->lits[0];

    if (!parse_net(v->u.str, v->len, &a) || !parse_net(l->str, l->len, &b) ||
        a.family != b.family) {
        return TRI_UNDEF;
    }
    if (t->op == MK_PAT_ISSUBSET) {
        return net_within(&a, &b) ? TRI_TRUE : TRI_FALSE;
    }
    return net_within(&b, &a) ? TRI_TRUE : TRI_FALSE;
}

static enum tri in_set(struct ctx *c, const struct mk_pat_cmp *t, const struct mk_json *v)
{
    enum tri out = t->n_lits == 0 ? TRI_FALSE : TRI_UNDEF;
    int res;

    for (size_t i = 0; i < t->n_lits; i++) {
        if (order(c, v, &t->lits[i], t->is_hash, &res)) {
            if (res == 0) {
                return TRI_TRUE;
            }
            out = TRI_FALSE;
        }
    }
    return out;
}

static enum tri apply(struct ctx *c, const struct mk_pat_cmp *t, const struct mk_json *v)
{
    int r;

    switch (t->op) {
    case MK_PAT_IN:
        return in_set(c, t, v);
    case MK_PAT_LIKE:
    case MK_PAT_MATCHES:
    case MK_PAT_ISSUBSET:
    case MK_PAT_ISSUPERSET:
        if (v->type != MK_JSON_STRING) {
            return TRI_UNDEF;
        }
        if (t->op == MK_PAT_LIKE) {
            return like(v->u.str, v->len, t->lits[0].str, t->lits[0].len) ? TRI_TRUE : TRI_FALSE;
        }
        return t->op == MK_PAT_MATCHES ? regex(c, t, v) : subset(t, v);
    default:
        break;
    }
    if (!order(c, v, &t->lits[0], t->is_hash, &r)) {
        return TRI_UNDEF;
    }
    switch (t->op) {
    case MK_PAT_EQ:
        return r == 0 ? TRI_TRUE : TRI_FALSE;
    case MK_PAT_NE:
        return r != 0 ? TRI_TRUE : TRI_FALSE;
    case MK_PAT_GT:
        return r > 0 ? TRI_TRUE : TRI_FALSE;
    case MK_PAT_LT:
        return r < 0 ? TRI_TRUE : TRI_FALSE;
    case MK_PAT_GE:
        return r >= 0 ? TRI_TRUE : TRI_FALSE;
    default:
        return r <= 0 ? TRI_TRUE : TRI_FALSE;
    }
}

/* ---- object paths ---------------------------------------------------------- */

struct walker {
    struct ctx *c;
    const struct mk_stix_observation *o;
    const struct mk_pat_cmp *t;
};

static bool ends_with(const char *s, size_t n, const char *suffix)
{
    size_t k = strlen(suffix);

    return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

/* A _ref value: the object whose "id" (or dictionary key) it names. */
static const struct mk_json *deref(const struct mk_stix_observation *o, const struct mk_json *v)
{
    if (v->type != MK_JSON_STRING) {
        return NULL;
    }
    for (size_t i = 0; i < o->n_objects; i++) {
        const struct mk_json *id = mk_json_get(o->objects[i], "id");

        if ((id != NULL && id->type == MK_JSON_STRING && id->len == v->len &&
             memcmp(id->u.str, v->u.str, v->len) == 0) ||
            (o->keys != NULL && o->keys[i] != NULL && strlen(o->keys[i]) == v->len &&
             memcmp(o->keys[i], v->u.str, v->len) == 0)) {
            return o->objects[i];
        }
    }
    return NULL;
}

static bool visit(struct walker *w, const struct mk_json *v)
{
    if (w->t->op == MK_PAT_EXISTS) {
        return true;
    }
    return apply(w->c, w->t, v) == (w->t->negated ? TRI_FALSE : TRI_TRUE);
}

/* True when some value reached from v through steps[i...] satisfies the test.
 * Recursion: one level per path step, at most MK_PAT_MAX_STEPS (64). */
// NOLINTNEXTLINE(misc-no-recursion): path steps capped at MK_PAT_MAX_STEPS (64)
static bool walk(struct walker *w, const struct mk_json *v, size_t i, bool is_ref)
{
    const struct mk_pat_path *path = &w->t->path;
    const struct mk_pat_step *s;
    bool refs;

    if (v == NULL || v->type == MK_JSON_NULL) {
        return false;
    }
    if (i == path->n_steps) {
        return visit(w, v);
    }
    if (is_ref && (v = deref(w->o, v)) == NULL) {
        return false;
    }
    s = &path->steps[i];
    if (s->kind == MK_PAT_STEP_KEY) {
        /* A quoted name holding a NUL names no JSON member that can be looked up. */
        bool plain = v->type == MK_JSON_OBJECT && strlen(s->key) == s->key_len;

        return walk(w, plain ? mk_json_get(v, s->key) : NULL, i + 1,
                    ends_with(s->key, s->key_len, "_ref"));
    }
    if (v->type != MK_JSON_ARRAY) {
        return false;
    }
    refs = path->steps[i - 1].kind == MK_PAT_STEP_KEY &&
           ends_with(path->steps[i - 1].key, path->steps[i - 1].key_len, "_refs");
    if (s->kind == MK_PAT_STEP_INDEX) {
        /* Negative indexes are in the grammar but have no meaning: no value. */
        return s->index >= 0 && (uint64_t)s->index < v->len &&
               walk(w, &v->u.items[s->index], i + 1, refs);
    }
    for (uint32_t k = 0; k < v->len; k++) {
        if (walk(w, &v->u.items[k], i + 1, refs)) {
            return true;
        }
    }
    return false;
}

static bool test_holds(struct ctx *c, const struct mk_pat_cmp *t,
                       const struct mk_stix_observation *o, const struct mk_json *root)
{
    struct walker w = {.c = c, .o = o, .t = t};
    const struct mk_json *type = mk_json_get(root, "type");
    bool found;

    if (type == NULL || type->type != MK_JSON_STRING || type->len != t->path.type_len ||
        memcmp(type->u.str, t->path.type, t->path.type_len) != 0) {
        return false;
    }
    found = walk(&w, root, 0, false);
    return t->op == MK_PAT_EXISTS && t->negated ? !found : found;
}

/* Recursion: the AST height is capped at MK_PAT_MAX_DEPTH (64) by the parser. */
// NOLINTNEXTLINE(misc-no-recursion): AST height capped at MK_PAT_MAX_DEPTH (64)
static bool cmp_holds(struct ctx *c, const struct mk_pat_cmp *e,
                      const struct mk_stix_observation *o, const struct mk_json *root)
{
    if (e->kind == MK_PAT_CMP_TEST) {
        return test_holds(c, e, o, root);
    }
    for (const struct mk_pat_cmp *k = e->first; k != NULL; k = k->next) {
        if (cmp_holds(c, k, o, root) != (e->kind == MK_PAT_CMP_AND)) {
            return e->kind == MK_PAT_CMP_OR;
        }
    }
    return e->kind == MK_PAT_CMP_AND;
}

/* All tests of one [ ... ] hold on the same root object of the observation. */
static bool leaf_matches(struct ctx *c, const struct mk_pat_cmp *e,
                         const struct mk_stix_observation *o)
{
    for (size_t j = 0; j < o->n_objects; j++) {
        if (o->objects[j] != NULL && o->objects[j]->type == MK_JSON_OBJECT &&
            cmp_holds(c, e, o, o->objects[j])) {
            return true;
        }
    }
    return false;
}

/* ---- observation sets ------------------------------------------------------ */

static bool spend(struct ctx *c, size_t n)
{
    c->work += n;
    return c->work <= WORK_BUDGET;
}

static struct bset *bset_new(struct ctx *c)
{
    struct bset *s = mk_arena_alloc(&c->scratch, sizeof(*s));

    if (s != NULL) {
        memset(s, 0, sizeof(*s));
    }
    return s;
}

static bool subset_of(const struct ctx *c, const struct bind *a, const struct bind *b)
{
    for (size_t w = 0; w < c->words; w++) {
        if ((a->set[w] & ~b->set[w]) != 0) {
            return false;
        }
    }
    return true;
}

/* Adds b, keeping only minimal sets: a binding that uses a superset of another's
 * observations can never help (its time span is wider and it overlaps more), so
 * it is dropped. Beyond MAX_BINDINGS the rest is dropped too (a missed match,
 * never a false one). */
static void bset_add(struct ctx *c, struct bset *s, const struct bind *b)
{
    if (!spend(c, s->n + 1)) {
        return;
    }
    for (size_t i = 0; i < s->n; i++) {
        if (subset_of(c, &s->v[i], b)) {
            return;
        }
        if (subset_of(c, b, &s->v[i])) {
            s->v[i--] = s->v[--s->n];
        }
    }
    if (s->n == MAX_BINDINGS) {
        return;
    }
    if (s->n == s->cap) {
        size_t cap = s->cap == 0 ? 8 : s->cap * 2;
        struct bind *v = mk_arena_alloc(&c->scratch, cap * sizeof(*v));

        if (v == NULL) {
            return;
        }
        if (s->n > 0) {
            memcpy(v, s->v, s->n * sizeof(*v));
        }
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n++] = *b;
}

static bool single(struct ctx *c, size_t i, struct bind *b)
{
    uint64_t *set = mk_arena_alloc(&c->scratch, c->words * sizeof(uint64_t));

    if (set == NULL) {
        return false;
    }
    memset(set, 0, c->words * sizeof(uint64_t));
    set[i / 64] = UINT64_C(1) << (i % 64);
    b->set = set;
    b->min_first = c->obs[i].first_observed;
    b->max_first = c->obs[i].first_observed;
    b->max_last = c->obs[i].last_observed;
    return true;
}

static bool join(struct ctx *c, const struct bind *a, const struct bind *b, struct bind *out)
{
    uint64_t *set = mk_arena_alloc(&c->scratch, c->words * sizeof(uint64_t));

    if (set == NULL) {
        return false;
    }
    for (size_t w = 0; w < c->words; w++) {
        set[w] = a->set[w] | b->set[w];
    }
    out->set = set;
    out->min_first = mk_time_cmp(&a->min_first, &b->min_first) <= 0 ? a->min_first : b->min_first;
    out->max_first = mk_time_cmp(&a->max_first, &b->max_first) >= 0 ? a->max_first : b->max_first;
    out->max_last = mk_time_cmp(&a->max_last, &b->max_last) >= 0 ? a->max_last : b->max_last;
    return true;
}

static bool disjoint(const struct ctx *c, const struct bind *a, const struct bind *b)
{
    for (size_t w = 0; w < c->words; w++) {
        if ((a->set[w] & b->set[w]) != 0) {
            return false;
        }
    }
    return true;
}

static struct bset *eval_leaf(struct ctx *c, const struct mk_pat_obs *o)
{
    struct bset *s = bset_new(c);
    struct bind b;

    for (size_t i = 0; s != NULL && i < c->n_obs; i++) {
        if (leaf_matches(c, o->cmp, &c->obs[i]) && single(c, i, &b)) {
            bset_add(c, s, &b);
        }
    }
    return s;
}

/* AND: one binding of each side, overlapping allowed. FOLLOWEDBY: disjoint, and
 * every start time on the left at or before every start time on the right. */
static struct bset *product(struct ctx *c, const struct bset *a, const struct bset *b, bool seq)
{
    struct bset *s = bset_new(c);
    struct bind j;

    for (size_t x = 0; s != NULL && x < a->n; x++) {
        for (size_t y = 0; y < b->n && spend(c, 1); y++) {
            const struct bind *l = &a->v[x];
            const struct bind *r = &b->v[y];

            if (seq && (!disjoint(c, l, r) || mk_time_cmp(&l->max_first, &r->min_first) > 0)) {
                continue;
            }
            if (join(c, l, r, &j)) {
                bset_add(c, s, &j);
            }
        }
    }
    return s;
}

static bool in_window(const struct bind *b, const struct mk_pat_obs *q)
{
    int64_t ds = b->max_last.sec - b->min_first.sec;
    int64_t dn = (int64_t)b->max_last.nsec - (int64_t)b->min_first.nsec;

    if (q->kind == MK_PAT_OBS_STARTSTOP) {
        return mk_time_cmp(&q->start.ts, &b->min_first) <= 0 &&
               mk_time_cmp(&b->max_first, &q->stop.ts) < 0;
    }
    if (dn < 0) {
        ds--;
        dn += 1000000000;
    }
    return ds < q->within_sec || (ds == q->within_sec && dn <= (int64_t)q->within_nsec);
}

static struct bset *filter(struct ctx *c, const struct bset *in, const struct mk_pat_obs *q)
{
    struct bset *s = bset_new(c);

    for (size_t i = 0; s != NULL && i < in->n; i++) {
        if (in_window(&in->v[i], q)) {
            bset_add(c, s, &in->v[i]);
        }
    }
    return s;
}

/* REPEATS n: unions of n pairwise disjoint bindings, enumerated depth first
 * without recursion (n may be large). */
static struct bset *repeats(struct ctx *c, const struct bset *in, uint32_t n)
{
    struct bset *s = bset_new(c);
    size_t *idx = n <= in->n ? mk_arena_alloc(&c->scratch, n * sizeof(*idx)) : NULL;
    struct bind *acc = idx != NULL ? mk_arena_alloc(&c->scratch, n * sizeof(*acc)) : NULL;
    size_t d = 0;

    if (s == NULL || acc == NULL) {
        return s;
    }
    idx[0] = 0;
    while (spend(c, 1) && s->n < MAX_BINDINGS) {
        if (idx[d] + (n - d) > in->n) {
            if (d == 0) {
                break;
            }
            idx[--d]++;
            continue;
        }
        if (d > 0 && !disjoint(c, &acc[d - 1], &in->v[idx[d]])) {
            idx[d]++;
            continue;
        }
        if (d == 0) {
            acc[0] = in->v[idx[0]];
        } else if (!join(c, &acc[d - 1], &in->v[idx[d]], &acc[d])) {
            break;
        }
        if (d + 1 == n) {
            bset_add(c, s, &acc[d]);
            idx[d]++;
        } else {
            idx[d + 1] = idx[d] + 1;
            d++;
        }
    }
    return s;
}

/* Recursion: the AST height is capped at MK_PAT_MAX_DEPTH (64) by the parser. */
// NOLINTNEXTLINE(misc-no-recursion): AST height capped at MK_PAT_MAX_DEPTH (64)
static struct bset *eval_obs(struct ctx *c, const struct mk_pat_obs *o)
{
    struct bset *acc;

    if (o->kind == MK_PAT_OBS_LEAF) {
        return eval_leaf(c, o);
    }
    acc = eval_obs(c, o->first);
    if (acc == NULL) {
        return NULL;
    }
    switch (o->kind) {
    case MK_PAT_OBS_WITHIN:
    case MK_PAT_OBS_STARTSTOP:
        return filter(c, acc, o);
    case MK_PAT_OBS_REPEATS:
        return repeats(c, acc, o->repeats);
    default:
        break;
    }
    for (const struct mk_pat_obs *k = o->first->next; k != NULL && acc != NULL; k = k->next) {
        const struct bset *b = eval_obs(c, k);

        if (b == NULL) {
            return NULL;
        }
        if (o->kind == MK_PAT_OBS_OR) {
            for (size_t i = 0; i < b->n; i++) {
                bset_add(c, acc, &b->v[i]);
            }
        } else {
            acc = product(c, acc, b, o->kind == MK_PAT_OBS_FOLLOWEDBY);
        }
    }
    return acc;
}

/* Leaves joined by OR need no observation sets: any matching observation will do. */
// NOLINTNEXTLINE(misc-no-recursion): AST height capped at MK_PAT_MAX_DEPTH (64)
static bool is_simple(const struct mk_pat_obs *o)
{
    if (o->kind == MK_PAT_OBS_LEAF) {
        return true;
    }
    if (o->kind != MK_PAT_OBS_OR) {
        return false;
    }
    for (const struct mk_pat_obs *k = o->first; k != NULL; k = k->next) {
        if (!is_simple(k)) {
            return false;
        }
    }
    return true;
}

// NOLINTNEXTLINE(misc-no-recursion): AST height capped at MK_PAT_MAX_DEPTH (64)
static bool any_match(struct ctx *c, const struct mk_pat_obs *o)
{
    if (o->kind == MK_PAT_OBS_LEAF) {
        for (size_t i = 0; i < c->n_obs; i++) {
            if (leaf_matches(c, o->cmp, &c->obs[i])) {
                return true;
            }
        }
        return false;
    }
    for (const struct mk_pat_obs *k = o->first; k != NULL; k = k->next) {
        if (any_match(c, k)) {
            return true;
        }
    }
    return false;
}

bool mk_stix_pattern_match(const struct mk_stix_pattern *p, const struct mk_stix_observation *obs,
                           size_t n_obs)
{
    struct ctx c = {.obs = obs, .n_obs = n_obs, .words = (n_obs + 63) / 64};
    const struct bset *s;
    bool hit;

    if (p == NULL || p->root == NULL || n_obs == 0) {
        return false;
    }
    mk_arena_init(&c.scratch, 64u << 10, SCRATCH_MAX);
    if (is_simple(p->root)) {
        hit = any_match(&c, p->root);
    } else {
        s = eval_obs(&c, p->root);
        hit = s != NULL && s->n > 0;
    }
    for (size_t i = 0; i < c.n_rx; i++) {
        if (c.rx[i].ok) {
            regfree(&c.rx[i].re);
        }
    }
    mk_arena_fini(&c.scratch);
    return hit;
}
