/* Unit tests of the QUIC Initial analyzer (mk_analyzer_quic): RFC 9001 Appendix A keys
 * and client Initial, CRYPTO frames out of order across Initials, header protection,
 * a bad tag, and the JA4 'q' values of the JA4 authors' captures (tests/data/tls). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "proto/proto.h"
#include "proto/tls_int.h"

static size_t unhex(const char *s, uint8_t *out, size_t cap)
{
    size_t k = 0;
    unsigned v;

    while (k < cap && s[0] != '\0' && s[1] != '\0' && sscanf(s, "%2x", &v) == 1) {
        out[k++] = (uint8_t)v;
        s += 2;
    }
    return k;
}

static void hex(const uint8_t *p, size_t n, char *out)
{
    mk_hex_encode(p, n, out);
}

/* RFC 9001 Appendix A.1, client DCID 0x8394c8f03e515708. */
static const uint8_t rfc_dcid[] = {0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08};

static void test_quic_initial_keys_match_rfc9001_a1(void **state)
{
    struct mk_quic_keys k;
    char h[33];

    (void)state;
    assert_int_equal(mk_quic_initial_keys(MK_QUIC_V1, rfc_dcid, sizeof(rfc_dcid), false, &k),
                     MK_OK);
    hex(k.key, 16, h);
    assert_string_equal(h, "1f369613dd76d5467730efcbe3b1a22d");
    hex(k.iv, 12, h);
    assert_string_equal(h, "fa044b2f42a3fd3b46fb255c");
    hex(k.hp, 16, h);
    assert_string_equal(h, "9f50449e04a0e810283a1e9933adedd2");
    assert_int_equal(mk_quic_initial_keys(MK_QUIC_V1, rfc_dcid, sizeof(rfc_dcid), true, &k), MK_OK);
    hex(k.key, 16, h);
    assert_string_equal(h, "cf3a5331653c364c88f0f379b6067e37");
    hex(k.iv, 12, h);
    assert_string_equal(h, "0ac1493ca1905853b0bba03e");
    hex(k.hp, 16, h);
    assert_string_equal(h, "c206b8d9b9f0f37644430b490eeaa314");
    assert_int_equal(mk_quic_initial_keys(0x12345678, rfc_dcid, sizeof(rfc_dcid), true, &k),
                     MK_EINVAL);
}

/* RFC 9001 A.2: the CRYPTO frame of the client Initial (a ClientHello for
 * example.com, ALPN "alpn"), padded with PADDING frames to 1162 bytes. */
static const char rfc_crypto_frame[] =
    "060040f1010000ed0303ebf8fa56f12939b9584a3896472ec40bb863cfd3e86804fe3a47f06a2b69484c0000"
    "0413011302010000c000000010000e00000b6578616d706c652e636f6dff01000100000a00080006001d0017"
    "001800100007000504616c706e000500050100000000003300260024001d00209370b2c9caa47fbabaf4559f"
    "edba753de171fa71f50f1ce15d43e994ec74d748002b0003020304000d0010000e0403050306030203080408"
    "050806002d00020101001c00024001003900320408ffffffffffffffff05048000ffff07048000ffff080110"
    "0104800075300901100f088394c8f03e51570806048000ffff";

/* Seals an Initial as RFC 9001 section 5.3-5.4 says: header (4-byte packet number `pn`),
 * AES-128-GCM over the payload, then header protection. Returns the length. */
static size_t seal(const struct mk_quic_keys *k, uint32_t pn, const uint8_t *payload, size_t n,
                   uint8_t *out)
{
    size_t len = 4 + n + 16; /* Length field: pn + payload + tag */
    size_t h = 0;
    uint8_t nonce[12];
    uint8_t mask[16];
    int outl = 0;
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();

    out[h++] = 0xc3; /* long header, fixed bit, Initial, 4-byte packet number */
    memcpy(out + h, "\x00\x00\x00\x01", 4);
    h += 4;
    out[h++] = sizeof(rfc_dcid);
    memcpy(out + h, rfc_dcid, sizeof(rfc_dcid));
    h += sizeof(rfc_dcid);
    out[h++] = 0; /* SCID length */
    out[h++] = 0; /* token length */
    out[h++] = (uint8_t)(0x40 | len >> 8);
    out[h++] = (uint8_t)len;
    for (int i = 0; i < 4; i++) {
        out[h++] = (uint8_t)(pn >> (24 - 8 * i));
    }
    memcpy(nonce, k->iv, 12);
    for (int i = 0; i < 4; i++) {
        nonce[8 + i] ^= out[h - 4 + i];
    }
    assert_int_equal(EVP_EncryptInit_ex(c, EVP_aes_128_gcm(), NULL, k->key, nonce), 1);
    assert_int_equal(EVP_EncryptUpdate(c, NULL, &outl, out, (int)h), 1);
    assert_int_equal(EVP_EncryptUpdate(c, out + h, &outl, payload, (int)n), 1);
    assert_int_equal(EVP_EncryptFinal_ex(c, out + h + n, &outl), 1);
    assert_int_equal(EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, out + h + n), 1);
    assert_int_equal(EVP_EncryptInit_ex(c, EVP_aes_128_ecb(), NULL, k->hp, NULL), 1);
    assert_int_equal(EVP_EncryptUpdate(c, mask, &outl, out + h, 16), 1); /* sample at pn + 4 */
    EVP_CIPHER_CTX_free(c);
    out[0] ^= mask[0] & 0x0f;
    for (int i = 0; i < 4; i++) {
        out[h - 4 + i] ^= mask[1 + i];
    }
    return h + n + 16;
}

