/* Verification of STIX patterns behind prefilter hits: mk_ioc_verify() turns
 * the sensor's observation into STIX cyber-observables and evaluates the hit's
 * pattern, against a bounded per-indicator history for temporal patterns.
 * Design: docs/internals/ioc-loading.md "Verification". */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ioc/ioc.h"

#define CACHE_SLOTS  256        /* parsed patterns kept per verifier */
#define PATTERN_CAP  (1u << 20) /* arena bytes for one parsed pattern */
#define HIST_SIDS    256        /* indicators with a history */
#define HIST_OBS     64         /* observations kept per indicator */
#define HIST_STR_MAX 4096       /* string bytes kept per observation */
#define HIST_MEM_MAX (8u << 20) /* string bytes kept by all histories */
#define SCRATCH_CAP  (16u << 20)
#define OBJS_PER_OBS 9
#define MAX_MEMBERS  16

struct cached {
    const char *key; /* the hit's pattern pointer */
    char *text;      /* a copy: a reloaded set may reuse the address */
    struct mk_arena a;
    const struct mk_stix_pattern *p; /* NULL: did not parse (never true) */
    bool temporal;
};

/* One remembered observation; its strings live in `strs`. */
struct hobs {
    struct mk_ioc_observation o;
    uint8_t src[16];
    uint8_t dst[16];
    char proto[8];
    char *strs;
    size_t strs_len;
};

struct history {
    uint32_t sid;
    bool used;
    uint64_t last_used;
    size_t n; /* observations held, oldest first */
    struct hobs obs[HIST_OBS];
};

struct mk_ioc_verifier {
    struct cached cache[CACHE_SLOTS];
    struct history *hist; /* HIST_SIDS */
    uint64_t tick;
    size_t hist_bytes;
    struct mk_arena scratch; /* SCOs of one call */
};

struct mk_ioc_verifier *mk_ioc_verifier_new(void)
{
    struct mk_ioc_verifier *v = calloc(1, sizeof(*v));

    if (v == NULL) {
        return NULL;
    }
    v->hist = calloc(HIST_SIDS, sizeof(*v->hist));
    if (v->hist == NULL) {
        free(v);
        return NULL;
    }
    for (size_t i = 0; i < CACHE_SLOTS; i++) {
        mk_arena_init(&v->cache[i].a, 4096, PATTERN_CAP);
    }
    mk_arena_init(&v->scratch, 64u << 10, SCRATCH_CAP);
    return v;
}

static void hist_clear(struct mk_ioc_verifier *v, struct history *h)
{
    for (size_t i = 0; i < h->n; i++) {
        v->hist_bytes -= h->obs[i].strs_len;
        free(h->obs[i].strs);
    }
    h->n = 0;
}

void mk_ioc_verifier_free(struct mk_ioc_verifier *v)
{
    if (v == NULL) {
        return;
    }
    for (size_t i = 0; i < HIST_SIDS; i++) {
        hist_clear(v, &v->hist[i]);
    }
    for (size_t i = 0; i < CACHE_SLOTS; i++) {
        mk_arena_fini(&v->cache[i].a);
    }
    mk_arena_fini(&v->scratch);
    free(v->hist);
    free(v);
}

/* ---- pattern cache ------------------------------------------------------------- */

/* Observation operators or qualifiers outside the brackets of the normalised
 * pattern: then a match may span observations and the history is needed. */
static bool temporal_word(const char *p)
{
    static const char *const words[] = {"AND", "FOLLOWEDBY", "WITHIN", "REPEATS", "START"};

    for (size_t w = 0; w < MK_ARRAY_LEN(words); w++) {
        size_t len = strlen(words[w]);

        if (strncmp(p, words[w], len) == 0 && (p[len] == ' ' || p[len] == '\0')) {
            return true;
        }
    }
    return false;
}

