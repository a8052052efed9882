/* QUIC analyzer (mk_analyzer_quic): removes Initial packet protection (RFC 9001
 * section 5), reassembles CRYPTO frames by offset across all Initials of each side
 * (RFC 9000 section 19.6) and reports the ClientHello/ServerHello through sink->quic. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "proto/tls_int.h"

/* Cap of each side's reassembled CRYPTO stream: a ClientHello with post-quantum key
 * shares is ~2 KB, and the hello must fit whole. */
#define QUIC_MAX_CRYPTO (16u << 10)
#define QUIC_TAG_LEN    16u

struct quic_crypto {
    uint8_t *buf; /* QUIC_MAX_CRYPTO bytes, then a bitmap of received bytes */
    size_t ready; /* bytes present from offset 0 */
    bool done;    /* the hello was parsed or given up */
};

/* The hellos, the CRYPTO buffers and the cipher contexts are freed as soon as
 * they have served (a side's buffer when its hello is parsed, the rest at the
 * report): afterwards the flow costs only this struct. */
struct quic_state {
    EVP_CIPHER_CTX *aead; /* NULL once reported */
    EVP_CIPHER_CTX *ecb;
    uint32_t version;
    uint8_t dcid[MK_QUIC_MAX_CID]; /* the client's first DCID: the Initial keys' input */
    size_t dcid_len;
    bool has_keys;
    struct mk_quic_keys keys[2]; /* indexed by enum mk_flow_dir: client's, server's */
    struct quic_crypto crypto[2];
    struct mk_tls_hellos *hs; /* from the first hello until the report */
    bool has_ch;
    bool has_sh;
    bool reported;
    struct mk_buf tmp;
};

/* OpenSSL 3's EVP_CIPHER_CTX with AES-128 key schedules (ECB, GCM) and
 * allocator overhead: an estimate for quic_state_size. */
#define QUIC_CIPHER_BYTES 1536u
#define QUIC_CRYPTO_BYTES (QUIC_MAX_CRYPTO + QUIC_MAX_CRYPTO / 8)

static void crypto_release(struct quic_crypto *c)
{
    free(c->buf);
    c->buf = NULL;
}

static void anomaly(struct mk_proto_ctx *ctx, struct mk_flow *flow, const char *event)
{
    if (ctx->sink.anomaly != NULL) {
        ctx->sink.anomaly(ctx->sink.ctx, flow, event);
    }
}

/* ---- key schedule (RFC 9001 section 5.2, RFC 8446 section 7.1) --------------- */

/* AES-128-ECB (header protection) and AES-128-GCM (payload), fetched once per
 * process like base's digests (mk_hash_md): EVP_aes_128_gcm() and friends make
 * OpenSSL 3 fetch again on every EVP_*Init_ex, i.e. twice per packet. Filled by
 * pthread_once, read-only afterwards, never freed. */
static EVP_CIPHER *aes_ecb;
static EVP_CIPHER *aes_gcm;
static pthread_once_t ciphers_once = PTHREAD_ONCE_INIT;

static void ciphers_fetch(void)
{
    aes_ecb = EVP_CIPHER_fetch(NULL, "AES-128-ECB", NULL);
    aes_gcm = EVP_CIPHER_fetch(NULL, "AES-128-GCM", NULL);
}

/* HKDF-Expand-Label(secret, label, "", len) for len <= 32: one HMAC block. */
static bool expand_label(const uint8_t secret[32], const char *label, uint8_t *out, size_t len)
{
    uint8_t info[2 + 1 + 32 + 1 + 1];
    size_t ll = strlen(label);
    uint8_t block[32];

    if (ll + 6 > 32 || len > 32) {
        return false;
    }
    info[0] = 0;
    info[1] = (uint8_t)len;
    info[2] = (uint8_t)(6 + ll);
    memcpy(info + 3, "tls13 ", 6);
    memcpy(info + 9, label, ll);
    info[9 + ll] = 0;  /* empty context */
    info[10 + ll] = 1; /* HKDF-Expand counter T(1) */
    if (!mk_hmac_sha256(secret, 32, info, 11 + ll, block)) {
        return false;
    }
    memcpy(out, block, len);
    return true;
}

