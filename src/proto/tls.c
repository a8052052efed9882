/* TLS analyzer (mk_analyzer_tls): record layer (RFC 8446 section 5, RFC 5246 section 6.2)
 * and handshake reassembly across records and TCP segments into a capped per-direction
 * buffer; reports ClientHello, ServerHello and the TLS <= 1.2 leaf certificate once. */
#include <stdlib.h>
#include <string.h>

#include "proto/tls_int.h"

struct tls_dir {
    uint8_t rec_hdr[5];
    size_t rec_hdr_len;
    size_t rec_left; /* body bytes of the current record still to come */
    uint8_t rec_type;
    uint8_t hs_hdr[4];
    size_t hs_hdr_len;
    size_t hs_left;    /* body bytes of the current handshake message still to come */
    bool hs_skip;      /* the message is over MK_TLS_MAX_HANDSHAKE: its body is dropped */
    bool encrypted;    /* ChangeCipherSpec seen: later handshake records are opaque */
    bool done;         /* nothing more to learn from this direction */
    bool started;      /* a first record header was read */
    struct mk_buf msg; /* the message body, only while it spans records or segments */
};

/* Small until the handshake shows something: the hellos and the certificate
 * are allocated when they come and freed with everything else once the
 * handshake is reported (the rest of the flow is encrypted). */
struct tls_state {
    struct tls_dir dir[2];
    struct mk_tls_hellos *hs; /* from the first hello until the report */
    bool has_ch;
    bool has_sh;
    bool is_tls13;
    bool has_cert;
    bool reported;
    struct mk_x509_fields *cert; /* from the Certificate message until the report */
    struct mk_buf tmp;           /* JA3 strings at report time */
};

static void anomaly(struct mk_proto_ctx *ctx, struct mk_flow *flow, const char *event)
{
    if (ctx->sink.anomaly != NULL) {
        ctx->sink.anomaly(ctx->sink.ctx, flow, event);
    }
}

static enum mk_status dup_slice(struct mk_arena *a, struct mk_slice s, const char **out)
{
    if (s.ptr == NULL) {
        return MK_OK;
    }
    *out = mk_arena_strndup(a, s.ptr, s.len);
    return *out != NULL ? MK_OK : MK_ENOMEM;
}

static enum mk_status client_side(const struct mk_tls_hello *ch, bool quic, struct mk_arena *a,
                                  struct mk_buf *tmp, struct mk_tls_info *out)
{
    enum mk_status st = dup_slice(a, ch->sni, &out->sni);

    for (size_t i = 0; i < ch->n_alpns && i < MK_ARRAY_LEN(out->client_alpns); i++) {
        if (st == MK_OK) {
            st = dup_slice(a, ch->alpns[i], &out->client_alpns[i]);
            out->n_client_alpns = i + 1;
        }
    }
    if (st == MK_OK) {
        st = mk_ja3(ch, tmp, out->ja3_hash);
    }
    if (st == MK_OK) {
        out->ja3_string = mk_arena_strndup(a, tmp->data, tmp->len);
        st = out->ja3_string != NULL ? MK_OK : MK_ENOMEM;
    }
    mk_ja4(ch, quic, out->ja4);
    out->has_client_hello = true;
    return st;
}

static enum mk_status server_side(const struct mk_tls_hello *sh, struct mk_arena *a,
                                  struct mk_buf *tmp, struct mk_tls_info *out)
{
    enum mk_status st = MK_OK;

    /* 0x0304 in the version field itself: a draft before 16 (Suricata's
     * "TLS 1.3 draft-<16"); the final TLS 1.3 says 0x0303 there */
    out->version = sh->n_supported_versions == 0 && sh->legacy_version == MK_TLS_VERSION_13
                       ? "TLS 1.3 draft-<16"
                       : mk_tls_version_name(mk_tls_hello_version(sh));
    if (sh->n_alpns > 0) {
        st = dup_slice(a, sh->alpns[0], &out->server_alpn);
    }
    if (st == MK_OK) {
        st = mk_ja3s(sh, tmp, out->ja3s_hash);
    }
    if (st == MK_OK) {
        out->ja3s_string = mk_arena_strndup(a, tmp->data, tmp->len);
        st = out->ja3s_string != NULL ? MK_OK : MK_ENOMEM;
    }
    out->has_server_hello = true;
    return st;
}