static bool is_temporal(const char *p, size_t n)
{
    int depth = 0;
    bool q = false;

    for (size_t i = 0; i < n; i++) {
        if (q) {
            i += p[i] == '\\';
            q = p[i] != '\'';
        } else if (p[i] == '\'') {
            q = true;
        } else if (p[i] == '[' || p[i] == ']') {
            depth += p[i] == '[' ? 1 : -1;
        } else if (depth == 0 && (i == 0 || p[i - 1] == ' ') && temporal_word(p + i)) {
            return true;
        }
    }
    return false;
}

static struct cached *cache_get(struct mk_ioc_verifier *v, const char *pattern)
{
    uintptr_t key = (uintptr_t)pattern;
    struct cached *c = &v->cache[mk_hash64(&key, sizeof(key), 0) % CACHE_SLOTS];
    size_t n = strlen(pattern);
    struct mk_buf fmt;

    if (c->key == pattern && c->text != NULL && strcmp(c->text, pattern) == 0) {
        return c;
    }
    mk_arena_reset(&c->a);
    c->key = pattern;
    c->p = NULL;
    c->temporal = false;
    c->text = mk_arena_strndup(&c->a, pattern, n);
    if (c->text == NULL || mk_stix_pattern_parse(&c->a, pattern, n, &c->p, NULL) != MK_OK) {
        c->p = NULL;
        return c;
    }
    mk_buf_init(&fmt, PATTERN_CAP);
    c->temporal =
        mk_stix_pattern_format(c->p, &fmt) != MK_OK || is_temporal((const char *)fmt.data, fmt.len);
    mk_buf_fini(&fmt);
    return c;
}

/* ---- observations as STIX cyber-observables ------------------------------------- */

struct objb { /* one JSON object being built */
    struct mk_json_member m[MAX_MEMBERS];
    uint32_t n;
};

static struct mk_json jstr(const char *s)
{
    return (struct mk_json){.type = MK_JSON_STRING, .len = (uint32_t)strlen(s), .u.str = s};
}

static void put_str(struct objb *o, const char *k, const char *s)
{
    if (s != NULL && o->n < MAX_MEMBERS) {
        o->m[o->n++] = (struct mk_json_member){k, (uint32_t)strlen(k), jstr(s)};
    }
}

static void put_val(struct objb *o, const char *k, struct mk_json val)
{
    if (o->n < MAX_MEMBERS) {
        o->m[o->n++] = (struct mk_json_member){k, (uint32_t)strlen(k), val};
    }
}

/* Copies the members into the arena as a JSON object. */
static struct mk_json *obj_done(struct mk_arena *a, const struct objb *o)
{
    struct mk_json *j = mk_arena_alloc(a, sizeof(*j));
    struct mk_json_member *m = mk_arena_alloc(a, sizeof(*m) * (o->n > 0 ? o->n : 1));

    if (j == NULL || m == NULL) {
        return NULL;
    }
    memcpy(m, o->m, sizeof(*m) * o->n);
    *j = (struct mk_json){.type = MK_JSON_OBJECT, .len = o->n, .u.members = m};
    return j;
}

static const char *num_text(struct mk_arena *a, unsigned v)
{
    char buf[16];

    (void)snprintf(buf, sizeof(buf), "%u", v);
    return mk_arena_strndup(a, buf, strlen(buf));
}

static const struct mk_json *addr_obj(struct mk_arena *a, const uint8_t ip[16], const char *id)
{
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    char text[INET6_ADDRSTRLEN];
    bool v4 = memcmp(ip, mapped, sizeof(mapped)) == 0;
    struct objb o = {.n = 0};

    (void)(v4 ? mk_ipv4_format(ip + 12, text) : mk_ipv6_format(ip, text));
    put_str(&o, "type", v4 ? "ipv4-addr" : "ipv6-addr");
    put_str(&o, "id", id);
    put_str(&o, "value", mk_arena_strndup(a, text, strlen(text)));
    return obj_done(a, &o);
}

