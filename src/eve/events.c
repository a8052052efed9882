/* The EVE event bodies: flow, dns (Suricata's v2 format), http, fileinfo, tls,
 * quic, anomaly and stats, with Suricata 7.0's field names (docs/eve.md). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "eve/eve.h"

/* ---- small helpers ---------------------------------------------------------- */

/* Every key below is a literal: written with its separator in one copy. */
#define KEY(name) MK_JW_LIT(name)

static void kv_str(struct mk_eve_writer *w, struct mk_jw_lit key, const char *value)
{
    if (value != NULL) {
        mk_jw_key_lit(&w->jw, key);
        mk_jw_str_cstr(&w->jw, value);
    }
}

/* A value mekong formatted or took from its own tables: no escaping scan
 * (checked in debug builds, see mk_jw_str_plain). */
static void kv_plain(struct mk_eve_writer *w, struct mk_jw_lit key, const char *value)
{
    if (value != NULL) {
        mk_jw_kv_plain(&w->jw, key, value, strlen(value));
    }
}

static void kv_uint(struct mk_eve_writer *w, struct mk_jw_lit key, uint64_t value)
{
    mk_jw_kv_uint(&w->jw, key, value);
}

static void kv_bool(struct mk_eve_writer *w, struct mk_jw_lit key, bool value)
{
    mk_jw_key_lit(&w->jw, key);
    mk_jw_bool(&w->jw, value);
}

static void kv_time(struct mk_eve_writer *w, struct mk_jw_lit key, int64_t sec, uint32_t nsec)
{
    char buf[40];

    mk_eve_writer_format_time(w, (struct mk_eve_time){sec, nsec}, buf);
    kv_plain(w, key, buf);
}

static struct mk_eve_time flow_start(const struct mk_flow *f)
{
    return (struct mk_eve_time){f->first_sec, f->first_nsec};
}

/* Lower-case hex of v without leading zeros, at least `min_digits` digits
 * (snprintf's "%0*x"; snprintf itself was a visible cost: three per TCP flow
 * record, one per DNS event). out needs 9 bytes. */
static const char *hex_u32(uint32_t v, int min_digits, char out[9])
{
    static const char digits[] = "0123456789abcdef";
    char *p = out + 8;

    *p = '\0';
    do {
        *--p = digits[v & 15];
        v >>= 4;
        min_digits--;
    } while (v != 0 || min_digits > 0);
    return p;
}

/* ---- flow ------------------------------------------------------------------- */

/* The counters and start time that the flow record and an alert's "flow"
 * object share (Suricata writes the same fields in both). */
static void write_flow_counters(struct mk_eve_writer *w, const struct mk_flow *f)
{
    kv_uint(w, KEY("pkts_toserver"), f->pkts[MK_FLOW_TOSERVER]);
    kv_uint(w, KEY("pkts_toclient"), f->pkts[MK_FLOW_TOCLIENT]);
    kv_uint(w, KEY("bytes_toserver"), f->bytes[MK_FLOW_TOSERVER]);
    kv_uint(w, KEY("bytes_toclient"), f->bytes[MK_FLOW_TOCLIENT]);
    kv_time(w, KEY("start"), f->first_sec, f->first_nsec);
}

static void write_tcp_flags(struct mk_eve_writer *w, const struct mk_flow *f)
{
    static const struct mk_jw_lit names[] = {
        MK_JW_LIT_INIT("fin"), MK_JW_LIT_INIT("syn"), MK_JW_LIT_INIT("rst"), MK_JW_LIT_INIT("psh"),
        MK_JW_LIT_INIT("ack"), MK_JW_LIT_INIT("urg"), MK_JW_LIT_INIT("ecn"), MK_JW_LIT_INIT("cwr")};
    uint8_t all = f->tcp_flags[0] | f->tcp_flags[1];
    char hex[9];

    mk_jw_key_lit(&w->jw, KEY("tcp"));
    mk_jw_obj_open(&w->jw);
    kv_plain(w, KEY("tcp_flags"), hex_u32(all, 2, hex));
    kv_plain(w, KEY("tcp_flags_ts"), hex_u32(f->tcp_flags[MK_FLOW_TOSERVER], 2, hex));
    kv_plain(w, KEY("tcp_flags_tc"), hex_u32(f->tcp_flags[MK_FLOW_TOCLIENT], 2, hex));
    for (unsigned i = 0; i < 8; i++) {
        if (all & (1u << i)) {
            kv_bool(w, names[i], true);
        }
    }
    kv_plain(w, KEY("state"), mk_tcp_state_name(f->tcp_state));
    mk_jw_obj_close(&w->jw);
}