MK_MUST_CHECK enum mk_status mk_quic_initial_keys(uint32_t version, const uint8_t *dcid,
                                                  size_t dcid_len, bool server,
                                                  struct mk_quic_keys *out)
{
    static const uint8_t salt_v1[20] = {0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17,
                                        0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a};
    static const uint8_t salt_v2[20] = {0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6, 0xdb, 0x81, 0x93,
                                        0x81, 0xbe, 0x6e, 0x26, 0x9d, 0xcb, 0xf9, 0xbd, 0x2e, 0xd9};
    static const uint8_t salt_d29[20] = {0xaf, 0xbf, 0xec, 0x28, 0x99, 0x93, 0xd2,
                                         0x4c, 0x9e, 0x97, 0x86, 0xf1, 0x9c, 0x61,
                                         0x11, 0xe0, 0x43, 0x90, 0xa8, 0x99};
    const uint8_t *salt = version == MK_QUIC_V1   ? salt_v1
                          : version == MK_QUIC_V2 ? salt_v2
                                                  : salt_d29;
    const bool v2 = version == MK_QUIC_V2;
    uint8_t initial[32];
    uint8_t secret[32];

    if ((version != MK_QUIC_V1 && version != MK_QUIC_V2 && version != MK_QUIC_DRAFT29) ||
        dcid_len > MK_QUIC_MAX_CID) {
        return MK_EINVAL;
    }
    /* HKDF-Extract(salt, dcid) is HMAC with the salt as key. */
    if (!mk_hmac_sha256(salt, 20, dcid, dcid_len, initial) ||
        !expand_label(initial, server ? "server in" : "client in", secret, 32) ||
        !expand_label(secret, v2 ? "quicv2 key" : "quic key", out->key, 16) ||
        !expand_label(secret, v2 ? "quicv2 iv" : "quic iv", out->iv, 12) ||
        !expand_label(secret, v2 ? "quicv2 hp" : "quic hp", out->hp, 16)) {
        return MK_EINVAL;
    }
    return MK_OK;
}

/* ---- CRYPTO reassembly and hellos -------------------------------------------- */

static void report(struct quic_state *s, struct mk_proto_ctx *ctx, struct mk_flow *flow)
{
    struct mk_tls_info info;

    if (s->reported || !s->has_ch) {
        return;
    }
    s->reported = true;
    if (mk_tls_info_build(&s->hs->ch, s->has_sh ? &s->hs->sh : NULL, true, ctx->scratch, &s->tmp,
                          &info) != MK_OK) {
        anomaly(ctx, flow, "quic.report_truncated");
    }
    if (ctx->sink.quic != NULL) {
        ctx->sink.quic(ctx->sink.ctx, flow, &info, s->version);
    }
    /* quic_parse reads nothing more: keep only the flags */
    mk_buf_fini(&s->tmp);
    free(s->hs);
    s->hs = NULL;
    crypto_release(&s->crypto[0]);
    crypto_release(&s->crypto[1]);
    EVP_CIPHER_CTX_free(s->aead);
    EVP_CIPHER_CTX_free(s->ecb);
    s->aead = s->ecb = NULL;
}

/* Parses the hello once the stream holds the whole first handshake message. */
static void try_hello(struct quic_state *s, struct mk_proto_ctx *ctx, struct mk_flow *flow,
                      enum mk_flow_dir dir)
{
    struct quic_crypto *c = &s->crypto[dir];
    bool client = dir == MK_FLOW_TOSERVER;
    struct mk_tls_hello *h;
    size_t len;

