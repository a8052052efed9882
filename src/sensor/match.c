/* Indicator matching in a worker: every flow endpoint, DNS query and answer,
 * HTTP host, URL and file hash, TLS/QUIC SNI and JA3/JA4 is looked up; a hit
 * whose pattern holds becomes an EVE alert, once per flow and indicator, at a
 * bounded rate per indicator. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sensor/sensor_int.h"

#define MAX_HITS 8

/* What the lookups run against, and what an alert says matched. */
struct probe {
    struct worker *w;
    struct mk_flow *f;
    enum mk_flow_dir dir;
    const struct mk_ioc_set *set;
    int64_t now;
    struct mk_ioc_observation obs;
};

static bool begin(struct probe *p, struct worker *w, struct mk_flow *f, enum mk_flow_dir dir)
{
    if (w->iocs == NULL) {
        return false;
    }
    p->set = mk_ioc_handle_get(w->iocs);
    if (p->set == NULL) {
        return false;
    }
    p->w = w;
    p->f = f;
    p->dir = dir;
    p->now = w->cfg->validity_now ? (int64_t)time(NULL) : w->now.sec;
    memset(&p->obs, 0, sizeof(p->obs));
    p->obs.ts_sec = w->now.sec;
    p->obs.src_ip = f->src.b;
    p->obs.dst_ip = f->dst.b;
    p->obs.src_port = f->sport;
    p->obs.dst_port = f->dport;
    p->obs.protocol = f->proto == 6 ? "tcp" : f->proto == 17 ? "udp" : NULL;
    return true;
}

static bool already_alerted(struct app_state *a, uint32_t sid)
{
    for (uint8_t i = 0; a != NULL && i < a->n_alerted; i++) {
        if (a->alerted[i] == sid) {
            return true;
        }
    }
    return false;
}

static void remember(struct app_state *a, uint32_t sid)
{
    if (a == NULL) {
        return;
    }
    if (a->n_alerted < ALERTED_MAX) {
        a->alerted[a->n_alerted++] = sid;
    } else {
        /* a flow hitting more than ALERTED_MAX indicators: keep the newest */
        memmove(a->alerted, a->alerted + 1, (ALERTED_MAX - 1) * sizeof(a->alerted[0]));
        a->alerted[ALERTED_MAX - 1] = sid;
    }
}

/* True while this indicator is under its alert rate for the current minute. */
static bool within_rate(struct worker *w, uint32_t sid)
{
    struct rate_slot *r;
    int64_t minute = w->now.sec / 60;

    if (w->cfg->alert_rate == 0 || w->rate == NULL) {
        return true;
    }
    r = &w->rate[(sid * 2654435761u) % RATE_SLOTS];
    if (r->sid != sid || r->minute != minute) {
        *r = (struct rate_slot){.sid = sid, .minute = minute};
    }
    return ++r->count <= w->cfg->alert_rate;
}

static void raise_alerts(struct probe *p, const struct mk_ioc_hit *hits, size_t n,
                         const char *field, const char *value)
{
    struct worker *w = p->w;
    struct app_state *a = mk_app_of(w, p->f);

    for (size_t i = 0; i < n; i++) {
        const struct mk_ioc_hit *h = &hits[i];
        struct mk_eve_match m = {.field = field, .value = value};

        w->stats.ioc_hits++;
        if (already_alerted(a, h->sid)) {
            w->stats.ioc_deduped++;
            continue;
        }
        if (h->pattern != NULL && !mk_ioc_verify(w->verifier, h, &p->obs)) {
            w->stats.ioc_unverified++;
            continue;
        }
        remember(a, h->sid);
        if (!within_rate(w, h->sid)) {
            w->stats.ioc_rate_limited++;
            continue;
        }
        p->f->user_flags |= FLOW_ALERTED;
        mk_eve_alert(&w->eve, w->now, p->f, p->dir, h, &m);
    }
}

/* ---- the lookups -------------------------------------------------------------- */

static void match_ip(struct probe *p, const uint8_t addr[16], uint16_t port, const char *field)
{
    struct mk_ioc_hit hits[MAX_HITS];
    size_t n =
        mk_ioc_match_ip(p->set, addr, port, p->now, hits, MAX_HITS, &p->w->stats.ioc_suppressed);
    char text[46];

    if (n > 0) {
        struct mk_addr a;

        memcpy(a.b, addr, 16);
        mk_addr_format(&a, text);
        raise_alerts(p, hits, n, field, text);
    }
}

static void match_domain(struct probe *p, const char *name, const char *field)
{
    struct mk_ioc_hit hits[MAX_HITS];
    size_t n;

    if (name == NULL || name[0] == '\0') {
        return;
    }
    n = mk_ioc_match_domain(p->set, name, strlen(name), p->now, hits, MAX_HITS,
                            &p->w->stats.ioc_suppressed);
    if (n > 0) {
        p->obs.domain = name;
        raise_alerts(p, hits, n, field, name);
    }
}