static uint8_t payload[1162];
static uint8_t pkt[1300];
static uint8_t pkt2[1300];

static size_t rfc_packet(uint8_t *out)
{
    struct mk_quic_keys k;

    memset(payload, 0, sizeof(payload));
    assert_int_equal(unhex(rfc_crypto_frame, payload, sizeof(payload)), 245);
    assert_int_equal(mk_quic_initial_keys(MK_QUIC_V1, rfc_dcid, sizeof(rfc_dcid), false, &k),
                     MK_OK);
    return seal(&k, 2, payload, sizeof(payload), out);
}

static void test_quic_sealed_rfc9001_a2_packet_matches_rfc_bytes(void **state)
{
    char h[97];
    size_t n = rfc_packet(pkt);

    (void)state;
    assert_int_equal(n, 1200);
    /* A.2: the protected header (mask 437b9aec36) and the first ciphertext bytes ... */
    hex(pkt, 48, h);
    assert_string_equal(h, "c000000001088394c8f03e5157080000449e7b9aec34d1b1c98dd7689fb8ec11d242b1"
                           "23dc9bd8bab936b47d92ec356c");
    /* ... and the last line: the end of the ciphertext and the tag */
    hex(pkt + n - 16, 16, h);
    assert_string_equal(h, "e221af44860018ab0856972e194cd934");
}

struct seen {
    int reports;
    uint32_t version;
    char sni[128];
    char alpn[32];
    char ja4[40];
    char last_anomaly[64];
};

static void on_quic(void *ctx, struct mk_flow *flow, const struct mk_tls_info *t, uint32_t version)
{
    struct seen *s = ctx;

    (void)flow;
    s->reports++;
    s->version = version;
    (void)snprintf(s->sni, sizeof(s->sni), "%s", t->sni != NULL ? t->sni : "");
    (void)snprintf(s->alpn, sizeof(s->alpn), "%s", t->n_client_alpns > 0 ? t->client_alpns[0] : "");
    (void)snprintf(s->ja4, sizeof(s->ja4), "%s", t->ja4);
}

static void on_anomaly(void *ctx, struct mk_flow *flow, const char *event)
{
    struct seen *s = ctx;

    (void)flow;
    (void)snprintf(s->last_anomaly, sizeof(s->last_anomaly), "%s", event);
}

struct fixture {
    struct mk_arena arena;
    struct mk_proto_ctx ctx;
    struct seen seen;
    void *state;
};

static void fx_init(struct fixture *f)
{
    memset(f, 0, sizeof(*f));
    mk_arena_init(&f->arena, 8192, 1u << 20);
    f->ctx.cfg = MK_PROTO_CONFIG_DEFAULT;
    f->ctx.sink.ctx = &f->seen;
    f->ctx.sink.quic = on_quic;
    f->ctx.sink.anomaly = on_anomaly;
    f->ctx.scratch = &f->arena;
    f->state = mk_analyzer_quic.state_new();
    assert_non_null(f->state);
}

static void fx_datagram(struct fixture *f, enum mk_flow_dir dir, const uint8_t *p, size_t n)
{
    mk_analyzer_quic.parse(f->state, &f->ctx, NULL, dir, p, n);
    mk_arena_reset(&f->arena);
}

static void fx_end(struct fixture *f)
{
    mk_analyzer_quic.flow_end(f->state, &f->ctx, NULL);
    mk_analyzer_quic.state_free(f->state);
    mk_arena_fini(&f->arena);
}