/* Suricata's flow states: TCP follows the session (a handshake that never
 * completed is still "new"); other protocols are established once both
 * directions were seen. */
static const char *flow_state(const struct mk_flow *f)
{
    if (f->proto == 6) {
        switch (f->tcp_state) {
        case MK_TCP_CLOSED:
            return "closed";
        case MK_TCP_ESTABLISHED:
        case MK_TCP_FIN_WAIT:
            return "established";
        default:
            return "new";
        }
    }
    return f->pkts[MK_FLOW_TOCLIENT] > 0 ? "established" : "new";
}

/* Suricata's reasons: a flow is "timeout" (idle or closed and timed out),
 * "forced" (evicted) or "shutdown". */
static const char *flow_reason(enum mk_flow_end reason)
{
    switch (reason) {
    case MK_FLOW_END_EVICTED:
        return "forced";
    case MK_FLOW_END_SHUTDOWN:
        return "shutdown";
    case MK_FLOW_END_TIMEOUT:
    case MK_FLOW_END_CLOSED:
        break;
    }
    return "timeout";
}

void mk_eve_flow(struct mk_eve_writer *w, const struct mk_flow *f, enum mk_flow_end reason)
{
    if (!w->cfg->flow) {
        return;
    }
    mk_eve_begin(w, MK_EVE_FLOW, flow_start(f), f, MK_FLOW_TOSERVER);
    if (f->app_proto != MK_APP_UNKNOWN) {
        kv_plain(w, KEY("app_proto"), mk_app_proto_name((enum mk_app_proto)f->app_proto));
    }
    mk_jw_key_lit(&w->jw, KEY("flow"));
    mk_jw_obj_open(&w->jw);
    write_flow_counters(w, f);
    kv_time(w, KEY("end"), f->last_sec, f->last_nsec);
    kv_uint(w, KEY("age"), (uint64_t)(f->last_sec > f->first_sec ? f->last_sec - f->first_sec : 0));
    kv_plain(w, KEY("state"), flow_state(f));
    kv_plain(w, KEY("reason"), flow_reason(reason));
    kv_bool(w, KEY("alerted"), (f->user_flags & 1u) != 0);
    mk_jw_obj_close(&w->jw);
    if (f->proto == 6) {
        write_tcp_flags(w, f);
    }
    mk_eve_end(w);
}

/* ---- dns -------------------------------------------------------------------- */

static void write_rrtype(struct mk_eve_writer *w, uint16_t type)
{
    const char *name = mk_dns_type_name(type);
    char buf[16];

    if (name == NULL) {
        (void)snprintf(buf, sizeof(buf), "TYPE%u", type);
        name = buf;
    }
    kv_plain(w, KEY("rrtype"), name);
}

static void write_rrs(struct mk_eve_writer *w, struct mk_jw_lit key, const struct mk_dns_rr *rr,
                      size_t n)
{
    if (n == 0) {
        return;
    }
    mk_jw_key_lit(&w->jw, key);
    mk_jw_arr_open(&w->jw);
    for (size_t i = 0; i < n; i++) {
        mk_jw_obj_open(&w->jw);
        kv_str(w, KEY("rrname"), rr[i].rrname);
        write_rrtype(w, rr[i].rrtype);
        kv_uint(w, KEY("ttl"), rr[i].ttl);
        kv_str(w, KEY("rdata"), rr[i].rdata);
        mk_jw_obj_close(&w->jw);
    }
    mk_jw_arr_close(&w->jw);
}

