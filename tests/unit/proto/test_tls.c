/* Unit tests of the TLS stream analyzer (mk_analyzer_tls): records split across
 * segments, handshakes across records, malformed lengths, one report per flow, and
 * the certificate fields of suricata-verify's tls-glupteba server stream. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "proto/proto.h"
#include "proto/tls_int.h"

/* What the sink saw, copied out of the call. */
struct seen {
    int reports;
    int anomalies;
    char last_anomaly[64];
    char version[32];
    char sni[64];
    char alpn0[32];
    char ja3[512];
    char ja3_hash[33];
    char ja3s[128];
    char ja4[40];
    bool has_ch;
    bool has_sh;
    bool has_cert;
    struct mk_x509_fields cert;
};

static void copy(char *dst, size_t cap, const char *src)
{
    (void)snprintf(dst, cap, "%s", src != NULL ? src : "");
}

static void on_tls(void *ctx, struct mk_flow *flow, const struct mk_tls_info *t)
{
    struct seen *s = ctx;

    (void)flow;
    s->reports++;
    copy(s->version, sizeof(s->version), t->version);
    copy(s->sni, sizeof(s->sni), t->sni);
    copy(s->alpn0, sizeof(s->alpn0), t->n_client_alpns > 0 ? t->client_alpns[0] : NULL);
    copy(s->ja3, sizeof(s->ja3), t->ja3_string);
    copy(s->ja3_hash, sizeof(s->ja3_hash), t->ja3_hash);
    copy(s->ja3s, sizeof(s->ja3s), t->ja3s_string);
    copy(s->ja4, sizeof(s->ja4), t->ja4);
    s->has_ch = t->has_client_hello;
    s->has_sh = t->has_server_hello;
    s->has_cert = t->cert != NULL;
    if (t->cert != NULL) {
        copy(s->cert.subject, sizeof(s->cert.subject), t->cert->subject);
        copy(s->cert.issuer, sizeof(s->cert.issuer), t->cert->issuer);
        copy(s->cert.serial, sizeof(s->cert.serial), t->cert->serial);
        copy(s->cert.fingerprint, sizeof(s->cert.fingerprint), t->cert->fingerprint);
        s->cert.not_before = t->cert->not_before;
        s->cert.not_after = t->cert->not_after;
    }
}

static void on_anomaly(void *ctx, struct mk_flow *flow, const char *event)
{
    struct seen *s = ctx;

    (void)flow;
    s->anomalies++;
    copy(s->last_anomaly, sizeof(s->last_anomaly), event);
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
    mk_arena_init(&f->arena, 4096, 1u << 20);
    f->ctx.cfg = MK_PROTO_CONFIG_DEFAULT;
    f->ctx.sink.ctx = &f->seen;
    f->ctx.sink.tls = on_tls;
    f->ctx.sink.anomaly = on_anomaly;
    f->ctx.scratch = &f->arena;
    f->state = mk_analyzer_tls.state_new();
    assert_non_null(f->state);
}

static void fx_fini(struct fixture *f)
{
    mk_analyzer_tls.state_free(f->state);
    mk_arena_fini(&f->arena);
}

static void feed(struct fixture *f, enum mk_flow_dir dir, const uint8_t *p, size_t n)
{
    mk_analyzer_tls.parse(f->state, &f->ctx, NULL, dir, p, n);
}

/* ClientHello body: version 0x0303, random 32 x 0x11, no session id, ciphers 0x0a0a
 * (GREASE) 0xc02f 0x009c, null compression, extensions: server_name "a.example",
 * alpn "http/1.1", supported_groups 0x0017, ec_point_formats 0. */
static const uint8_t ch_body[] = {
    0x03, 0x03, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
    0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
    0x11, 0x11, 0x00, 0x00, 0x06, 0x0a, 0x0a, 0xc0, 0x2f, 0x00, 0x9c, 0x01, 0x00, 0x00, 0x2f,
    /* server_name */
    0x00, 0x00, 0x00, 0x0e, 0x00, 0x0c, 0x00, 0x00, 0x09, 'a', '.', 'e', 'x', 'a', 'm', 'p', 'l',
    'e',
    /* alpn */
    0x00, 0x10, 0x00, 0x0b, 0x00, 0x09, 0x08, 'h', 't', 't', 'p', '/', '1', '.', '1',
    /* supported_groups */
    0x00, 0x0a, 0x00, 0x04, 0x00, 0x02, 0x00, 0x17,
    /* ec_point_formats */
    0x00, 0x0b, 0x00, 0x02, 0x01, 0x00};

