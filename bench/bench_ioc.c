/* bench_ioc: build time, memory per indicator, lookup throughput and reload cost
 * of the indicator engine on a fixed-seed mix in the proportions of the
 * Maltrail trails (../shared/data/trails, counted in bench/RESULTS.md).
 *   bench_ioc N [RUNS] [--dump FILE] [--queries Q] [--cidr 1] [--filter 0]
 * (see bench/run_ioc.sh). --filter 0 drops the set's Bloom filter before the
 * lookups (ioc_int.h), to measure what it saves on the same binary. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <malloc.h>

#include "ioc/ioc_int.h"
#include "prng.h"

#define NOW 1700000000

/* ---- xoshiro256** seeded by splitmix64 ------------------------------------------ */

static unsigned below(struct rng *r, unsigned n)
{
    return (unsigned)(rng_next(r) % n);
}

/* ---- the indicator mix ------------------------------------------------------------
 * Per 10000 indicators, as counted in the trails (135,651 values in 234 files):
 * domain 6916, ip:port 1074, URL path on any host 1173, "http://ip" 424,
 * URL domain host + path 389, URL ip host + path 23, bare IPv4 1. Domain labels
 * as in the trails: 2 labels 33 %, 3 labels 62 %, 4 labels 4 %, 5 labels 1 %. */

static const char *const tlds[] = {"com",  "net", "org", "ru",     "xyz",  "top",
                                   "info", "cn",  "io",  "online", "site", "club"};
static const uint16_t ports[] = {443, 443, 443, 8080, 8080, 80, 80, 8443, 7080, 4444};

