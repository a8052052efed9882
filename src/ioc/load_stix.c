/* STIX 2.1 bundles: mk_ioc_load_stix() reads the file twice with the streaming
 * reader: pass 1 collects identity names and TLP marking-definitions (small),
 * pass 2 turns each indicator's prefilter keys into set entries. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ioc/load_int.h"

#define MAP_MAX       (1u << 20) /* identities + markings remembered from one bundle */
#define LABELS_MAX    1024
#define PATTERN_MEM   (64u << 20)
#define LOG_ON_DEMAND 5

/* ---- pass 1: identity id -> name, marking id -> TLP ----------------------------- */

struct ref {
    const char *id; /* NULL = empty slot */
    const char *name;
    enum mk_tlp tlp;
};

struct refmap {
    struct ref *tab;
    size_t cap; /* power of two */
    size_t n;
    struct mk_arena a;
    bool full_logged;
};

static struct ref *ref_slot(const struct refmap *m, const char *id, size_t n)
{
    size_t i = (size_t)mk_hash64(id, n, 0) & (m->cap - 1);

    while (m->tab[i].id != NULL && (strncmp(m->tab[i].id, id, n) != 0 || m->tab[i].id[n] != 0)) {
        i = (i + 1) & (m->cap - 1);
    }
    return &m->tab[i];
}

static const struct ref *ref_find(const struct refmap *m, struct mk_slice id)
{
    const struct ref *r;

    if (m->cap == 0 || id.ptr == NULL) {
        return NULL;
    }
    r = ref_slot(m, (const char *)id.ptr, id.len);
    return r->id != NULL ? r : NULL;
}

static enum mk_status ref_grow(struct refmap *m)
{
    size_t cap = m->cap == 0 ? 64 : m->cap * 2;
    struct ref *old = m->tab;
    size_t old_cap = m->cap;

    m->tab = calloc(cap, sizeof(*m->tab));
    if (m->tab == NULL) {
        m->tab = old;
        return MK_ENOMEM;
    }
    m->cap = cap;
    for (size_t i = 0; i < old_cap; i++) {
        if (old[i].id != NULL) {
            *ref_slot(m, old[i].id, strlen(old[i].id)) = old[i];
        }
    }
    free(old);
    return MK_OK;
}

static enum mk_status ref_put(struct refmap *m, struct mk_slice id, const char *name,
                              size_t name_len, enum mk_tlp tlp)
{
    struct ref *r;

    if (m->n >= MAP_MAX) {
        if (!m->full_logged) {
            m->full_logged = true;
            mk_log(MK_LOG_WARN, "stix: more than %u identities/markings: the rest are ignored",
                   MAP_MAX);
        }
        return MK_OK;
    }
    if ((m->n + 1) * 2 > m->cap && ref_grow(m) != MK_OK) {
        return MK_ENOMEM;
    }
    r = ref_slot(m, (const char *)id.ptr, id.len);
    if (r->id != NULL) {
        return MK_OK; /* first definition wins */
    }
    r->id = mk_arena_strndup(&m->a, id.ptr, id.len);
    r->name = name != NULL ? mk_arena_strndup(&m->a, name, name_len) : NULL;
    r->tlp = tlp;
    if (r->id == NULL || (name != NULL && r->name == NULL)) {
        r->id = NULL;
        return MK_ENOMEM;
    }
    m->n++;
    return MK_OK;
}

/* TLP 1.0 (definition_type "tlp", definition.tlp) or TLP 2.0 (an extension
 * with "tlp_2_0"), else a name "TLP:...". */
static enum mk_tlp marking_tlp(const struct mk_json *obj)
{
    const struct mk_json *ext = mk_json_get(obj, "extensions");
    const struct mk_json *v = mk_json_get(mk_json_get(obj, "definition"), "tlp");
    const struct mk_json *name = mk_json_get(obj, "name");

    if (mk_json_is_str(mk_json_get(obj, "definition_type"), "tlp") && v != NULL &&
        v->type == MK_JSON_STRING) {
        return mk_tlp_parse(v->u.str);
    }
    for (uint32_t i = 0; ext != NULL && ext->type == MK_JSON_OBJECT && i < ext->len; i++) {
        v = mk_json_get(&ext->u.members[i].value, "tlp_2_0");
        if (v != NULL && v->type == MK_JSON_STRING) {
            return mk_tlp_parse(v->u.str);
        }
    }
    if (name != NULL && name->type == MK_JSON_STRING && strncasecmp(name->u.str, "TLP:", 4) == 0) {
        return mk_tlp_parse(name->u.str);
    }
    return MK_TLP_UNSET;
}