#define CH_JA3 "771,49199-156,0-16-10-11,23,0"

/* Wraps the ClientHello body into a handshake message split over `records` records. */
static size_t client_stream(uint8_t *out, size_t records)
{
    uint8_t msg[4 + sizeof(ch_body)];
    size_t k = 0;
    size_t off = 0;

    msg[0] = 1;
    msg[1] = 0;
    msg[2] = 0;
    msg[3] = sizeof(ch_body);
    memcpy(msg + 4, ch_body, sizeof(ch_body));
    for (size_t r = 0; r < records; r++) {
        size_t len = r + 1 == records ? sizeof(msg) - off : sizeof(msg) / records;
        const uint8_t hdr[5] = {22, 3, 1, (uint8_t)(len >> 8), (uint8_t)len};
        memcpy(out + k, hdr, 5);
        memcpy(out + k + 5, msg + off, len);
        k += 5 + len;
        off += len;
    }
    return k;
}

/* ServerHello (TLS 1.2, cipher 0xc02f, ext ff01) + ServerHelloDone in one record. */
static const uint8_t server_stream[] = {
    22,   3,    3,    0,    0x35, 0x02, 0x00, 0x00, 0x2d, 0x03, 0x03, 0x22, 0x22, 0x22, 0x22,
    0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22,
    0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x00, 0xc0,
    0x2f, 0x00, 0x00, 0x05, 0xff, 0x01, 0x00, 0x01, 0x00, 0x0e, 0x00, 0x00, 0x00};

static void test_tls_reports_both_hellos_once(void **state)
{
    struct fixture f;
    uint8_t cs[256];
    size_t n = client_stream(cs, 1);

    (void)state;
    fx_init(&f);
    assert_int_equal(mk_analyzer_tls.probe(cs, n, MK_FLOW_TOSERVER, 443), MK_PROBE_YES);
    feed(&f, MK_FLOW_TOSERVER, cs, n);
    assert_int_equal(f.seen.reports, 0);
    feed(&f, MK_FLOW_TOCLIENT, server_stream, sizeof(server_stream));
    assert_int_equal(f.seen.reports, 1);
    assert_string_equal(f.seen.version, "TLS 1.2");
    assert_string_equal(f.seen.sni, "a.example");
    assert_string_equal(f.seen.alpn0, "http/1.1");
    assert_string_equal(f.seen.ja3, CH_JA3);
    assert_string_equal(f.seen.ja3s, "771,49199,65281");
    /* sha256("009c,c02f")[:12], sha256("000a,000b")[:12]: no signature algorithms */
    assert_string_equal(f.seen.ja4, "t12d0204h1_08dfa304a768_33a13ba74d1c");
    assert_false(f.seen.has_cert);
    mk_analyzer_tls.flow_end(f.state, &f.ctx, NULL);
    assert_int_equal(f.seen.reports, 1);
    assert_int_equal(f.seen.anomalies, 0);
    fx_fini(&f);
}

/* The hellos are held only until the report; then the state is its flags and
 * the analyzer is done (the sensor may free it). */
static void test_tls_state_shrinks_and_is_done_after_the_report(void **state)
{
    struct fixture f;
    uint8_t cs[256];
    size_t n = client_stream(cs, 3);
    size_t start;

    (void)state;
    fx_init(&f);
    assert_non_null(mk_analyzer_tls.state_size);
    assert_non_null(mk_analyzer_tls.done);
    start = mk_analyzer_tls.state_size(f.state);
    assert_true(start < 512);
    assert_false(mk_analyzer_tls.done(f.state));
    feed(&f, MK_FLOW_TOSERVER, cs, n);
    assert_true(mk_analyzer_tls.state_size(f.state) > start + 1000); /* hellos, message buffer */
    assert_false(mk_analyzer_tls.done(f.state));
    feed(&f, MK_FLOW_TOCLIENT, server_stream, sizeof(server_stream));
    assert_int_equal(f.seen.reports, 1);
    assert_true(mk_analyzer_tls.done(f.state));
    assert_int_equal(mk_analyzer_tls.state_size(f.state), start);
    feed(&f, MK_FLOW_TOCLIENT, server_stream, sizeof(server_stream));
    mk_analyzer_tls.flow_end(f.state, &f.ctx, NULL);
    assert_int_equal(f.seen.reports, 1);
    assert_int_equal(f.seen.anomalies, 0);
    fx_fini(&f);
}