static void test_quic_rfc9001_a2_client_initial_decrypts_to_client_hello(void **state)
{
    struct fixture f;
    size_t n = rfc_packet(pkt);

    (void)state;
    assert_int_equal(mk_analyzer_quic.probe(pkt, n, MK_FLOW_TOSERVER, 443), MK_PROBE_YES);
    fx_init(&f);
    fx_datagram(&f, MK_FLOW_TOSERVER, pkt, n);
    assert_int_equal(f.seen.reports, 0); /* waits for the server's Initial */
    mk_analyzer_quic.flow_end(f.state, &f.ctx, NULL);
    assert_int_equal(f.seen.reports, 1);
    assert_int_equal(f.seen.version, 1);
    assert_string_equal(f.seen.sni, "example.com");
    assert_string_equal(f.seen.alpn, "alpn");
    /* 2 ciphers, 11 extensions, ALPN "alpn" */
    assert_memory_equal(f.seen.ja4, "q13d0211an_", 11);
    fx_end(&f);
}

/* A side's CRYPTO buffer goes once its hello is parsed; everything else at the
 * report, after which the analyzer is done. */
static void test_quic_state_shrinks_and_is_done_after_the_report(void **state)
{
    struct fixture f;
    size_t n = rfc_packet(pkt);
    size_t start;

    (void)state;
    fx_init(&f);
    assert_non_null(mk_analyzer_quic.state_size);
    assert_non_null(mk_analyzer_quic.done);
    start = mk_analyzer_quic.state_size(f.state);
    assert_false(mk_analyzer_quic.done(f.state));
    fx_datagram(&f, MK_FLOW_TOSERVER, pkt, n);
    assert_int_equal(f.seen.reports, 0);
    assert_false(mk_analyzer_quic.done(f.state));
    /* the hello is kept, the 18 KiB reassembly buffer is not */
    assert_true(mk_analyzer_quic.state_size(f.state) < start + 4096);
    mk_analyzer_quic.flow_end(f.state, &f.ctx, NULL);
    assert_int_equal(f.seen.reports, 1);
    assert_true(mk_analyzer_quic.done(f.state));
    assert_true(mk_analyzer_quic.state_size(f.state) < start);
    assert_true(mk_analyzer_quic.state_size(f.state) < 512);
    fx_datagram(&f, MK_FLOW_TOSERVER, pkt, n); /* ignored once reported */
    assert_int_equal(f.seen.reports, 1);
    fx_end(&f);
}

static void test_quic_crypto_frames_out_of_order_across_two_initials(void **state)
{
    struct mk_quic_keys k;
    uint8_t whole[245];
    struct fixture f;
    char one_shot[40];

    (void)state;
    /* the reference: the RFC packet in one piece */
    fx_init(&f);
    fx_datagram(&f, MK_FLOW_TOSERVER, pkt, rfc_packet(pkt));
    fx_end(&f);
    memcpy(one_shot, f.seen.ja4, sizeof(one_shot));

    /* The same ClientHello (245-byte CRYPTO frame = 4 header + 241 data) split into
     * CRYPTO[120..241) in packet 0 and CRYPTO[0..120) in packet 1, sent in that order. */
    assert_int_equal(unhex(rfc_crypto_frame, whole, sizeof(whole)), 245);
    assert_int_equal(mk_quic_initial_keys(MK_QUIC_V1, rfc_dcid, sizeof(rfc_dcid), false, &k),
                     MK_OK);
    memset(payload, 0, sizeof(payload));
    payload[0] = 0x06;
    payload[1] = 0x40 | 0; /* offset 120 as a 2-byte varint */
    payload[2] = 120;
    payload[3] = 0x40; /* length 121 as a 2-byte varint */
    payload[4] = 121;
    memcpy(payload + 5, whole + 4 + 120, 121);
    size_t n2 = seal(&k, 0, payload, sizeof(payload), pkt2);
    memset(payload, 0, sizeof(payload));
    payload[0] = 0x01; /* PING */
    payload[1] = 0x06;
    payload[2] = 0x00; /* offset 0 */
    payload[3] = 0x40 | 0;
    payload[4] = 120; /* length 120 as a 2-byte varint */
    memcpy(payload + 5, whole + 4, 120);
    size_t n1 = seal(&k, 1, payload, sizeof(payload), pkt);

    fx_init(&f);
    fx_datagram(&f, MK_FLOW_TOSERVER, pkt2, n2);
    assert_int_equal(f.seen.last_anomaly[0], '\0');
    fx_datagram(&f, MK_FLOW_TOSERVER, pkt, n1);
    fx_end(&f);
    assert_int_equal(f.seen.reports, 1);
    assert_string_equal(f.seen.sni, "example.com");
    assert_string_equal(f.seen.ja4, one_shot);
}