static enum mk_status collect_refs(void *ctx, const struct mk_json *obj, size_t index)
{
    struct refmap *m = ctx;
    struct mk_stix_common c;
    const struct mk_json *name;
    enum mk_tlp tlp;

    (void)index;
    mk_stix_common_read(obj, &c);
    if (c.id.ptr == NULL) {
        return MK_OK;
    }
    if (c.type == MK_STIX_IDENTITY) {
        name = mk_json_get(obj, "name");
        if (name != NULL && name->type == MK_JSON_STRING && name->len > 0) {
            return ref_put(m, c.id, name->u.str, name->len, MK_TLP_UNSET);
        }
    } else if (c.type == MK_STIX_MARKING_DEFINITION) {
        tlp = marking_tlp(obj);
        if (tlp != MK_TLP_UNSET) {
            return ref_put(m, c.id, NULL, 0, tlp);
        }
    }
    return MK_OK;
}

/* ---- pass 2: indicators ---------------------------------------------------------- */

struct stix {
    struct mk_ioc_load_ctx c;
    struct mk_ioc_attrs defaults;
    struct refmap refs;
    struct mk_arena scratch; /* one indicator's pattern and strings */
    struct mk_buf fmt;       /* the normalised pattern */
    /* the indicator being loaded */
    struct mk_ioc_attrs attrs;
    size_t index;
    size_t n_keys;
    bool exact; /* the pattern is nothing but its keys: entries carry no pattern */
    enum mk_status st;
    uint64_t other_types;
    char feed[256];
};

static int lower_tlp_rank(enum mk_tlp t)
{
    return (int)t; /* the enum runs from the least to the most restrictive */
}

/* The most restrictive TLP among the object's markings. */
static enum mk_tlp indicator_tlp(const struct stix *s, const struct mk_json *refs)
{
    enum mk_tlp best = MK_TLP_UNSET;

    for (uint32_t i = 0; refs != NULL && refs->type == MK_JSON_ARRAY && i < refs->len; i++) {
        const struct mk_json *r = &refs->u.items[i];
        const struct ref *m;
        enum mk_tlp t = MK_TLP_UNSET;

        if (r->type != MK_JSON_STRING) {
            continue;
        }
        t = mk_tlp_from_marking_id(r->u.str);
        if (t == MK_TLP_UNSET &&
            (m = ref_find(&s->refs, (struct mk_slice){(const uint8_t *)r->u.str, r->len})) !=
                NULL) {
            t = m->tlp;
        }
        if (lower_tlp_rank(t) > lower_tlp_rank(best)) {
            best = t;
        }
    }
    return best;
}

/* Appends the strings of a JSON array (or "a:b" of kill_chain_phases). */
static void join(struct mk_buf *b, const struct mk_json *arr, bool phases)
{
    for (uint32_t i = 0; arr != NULL && arr->type == MK_JSON_ARRAY && i < arr->len; i++) {
        const struct mk_json *v = &arr->u.items[i];
        const struct mk_json *k = mk_json_get(v, "kill_chain_name");
        const struct mk_json *p = mk_json_get(v, "phase_name");
        enum mk_status st = MK_OK;

        if (phases && k != NULL && p != NULL && k->type == MK_JSON_STRING &&
            p->type == MK_JSON_STRING) {
            st = mk_buf_printf(b, "%s%s:%s", b->len > 0 ? "," : "", k->u.str, p->u.str);
        } else if (!phases && v->type == MK_JSON_STRING) {
            st = mk_buf_printf(b, "%s%s", b->len > 0 ? "," : "", v->u.str);
        }
        if (st != MK_OK) {
            return; /* capped: a shorter list is still useful */
        }
    }
}

static const char *slice_str(struct mk_arena *a, struct mk_slice sl)
{
    return sl.ptr != NULL && sl.len > 0 ? mk_arena_strndup(a, sl.ptr, sl.len) : NULL;
}