/* "grouped": answers' data by type, as Suricata's answer format 'grouped'. */
static void write_grouped(struct mk_eve_writer *w, const struct mk_dns_msg *m)
{
    bool done[64] = {false};
    size_t n = m->n_answers < 64 ? m->n_answers : 64;

    if (n == 0) {
        return;
    }
    mk_jw_key_lit(&w->jw, KEY("grouped"));
    mk_jw_obj_open(&w->jw);
    for (size_t i = 0; i < n; i++) {
        const char *name = mk_dns_type_name(m->answers[i].rrtype);

        if (done[i] || name == NULL) {
            continue;
        }
        mk_jw_key_cstr(&w->jw, name);
        mk_jw_arr_open(&w->jw);
        for (size_t j = i; j < n; j++) {
            if (m->answers[j].rrtype == m->answers[i].rrtype) {
                mk_jw_str_cstr(&w->jw, m->answers[j].rdata);
                done[j] = true;
            }
        }
        mk_jw_arr_close(&w->jw);
    }
    mk_jw_obj_close(&w->jw);
}

static void write_dns_flags(struct mk_eve_writer *w, const struct mk_dns_msg *m)
{
    char hex[9];

    kv_plain(w, KEY("flags"), hex_u32(m->flags, 1, hex));
    kv_bool(w, KEY("qr"), true);
    if (m->flags & 0x0400) {
        kv_bool(w, KEY("aa"), true);
    }
    if (m->flags & 0x0200) {
        kv_bool(w, KEY("tc"), true);
    }
    if (m->flags & 0x0100) {
        kv_bool(w, KEY("rd"), true);
    }
    if (m->flags & 0x0080) {
        kv_bool(w, KEY("ra"), true);
    }
    if (m->flags & 0x0040) {
        kv_bool(w, KEY("z"), true);
    }
}

void mk_eve_dns(struct mk_eve_writer *w, struct mk_eve_time ts, const struct mk_flow *f,
                enum mk_flow_dir dir, const struct mk_dns_msg *m)
{
    if (!w->cfg->dns) {
        return;
    }
    mk_eve_begin(w, MK_EVE_DNS, ts, f, dir);
    mk_jw_key_lit(&w->jw, KEY("dns"));
    mk_jw_obj_open(&w->jw);
    if (!m->is_response) {
        kv_plain(w, KEY("type"), "query");
        kv_uint(w, KEY("id"), m->id);
        kv_str(w, KEY("rrname"), m->qname);
        write_rrtype(w, m->qtype);
        kv_uint(w, KEY("tx_id"), 0);
        kv_uint(w, KEY("opcode"), m->opcode);
    } else {
        kv_uint(w, KEY("version"), 2);
        kv_plain(w, KEY("type"), "answer");
        kv_uint(w, KEY("id"), m->id);
        write_dns_flags(w, m);
        kv_uint(w, KEY("opcode"), m->opcode);
        if (m->n_questions > 0) {
            kv_str(w, KEY("rrname"), m->qname);
            write_rrtype(w, m->qtype);
        }
        kv_plain(w, KEY("rcode"), mk_dns_rcode_name(m->rcode));
        write_rrs(w, KEY("answers"), m->answers, m->n_answers);
        write_grouped(w, m);
        write_rrs(w, KEY("authorities"), m->authorities, m->n_authorities);
    }
    mk_jw_obj_close(&w->jw);
    mk_eve_end(w);
}

/* ---- http and fileinfo ------------------------------------------------------ */

static void write_headers(struct mk_eve_writer *w, struct mk_jw_lit key,
                          const struct mk_http_header *h, size_t n)
{
    mk_jw_key_lit(&w->jw, key);
    mk_jw_arr_open(&w->jw);
    for (size_t i = 0; i < n; i++) {
        mk_jw_obj_open(&w->jw);
        kv_str(w, KEY("name"), h[i].name);
        kv_str(w, KEY("value"), h[i].value);
        mk_jw_obj_close(&w->jw);
    }
    mk_jw_arr_close(&w->jw);
}