static void test_tls_record_split_at_every_byte_equals_one_shot(void **state)
{
    uint8_t cs[256];
    size_t n = client_stream(cs, 1);

    (void)state;
    for (size_t cut = 0; cut <= n; cut++) {
        struct fixture f;
        fx_init(&f);
        feed(&f, MK_FLOW_TOSERVER, cs, cut);
        feed(&f, MK_FLOW_TOSERVER, cs + cut, n - cut);
        for (size_t i = 0; i < sizeof(server_stream); i++) {
            feed(&f, MK_FLOW_TOCLIENT, server_stream + i, 1); /* one byte per segment */
        }
        assert_int_equal(f.seen.reports, 1);
        assert_string_equal(f.seen.ja3, CH_JA3);
        assert_string_equal(f.seen.sni, "a.example");
        assert_string_equal(f.seen.ja3s, "771,49199,65281");
        fx_fini(&f);
    }
}

static void test_tls_handshake_spanning_three_records(void **state)
{
    struct fixture f;
    uint8_t cs[256];
    size_t n = client_stream(cs, 3);

    (void)state;
    assert_int_equal(n, 5 * 3 + 4 + sizeof(ch_body));
    fx_init(&f);
    feed(&f, MK_FLOW_TOSERVER, cs, n);
    mk_analyzer_tls.flow_end(f.state, &f.ctx, NULL);
    assert_int_equal(f.seen.reports, 1);
    assert_true(f.seen.has_ch);
    assert_false(f.seen.has_sh);
    assert_string_equal(f.seen.ja3, CH_JA3);
    assert_string_equal(f.seen.version, "UNDETERMINED");
    fx_fini(&f);
}

static void test_tls_record_longer_than_cap_is_an_anomaly(void **state)
{
    static const uint8_t huge[] = {22, 3, 3, 0xff, 0xff, 1, 0, 0, 4};
    struct fixture f;

    (void)state;
    fx_init(&f);
    feed(&f, MK_FLOW_TOSERVER, huge, sizeof(huge));
    assert_string_equal(f.seen.last_anomaly, "tls.record_too_long");
    mk_analyzer_tls.flow_end(f.state, &f.ctx, NULL);
    assert_int_equal(f.seen.reports, 0);
    fx_fini(&f);
}

static void test_tls_malformed_client_hello_is_an_anomaly(void **state)
{
    struct fixture f;
    uint8_t cs[256];
    size_t n = client_stream(cs, 1);

    (void)state;
    cs[5 + 4 + 34] = 0xf0; /* session id length 240 */
    fx_init(&f);
    feed(&f, MK_FLOW_TOSERVER, cs, n);
    assert_string_equal(f.seen.last_anomaly, "tls.invalid_client_hello");
    mk_analyzer_tls.flow_end(f.state, &f.ctx, NULL);
    assert_int_equal(f.seen.reports, 0);
    fx_fini(&f);
}

static void test_tls_probe_rejects_other_protocols(void **state)
{
    static const uint8_t http[] = "GET / HTTP/1.1\r\n";
    static const uint8_t alert[] = {21, 3, 3, 0, 2, 2, 40};
    static const uint8_t part[] = {22, 3};

    (void)state;
    assert_int_equal(mk_analyzer_tls.probe(http, sizeof(http) - 1, MK_FLOW_TOSERVER, 443),
                     MK_PROBE_NO);
    assert_int_equal(mk_analyzer_tls.probe(alert, sizeof(alert), MK_FLOW_TOSERVER, 443),
                     MK_PROBE_NO);
    assert_int_equal(mk_analyzer_tls.probe(part, sizeof(part), MK_FLOW_TOSERVER, 443),
                     MK_PROBE_MORE);
}

static size_t read_hex_file(const char *path, uint8_t *out, size_t cap)
{
    FILE *f = fopen(path, "r");
    size_t k = 0;
    unsigned v;

    assert_non_null(f);
    while (k < cap && fscanf(f, "%2x", &v) == 1) {
        out[k++] = (uint8_t)v;
    }
    (void)fclose(f);
    return k;
}

static uint8_t glupteba[4096];

/* suricata-verify tls/tls-glupteba: the client's SSLv2-compatible hello is not TLS
 * records; the server's side carries a TLS 1.0 ServerHello and a certificate chain
 * across records and segments. Expected values are its test.yaml's. */