    if (c->ready < 4) {
        return;
    }
    len = (size_t)c->buf[1] << 16 | (size_t)c->buf[2] << 8 | c->buf[3];
    if (c->buf[0] != (client ? MK_TLS_HS_CLIENT_HELLO : MK_TLS_HS_SERVER_HELLO) ||
        len + 4 > QUIC_MAX_CRYPTO) {
        anomaly(ctx, flow, client ? "quic.invalid_client_hello" : "quic.invalid_server_hello");
        c->done = true;
        crypto_release(c);
        return;
    }
    if (c->ready < len + 4) {
        return;
    }
    c->done = true;
    if (s->hs == NULL && (s->hs = malloc(sizeof(*s->hs))) == NULL) {
        anomaly(ctx, flow, "quic.memcap");
        crypto_release(c);
        return;
    }
    h = client ? &s->hs->ch : &s->hs->sh;
    enum mk_status st = mk_tls_hello_parse(c->buf + 4, len, client, h);
    if (st == MK_EINVAL) {
        anomaly(ctx, flow, client ? "quic.invalid_client_hello" : "quic.invalid_server_hello");
        crypto_release(c);
        return;
    }
    mk_tls_hello_detach(h, client ? s->hs->ch_pool : s->hs->sh_pool,
                        client ? sizeof(s->hs->ch_pool) : sizeof(s->hs->sh_pool));
    crypto_release(c); /* the hello's strings are in the pool now */
    *(client ? &s->has_ch : &s->has_sh) = true;
    if (s->has_ch && s->has_sh) {
        report(s, ctx, flow);
    }
}

/* One CRYPTO frame's data at `off` (RFC 9000 section 19.6): any order, overlaps allowed. */
static void crypto_data(struct quic_state *s, struct mk_proto_ctx *ctx, struct mk_flow *flow,
                        enum mk_flow_dir dir, uint64_t off, const uint8_t *p, size_t n)
{
    struct quic_crypto *c = &s->crypto[dir];
    uint8_t *have;

    if (c->done || n == 0) {
        return;
    }
    if (off >= QUIC_MAX_CRYPTO) {
        return; /* beyond the hello: later handshake messages */
    }
    if (c->buf == NULL) {
        /* once per side and flow: the data, then one bit per byte; only the
         * bitmap needs zeroing (the data is read only where its bit is set) */
        c->buf = malloc(QUIC_CRYPTO_BYTES);
        if (c->buf == NULL) {
            anomaly(ctx, flow, "quic.memcap");
            c->done = true;
            return;
        }
        memset(c->buf + QUIC_MAX_CRYPTO, 0, QUIC_MAX_CRYPTO / 8);
    }
    have = c->buf + QUIC_MAX_CRYPTO;
    if (n > QUIC_MAX_CRYPTO - off) {
        n = QUIC_MAX_CRYPTO - (size_t)off;
    }
    memcpy(c->buf + off, p, n);
    for (size_t i = (size_t)off; i < (size_t)off + n; i++) {
        have[i / 8] |= (uint8_t)(1u << (i % 8));
    }
    while (c->ready < QUIC_MAX_CRYPTO && (have[c->ready / 8] & (1u << (c->ready % 8)))) {
        c->ready++;
    }
    try_hello(s, ctx, flow, dir);
}

/* ---- frames (RFC 9000 section 19) -------------------------------------------- */

/* RFC 9000 section 16: the two high bits give the length (1, 2, 4 or 8 bytes). */
static bool varint(struct tls_cur *c, uint64_t *v)
{
    uint8_t b;
    size_t len;

    if (!cur_u8(c, &b)) {
        return false;
    }
    len = (size_t)1 << (b >> 6);
    *v = b & 0x3fu;
    if (c->n < len - 1) {
        return false;
    }
    for (size_t i = 1; i < len; i++) {
        *v = *v << 8 | c->p[0];
        c->p++;
        c->n--;
    }
    return true;
}

static bool skip_varints(struct tls_cur *c, size_t count)
{
    uint64_t v;

    for (size_t i = 0; i < count; i++) {
        if (!varint(c, &v)) {
            return false;
        }
    }
    return true;
}

/* ACK (section 19.3): largest, delay, range count, first range, ranges, ECN counts. */
static bool skip_ack(struct tls_cur *c, bool ecn)
{
    uint64_t count;

    if (!skip_varints(c, 2) || !varint(c, &count) || !skip_varints(c, 1)) {
        return false;
    }
    /* each range is at least 2 bytes: a count beyond that is malformed */
    if (count > c->n / 2 || !skip_varints(c, (size_t)count * 2)) {
        return false;
    }
    return !ecn || skip_varints(c, 3);
}

static bool one_frame(struct quic_state *s, struct mk_proto_ctx *ctx, struct mk_flow *flow,
                      enum mk_flow_dir dir, uint64_t type, struct tls_cur *c)
{
    uint64_t off;
    uint64_t len;
    struct tls_cur data;