static void write_http_body(struct mk_eve_writer *w, const struct mk_http_tx *tx)
{
    mk_jw_key_lit(&w->jw, KEY("http"));
    mk_jw_obj_open(&w->jw);
    kv_str(w, KEY("hostname"), tx->hostname);
    if (tx->port >= 0) {
        kv_uint(w, KEY("http_port"), (uint64_t)tx->port);
    }
    kv_str(w, KEY("url"), tx->uri);
    kv_str(w, KEY("http_user_agent"), tx->user_agent);
    kv_str(w, KEY("xff"), tx->xff);
    kv_str(w, KEY("http_content_type"), tx->content_type);
    kv_str(w, KEY("http_refer"), tx->referer);
    kv_str(w, KEY("http_method"), tx->method);
    kv_str(w, KEY("protocol"), tx->protocol);
    if (tx->has_status) {
        kv_uint(w, KEY("status"), (uint64_t)tx->status); /* "000" is logged as 0, as Suricata */
    }
    kv_str(w, KEY("redirect"), tx->redirect);
    kv_uint(w, KEY("length"), tx->response_body_len);
    if (w->cfg->http_headers) {
        write_headers(w, KEY("request_headers"), tx->request_headers, tx->n_request_headers);
        write_headers(w, KEY("response_headers"), tx->response_headers, tx->n_response_headers);
    }
    mk_jw_obj_close(&w->jw);
}

void mk_eve_http(struct mk_eve_writer *w, struct mk_eve_time ts, const struct mk_flow *f,
                 const struct mk_http_tx *tx)
{
    if (!w->cfg->http) {
        return;
    }
    mk_eve_begin(w, MK_EVE_HTTP, ts, f, MK_FLOW_TOSERVER);
    kv_uint(w, KEY("tx_id"), tx->tx_id);
    write_http_body(w, tx);
    mk_eve_end(w);
}

void mk_eve_fileinfo(struct mk_eve_writer *w, struct mk_eve_time ts, const struct mk_flow *f,
                     const struct mk_file_info *fi)
{
    if (!w->cfg->fileinfo) {
        return;
    }
    mk_eve_begin(w, MK_EVE_FILEINFO, ts, f, fi->dir);
    mk_jw_key_lit(&w->jw, KEY("fileinfo"));
    mk_jw_obj_open(&w->jw);
    kv_str(w, KEY("filename"), fi->filename);
    kv_bool(w, KEY("gaps"), fi->gaps);
    kv_plain(w, KEY("state"), fi->truncated ? "TRUNCATED" : "CLOSED");
    kv_plain(w, KEY("md5"), fi->md5);
    kv_plain(w, KEY("sha1"), fi->sha1);
    kv_plain(w, KEY("sha256"), fi->sha256);
    kv_bool(w, KEY("stored"), false);
    kv_uint(w, KEY("size"), fi->size);
    kv_uint(w, KEY("tx_id"), fi->tx_id);
    mk_jw_obj_close(&w->jw);
    mk_eve_end(w);
}

/* ---- tls and quic ----------------------------------------------------------- */

static void write_fingerprint(struct mk_eve_writer *w, struct mk_jw_lit key, const char *hash,
                              const char *string)
{
    if (string == NULL) {
        return;
    }
    mk_jw_key_lit(&w->jw, key);
    mk_jw_obj_open(&w->jw);
    kv_plain(w, KEY("hash"), hash);
    kv_str(w, KEY("string"), string);
    mk_jw_obj_close(&w->jw);
}