static void match_value(struct probe *p, enum mk_ioc_type type, const char *value,
                        const char *field)
{
    struct mk_ioc_hit hits[MAX_HITS];
    size_t n;

    if (value == NULL || value[0] == '\0') {
        return;
    }
    n = mk_ioc_match_value(p->set, type, value, strlen(value), p->now, hits, MAX_HITS,
                           &p->w->stats.ioc_suppressed);
    if (n > 0) {
        raise_alerts(p, hits, n, field, value);
    }
}

void mk_match_flow(struct worker *w, struct mk_flow *f)
{
    struct probe p;

    if (!begin(&p, w, f, MK_FLOW_TOSERVER)) {
        return;
    }
    match_ip(&p, f->dst.b, f->dport, "dest_ip");
    match_ip(&p, f->src.b, f->sport, "src_ip");
}

/* A/AAAA answers' addresses are indicators too (a sinkholed or C2 address). */
static void match_answer(struct probe *p, const struct mk_dns_rr *rr)
{
    struct mk_addr a;

    if ((rr->rrtype == 1 || rr->rrtype == 28) && mk_addr_parse(rr->rdata, &a) == MK_OK) {
        match_ip(p, a.b, 0, "dns.answers.rdata");
    } else if (rr->rrtype == 5 || rr->rrtype == 2 || rr->rrtype == 12 || rr->rrtype == 15) {
        /* CNAME/NS/PTR targets are names; MX data is "pref name" */
        const char *name = rr->rrtype == 15 ? strchr(rr->rdata, ' ') : rr->rdata;

        match_domain(p, name != NULL && rr->rrtype == 15 ? name + 1 : name, "dns.answers.rdata");
    }
    match_domain(p, rr->rrname, "dns.answers.rrname");
}

void mk_match_dns(struct worker *w, struct mk_flow *f, enum mk_flow_dir dir,
                  const struct mk_dns_msg *m)
{
    struct probe p;

    (void)dir; /* alerts name the client as src_ip whichever packet matched */
    if (!begin(&p, w, f, MK_FLOW_TOSERVER)) {
        return;
    }
    match_domain(&p, m->qname, "dns.rrname");
    for (size_t i = 0; m->is_response && i < m->n_answers; i++) {
        match_answer(&p, &m->answers[i]);
    }
}

void mk_match_http(struct worker *w, struct mk_flow *f, const struct mk_http_tx *tx)
{
    struct mk_ioc_hit hits[MAX_HITS];
    struct probe p;
    char url[2048];
    size_t n;

    if (!begin(&p, w, f, MK_FLOW_TOSERVER)) {
        return;
    }
    match_domain(&p, tx->hostname, "http.hostname");
    if (tx->uri == NULL) {
        return;
    }
    (void)snprintf(url, sizeof(url), "http://%s%s", tx->hostname != NULL ? tx->hostname : "",
                   tx->uri);
    p.obs.url = url;
    n = mk_ioc_match_url(p.set, tx->hostname, tx->port, tx->uri, p.now, hits, MAX_HITS,
                         &w->stats.ioc_suppressed);
    if (n > 0) {
        raise_alerts(&p, hits, n, "http.url", url);
    }
}

void mk_match_file(struct worker *w, struct mk_flow *f, const struct mk_file_info *fi)
{
    struct probe p;

    if (!begin(&p, w, f, MK_FLOW_TOSERVER)) {
        return;
    }
    p.obs.md5 = fi->md5;
    p.obs.sha1 = fi->sha1;
    p.obs.sha256 = fi->sha256;
    match_value(&p, MK_IOC_MD5, fi->md5, "fileinfo.md5");
    match_value(&p, MK_IOC_SHA1, fi->sha1, "fileinfo.sha1");
    match_value(&p, MK_IOC_SHA256, fi->sha256, "fileinfo.sha256");
}

void mk_match_tls(struct worker *w, struct mk_flow *f, const struct mk_tls_info *t)
{
    bool quic = f->app_proto == MK_APP_QUIC;
    struct probe p;

    if (!begin(&p, w, f, MK_FLOW_TOSERVER)) {
        return;
    }
    p.obs.ja3 = t->ja3_string != NULL ? t->ja3_hash : NULL;
    p.obs.ja4 = t->ja4[0] != '\0' ? t->ja4 : NULL;
    match_domain(&p, t->sni, quic ? "quic.sni" : "tls.sni");
    /* a plain list cannot tell a JA3 from a file MD5 (both 32 hex digits) and
     * loads it as MD5: look in both */
    if (t->ja3_string != NULL) {
        match_value(&p, MK_IOC_JA3, t->ja3_hash, quic ? "quic.ja3.hash" : "tls.ja3.hash");
        match_value(&p, MK_IOC_MD5, t->ja3_hash, quic ? "quic.ja3.hash" : "tls.ja3.hash");
    }
    if (t->ja3s_string != NULL) {
        match_value(&p, MK_IOC_JA3, t->ja3s_hash, "tls.ja3s.hash");
        match_value(&p, MK_IOC_MD5, t->ja3s_hash, "tls.ja3s.hash");
    }
    if (t->ja4[0] != '\0') {
        match_value(&p, MK_IOC_JA4, t->ja4, quic ? "quic.ja4" : "tls.ja4");
    }
}