    switch (type) {
    case 0x00: /* PADDING */
    case 0x01: /* PING */
        return true;
    case 0x02:
    case 0x03:
        return skip_ack(c, type == 0x03);
    case 0x06: /* CRYPTO */
        if (!varint(c, &off) || !varint(c, &len) || len > c->n || !cur_take(c, len, &data) ||
            off > UINT64_MAX - len) {
            return false;
        }
        crypto_data(s, ctx, flow, dir, off, data.p, data.n);
        return true;
    case 0x1c: /* CONNECTION_CLOSE: error, frame type, reason */
    case 0x1d:
        if (!skip_varints(c, type == 0x1c ? 2 : 1) || !varint(c, &len) || len > c->n ||
            !cur_take(c, len, &data)) {
            return false;
        }
        return true;
    default:
        return false; /* RFC 9000 section 12.4: not allowed in an Initial packet */
    }
}

static void frames(struct quic_state *s, struct mk_proto_ctx *ctx, struct mk_flow *flow,
                   enum mk_flow_dir dir, const uint8_t *p, size_t n)
{
    struct tls_cur c = {p, n};
    uint64_t type;

    while (c.n > 0) {
        if (!varint(&c, &type) || !one_frame(s, ctx, flow, dir, type, &c)) {
            anomaly(ctx, flow, "quic.invalid_frame");
            return;
        }
    }
}

void mk_quic_frames_feed(void *state, struct mk_proto_ctx *ctx, struct mk_flow *flow,
                         enum mk_flow_dir dir, const uint8_t *p, size_t n)
{
    struct quic_state *s = state;

    if (s->version == 0) {
        s->version = MK_QUIC_V1;
    }
    frames(s, ctx, flow, dir, p, n);
}

/* ---- packet protection (RFC 9001 sections 5.3-5.4) --------------------------- */

struct initial {
    const uint8_t *pkt; /* the packet from its first byte */
    size_t pn_off;      /* offset of the packet number */
    size_t len;         /* pn_off + the Length field */
    uint8_t dcid[MK_QUIC_MAX_CID];
    size_t dcid_len;
};

/* Removes header protection into `hdr` and decrypts the payload into `out`; the
 * plaintext length, or 0 when the packet does not authenticate. */
static size_t open_packet(struct quic_state *s, const struct mk_quic_keys *k,
                          const struct initial *in, uint8_t *hdr, uint8_t *out)
{
    uint8_t mask[32];
    uint8_t nonce[12];
    int outl = 0;
    int fin = 0;
    size_t pn_len;
    size_t ct_len;

    (void)pthread_once(&ciphers_once, ciphers_fetch);
    if (in->len < in->pn_off + 4 + 16 || aes_ecb == NULL || aes_gcm == NULL ||
        EVP_EncryptInit_ex(s->ecb, aes_ecb, NULL, k->hp, NULL) != 1 ||
        EVP_CIPHER_CTX_set_padding(s->ecb, 0) != 1 ||
        EVP_EncryptUpdate(s->ecb, mask, &outl, in->pkt + in->pn_off + 4, 16) != 1) {
        return 0;
    }
    memcpy(hdr, in->pkt, in->pn_off + 4);
    hdr[0] ^= mask[0] & 0x0f; /* long header: the low 4 bits are protected */
    pn_len = (size_t)(hdr[0] & 0x03) + 1;
    memcpy(nonce, k->iv, sizeof(nonce));
    for (size_t i = 0; i < pn_len; i++) {
        hdr[in->pn_off + i] ^= mask[1 + i];
        /* Initials start at 0: the truncated number is the full one in a handshake */
        nonce[12 - pn_len + i] ^= hdr[in->pn_off + i];
    }
    if (in->len < in->pn_off + pn_len + QUIC_TAG_LEN) {
        return 0;
    }
    ct_len = in->len - in->pn_off - pn_len - QUIC_TAG_LEN;
    if (EVP_DecryptInit_ex(s->aead, aes_gcm, NULL, k->key, nonce) != 1 ||
        EVP_DecryptUpdate(s->aead, NULL, &outl, hdr, (int)(in->pn_off + pn_len)) != 1 ||
        EVP_DecryptUpdate(s->aead, out, &outl, in->pkt + in->pn_off + pn_len, (int)ct_len) != 1 ||
        EVP_CIPHER_CTX_ctrl(s->aead, EVP_CTRL_GCM_SET_TAG, QUIC_TAG_LEN,
                            (void *)(in->pkt + in->len - QUIC_TAG_LEN)) != 1 ||
        EVP_DecryptFinal_ex(s->aead, out + outl, &fin) != 1) {
        return 0;
    }
    return ct_len;
}