static void write_alpns(struct mk_eve_writer *w, const struct mk_tls_info *t)
{
    if (t->n_client_alpns > 0) {
        mk_jw_key_lit(&w->jw, KEY("client_alpns"));
        mk_jw_arr_open(&w->jw);
        for (size_t i = 0; i < t->n_client_alpns; i++) {
            mk_jw_str_cstr(&w->jw, t->client_alpns[i]);
        }
        mk_jw_arr_close(&w->jw);
    }
    if (t->server_alpn != NULL) {
        mk_jw_key_lit(&w->jw, KEY("server_alpns"));
        mk_jw_arr_open(&w->jw);
        mk_jw_str_cstr(&w->jw, t->server_alpn);
        mk_jw_arr_close(&w->jw);
    }
}

static void write_cert(struct mk_eve_writer *w, const struct mk_tls_cert *c)
{
    if (c == NULL) {
        return;
    }
    kv_str(w, KEY("subject"), c->subject);
    kv_str(w, KEY("issuerdn"), c->issuer);
    kv_plain(w, KEY("serial"), c->serial);
    kv_plain(w, KEY("fingerprint"), c->fingerprint);
    /* Suricata prints these without fraction or offset */
    for (int i = 0; i < 2; i++) {
        char buf[40];

        mk_eve_format_time((struct mk_eve_time){i == 0 ? c->not_before : c->not_after, 0}, buf);
        buf[19] = '\0';
        kv_plain(w, i == 0 ? KEY("notbefore") : KEY("notafter"), buf);
    }
}

static void write_tls_fields(struct mk_eve_writer *w, const struct mk_tls_info *t)
{
    write_cert(w, t->cert);
    kv_str(w, KEY("sni"), t->sni);
    kv_plain(w, KEY("version"), t->version);
    write_fingerprint(w, KEY("ja3"), t->ja3_hash, t->ja3_string);
    write_fingerprint(w, KEY("ja3s"), t->ja3s_hash, t->ja3s_string);
    if (t->ja4[0] != '\0') {
        kv_plain(w, KEY("ja4"), t->ja4);
    }
    write_alpns(w, t);
}

void mk_eve_tls(struct mk_eve_writer *w, struct mk_eve_time ts, const struct mk_flow *f,
                const struct mk_tls_info *t)
{
    if (!w->cfg->tls) {
        return;
    }
    mk_eve_begin(w, MK_EVE_TLS, ts, f, MK_FLOW_TOSERVER);
    mk_jw_key_lit(&w->jw, KEY("tls"));
    mk_jw_obj_open(&w->jw);
    write_tls_fields(w, t);
    mk_jw_obj_close(&w->jw);
    mk_eve_end(w);
}

void mk_eve_quic(struct mk_eve_writer *w, struct mk_eve_time ts, const struct mk_flow *f,
                 const struct mk_tls_info *t, uint32_t version)
{
    char vbuf[16];

    if (!w->cfg->quic) {
        return;
    }
    mk_eve_begin(w, MK_EVE_QUIC, ts, f, MK_FLOW_TOSERVER);
    mk_jw_key_lit(&w->jw, KEY("quic"));
    mk_jw_obj_open(&w->jw);
    if (version == 1) {
        kv_plain(w, KEY("version"), "1");
    } else {
        (void)snprintf(vbuf, sizeof(vbuf), "%08x", version);
        kv_plain(w, KEY("version"), vbuf);
    }
    kv_str(w, KEY("sni"), t->sni);
    write_fingerprint(w, KEY("ja3"), t->ja3_hash, t->ja3_string);
    write_fingerprint(w, KEY("ja3s"), t->ja3s_hash, t->ja3s_string);
    if (t->ja4[0] != '\0') {
        kv_plain(w, KEY("ja4"), t->ja4);
    }
    write_alpns(w, t);
    mk_jw_obj_close(&w->jw);
    mk_eve_end(w);
}

/* ---- anomaly ---------------------------------------------------------------- */