static void test_tls_certificate_fields_match_suricata(void **state)
{
    struct fixture f;
    size_t n = read_hex_file(MK_TEST_DATA "/tls/glupteba_server.hex", glupteba, sizeof(glupteba));

    (void)state;
    assert_true(n > 2000);
    fx_init(&f);
    for (size_t off = 0; off < n; off += 97) {
        feed(&f, MK_FLOW_TOCLIENT, glupteba + off, n - off < 97 ? n - off : 97);
    }
    assert_int_equal(f.seen.reports, 1);
    assert_true(f.seen.has_cert);
    assert_string_equal(f.seen.version, "TLSv1");
    assert_string_equal(f.seen.cert.subject, "CN=xn--j1ahhq.xn--p1ai");
    assert_string_equal(f.seen.cert.issuer, "C=US, O=Let's Encrypt, CN=R3");
    assert_string_equal(f.seen.cert.serial,
                        "03:DE:23:89:7E:97:FB:86:8E:7C:C5:53:09:FE:AE:D0:AE:20");
    assert_string_equal(f.seen.cert.fingerprint,
                        "e9:a0:69:50:ba:18:dc:ac:d3:a7:fe:58:22:4a:1f:42:5b:bc:96:b0");
    assert_int_equal(f.seen.cert.not_before, 1669877251); /* 2022-12-01T06:47:31 */
    assert_int_equal(f.seen.cert.not_after, 1677653250);  /* 2023-03-01T06:47:30 */
    /* the certificate's fields went out with the report: nothing is kept */
    assert_true(mk_analyzer_tls.done(f.state));
    assert_true(mk_analyzer_tls.state_size(f.state) < 512);
    fx_fini(&f);
}

static void test_tls_gap_reports_what_was_seen(void **state)
{
    struct fixture f;
    uint8_t cs[256];
    size_t n = client_stream(cs, 1);

    (void)state;
    fx_init(&f);
    feed(&f, MK_FLOW_TOSERVER, cs, n);
    mk_analyzer_tls.gap(f.state, &f.ctx, NULL, MK_FLOW_TOCLIENT, 1000);
    assert_int_equal(f.seen.reports, 1);
    assert_string_equal(f.seen.last_anomaly, "tls.gap");
    feed(&f, MK_FLOW_TOCLIENT, server_stream, sizeof(server_stream));
    mk_analyzer_tls.flow_end(f.state, &f.ctx, NULL);
    assert_int_equal(f.seen.reports, 1);
    fx_fini(&f);
}

/* An SSLv2-format CLIENT-HELLO (RFC 6101 E.2) as tls-glupteba's client sends it:
 * header 0x80 0x35 (53 bytes), type 1, version 3.1, 12 bytes of cipher specs
 * (4 x 3), no session id, a 32-byte challenge of 0x33. */
static size_t sslv2_client_hello(uint8_t *out)
{
    static const uint8_t head[] = {0x80, 0x35, 0x01, 0x03, 0x01, 0x00, 0x0c, 0x00,
                                   0x00, 0x00, 0x20, 0x00, 0x00, 0x39, 0x00, 0x00,
                                   0x35, 0x00, 0x00, 0x2f, 0x00, 0x00, 0x0a};

    memcpy(out, head, sizeof(head));
    memset(out + sizeof(head), 0x33, 32);
    return sizeof(head) + 32;
}

/* suricata-verify tls-glupteba: the SSLv2 hello makes the flow TLS, and the TLS
 * records the server answers with are parsed (ServerHello, certificate, JA3S);
 * no JA3 for an SSLv2 hello, as tshark and Suricata */
static void test_tls_sslv2_client_hello_then_tls_server(void **state)
{
    struct fixture f;
    uint8_t ch[64];
    size_t n = sslv2_client_hello(ch);
    size_t sn = read_hex_file(MK_TEST_DATA "/tls/glupteba_server.hex", glupteba, sizeof(glupteba));

    (void)state;
    assert_int_equal(mk_analyzer_tls.probe(ch, n, MK_FLOW_TOSERVER, 443), MK_PROBE_YES);
    assert_int_equal(mk_analyzer_tls.probe(ch, 5, MK_FLOW_TOSERVER, 443), MK_PROBE_MORE);
    assert_int_equal(mk_analyzer_tls.probe(ch, n, MK_FLOW_TOCLIENT, 443), MK_PROBE_NO);
    ch[10] = 0x08; /* a challenge under 16 bytes: not SSLv2 */
    assert_int_equal(mk_analyzer_tls.probe(ch, n, MK_FLOW_TOSERVER, 443), MK_PROBE_NO);
    ch[10] = 0x20;
    fx_init(&f);
    feed(&f, MK_FLOW_TOSERVER, ch, 3); /* the header split across segments */
    feed(&f, MK_FLOW_TOSERVER, ch + 3, n - 3);
    feed(&f, MK_FLOW_TOCLIENT, glupteba, sn);
    assert_int_equal(f.seen.reports, 1);
    assert_int_equal(f.seen.anomalies, 0);
    assert_false(f.seen.has_ch);
    assert_true(f.seen.has_sh);
    assert_true(f.seen.has_cert);
    assert_string_equal(f.seen.version, "TLSv1");
    assert_string_equal(f.seen.ja3s, "769,57,65281");
    fx_fini(&f);
}