/* file:hashes under the names patterns use ("MD5", "SHA-256", "SHA256", ...). */
static const struct mk_json *file_obj(struct mk_arena *a, const struct mk_ioc_observation *ob)
{
    struct objb h = {.n = 0};
    struct objb o = {.n = 0};
    const struct mk_json *hj;

    put_str(&h, "MD5", ob->md5);
    put_str(&h, "md5", ob->md5);
    put_str(&h, "SHA-1", ob->sha1);
    put_str(&h, "SHA1", ob->sha1);
    put_str(&h, "sha1", ob->sha1);
    put_str(&h, "SHA-256", ob->sha256);
    put_str(&h, "SHA256", ob->sha256);
    put_str(&h, "sha256", ob->sha256);
    if (h.n == 0 || (hj = obj_done(a, &h)) == NULL) {
        return NULL;
    }
    put_str(&o, "type", "file");
    put_val(&o, "hashes", *hj);
    return obj_done(a, &o);
}

/* JA3/JA4 as pattern_extract.c indexes them: x-ja3:hash / x-ja3:value,
 * x-ja4:hash / x-ja4:value, and network-traffic's extension
 * 'x-mekong-tls' with ja3 / ja3_hash / ja3_md5 / ja4. */
static const struct mk_json *ja_obj(struct mk_arena *a, const char *type, const char *v)
{
    struct objb o = {.n = 0};

    put_str(&o, "type", type);
    put_str(&o, "hash", v);
    put_str(&o, "value", v);
    return obj_done(a, &o);
}

static const struct mk_json *tls_ext(struct mk_arena *a, const struct mk_ioc_observation *ob)
{
    struct objb t = {.n = 0};
    struct objb e = {.n = 0};
    const struct mk_json *tj;

    put_str(&t, "ja3", ob->ja3);
    put_str(&t, "ja3_hash", ob->ja3);
    put_str(&t, "ja3_md5", ob->ja3);
    put_str(&t, "ja4", ob->ja4);
    if (t.n == 0 || (tj = obj_done(a, &t)) == NULL) {
        return NULL;
    }
    put_val(&e, "x-mekong-tls", *tj);
    return obj_done(a, &e);
}

static const struct mk_json *traffic_obj(struct mk_arena *a, const struct mk_ioc_observation *ob,
                                         const char *src, const char *dst,
                                         const struct mk_json *ext)
{
    struct objb o = {.n = 0};
    struct mk_json *proto;

    put_str(&o, "type", "network-traffic");
    put_str(&o, "src_ref", src);
    put_str(&o, "dst_ref", dst);
    if (ob->src_port != 0) {
        const char *t = num_text(a, ob->src_port);

        put_val(&o, "src_port",
                (struct mk_json){.type = MK_JSON_NUMBER,
                                 .len = t != NULL ? (uint32_t)strlen(t) : 0,
                                 .u.str = t != NULL ? t : ""});
    }
    if (ob->dst_port != 0) {
        const char *t = num_text(a, ob->dst_port);

        put_val(&o, "dst_port",
                (struct mk_json){.type = MK_JSON_NUMBER,
                                 .len = t != NULL ? (uint32_t)strlen(t) : 0,
                                 .u.str = t != NULL ? t : ""});
    }
    if (ob->protocol != NULL && (proto = mk_arena_alloc(a, sizeof(*proto))) != NULL) {
        *proto = jstr(ob->protocol);
        put_val(&o, "protocols",
                (struct mk_json){.type = MK_JSON_ARRAY, .len = 1, .u.items = proto});
    }
    if (ext != NULL) {
        put_val(&o, "extensions", *ext);
    }
    return obj_done(a, &o);
}

static const struct mk_json *value_obj(struct mk_arena *a, const char *type, const char *id,
                                       const char *value)
{
    struct objb o = {.n = 0};

    put_str(&o, "type", type);
    put_str(&o, "id", id);
    put_str(&o, "value", value);
    return obj_done(a, &o);
}

/* The observation as SCOs: addresses "s" and "d", network-traffic "nt" between
 * them, and when a name is known a domain-name "dn" with a second
 * network-traffic whose dst_ref is the name (STIX allows either), the URL,
 * a file with the hashes, and the JA3/JA4 objects. */