static const char *buf_str(struct mk_arena *a, struct mk_buf *b)
{
    const char *r = b->len > 0 ? mk_arena_strndup(a, b->data, b->len) : NULL;

    mk_buf_reset(b);
    return r;
}

/* Attributes of one indicator: its own properties, the loader's defaults
 * where it has none. */
static void indicator_attrs(struct stix *s, const struct mk_stix_indicator *ind)
{
    struct mk_ioc_attrs *a = &s->attrs;
    const struct ref *by = ref_find(&s->refs, ind->common.created_by_ref);
    enum mk_tlp tlp = indicator_tlp(s, ind->common.object_marking_refs);
    struct mk_buf b;

    *a = s->defaults;
    mk_buf_init(&b, LABELS_MAX);
    a->stix_id = slice_str(&s->scratch, ind->common.id);
    a->name = ind->name.ptr != NULL ? slice_str(&s->scratch, ind->name) : a->name;
    if (by != NULL && by->name != NULL) {
        a->source = by->name;
    } else if (ind->common.created_by_ref.ptr != NULL && a->source == NULL) {
        a->source = slice_str(&s->scratch, ind->common.created_by_ref);
    }
    a->tlp = tlp != MK_TLP_UNSET ? tlp : a->tlp;
    if (ind->common.confidence >= 0 && ind->common.confidence <= 100) {
        a->confidence = (uint8_t)ind->common.confidence;
    }
    join(&b, ind->common.labels, false);
    join(&b, ind->indicator_types, false);
    a->labels = b.len > 0 ? buf_str(&s->scratch, &b) : a->labels;
    join(&b, ind->kill_chain_phases, true);
    a->kill_chain = b.len > 0 ? buf_str(&s->scratch, &b) : a->kill_chain;
    a->valid_from = ind->valid_from.sec;
    a->valid_until = ind->has_valid_until ? ind->valid_until.sec : 0;
    a->revoked = ind->common.revoked;
    mk_buf_fini(&b);
}

/* Whether the normalised pattern is "[t OR t ...]" with each t "path = 'literal'"
 * or "path ISSUBSET 'literal'": one observation of plain equality tests joined
 * by OR, so each prefilter key is a whole disjunct. The writer's output is
 * canonical (single spaces, literals re-quoted), which is what makes this
 * textual reading of the AST's shape reliable. */
static bool only_equalities(const char *p, size_t n, size_t *n_terms)
{
    size_t i = 1;

    *n_terms = 0;
    if (n < 2 || p[0] != '[' || p[n - 1] != ']') {
        return false;
    }
    for (;;) {
        bool q = false;
        size_t op;

        for (; i < n && (q || p[i] != ' '); i++) { /* the path (quoted steps may hold blanks) */
            q = p[i] == '\'' ? !q : q;
            i += q && p[i] == '\\';
        }
        if (i >= n) {
            return false;
        }
        op = ++i;
        if (strncmp(p + op, "= '", 3) == 0) {
            i = op + 2;
        } else if (strncmp(p + op, "ISSUBSET '", 10) == 0) {
            i = op + 9;
        } else {
            return false;
        }
        for (i++; i < n && p[i] != '\''; i++) { /* the string literal */
            i += p[i] == '\\';
        }
        (*n_terms)++;
        if (++i == n - 1) {
            return true;
        }
        if (i >= n || strncmp(p + i, " OR ", 4) != 0) {
            return false;
        }
        i += 4;
    }
}

static bool key_is_plain(const struct mk_stix_key *k)
{
    return k->n_terms == 1 && k->terms[0].role == MK_STIX_ROLE_ANY &&
           k->terms[0].kind != MK_STIX_KEY_PORT;
}

static void count_keys(void *ctx, const struct mk_stix_key *key)
{
    struct stix *s = ctx;

    s->n_keys++;
    s->exact = s->exact && key_is_plain(key);
}

static enum mk_ioc_type value_type(enum mk_stix_key_kind kind, const char *v)
{
    bool v4 = kind == MK_STIX_KEY_IPV4;