/* Keys for this Initial: the cached ones, or (client side, a first packet or one
 * after a Retry) those of the packet's own DCID. */
static const struct mk_quic_keys *keys_for(struct quic_state *s, enum mk_flow_dir dir,
                                           const struct initial *in, bool refresh)
{
    if (dir == MK_FLOW_TOSERVER && (refresh || !s->has_keys)) {
        if (mk_quic_initial_keys(s->version, in->dcid, in->dcid_len, false, &s->keys[0]) != MK_OK ||
            mk_quic_initial_keys(s->version, in->dcid, in->dcid_len, true, &s->keys[1]) != MK_OK) {
            return NULL;
        }
        memcpy(s->dcid, in->dcid, in->dcid_len);
        s->dcid_len = in->dcid_len;
        s->has_keys = true;
    }
    return s->has_keys ? &s->keys[dir] : NULL;
}

static void initial_packet(struct quic_state *s, struct mk_proto_ctx *ctx, struct mk_flow *flow,
                           enum mk_flow_dir dir, const struct initial *in)
{
    uint8_t *hdr = mk_arena_alloc(ctx->scratch, in->pn_off + 4);
    uint8_t *plain = mk_arena_alloc(ctx->scratch, in->len);
    const struct mk_quic_keys *k = keys_for(s, dir, in, false);
    size_t n = 0;

    if (hdr == NULL || plain == NULL || k == NULL) {
        return;
    }
    n = open_packet(s, k, in, hdr, plain);
    if (n == 0 && dir == MK_FLOW_TOSERVER &&
        (in->dcid_len != s->dcid_len || memcmp(in->dcid, s->dcid, s->dcid_len) != 0)) {
        struct mk_quic_keys old[2];
        memcpy(old, s->keys, sizeof(old));
        k = keys_for(s, dir, in, true); /* a Retry gave the client a new DCID */
        n = k != NULL ? open_packet(s, k, in, hdr, plain) : 0;
        if (n == 0) {
            memcpy(s->keys, old, sizeof(old)); /* keep the keys that worked before */
        }
    }
    if (n == 0) {
        anomaly(ctx, flow, "quic.decrypt_failed");
        return;
    }
    frames(s, ctx, flow, dir, plain, n);
}

/* Long header (RFC 9000 section 17.2); false when the datagram cannot be walked on. */
static bool long_header(struct quic_state *s, struct tls_cur *c, struct initial *in,
                        bool *is_initial)
{
    const uint8_t *start = c->p;
    struct tls_cur id;
    uint8_t b0;
    uint8_t l8;
    uint16_t hi;
    uint16_t lo;
    uint64_t tok;
    uint64_t len;

    if (!cur_u8(c, &b0) || !(b0 & 0x80) || !cur_u16(c, &hi) || !cur_u16(c, &lo)) {
        return false;
    }
    uint32_t version = (uint32_t)hi << 16 | lo;
    if (version != MK_QUIC_V1 && version != MK_QUIC_V2 && version != MK_QUIC_DRAFT29) {
        return false; /* version negotiation or unknown: nothing we can read */
    }
    if (!cur_u8(c, &l8) || l8 > MK_QUIC_MAX_CID || !cur_take(c, l8, &id) || !cur_u8(c, &l8) ||
        l8 > MK_QUIC_MAX_CID || c->n < l8) {
        return false;
    }
    memcpy(in->dcid, id.p, id.n);
    in->dcid_len = id.n;
    c->p += l8;
    c->n -= l8;
    unsigned type = (b0 >> 4) & 3u;
    /* RFC 9369 section 3.2: v2 renumbered the types; Initial is 1 there, 0 in v1. */
    *is_initial = type == (version == MK_QUIC_V2 ? 1u : 0u);
    if (type == (version == MK_QUIC_V2 ? 0u : 3u)) {
        return false; /* Retry: no Length field, ends the datagram */
    }
    if ((*is_initial && (!varint(c, &tok) || tok > c->n || !cur_take(c, tok, &id))) ||
        !varint(c, &len) || len > c->n) {
        return false;
    }
    if (s->version == 0) {
        s->version = version;
    }
    in->pkt = start;
    in->pn_off = (size_t)(c->p - start);
    in->len = in->pn_off + (size_t)len;
    c->p += len;
    c->n -= len;
    return version == s->version;
}