MK_MUST_CHECK enum mk_status mk_tls_info_build(const struct mk_tls_hello *ch,
                                               const struct mk_tls_hello *sh, bool quic,
                                               struct mk_arena *a, struct mk_buf *tmp,
                                               struct mk_tls_info *out)
{
    enum mk_status st = MK_OK;
    enum mk_status st2 = MK_OK;

    memset(out, 0, sizeof(*out));
    out->version = "UNDETERMINED";
    if (ch != NULL) {
        st = client_side(ch, quic, a, tmp, out);
    }
    if (sh != NULL) {
        st2 = server_side(sh, a, tmp, out);
    }
    return st != MK_OK ? st : st2;
}

MK_MUST_CHECK enum mk_status mk_tls_cert_leaf(const uint8_t *body, size_t n, struct mk_slice *der)
{
    struct tls_cur c = {body, n};
    struct tls_cur list;
    struct tls_cur cert;
    uint32_t len;

    /* RFC 5246 section 7.4.2: certificate_list<0..2^24-1> of ASN.1Cert<1..2^24-1> */
    if (!cur_u24(&c, &len) || !cur_take(&c, len, &list)) {
        return MK_EINVAL;
    }
    if (list.n == 0) {
        return MK_ENOTFOUND;
    }
    if (!cur_u24(&list, &len) || len == 0 || !cur_take(&list, len, &cert)) {
        return MK_EINVAL;
    }
    *der = (struct mk_slice){cert.p, cert.n};
    return MK_OK;
}

/* Reports once: when the handshake has shown what it will show, or at the end. */
static void report(struct tls_state *s, struct mk_proto_ctx *ctx, struct mk_flow *flow)
{
    struct mk_tls_info info;
    struct mk_tls_cert cert;

    if (s->reported || (!s->has_ch && !s->has_sh)) {
        return;
    }
    s->reported = true;
    s->dir[0].done = true;
    s->dir[1].done = true;
    if (mk_tls_info_build(s->has_ch ? &s->hs->ch : NULL, s->has_sh ? &s->hs->sh : NULL, false,
                          ctx->scratch, &s->tmp, &info) != MK_OK) {
        anomaly(ctx, flow, "tls.report_truncated");
    }
    if (s->has_cert) {
        cert = (struct mk_tls_cert){.subject = s->cert->subject,
                                    .issuer = s->cert->issuer,
                                    .serial = s->cert->serial,
                                    .fingerprint = s->cert->fingerprint,
                                    .not_before = s->cert->not_before,
                                    .not_after = s->cert->not_after};
        info.cert = &cert;
    }
    if (ctx->sink.tls != NULL) {
        ctx->sink.tls(ctx->sink.ctx, flow, &info);
    }
    /* nothing more will be read: keep only the flags */
    mk_buf_fini(&s->dir[0].msg);
    mk_buf_fini(&s->dir[1].msg);
    mk_buf_fini(&s->tmp);
    free(s->hs);
    s->hs = NULL;
    free(s->cert);
    s->cert = NULL;
}

static void on_hello(struct tls_state *s, struct mk_proto_ctx *ctx, struct mk_flow *flow,
                     bool client, const uint8_t *p, size_t n)
{
    struct mk_tls_hello *h;
    enum mk_status st;

    if (client ? s->has_ch : s->has_sh) {
        return; /* a second ClientHello after HelloRetryRequest keeps the first */
    }
    if (s->hs == NULL && (s->hs = malloc(sizeof(*s->hs))) == NULL) {
        anomaly(ctx, flow, "tls.memcap");
        return;
    }
    h = client ? &s->hs->ch : &s->hs->sh;
    st = mk_tls_hello_parse(p, n, client, h);
    if (st == MK_EINVAL) {
        anomaly(ctx, flow, client ? "tls.invalid_client_hello" : "tls.invalid_server_hello");
        return;
    }
    if (st == MK_ELIMIT) {
        anomaly(ctx, flow, "tls.hello_list_truncated");
    }
    if (client) {
        mk_tls_hello_detach(h, s->hs->ch_pool, sizeof(s->hs->ch_pool));
        s->has_ch = true;
        return;
    }
    mk_tls_hello_detach(h, s->hs->sh_pool, sizeof(s->hs->sh_pool));
    s->has_sh = true;
    uint16_t v = mk_tls_hello_version(h);
    /* TLS 1.3: everything after the ServerHello is encrypted, the certificate too. */
    s->is_tls13 = v == MK_TLS_VERSION_13 || (v >> 8) == 0x7f;
    if (s->is_tls13) {
        report(s, ctx, flow);
    }
}