    switch (kind) {
    case MK_STIX_KEY_IPV4:
    case MK_STIX_KEY_IPV6:
        if (strchr(v, '/') != NULL) {
            return v4 ? MK_IOC_CIDR4 : MK_IOC_CIDR6;
        }
        return v4 ? MK_IOC_IPV4 : MK_IOC_IPV6;
    case MK_STIX_KEY_DOMAIN:
        return MK_IOC_DOMAIN;
    case MK_STIX_KEY_URL:
        return MK_IOC_URL;
    case MK_STIX_KEY_EMAIL:
        return MK_IOC_EMAIL;
    case MK_STIX_KEY_HASH_MD5:
        return MK_IOC_MD5;
    case MK_STIX_KEY_HASH_SHA1:
        return MK_IOC_SHA1;
    case MK_STIX_KEY_HASH_SHA256:
        return MK_IOC_SHA256;
    case MK_STIX_KEY_HASH_SHA512:
        return MK_IOC_SHA512;
    case MK_STIX_KEY_JA3:
        return MK_IOC_JA3;
    default:
        return MK_IOC_JA4;
    }
}

/* One key -> one entry: the first non-port term gives type and value; an
 * address with a port of the same direction becomes IP_PORT. Other terms only
 * narrow the key; the pattern (kept unless exact) checks them. */
static void add_key(void *ctx, const struct mk_stix_key *key)
{
    struct stix *s = ctx;
    const struct mk_stix_key_term *main = NULL;
    const struct mk_stix_key_term *port = NULL;
    enum mk_ioc_type type;
    char buf[128];
    const char *v;

    for (size_t i = 0; i < key->n_terms; i++) {
        const struct mk_stix_key_term *t = &key->terms[i];

        if (t->kind != MK_STIX_KEY_PORT && main == NULL) {
            main = t;
        } else if (t->kind == MK_STIX_KEY_PORT && port == NULL) {
            port = t;
        }
    }
    if (main == NULL || s->st != MK_OK) {
        return; /* the extractor never yields port-only keys */
    }
    type = value_type(main->kind, main->value);
    v = main->value;
    if (port != NULL && port->role == main->role && (type == MK_IOC_IPV4 || type == MK_IOC_IPV6)) {
        (void)snprintf(buf, sizeof(buf), type == MK_IOC_IPV6 ? "[%s]:%s" : "%s:%s", main->value,
                       port->value);
        type = MK_IOC_IP_PORT;
        v = buf;
    }
    s->st = mk_ioc_load_add(&s->c, s->index, type, v, strlen(v), &s->attrs);
}

/* Parses the pattern and decides whether entries need it (not exact). */
static enum mk_status prepare_pattern(struct stix *s, const struct mk_stix_indicator *ind,
                                      const struct mk_stix_pattern **pat)
{
    struct mk_error perr;
    size_t n_terms = 0;

    mk_error_clear(&perr);
    if (mk_stix_pattern_parse(&s->scratch, (const char *)ind->pattern.ptr, ind->pattern.len, pat,
                              &perr) != MK_OK) {
        mk_ioc_load_invalid(&s->c, s->index, "%s: pattern: %s",
                            s->attrs.stix_id != NULL ? s->attrs.stix_id : "(no id)", perr.msg);
        return MK_EINVAL;
    }
    s->n_keys = 0;
    s->exact = true;
    (void)mk_stix_pattern_extract(*pat, count_keys, s);
    mk_buf_reset(&s->fmt);
    s->exact = s->exact && s->n_keys > 0 && mk_stix_pattern_format(*pat, &s->fmt) == MK_OK &&
               only_equalities((const char *)s->fmt.data, s->fmt.len, &n_terms) &&
               n_terms == s->n_keys;
    s->attrs.pattern =
        s->exact ? NULL : mk_arena_strndup(&s->scratch, ind->pattern.ptr, ind->pattern.len);
    return s->exact || s->attrs.pattern != NULL ? MK_OK : MK_ENOMEM;
}

static enum mk_status one_indicator(struct stix *s, const struct mk_json *obj)
{
    struct mk_stix_indicator ind;
    const struct mk_stix_pattern *pat = NULL;
    enum mk_status st;