static void quic_parse(void *state, struct mk_proto_ctx *ctx, struct mk_flow *flow,
                       enum mk_flow_dir dir, const uint8_t *data, size_t len)
{
    struct quic_state *s = state;
    struct tls_cur c = {data, len};
    struct initial in;
    bool is_initial = false;

    /* RFC 9000 section 12.2: a datagram may coalesce several packets. */
    while (c.n > 0 && !s->reported && long_header(s, &c, &in, &is_initial)) {
        if (is_initial) {
            initial_packet(s, ctx, flow, dir, &in);
        }
    }
}

static void quic_flow_end(void *state, struct mk_proto_ctx *ctx, struct mk_flow *flow)
{
    report(state, ctx, flow);
}

static void *quic_state_new(void)
{
    struct quic_state *s = calloc(1, sizeof(*s));

    if (s == NULL) {
        return NULL;
    }
    s->aead = EVP_CIPHER_CTX_new();
    s->ecb = EVP_CIPHER_CTX_new();
    mk_buf_init(&s->tmp, MK_TLS_MAX_STRING);
    if (s->aead == NULL || s->ecb == NULL) {
        EVP_CIPHER_CTX_free(s->aead);
        EVP_CIPHER_CTX_free(s->ecb);
        free(s);
        return NULL;
    }
    return s;
}

static void quic_state_free(void *state)
{
    struct quic_state *s = state;

    if (s == NULL) {
        return;
    }
    EVP_CIPHER_CTX_free(s->aead);
    EVP_CIPHER_CTX_free(s->ecb);
    free(s->crypto[0].buf);
    free(s->crypto[1].buf);
    free(s->hs);
    mk_buf_fini(&s->tmp);
    free(s);
}

static size_t quic_state_size(const void *state)
{
    const struct quic_state *s = state;

    return sizeof(*s) + (s->aead != NULL ? QUIC_CIPHER_BYTES : 0) +
           (s->crypto[0].buf != NULL ? QUIC_CRYPTO_BYTES : 0) +
           (s->crypto[1].buf != NULL ? QUIC_CRYPTO_BYTES : 0) +
           (s->hs != NULL ? sizeof(*s->hs) : 0) + s->tmp.alloc;
}

/* Reported: quic_parse stops at once and flow_end reports nothing. */
static bool quic_done(const void *state)
{
    return ((const struct quic_state *)state)->reported;
}

/* A long-header Initial of a version we can decrypt (RFC 9000 section 17.2.2). */
static enum mk_probe_result quic_probe(const uint8_t *data, size_t len, enum mk_flow_dir dir,
                                       uint16_t port)
{
    struct quic_state s;
    struct tls_cur c = {data, len};
    struct initial in;
    bool is_initial = false;

    (void)port;
    memset(&s, 0, sizeof(s));
    if (dir != MK_FLOW_TOSERVER || len < 7 || (data[0] & 0xc0) != 0xc0) {
        return MK_PROBE_NO;
    }
    return long_header(&s, &c, &in, &is_initial) && is_initial ? MK_PROBE_YES : MK_PROBE_NO;
}

const struct mk_analyzer_ops mk_analyzer_quic = {
    .name = "quic",
    .proto = MK_APP_QUIC,
    .transports = MK_TRANSPORT_UDP,
    .probe = quic_probe,
    .state_new = quic_state_new,
    .state_bytes = sizeof(struct quic_state) + QUIC_CIPHER_BYTES,
    .state_size = quic_state_size,
    .done = quic_done,
    .state_free = quic_state_free,
    .parse = quic_parse,
    .gap = NULL,
    .flow_end = quic_flow_end,
};