static bool build_obs(struct mk_arena *a, const struct mk_ioc_observation *ob,
                      struct mk_stix_observation *out)
{
    const struct mk_json **objs = mk_arena_alloc(a, OBJS_PER_OBS * sizeof(*objs));
    const struct mk_json *ext = tls_ext(a, ob);
    bool traffic = ob->src_ip != NULL || ob->dst_ip != NULL || ob->src_port != 0 ||
                   ob->dst_port != 0 || ob->protocol != NULL || ext != NULL;
    const char *src = ob->src_ip != NULL ? "s" : NULL;
    size_t n = 0;

    if (objs == NULL) {
        return false;
    }
    objs[n++] = ob->src_ip != NULL ? addr_obj(a, ob->src_ip, "s") : NULL;
    objs[n++] = ob->dst_ip != NULL ? addr_obj(a, ob->dst_ip, "d") : NULL;
    objs[n++] = traffic ? traffic_obj(a, ob, src, ob->dst_ip != NULL ? "d" : NULL, ext) : NULL;
    if (ob->domain != NULL) {
        objs[n++] = value_obj(a, "domain-name", "dn", ob->domain);
        objs[n++] = traffic_obj(a, ob, src, "dn", ext);
    }
    objs[n++] = ob->url != NULL ? value_obj(a, "url", "u", ob->url) : NULL;
    objs[n++] = file_obj(a, ob);
    objs[n++] = ob->ja3 != NULL ? ja_obj(a, "x-ja3", ob->ja3) : NULL;
    objs[n++] = ob->ja4 != NULL ? ja_obj(a, "x-ja4", ob->ja4) : NULL;
    /* drop the absent ones */
    size_t k = 0;

    for (size_t i = 0; i < n; i++) {
        if (objs[i] != NULL) {
            objs[k++] = objs[i];
        }
    }
    *out = (struct mk_stix_observation){.first_observed = {.sec = ob->ts_sec},
                                        .last_observed = {.sec = ob->ts_sec},
                                        .number_observed = 1,
                                        .objects = objs,
                                        .n_objects = k};
    return true;
}

/* ---- per-indicator history ---------------------------------------------------- */

static struct history *hist_find(struct mk_ioc_verifier *v, uint32_t sid)
{
    struct history *victim = &v->hist[0];

    for (size_t i = 0; i < HIST_SIDS; i++) {
        struct history *h = &v->hist[i];

        if (h->used && h->sid == sid) {
            h->last_used = ++v->tick;
            return h;
        }
        if (!h->used || (victim->used && h->last_used < victim->last_used)) {
            victim = h;
        }
    }
    hist_clear(v, victim); /* least recently used, or a free slot */
    victim->used = true;
    victim->sid = sid;
    victim->last_used = ++v->tick;
    return victim;
}

/* Frees the least recently used other histories until `need` more bytes fit. */
static bool hist_make_room(struct mk_ioc_verifier *v, const struct history *keep, size_t need)
{
    while (v->hist_bytes + need > HIST_MEM_MAX) {
        struct history *lru = NULL;

        for (size_t i = 0; i < HIST_SIDS; i++) {
            struct history *h = &v->hist[i];

            if (h != keep && h->used && h->n > 0 &&
                (lru == NULL || h->last_used < lru->last_used)) {
                lru = h;
            }
        }
        if (lru == NULL) {
            return false;
        }
        hist_clear(v, lru);
        lru->used = false;
    }
    return true;
}

static const char *keep_str(char **p, const char *s)
{
    size_t n;
    char *r = *p;

    if (s == NULL || r == NULL) {
        return NULL;
    }
    n = strlen(s) + 1;
    memcpy(r, s, n);
    *p += n;
    return r;
}

/* Remembers `ob` (oldest dropped at HIST_OBS). Strings past HIST_STR_MAX, or
 * past the verifier's memory cap, are not kept: the URL first, then all. */