/* ServerHello bodies of TLS 1.3 drafts (tls13-draft14, tls13-draft19): version,
 * random, cipher, extensions; no session id echo, no compression method */
static void test_tls_draft_server_hello_layout(void **state)
{
    /* draft-14 era: 0x0304 in the version field, cipher 0xc02b, key_share (40) */
    uint8_t d14[2 + 32 + 2 + 2 + 4 + 4] = {0x03, 0x04};
    /* draft 19: 0x7f13, cipher 0x1302, key_share (40) and pre_shared_key (41) */
    uint8_t d19[2 + 32 + 2 + 2 + 4 + 4 + 4 + 2] = {0x7f, 0x13};
    static const uint8_t d14_tail[] = {0xc0, 0x2b, 0x00, 0x08, 0x00, 0x28,
                                       0x00, 0x04, 0x00, 0x17, 0x00, 0x00};
    static const uint8_t d19_tail[] = {0x13, 0x02, 0x00, 0x0e, 0x00, 0x28, 0x00, 0x04, 0x00,
                                       0x1d, 0x00, 0x00, 0x00, 0x29, 0x00, 0x02, 0x00, 0x00};
    struct mk_tls_hello h;
    struct mk_tls_info info;
    struct mk_arena a;
    struct mk_buf tmp;

    (void)state;
    memcpy(d14 + 34, d14_tail, sizeof(d14_tail));
    memcpy(d19 + 34, d19_tail, sizeof(d19_tail));
    mk_arena_init(&a, 4096, 1u << 20);
    mk_buf_init(&tmp, 4096);
    assert_int_equal(mk_tls_hello_parse(d14, sizeof(d14), false, &h), MK_OK);
    assert_int_equal(mk_tls_info_build(NULL, &h, false, &a, &tmp, &info), MK_OK);
    assert_string_equal(info.ja3s_string, "772,49195,40");
    assert_string_equal(info.version, "TLS 1.3 draft-<16");
    assert_int_equal(mk_tls_hello_parse(d19, sizeof(d19), false, &h), MK_OK);
    assert_int_equal(mk_tls_info_build(NULL, &h, false, &a, &tmp, &info), MK_OK);
    assert_string_equal(info.ja3s_string, "32531,4866,40-41");
    assert_string_equal(info.version, "TLS 1.3 draft-19");
    mk_buf_fini(&tmp);
    mk_arena_fini(&a);
}

/* TLS 1.3 0-RTT: application data from the client right after its ClientHello
 * must not end the handshake before the ServerHello (tls13-draft19) */
static void test_tls_early_data_waits_for_server_hello(void **state)
{
    struct fixture f;
    uint8_t cs[256];
    size_t n = client_stream(cs, 1);
    static const uint8_t early[] = {23, 3, 1, 0, 2, 0xaa, 0xbb};

    (void)state;
    fx_init(&f);
    feed(&f, MK_FLOW_TOSERVER, cs, n);
    feed(&f, MK_FLOW_TOSERVER, early, sizeof(early));
    assert_int_equal(f.seen.reports, 0);
    feed(&f, MK_FLOW_TOCLIENT, server_stream, sizeof(server_stream));
    mk_analyzer_tls.flow_end(f.state, &f.ctx, NULL);
    assert_int_equal(f.seen.reports, 1);
    assert_string_equal(f.seen.ja3s, "771,49199,65281");
    fx_fini(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tls_reports_both_hellos_once),
        cmocka_unit_test(test_tls_state_shrinks_and_is_done_after_the_report),
        cmocka_unit_test(test_tls_record_split_at_every_byte_equals_one_shot),
        cmocka_unit_test(test_tls_handshake_spanning_three_records),
        cmocka_unit_test(test_tls_record_longer_than_cap_is_an_anomaly),
        cmocka_unit_test(test_tls_malformed_client_hello_is_an_anomaly),
        cmocka_unit_test(test_tls_probe_rejects_other_protocols),
        cmocka_unit_test(test_tls_certificate_fields_match_suricata),
        cmocka_unit_test(test_tls_gap_reports_what_was_seen),
        cmocka_unit_test(test_tls_sslv2_client_hello_then_tls_server),
        cmocka_unit_test(test_tls_draft_server_hello_layout),
        cmocka_unit_test(test_tls_early_data_waits_for_server_hello),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