    if (mk_stix_indicator_read(obj, &ind) != MK_OK) {
        mk_ioc_load_invalid(&s->c, s->index, "indicator without pattern or valid_from");
        return MK_OK;
    }
    if (!mk_slice_eq_cstr(ind.pattern_type, "stix")) {
        s->other_types++;
        return MK_OK;
    }
    indicator_attrs(s, &ind);
    if (s->attrs.revoked) {
        s->c.stats->revoked++;
        return MK_OK;
    }
    if (s->attrs.valid_until != 0 && s->attrs.valid_until <= s->c.now) {
        s->c.stats->expired++;
        return MK_OK;
    }
    st = prepare_pattern(s, &ind, &pat);
    if (st != MK_OK) {
        return st == MK_EINVAL ? MK_OK : st;
    }
    if (s->n_keys == 0) {
        s->c.stats->on_demand++;
        if (s->c.stats->on_demand <= LOG_ON_DEMAND) {
            mk_log(MK_LOG_INFO, "%s: %s: no indexable term, evaluated only on demand: %.200s",
                   s->c.name, s->attrs.stix_id != NULL ? s->attrs.stix_id : "(no id)",
                   s->attrs.pattern);
        }
        return MK_OK;
    }
    s->st = MK_OK;
    (void)mk_stix_pattern_extract(pat, add_key, s);
    return s->st;
}

static enum mk_status load_object(void *ctx, const struct mk_json *obj, size_t index)
{
    struct stix *s = ctx;
    enum mk_status st = MK_OK;

    s->index = index + 1; /* messages say "object N", counting from 1 */
    if (mk_json_is_str(mk_json_get(obj, "type"), "indicator")) {
        st = one_indicator(s, obj);
    }
    mk_arena_reset(&s->scratch);
    return st;
}

/* One pass over the file with `fn`. */
static enum mk_status read_pass(const char *path, mk_stix_object_fn fn, void *ctx,
                                struct mk_error *err)
{
    FILE *f = fopen(path, "rb");
    struct mk_stix_reader *r;
    enum mk_status st;

    if (f == NULL) {
        mk_error_set(err, path, "%s: cannot open: %s", path, strerror(errno));
        return MK_EIO;
    }
    r = mk_stix_reader_new(NULL, fn, ctx);
    st = r != NULL ? mk_stix_reader_read_file(r, f, err) : MK_ENOMEM;
    mk_stix_reader_free(r);
    if (st == MK_OK && ferror(f)) {
        mk_error_set(err, path, "%s: read error", path);
        st = MK_EIO;
    }
    (void)fclose(f);
    return st;
}

enum mk_status mk_ioc_load_stix(struct mk_ioc_builder *b, const char *path,
                                const struct mk_ioc_attrs *defaults,
                                struct mk_ioc_load_stats *stats, struct mk_error *err)
{
    struct stix *s = calloc(1, sizeof(*s));
    enum mk_status st = MK_ENOMEM;

    if (s == NULL) {
        return MK_ENOMEM;
    }
    mk_ioc_load_ctx_init(&s->c, b, path, stats);
    mk_ioc_load_attrs(&s->defaults, defaults, path, NULL, s->feed, sizeof(s->feed));
    mk_arena_init(&s->refs.a, 64u << 10, 0);
    mk_arena_init(&s->scratch, 64u << 10, PATTERN_MEM);
    mk_buf_init(&s->fmt, 16u << 20);
    st = read_pass(path, collect_refs, &s->refs, err);
    if (st == MK_OK) {
        st = read_pass(path, load_object, s, err);
    }
    if (st != MK_OK && err != NULL && err->msg[0] == '\0') {
        mk_error_set(err, path, "%s: %s", path, mk_status_str(st));
    } else if (st != MK_OK && err != NULL && strncmp(err->msg, path, strlen(path)) != 0) {
        char msg[sizeof(err->msg)];

        (void)snprintf(msg, sizeof(msg), "%.80s: %.160s", path, err->msg);
        (void)snprintf(err->msg, sizeof(err->msg), "%s", msg);
    }
    if (s->other_types > 0) {
        mk_log(MK_LOG_INFO, "%s: %llu indicators with a pattern_type other than stix skipped", path,
               (unsigned long long)s->other_types);
        stats->invalid += s->other_types;
    }
    mk_buf_fini(&s->fmt);
    mk_arena_fini(&s->scratch);
    mk_arena_fini(&s->refs.a);
    free(s->refs.tab);
    free(s);
    return st;
}