static void hist_push(struct mk_ioc_verifier *v, struct history *h,
                      const struct mk_ioc_observation *ob)
{
    const char *s[] = {ob->domain, ob->url, ob->md5, ob->sha1, ob->sha256, ob->ja3, ob->ja4};
    struct mk_ioc_observation o = *ob;
    struct hobs *e;
    size_t len = 0;
    char *p;

    if (h->n == HIST_OBS) {
        v->hist_bytes -= h->obs[0].strs_len;
        free(h->obs[0].strs);
        memmove(&h->obs[0], &h->obs[1], sizeof(h->obs[0]) * (HIST_OBS - 1));
        h->n--;
    }
    for (size_t i = 0; i < MK_ARRAY_LEN(s); i++) {
        len += s[i] != NULL ? strlen(s[i]) + 1 : 0;
    }
    if (len > HIST_STR_MAX && ob->url != NULL) {
        len -= strlen(ob->url) + 1;
        o.url = NULL;
    }
    e = &h->obs[h->n++];
    memset(e, 0, sizeof(*e));
    if (len > HIST_STR_MAX || !hist_make_room(v, h, len) || (e->strs = malloc(len + 1)) == NULL) {
        o.domain = o.url = o.md5 = o.sha1 = o.sha256 = o.ja3 = o.ja4 = NULL;
        len = 0;
    }
    p = e->strs;
    o.domain = keep_str(&p, o.domain);
    o.url = keep_str(&p, o.url);
    o.md5 = keep_str(&p, o.md5);
    o.sha1 = keep_str(&p, o.sha1);
    o.sha256 = keep_str(&p, o.sha256);
    o.ja3 = keep_str(&p, o.ja3);
    o.ja4 = keep_str(&p, o.ja4);
    if (ob->src_ip != NULL) {
        memcpy(e->src, ob->src_ip, 16);
        o.src_ip = e->src;
    }
    if (ob->dst_ip != NULL) {
        memcpy(e->dst, ob->dst_ip, 16);
        o.dst_ip = e->dst;
    }
    if (ob->protocol != NULL) {
        (void)snprintf(e->proto, sizeof(e->proto), "%s", ob->protocol);
        o.protocol = e->proto;
    }
    e->o = o;
    e->strs_len = len;
    v->hist_bytes += len;
}

/* ---- verify ---------------------------------------------------------------------- */

/* A temporal pattern holds when the indicator's recent observations plus this
 * one satisfy it. Patterns are monotone in the set of observations and the
 * history is cleared after a match, so the history alone never matches: every
 * match needs the new observation, and the next alert needs a fresh match. */
static bool verify_temporal(struct mk_ioc_verifier *v, const struct cached *c, uint32_t sid,
                            const struct mk_ioc_observation *ob)
{
    struct history *h = hist_find(v, sid);
    struct mk_stix_observation *all = mk_arena_alloc(&v->scratch, sizeof(*all) * (h->n + 1));
    size_t n = 0;
    bool ok;

    if (all == NULL) {
        return false;
    }
    for (size_t i = 0; i < h->n; i++) {
        n += build_obs(&v->scratch, &h->obs[i].o, &all[n]);
    }
    if (!build_obs(&v->scratch, ob, &all[n])) {
        return false;
    }
    ok = mk_stix_pattern_match(c->p, all, n + 1);
    if (ok) {
        hist_clear(v, h);
    } else {
        hist_push(v, h, ob);
    }
    return ok;
}

bool mk_ioc_verify(struct mk_ioc_verifier *v, const struct mk_ioc_hit *hit,
                   const struct mk_ioc_observation *obs)
{
    struct mk_stix_observation one;
    const struct cached *c;
    bool ok;

    if (hit->pattern == NULL) {
        return true;
    }
    c = cache_get(v, hit->pattern);
    if (c->p == NULL) {
        return false; /* cannot be verified: never alert on it */
    }
    mk_arena_reset(&v->scratch);
    if (c->temporal) {
        ok = verify_temporal(v, c, hit->sid, obs);
    } else {
        ok = build_obs(&v->scratch, obs, &one) && mk_stix_pattern_match(c->p, &one, 1);
    }
    mk_arena_reset(&v->scratch);
    return ok;
}