static void on_certificate(struct tls_state *s, struct mk_proto_ctx *ctx, struct mk_flow *flow,
                           const uint8_t *p, size_t n)
{
    struct mk_slice der;
    enum mk_status st = mk_tls_cert_leaf(p, n, &der);

    if (st == MK_OK && s->cert == NULL && (s->cert = malloc(sizeof(*s->cert))) == NULL) {
        st = MK_ENOMEM;
    }
    if (st == MK_OK) {
        st = mk_x509_parse(der.ptr, der.len, s->cert);
    }
    if (st == MK_OK) {
        s->has_cert = true;
    } else if (st != MK_ENOTFOUND) {
        anomaly(ctx, flow, "tls.invalid_certificate");
    }
    report(s, ctx, flow);
}

/* One complete handshake message (RFC 8446 section 4). */
static void on_message(struct tls_state *s, struct mk_proto_ctx *ctx, struct mk_flow *flow,
                       enum mk_flow_dir dir, const uint8_t *p, size_t n)
{
    uint8_t type = s->dir[dir].hs_hdr[0];

    if (type == MK_TLS_HS_CLIENT_HELLO && dir == MK_FLOW_TOSERVER) {
        on_hello(s, ctx, flow, true, p, n);
    } else if (type == MK_TLS_HS_SERVER_HELLO && dir == MK_FLOW_TOCLIENT) {
        on_hello(s, ctx, flow, false, p, n);
    } else if (type == MK_TLS_HS_CERTIFICATE && dir == MK_FLOW_TOCLIENT && s->has_sh) {
        on_certificate(s, ctx, flow, p, n);
    } else if (dir == MK_FLOW_TOCLIENT && s->has_sh && type != MK_TLS_HS_SERVER_HELLO) {
        report(s, ctx, flow); /* past the point where a certificate would have come */
    }
}

static size_t min_size(size_t a, size_t b)
{
    return a < b ? a : b;
}

/* Takes the 4-byte handshake header; the bytes it used. */
static size_t hs_header(struct tls_dir *d, const uint8_t *p, size_t n)
{
    size_t take = min_size(4 - d->hs_hdr_len, n);

    memcpy(d->hs_hdr + d->hs_hdr_len, p, take);
    d->hs_hdr_len += take;
    if (d->hs_hdr_len == 4) {
        d->hs_left = (size_t)d->hs_hdr[1] << 16 | (size_t)d->hs_hdr[2] << 8 | d->hs_hdr[3];
        d->hs_skip = d->hs_left > MK_TLS_MAX_HANDSHAKE;
        mk_buf_reset(&d->msg);
    }
    return take;
}

/* Handshake bytes of one direction (the bodies of its handshake records, in order). */
static void hs_feed(struct tls_state *s, struct mk_proto_ctx *ctx, struct mk_flow *flow,
                    enum mk_flow_dir dir, const uint8_t *p, size_t n)
{
    struct tls_dir *d = &s->dir[dir];

    while (!d->done && (n > 0 || (d->hs_hdr_len == 4 && d->hs_left == 0))) {
        size_t take;
        if (d->hs_hdr_len < 4) {
            take = hs_header(d, p, n);
            p += take;
            n -= take;
            if (d->hs_skip) {
                anomaly(ctx, flow, "tls.handshake_too_long");
            }
            continue;
        }
        take = min_size(d->hs_left, n);
        if (d->hs_skip) {
            /* dropped */
        } else if (d->msg.len == 0 && take == d->hs_left) {
            on_message(s, ctx, flow, dir, p, take); /* whole in this chunk: no copy */
        } else if (mk_buf_append(&d->msg, p, take) != MK_OK) {
            anomaly(ctx, flow, "tls.memcap");
            d->done = true;
        } else if (take == d->hs_left) {
            on_message(s, ctx, flow, dir, d->msg.data, d->msg.len);
        }
        d->hs_left -= take;
        p += take;
        n -= take;
        if (d->hs_left == 0) {
            d->hs_hdr_len = 0;
            d->hs_skip = false;
        }
    }
}