void mk_eve_anomaly(struct mk_eve_writer *w, struct mk_eve_time ts, const struct mk_flow *f,
                    const char *event)
{
    bool is_decode = strncmp(event, "decode.", 7) == 0;

    if (!w->cfg->anomaly) {
        return;
    }
    mk_eve_begin(w, MK_EVE_ANOMALY, ts, f, MK_FLOW_TOSERVER);
    mk_jw_key_lit(&w->jw, KEY("anomaly"));
    mk_jw_obj_open(&w->jw);
    kv_plain(w, KEY("type"), is_decode ? "decode" : "applayer");
    kv_str(w, KEY("event"), event);
    if (!is_decode && f != NULL && f->app_proto != MK_APP_UNKNOWN) {
        kv_plain(w, KEY("app_proto"), mk_app_proto_name((enum mk_app_proto)f->app_proto));
        kv_plain(w, KEY("layer"), "proto_parser");
    }
    mk_jw_obj_close(&w->jw);
    mk_eve_end(w);
}

/* ---- stats ------------------------------------------------------------------ */

#define STATS_MAX_DEPTH 8

/* Length of the n-th dotted component of name, starting at *pos. */
static size_t component(const char *name, size_t pos)
{
    const char *dot = strchr(name + pos, '.');

    return dot != NULL ? (size_t)(dot - (name + pos)) : strlen(name + pos);
}

/* Number of leading components two dotted names share, excluding the last of
 * `b` (which is the leaf). */
static int shared_prefix(const char *a, const char *b)
{
    int depth = 0;
    size_t pa = 0;
    size_t pb = 0;

    while (a[pa] != '\0' && b[pb] != '\0') {
        size_t la = component(a, pa);
        size_t lb = component(b, pb);

        if (la != lb || memcmp(a + pa, b + pb, la) != 0 || a[pa + la] == '\0' ||
            b[pb + lb] == '\0') {
            break;
        }
        depth++;
        pa += la + 1;
        pb += lb + 1;
    }
    return depth;
}

void mk_eve_stats(struct mk_eve_writer *w, struct mk_eve_time ts, double uptime_sec,
                  const struct mk_eve_counter *c, size_t n)
{
    int open = 0;

    if (!w->cfg->stats) {
        return;
    }
    mk_eve_begin(w, MK_EVE_STATS, ts, NULL, MK_FLOW_TOSERVER);
    mk_jw_key_lit(&w->jw, KEY("stats"));
    mk_jw_obj_open(&w->jw);
    kv_uint(w, KEY("uptime"), (uint64_t)uptime_sec);
    for (size_t i = 0; i < n; i++) {
        int keep = i > 0 ? shared_prefix(c[i - 1].name, c[i].name) : 0;
        size_t pos = 0;
        int depth = 0;

        keep = keep < open ? keep : open;
        for (; open > keep; open--) {
            mk_jw_obj_close(&w->jw);
        }
        /* open the components this name adds below the shared prefix */
        while (c[i].name[pos + component(c[i].name, pos)] != '\0') {
            size_t len = component(c[i].name, pos);

            if (depth >= open && open < STATS_MAX_DEPTH) {
                mk_jw_key(&w->jw, c[i].name + pos, len);
                mk_jw_obj_open(&w->jw);
                open++;
            }
            depth++;
            pos += len + 1;
        }
        mk_jw_key_cstr(&w->jw, c[i].name + pos);
        mk_jw_uint(&w->jw, c[i].value);
    }
    for (; open > 0; open--) {
        mk_jw_obj_close(&w->jw);
    }
    mk_jw_obj_close(&w->jw);
    mk_eve_end(w);
}

/* ---- alert ------------------------------------------------------------------ */

/* Suricata's severity: 1 high .. 3 low; from the indicator's confidence. */
static int severity_of(uint8_t confidence)
{
    if (confidence == MK_IOC_CONFIDENCE_UNKNOWN) {
        return 2;
    }
    return confidence >= 75 ? 1 : confidence >= 40 ? 2 : 3;
}