static size_t put_label(struct rng *r, char *p, unsigned lo, unsigned hi)
{
    static const char al[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    unsigned n = lo + below(r, hi - lo + 1);

    for (unsigned i = 0; i < n; i++) {
        p[i] = al[below(r, i == 0 ? 26 : 36)];
    }
    return n;
}

/* A registrable name plus `sub` subdomain labels. */
static size_t gen_domain(struct rng *r, char *p, unsigned sub)
{
    size_t n = 0;
    const char *tld = tlds[below(r, MK_ARRAY_LEN(tlds))];

    for (unsigned i = 0; i < sub; i++) {
        n += put_label(r, p + n, 2, 8);
        p[n++] = '.';
    }
    n += put_label(r, p + n, 5, 13);
    p[n++] = '.';
    memcpy(p + n, tld, strlen(tld) + 1);
    return n + strlen(tld);
}

static unsigned trail_subs(struct rng *r)
{
    unsigned x = below(r, 100);

    return x < 33 ? 0 : x < 95 ? 1 : x < 99 ? 2 : 3;
}

static size_t gen_path(struct rng *r, char *p)
{
    static const char *const ext[] = {"", ".php", ".exe", ".html", "/", ".bin"};
    unsigned segs = 1 + below(r, 2);
    size_t n = 0;

    for (unsigned i = 0; i < segs; i++) {
        p[n++] = '/';
        n += put_label(r, p + n, 3, 10);
    }
    memcpy(p + n, ext[below(r, MK_ARRAY_LEN(ext))], 6);
    return n + strlen(p + n);
}

static size_t gen_ip(struct rng *r, char *p)
{
    /* public-looking IPv4: first octet 1..223 minus 10/127 */
    unsigned a = 1 + below(r, 222);

    if (a == 10 || a == 127) {
        a++;
    }
    return (size_t)snprintf(p, 24, "%u.%u.%u.%u", a, below(r, 256), below(r, 256),
                            1 + below(r, 254));
}

/* One indicator of the mix into p (NUL-terminated); returns its type. */
static enum mk_ioc_type gen_indicator(struct rng *r, char *p)
{
    unsigned x = below(r, 10000);
    size_t n;

    if (x < 6916) {
        (void)gen_domain(r, p, trail_subs(r));
        return MK_IOC_DOMAIN;
    }
    if (x < 6916 + 1074) {
        n = gen_ip(r, p);
        (void)snprintf(p + n, 8, ":%u", ports[below(r, MK_ARRAY_LEN(ports))]);
        return MK_IOC_IP_PORT;
    }
    if (x < 6916 + 1074 + 1173) {
        (void)gen_path(r, p);
        return MK_IOC_URL;
    }
    if (x < 6916 + 1074 + 1173 + 424) {
        memcpy(p, "http://", 7);
        (void)gen_ip(r, p + 7);
        return MK_IOC_URL;
    }
    if (x < 6916 + 1074 + 1173 + 424 + 389) {
        n = gen_domain(r, p, below(r, 2));
        (void)gen_path(r, p + n);
        return MK_IOC_URL;
    }
    if (x < 9999) {
        n = gen_ip(r, p);
        (void)gen_path(r, p + n);
        return MK_IOC_URL;
    }
    (void)gen_ip(r, p);
    return MK_IOC_IPV4;
}

/* --cidr: n IPv4 prefixes with lengths as in public block lists (/24 half of
 * them, /12../23 the rest), to measure longest-prefix match on its own. */
static bool cidr_mode;

static enum mk_ioc_type gen_cidr(struct rng *r, char *p)
{
    static const uint8_t lens[] = {24, 24, 24, 24, 24, 24, 24, 24, 24, 24, 23, 22, 22, 21,
                                   20, 20, 19, 18, 17, 16, 16, 15, 14, 13, 12, 32, 32, 28};
    size_t n = gen_ip(r, p);

    (void)snprintf(p + n, 8, "/%u", lens[below(r, MK_ARRAY_LEN(lens))]);
    return MK_IOC_CIDR4;
}

/* ---- queries -------------------------------------------------------------------------
 * What a sensor asks per flow: 40 % addresses (with the port), 45 % names (DNS,
 * SNI, Host), 15 % URLs; 1-3 % of each are hits on a generated indicator, the
 * rest misses with 2-5 labels. */

enum qkind { Q_IP, Q_DOMAIN, Q_URL };

struct query {
    uint8_t kind;
    uint16_t port;
    uint8_t addr[16];
    uint32_t a, b; /* offsets into the query strings */
};

struct queries {
    struct query *q;
    size_t n;
    char *str;
    size_t len, cap;
};

static uint32_t qstr(struct queries *qs, const char *s)
{
    size_t n = strlen(s) + 1;
    uint32_t off = (uint32_t)qs->len;

    if (qs->len + n > qs->cap) {
        qs->cap = qs->cap ? qs->cap * 2 : 1 << 20;
        qs->str = realloc(qs->str, qs->cap);
        if (qs->str == NULL) {
            abort();
        }
    }
    memcpy(qs->str + qs->len, s, n);
    qs->len += n;
    return off;
}

static void ip_bytes(const char *text, uint8_t a[16])
{
    unsigned o[4] = {0};

    memset(a, 0, 16);
    a[10] = a[11] = 0xff;
    if (sscanf(text, "%u.%u.%u.%u", &o[0], &o[1], &o[2], &o[3]) == 4) {
        for (int i = 0; i < 4; i++) {
            a[12 + i] = (uint8_t)o[i];
        }
    }
}

/* Real values of the set, to draw hits from: the first indicators of the
 * same generator stream that build() uses. */
struct cands {
    uint32_t off[3][100000];
    size_t n[3];
};

static void make_cands(struct cands *c, struct queries *qs, size_t n_set)
{
    struct rng r;
    char v[512];

    rng_seed(&r, 1);
    memset(c->n, 0, sizeof(c->n));
    for (size_t i = 0; i < n_set && i < 100000; i++) {
        enum mk_ioc_type t = gen_indicator(&r, v);
        int k = t == MK_IOC_IP_PORT ? Q_IP : t == MK_IOC_DOMAIN ? Q_DOMAIN : Q_URL;

        if (t == MK_IOC_IPV4 || (t == MK_IOC_URL && v[0] == 'h')) {
            continue;
        }
        c->off[k][c->n[k]++] = qstr(qs, v);
    }
}

static void make_hit(struct rng *r, struct query *q, struct queries *qs, const struct cands *c)
{
    char v[600];
    char *cut;

    if (c->n[q->kind] == 0) {
        q->kind = Q_DOMAIN;
        q->a = qstr(qs, "no-candidate.example");
        return;
    }
    (void)snprintf(v, sizeof(v), "%s",
                   qs->str + c->off[q->kind][below(r, (unsigned)c->n[q->kind])]);
    if (q->kind == Q_DOMAIN) {
        char name[700];

        (void)snprintf(name, sizeof(name), "%s%s", below(r, 2) ? "www." : "", v);
        q->a = qstr(qs, name);
    } else if (q->kind == Q_IP) {
        cut = strchr(v, ':');
        q->port = (uint16_t)strtoul(cut + 1, NULL, 10);
        *cut = '\0';
        ip_bytes(v, q->addr);
    } else {
        cut = strchr(v, '/');
        q->b = qstr(qs, cut);
        *cut = '\0';
        q->a = qstr(qs, cut == v ? "any.example" : v);
    }
}

static void make_queries(struct queries *qs, size_t n, struct rng *r, size_t n_set)
{
    struct cands *c = malloc(sizeof(*c));
    char v[512];

    qs->q = calloc(n, sizeof(*qs->q));
    qs->n = n;
    if (c == NULL || qs->q == NULL) {
        abort();
    }
    make_cands(c, qs, n_set);
    for (size_t i = 0; i < n; i++) {
        struct query *q = &qs->q[i];
        unsigned x = below(r, 100);

        q->kind = cidr_mode || x < 40 ? Q_IP : x < 85 ? Q_DOMAIN : Q_URL;
        if (!cidr_mode && below(r, 100) < (q->kind == Q_IP ? 1u : q->kind == Q_DOMAIN ? 3u : 2u)) {
            make_hit(r, q, qs, c);
            continue;
        }
        if (q->kind == Q_IP) {
            (void)gen_ip(r, v);
            ip_bytes(v, q->addr);
            q->port = ports[below(r, MK_ARRAY_LEN(ports))];
        } else if (q->kind == Q_DOMAIN) {
            (void)gen_domain(r, v, below(r, 4));
            q->a = qstr(qs, v);
        } else {
            (void)gen_domain(r, v, below(r, 2));
            q->a = qstr(qs, v);
            (void)gen_path(r, v);
            q->b = qstr(qs, v);
        }
    }
    free(c);
}

/* Kept out of line so callgrind can count exactly this (--toggle-collect). */
__attribute__((noinline)) size_t run_queries(const struct mk_ioc_set *s, const struct queries *qs);

size_t run_queries(const struct mk_ioc_set *s, const struct queries *qs)
{
    struct mk_ioc_hit h[8];
    uint64_t sup = 0;
    size_t hits = 0;

    for (size_t i = 0; i < qs->n; i++) {
        const struct query *q = &qs->q[i];
        const char *a = qs->str + q->a;

        if (q->kind == Q_IP) {
            hits += mk_ioc_match_ip(s, q->addr, q->port, NOW, h, 8, &sup);
        } else if (q->kind == Q_DOMAIN) {
            hits += mk_ioc_match_domain(s, a, strlen(a), NOW, h, 8, &sup);
        } else {
            hits += mk_ioc_match_url(s, a, 80, qs->str + q->b, NOW, h, 8, &sup);
        }
    }
    return hits;
}

/* ---- measuring -------------------------------------------------------------------- */

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t rss_bytes(void)
{
    long pages = 0;
    long rss = 0;
    FILE *f = fopen("/proc/self/statm", "r");

    if (f != NULL) {
        if (fscanf(f, "%ld %ld", &pages, &rss) != 2) {
            rss = 0;
        }
        (void)fclose(f);
    }
    return (size_t)rss * (size_t)sysconf(_SC_PAGESIZE);
}

static struct mk_ioc_set *build(size_t n, FILE *dump, size_t *invalid)
{
    struct mk_ioc_builder *b = mk_ioc_builder_new(NOW);
    struct mk_ioc_attrs a = {.source = "bench", .feed = "mix", .confidence = 70};
    struct rng r;
    char v[512];

    rng_seed(&r, 1);
    *invalid = 0;
    for (size_t i = 0; i < n; i++) {
        enum mk_ioc_type t = cidr_mode ? gen_cidr(&r, v) : gen_indicator(&r, v);
        struct mk_error err;

        if (dump != NULL) {
            fprintf(dump, "%s\t%s\n", mk_ioc_type_name(t), v);
        }
        if (mk_ioc_builder_add(b, t, v, strlen(v), &a, &err) != MK_OK) {
            (*invalid)++;
        }
    }
    return mk_ioc_builder_finish(b);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a;
    double y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(*v), cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 100000;
    int runs = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 5;
    size_t nq = 1000000;
    const char *dump_path = NULL;
    double tb[16], tl[16], tr[16];
    struct queries qs = {0};
    struct mk_ioc_set *s = NULL;
    struct mk_ioc_handle *h;
    struct rng qr;
    size_t invalid = 0;
    size_t rss0;
    size_t rss1;
    size_t hits = 0;
    bool use_filter = true;

    for (int i = 3; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--cidr") == 0) {
            cidr_mode = strcmp(argv[i + 1], "1") == 0;
        } else if (strcmp(argv[i], "--dump") == 0) {
            dump_path = argv[i + 1];
        } else if (strcmp(argv[i], "--queries") == 0) {
            nq = strtoul(argv[i + 1], NULL, 10);
        } else if (strcmp(argv[i], "--filter") == 0) {
            use_filter = strcmp(argv[i + 1], "0") != 0;
        }
    }
    runs = runs < 1 ? 1 : runs > 16 ? 16 : runs;
    rng_seed(&qr, 2);
    make_queries(&qs, nq, &qr, n);
    malloc_trim(0);
    rss0 = rss_bytes();
    if (dump_path != NULL) {
        FILE *f = fopen(dump_path, "w");

        mk_ioc_set_free(build(n, f, &invalid));
        (void)fclose(f);
    }
    for (int i = 0; i < runs; i++) {
        double t0 = now_s();

        mk_ioc_set_free(s);
        t0 = now_s();
        s = build(n, NULL, &invalid);
        tb[i] = now_s() - t0;
    }
    malloc_trim(0);
    rss1 = rss_bytes();
    if (!use_filter) {
        free(s->main.bloom);
        s->main.bloom = NULL;
    }
    for (int i = 0; i < runs; i++) {
        double t0 = now_s();

        hits = run_queries(s, &qs);
        tl[i] = now_s() - t0;
    }
    /* reload: build the next set and publish it (the old one is freed after
     * the grace period; no reader is registered here) */
    h = mk_ioc_handle_new(s);
    for (int i = 0; i < runs; i++) {
        double t0 = now_s();

        mk_ioc_handle_publish(h, build(n, NULL, &invalid));
        tr[i] = now_s() - t0;
    }
    s = (struct mk_ioc_set *)mk_ioc_handle_get(h);
    printf("n=%zu indicators=%zu invalid=%zu memory=%zu bytes_per_indicator=%.1f "
           "rss_delta_per_indicator=%.1f build_s=%.3f lookups=%zu hits=%zu "
           "mlookups_per_s=%.2f reload_s=%.3f runs=%d filter=%d\n",
           n, mk_ioc_set_count(s), invalid, mk_ioc_set_memory(s),
           (double)mk_ioc_set_memory(s) / (double)n, ((double)rss1 - (double)rss0) / (double)n,
           median(tb, runs), qs.n, hits, (double)qs.n / median(tl, runs) / 1e6, median(tr, runs),
           runs, use_filter);
    mk_ioc_handle_free(h);
    free(qs.q);
    free(qs.str);
    return 0;
}