/* Validates a complete record header (RFC 8446 section 5.1); false ends the direction. */
static bool record_start(struct tls_state *s, struct mk_proto_ctx *ctx, struct mk_flow *flow,
                         enum mk_flow_dir dir)
{
    struct tls_dir *d = &s->dir[dir];
    size_t len = (size_t)d->rec_hdr[3] << 8 | d->rec_hdr[4];

    d->rec_type = d->rec_hdr[0];
    d->rec_left = len;
    if (d->rec_type < MK_TLS_CT_CCS || d->rec_type > MK_TLS_CT_APPDATA || d->rec_hdr[1] != 3) {
        anomaly(ctx, flow, "tls.invalid_record");
        return false;
    }
    if (len > MK_TLS_MAX_RECORD) {
        anomaly(ctx, flow, "tls.record_too_long");
        return false;
    }
    if (d->rec_type == MK_TLS_CT_CCS) {
        d->encrypted = true;
        if (dir == MK_FLOW_TOCLIENT) {
            report(s, ctx, flow); /* resumed session: no certificate will come */
        }
    } else if (d->rec_type == MK_TLS_CT_APPDATA) {
        /* TLS 1.3 0-RTT early data (RFC 8446 section 2.3) follows the ClientHello
         * before any ServerHello: wait for the server's side, or the flow's end */
        if (dir == MK_FLOW_TOCLIENT || s->has_sh) {
            report(s, ctx, flow);
        }
        return false;
    }
    return true;
}

/* An SSL 2.0 record with a 2-byte header (SSL 2.0 draft section 1.2, RFC 6101
 * appendix E.1): a client that still speaks SSLv2 opens with such a CLIENT-HELLO
 * and switches to SSLv3/TLS records once the server answers with a TLS
 * ServerHello (suricata-verify tls-glupteba). Its body is skipped: the hello has
 * no extensions, so no SNI, and no JA3 is computed for it (tshark and Suricata
 * give none either). The header bytes read past the 2-byte header are body. */
static void sslv2_record(struct tls_dir *d, struct mk_proto_ctx *ctx, struct mk_flow *flow)
{
    size_t len = (size_t)(d->rec_hdr[0] & 0x7fu) << 8 | d->rec_hdr[1];
    size_t extra = d->rec_hdr_len - 2;

    d->started = true;
    d->rec_hdr_len = 5; /* the header is complete */
    d->rec_type = 0;    /* not a TLS handshake record: the body is skipped */
    if (len < extra) {
        anomaly(ctx, flow, "tls.invalid_record");
        d->done = true;
        return;
    }
    d->rec_left = len - extra;
    if (d->rec_left == 0) {
        d->rec_hdr_len = 0;
    }
}

static void tls_parse(void *state, struct mk_proto_ctx *ctx, struct mk_flow *flow,
                      enum mk_flow_dir dir, const uint8_t *data, size_t len)
{
    struct tls_state *s = state;
    struct tls_dir *d = &s->dir[dir];

    while (len > 0 && !d->done) {
        size_t take;
        if (d->rec_hdr_len < 5) {
            take = min_size(5 - d->rec_hdr_len, len);
            memcpy(d->rec_hdr + d->rec_hdr_len, data, take);
            d->rec_hdr_len += take;
            data += take;
            len -= take;
            if (!d->started && d->rec_hdr_len >= 2 && (d->rec_hdr[0] & 0x80u) != 0) {
                sslv2_record(d, ctx, flow);
            } else if (d->rec_hdr_len == 5) {
                d->started = true;
                d->done = !record_start(s, ctx, flow, dir);
            }
            continue;
        }
        take = min_size(d->rec_left, len);
        if (d->rec_type == MK_TLS_CT_HANDSHAKE && !d->encrypted) {
            hs_feed(s, ctx, flow, dir, data, take);
        }
        d->rec_left -= take;
        data += take;
        len -= take;
        if (d->rec_left == 0) {
            d->rec_hdr_len = 0;
        }
    }
}

static void tls_gap(void *state, struct mk_proto_ctx *ctx, struct mk_flow *flow,
                    enum mk_flow_dir dir, size_t len)
{
    struct tls_state *s = state;

    (void)len;
    /* Records cannot be resynchronised inside encrypted data: report what we have. */
    s->dir[dir].done = true;
    anomaly(ctx, flow, "tls.gap");
    report(s, ctx, flow);
}