/* Suricata's rule metadata form: every value is an array of strings. */
static void meta_kv(struct mk_eve_writer *w, struct mk_jw_lit key, const char *value)
{
    if (value == NULL || value[0] == '\0') {
        return;
    }
    mk_jw_key_lit(&w->jw, key);
    mk_jw_arr_open(&w->jw);
    mk_jw_str_cstr(&w->jw, value);
    mk_jw_arr_close(&w->jw);
}

/* A comma-separated list becomes one array. */
static void meta_list(struct mk_eve_writer *w, struct mk_jw_lit key, const char *csv)
{
    const char *p = csv;

    if (csv == NULL || csv[0] == '\0') {
        return;
    }
    mk_jw_key_lit(&w->jw, key);
    mk_jw_arr_open(&w->jw);
    while (*p != '\0') {
        size_t n = strcspn(p, ",");

        mk_jw_str(&w->jw, p, n);
        p += n + (p[n] == ',');
    }
    mk_jw_arr_close(&w->jw);
}

static void write_alert_metadata(struct mk_eve_writer *w, const struct mk_ioc_hit *hit,
                                 const struct mk_eve_match *m)
{
    char conf[8];

    mk_jw_key_lit(&w->jw, KEY("metadata"));
    mk_jw_obj_open(&w->jw);
    meta_kv(w, KEY("stix_id"), hit->stix_id);
    meta_kv(w, KEY("indicator_type"), mk_ioc_type_name(hit->type));
    meta_kv(w, KEY("indicator_value"), hit->value);
    meta_kv(w, KEY("matched_field"), m->field);
    meta_kv(w, KEY("matched_value"), m->value);
    if (hit->meta != NULL) {
        meta_kv(w, KEY("source"), hit->meta->source);
        meta_kv(w, KEY("feed"), hit->meta->feed);
        meta_kv(w, KEY("tlp"), mk_tlp_name(hit->meta->tlp));
        meta_list(w, KEY("labels"), hit->meta->labels);
        meta_list(w, KEY("kill_chain"), hit->meta->kill_chain);
    }
    if (hit->confidence != MK_IOC_CONFIDENCE_UNKNOWN) {
        (void)snprintf(conf, sizeof(conf), "%u", hit->confidence);
        meta_kv(w, KEY("confidence"), conf);
    }
    mk_jw_obj_close(&w->jw);
}

void mk_eve_alert(struct mk_eve_writer *w, struct mk_eve_time ts, const struct mk_flow *f,
                  enum mk_flow_dir dir, const struct mk_ioc_hit *hit, const struct mk_eve_match *m)
{
    char sig[256];

    if (!w->cfg->alert) {
        return;
    }
    if (hit->name != NULL && hit->name[0] != '\0') {
        (void)snprintf(sig, sizeof(sig), "MEKONG IOC %s: %s", mk_ioc_type_name(hit->type),
                       hit->name);
    } else {
        (void)snprintf(sig, sizeof(sig), "MEKONG IOC %s %s", mk_ioc_type_name(hit->type),
                       hit->value != NULL ? hit->value : "");
    }
    mk_eve_begin(w, MK_EVE_ALERT, ts, f, dir);
    mk_jw_key_lit(&w->jw, KEY("alert"));
    mk_jw_obj_open(&w->jw);
    kv_plain(w, KEY("action"), "allowed");
    kv_uint(w, KEY("gid"), 1);
    kv_uint(w, KEY("signature_id"), hit->sid);
    kv_uint(w, KEY("rev"), 1);
    kv_str(w, KEY("signature"), sig);
    kv_plain(w, KEY("category"), "Threat intelligence indicator match");
    kv_uint(w, KEY("severity"), (uint64_t)severity_of(hit->confidence));
    write_alert_metadata(w, hit, m);
    mk_jw_obj_close(&w->jw);
    if (f != NULL) {
        mk_jw_key_lit(&w->jw, KEY("flow"));
        mk_jw_obj_open(&w->jw);
        write_flow_counters(w, f);
        mk_jw_obj_close(&w->jw);
    }
    mk_eve_end(w);
}