static void test_quic_bad_tag_is_dropped(void **state)
{
    struct fixture f;
    size_t n = rfc_packet(pkt);

    (void)state;
    pkt[n - 1] ^= 0x01;
    fx_init(&f);
    fx_datagram(&f, MK_FLOW_TOSERVER, pkt, n);
    assert_string_equal(f.seen.last_anomaly, "quic.decrypt_failed");
    fx_end(&f);
    assert_int_equal(f.seen.reports, 0);
}

static void test_quic_header_protection_hides_packet_number(void **state)
{
    struct fixture f;
    size_t n = rfc_packet(pkt);

    (void)state;
    /* on the wire the first byte and the packet number are masked (A.2) */
    assert_int_equal(pkt[0], 0xc0);
    assert_memory_equal(pkt + 18, "\x7b\x9a\xec\x34", 4);
    /* a changed sample changes the mask: the packet no longer opens */
    pkt[22] ^= 0x80;
    fx_init(&f);
    fx_datagram(&f, MK_FLOW_TOSERVER, pkt, n);
    assert_string_equal(f.seen.last_anomaly, "quic.decrypt_failed");
    fx_end(&f);
    assert_int_equal(f.seen.reports, 0);
}

static void test_quic_truncated_and_garbage_datagrams_are_ignored(void **state)
{
    struct fixture f;
    size_t n = rfc_packet(pkt);

    (void)state;
    fx_init(&f);
    for (size_t cut = 0; cut < n; cut += 7) {
        fx_datagram(&f, MK_FLOW_TOSERVER, pkt, cut);
    }
    memset(pkt2, 0xff, sizeof(pkt2));
    fx_datagram(&f, MK_FLOW_TOSERVER, pkt2, sizeof(pkt2));
    fx_end(&f);
    assert_int_equal(f.seen.reports, 0);
}

static char line_buf[32 * 1024];
static uint8_t dgram[4096];

/* expected.tsv of the JA4 authors: Chrome's Initials, CRYPTO frames reordered in one
 * packet, with the 'q' JA4 and the SNI their tool reports. */
static void test_quic_ja4_matches_expected_tsv_of_ja4_authors(void **state)
{
    FILE *fp = fopen(MK_TEST_DATA "/tls/ja4_quic.tsv", "r");
    size_t cases = 0;

    (void)state;
    assert_non_null(fp);
    while (fgets(line_buf, sizeof(line_buf), fp) != NULL) {
        char *fld[4];
        char *p = line_buf;
        struct fixture f;
        line_buf[strcspn(line_buf, "\r\n")] = '\0';
        for (int i = 0; i < 4; i++) {
            fld[i] = p;
            p = strchr(p, '\t');
            if (p != NULL) {
                *p++ = '\0';
            } else {
                assert_int_equal(i, 3);
            }
        }
        fx_init(&f);
        for (char *d = strtok_r(fld[3], ";", &p); d != NULL; d = strtok_r(NULL, ";", &p)) {
            fx_datagram(&f, MK_FLOW_TOSERVER, dgram, unhex(d, dgram, sizeof(dgram)));
        }
        fx_end(&f);
        if (strcmp(f.seen.ja4, fld[1]) != 0) {
            print_error("%s: got '%s' want %s\n", fld[0], f.seen.ja4, fld[1]);
        }
        assert_string_equal(f.seen.ja4, fld[1]);
        assert_string_equal(f.seen.sni, fld[2]);
        cases++;
    }
    (void)fclose(fp);
    assert_true(cases >= 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quic_initial_keys_match_rfc9001_a1),
        cmocka_unit_test(test_quic_sealed_rfc9001_a2_packet_matches_rfc_bytes),
        cmocka_unit_test(test_quic_rfc9001_a2_client_initial_decrypts_to_client_hello),
        cmocka_unit_test(test_quic_state_shrinks_and_is_done_after_the_report),
        cmocka_unit_test(test_quic_crypto_frames_out_of_order_across_two_initials),
        cmocka_unit_test(test_quic_bad_tag_is_dropped),
        cmocka_unit_test(test_quic_header_protection_hides_packet_number),
        cmocka_unit_test(test_quic_truncated_and_garbage_datagrams_are_ignored),
        cmocka_unit_test(test_quic_ja4_matches_expected_tsv_of_ja4_authors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