static void tls_flow_end(void *state, struct mk_proto_ctx *ctx, struct mk_flow *flow)
{
    report(state, ctx, flow);
}

static void *tls_state_new(void)
{
    struct tls_state *s = calloc(1, sizeof(*s));

    if (s != NULL) {
        mk_buf_init(&s->dir[0].msg, MK_TLS_MAX_HANDSHAKE);
        mk_buf_init(&s->dir[1].msg, MK_TLS_MAX_HANDSHAKE);
        mk_buf_init(&s->tmp, MK_TLS_MAX_STRING);
    }
    return s;
}

static void tls_state_free(void *state)
{
    struct tls_state *s = state;

    if (s == NULL) {
        return;
    }
    mk_buf_fini(&s->dir[0].msg);
    mk_buf_fini(&s->dir[1].msg);
    mk_buf_fini(&s->tmp);
    free(s->hs);
    free(s->cert);
    free(s);
}

static size_t tls_state_size(const void *state)
{
    const struct tls_state *s = state;

    return sizeof(*s) + s->dir[0].msg.alloc + s->dir[1].msg.alloc + s->tmp.alloc +
           (s->hs != NULL ? sizeof(*s->hs) : 0) + (s->cert != NULL ? sizeof(*s->cert) : 0);
}

/* Reported: parse reads nothing more and flow_end reports nothing. (A gap
 * would still name itself as the anomaly "tls.gap".) */
static bool tls_done(const void *state)
{
    return ((const struct tls_state *)state)->reported;
}

/* An SSLv2-format CLIENT-HELLO (RFC 6101 appendix E.2): 2-byte record header,
 * msg type 1, version 0x0002 or 3.x, cipher specs of 3 bytes each, a session id
 * of 0 or 16 bytes and a challenge of 16 to 32 bytes, all inside the record. */
static enum mk_probe_result sslv2_probe(const uint8_t *d, size_t len)
{
    size_t rec;
    size_t specs;
    size_t sid;
    size_t chal;

    if (len < 11) {
        return MK_PROBE_MORE;
    }
    rec = (size_t)(d[0] & 0x7fu) << 8 | d[1];
    specs = (size_t)d[5] << 8 | d[6];
    sid = (size_t)d[7] << 8 | d[8];
    chal = (size_t)d[9] << 8 | d[10];
    if (d[2] != MK_TLS_HS_CLIENT_HELLO || !((d[3] == 0 && d[4] == 2) || (d[3] == 3 && d[4] <= 4)) ||
        specs == 0 || specs % 3 != 0 || (sid != 0 && sid != 16) || chal < 16 || chal > 32 ||
        rec != 9 + specs + sid + chal) {
        return MK_PROBE_NO;
    }
    return MK_PROBE_YES;
}

/* A handshake record (RFC 8446 section 5.1: type 22, version 3.x) that opens with a
 * ClientHello or ServerHello; to the server also an SSLv2-format CLIENT-HELLO. */
static enum mk_probe_result tls_probe(const uint8_t *data, size_t len, enum mk_flow_dir dir,
                                      uint16_t port)
{
    static const uint8_t want[] = {MK_TLS_CT_HANDSHAKE, 0x03};

    (void)port;
    if (dir == MK_FLOW_TOSERVER && len > 0 && (data[0] & 0x80u) != 0) {
        return sslv2_probe(data, len);
    }
    if (memcmp(data, want, min_size(len, 2)) != 0 || (len > 2 && data[2] > 0x04)) {
        return MK_PROBE_NO;
    }
    if (len < 6) {
        return MK_PROBE_MORE;
    }
    return data[5] == MK_TLS_HS_CLIENT_HELLO || data[5] == MK_TLS_HS_SERVER_HELLO ? MK_PROBE_YES
                                                                                  : MK_PROBE_NO;
}

const struct mk_analyzer_ops mk_analyzer_tls = {
    .name = "tls",
    .proto = MK_APP_TLS,
    .transports = MK_TRANSPORT_TCP,
    .probe = tls_probe,
    .state_new = tls_state_new,
    .state_bytes = sizeof(struct tls_state) + sizeof(struct mk_tls_hellos),
    .state_size = tls_state_size,
    .done = tls_done,
    .state_free = tls_state_free,
    .parse = tls_parse,
    .gap = tls_gap,
    .flow_end = tls_flow_end,
};
