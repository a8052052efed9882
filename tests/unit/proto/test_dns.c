/* Unit tests of the DNS analyzer: every reported record type, name compression
 * and its abuse, caps, truncation, TCP framing and probing. Fixtures are wire
 * bytes written field by field with their meaning beside them. */
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "proto/dns_int.h"

/* ---- fixture helpers --------------------------------------------------------- */

#define U16(v)                  (uint8_t)((v) >> 8), (uint8_t)((v)&0xFF)
#define HDR(id, fl, q, a, n, r) U16(id), U16(fl), U16(q), U16(a), U16(n), U16(r)
/* "example.com" at offset 12, so 0xC0 0x0C points to it */
#define NAME_EXAMPLE_COM 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0
#define Q_EXAMPLE(type)  NAME_EXAMPLE_COM, U16(type), U16(1)
/* an answer owned by the question's name: ptr, type, class IN, TTL 300, rdlength */
#define RR(type, rdlen) 0xC0, 0x0C, U16(type), U16(1), 0, 0, U16(300), U16(rdlen)

struct seen {
    int n_dns;
    int n_anomaly;
    const char *last_anomaly;
    struct mk_dns_msg msg;
    enum mk_flow_dir dir;
};

static void on_dns(void *ctx, struct mk_flow *flow, enum mk_flow_dir dir,
                   const struct mk_dns_msg *m)
{
    struct seen *s = ctx;

    (void)flow;
    s->n_dns++;
    s->msg = *m; /* strings stay valid: the test's arena is not reset meanwhile */
    s->dir = dir;
}

static void on_anomaly(void *ctx, struct mk_flow *flow, const char *event)
{
    struct seen *s = ctx;

    (void)flow;
    s->n_anomaly++;
    s->last_anomaly = event;
}

struct env {
    struct mk_arena arena;
    struct mk_proto_ctx ctx;
    struct seen seen;
    struct mk_flow flow;
    void *state;
};

static int env_setup(void **state)
{
    struct env *e = calloc(1, sizeof(*e));

    assert_non_null(e);
    mk_arena_init(&e->arena, 64u << 10, 16u << 20);
    e->ctx.cfg = MK_PROTO_CONFIG_DEFAULT;
    e->ctx.scratch = &e->arena;
    e->ctx.sink = (struct mk_proto_sink){.ctx = &e->seen, .dns = on_dns, .anomaly = on_anomaly};
    e->flow.proto = IPPROTO_UDP;
    e->state = mk_analyzer_dns.state_new();
    assert_non_null(e->state);
    *state = e;
    return 0;
}

static int env_teardown(void **state)
{
    struct env *e = *state;

    mk_analyzer_dns.state_free(e->state);
    mk_arena_fini(&e->arena);
    free(e);
    return 0;
}

static void feed(struct env *e, enum mk_flow_dir dir, const uint8_t *p, size_t n)
{
    mk_analyzer_dns.parse(e->state, &e->ctx, &e->flow, dir, p, n);
}

/* Parses a whole message that must be valid and returns its first answer. */
static const struct mk_dns_rr *answer0(struct env *e, const uint8_t *p, size_t n)
{
    feed(e, MK_FLOW_TOCLIENT, p, n);
    assert_int_equal(e->seen.n_anomaly, 0);
    assert_int_equal(e->seen.n_dns, 1);
    assert_true(e->seen.msg.n_answers >= 1);
    return &e->seen.msg.answers[0];
}

/* ---- queries and record types ------------------------------------------------ */

/* id 0x1234, flags 0x0100 (RD), 1 question: www.example.com A IN */
static const uint8_t query_www_a[] = {
    HDR(0x1234, 0x0100, 1, 0, 0, 0), 3, 'w', 'w', 'w', NAME_EXAMPLE_COM, U16(1), U16(1),
};

static void test_dns_query_reports_id_flags_and_question(void **state)
{
    struct env *e = *state;

    feed(e, MK_FLOW_TOSERVER, query_www_a, sizeof(query_www_a));
    assert_int_equal(e->seen.n_dns, 1);
    assert_int_equal(e->seen.msg.id, 0x1234);
    assert_int_equal(e->seen.msg.flags, 0x0100);
    assert_false(e->seen.msg.is_response);
    assert_int_equal(e->seen.msg.opcode, 0);
    assert_string_equal(e->seen.msg.qname, "www.example.com");
    assert_int_equal(e->seen.msg.qtype, 1);
    assert_int_equal(e->seen.msg.qclass, 1);
    assert_int_equal(e->seen.msg.n_answers, 0);
    assert_false(e->seen.msg.over_tcp);
    assert_int_equal(e->seen.dir, MK_FLOW_TOSERVER);
}

/* response 0x8180 (QR RD RA): example.com A -> 93.184.216.34, name compressed */
static const uint8_t resp_a[] = {
    HDR(0xBEEF, 0x8180, 1, 1, 0, 0), Q_EXAMPLE(1), RR(1, 4), 93, 184, 216, 34,
};

static void test_dns_response_a_with_compressed_owner(void **state)
{
    struct env *e = *state;
    const struct mk_dns_rr *rr = answer0(e, resp_a, sizeof(resp_a));

    assert_true(e->seen.msg.is_response);
    assert_int_equal(e->seen.msg.rcode, 0);
    assert_string_equal(rr->rrname, "example.com");
    assert_int_equal(rr->rrtype, 1);
    assert_int_equal(rr->rrclass, 1);
    assert_int_equal(rr->ttl, 300);
    assert_string_equal(rr->rdata, "93.184.216.34");
}

/* example.com AAAA -> 2606:2800:220:1:248:1893:25c8:1946 (RFC 3596) */
static const uint8_t resp_aaaa[] = {
    HDR(1, 0x8180, 1, 1, 0, 0),
    Q_EXAMPLE(28),
    RR(28, 16),
    0x26,
    0x06,
    0x28,
    0x00,
    0x02,
    0x20,
    0x00,
    0x01,
    0x02,
    0x48,
    0x18,
    0x93,
    0x25,
    0xc8,
    0x19,
    0x46,
};

static void test_dns_aaaa_is_formatted_as_ipv6(void **state)
{
    const struct mk_dns_rr *rr = answer0(*state, resp_aaaa, sizeof(resp_aaaa));

    assert_string_equal(rr->rdata, "2606:2800:220:1:248:1893:25c8:1946");
}

/* example.com CNAME www.example.com (as "www" + pointer to offset 12), then
 * www.example.com (pointer to offset 41, the CNAME's data) A 10.0.0.1 */
static const uint8_t resp_cname[] = {
    HDR(2, 0x8180, 1, 2, 0, 0),
    Q_EXAMPLE(1),
    RR(5, 6),
    3,
    'w',
    'w',
    'w',
    0xC0,
    0x0C, /* offset 29: rr; 41: rdata */
    0xC0,
    41,
    U16(1),
    U16(1),
    0,
    0,
    0,
    60,
    U16(4),
    10,
    0,
    0,
    1,
};

static void test_dns_cname_chain_follows_pointer_into_rdata(void **state)
{
    struct env *e = *state;
    const struct mk_dns_rr *rr = answer0(e, resp_cname, sizeof(resp_cname));

    assert_string_equal(rr->rdata, "www.example.com");
    assert_int_equal(e->seen.msg.n_answers, 2);
    assert_string_equal(e->seen.msg.answers[1].rrname, "www.example.com");
    assert_int_equal(e->seen.msg.answers[1].ttl, 60);
    assert_string_equal(e->seen.msg.answers[1].rdata, "10.0.0.1");
}

/* example.com NS a.iana-servers.net */
static const uint8_t resp_ns[] = {
    HDR(3, 0x8180, 1, 1, 0, 0),
    Q_EXAMPLE(2),
    RR(2, 20),
    1,
    'a',
    12,
    'i',
    'a',
    'n',
    'a',
    '-',
    's',
    'e',
    'r',
    'v',
    'e',
    'r',
    's',
    3,
    'n',
    'e',
    't',
    0,
};

static void test_dns_ns_is_a_name(void **state)
{
    const struct mk_dns_rr *rr = answer0(*state, resp_ns, sizeof(resp_ns));

    assert_int_equal(rr->rrtype, 2);
    assert_string_equal(rr->rdata, "a.iana-servers.net");
}

/* example.com MX 10 mail.example.com (compressed), and MX 0 . (null MX, RFC 7505) */
static const uint8_t resp_mx[] = {
    HDR(4, 0x8180, 1, 2, 0, 0),
    Q_EXAMPLE(15),
    RR(15, 9),
    U16(10),
    4,
    'm',
    'a',
    'i',
    'l',
    0xC0,
    0x0C,
    RR(15, 3),
    U16(0),
    0,
};

static void test_dns_mx_is_preference_and_name(void **state)
{
    struct env *e = *state;
    const struct mk_dns_rr *rr = answer0(e, resp_mx, sizeof(resp_mx));

    assert_string_equal(rr->rdata, "10 mail.example.com");
    assert_string_equal(e->seen.msg.answers[1].rdata, "0 .");
}

/* example.com TXT "v=spf1 " "-all" (two strings, joined) */
static const uint8_t resp_txt[] = {
    HDR(5, 0x8180, 1, 1, 0, 0),
    Q_EXAMPLE(16),
    RR(16, 13),
    7,
    'v',
    '=',
    's',
    'p',
    'f',
    '1',
    ' ',
    4,
    '-',
    'a',
    'l',
    'l',
};

static void test_dns_txt_strings_are_joined(void **state)
{
    const struct mk_dns_rr *rr = answer0(*state, resp_txt, sizeof(resp_txt));

    assert_string_equal(rr->rdata, "v=spf1 -all");
}

/* 4.3.2.1.in-addr.arpa PTR host.example.com; question name written in full
 * at 12, the answer points to it, the PTR data ends in a pointer to
 * "example.com" inside nothing: it is spelled out */
static const uint8_t resp_ptr[] = {
    HDR(6, 0x8180, 1, 1, 0, 0),
    1,
    '4',
    1,
    '3',
    1,
    '2',
    1,
    '1',
    7,
    'i',
    'n',
    '-',
    'a',
    'd',
    'd',
    'r',
    4,
    'a',
    'r',
    'p',
    'a',
    0,
    U16(12),
    U16(1),
    0xC0,
    0x0C,
    U16(12),
    U16(1),
    0,
    0,
    0,
    10,
    U16(18),
    4,
    'h',
    'o',
    's',
    't',
    7,
    'e',
    'x',
    'a',
    'm',
    'p',
    'l',
    'e',
    3,
    'c',
    'o',
    'm',
    0,
};

static void test_dns_ptr_is_a_name(void **state)
{
    struct env *e = *state;
    const struct mk_dns_rr *rr = answer0(e, resp_ptr, sizeof(resp_ptr));

    assert_string_equal(e->seen.msg.qname, "4.3.2.1.in-addr.arpa");
    assert_string_equal(rr->rrname, "4.3.2.1.in-addr.arpa");
    assert_string_equal(rr->rdata, "host.example.com");
}

/* 0x8183 = QR RD RA NXDOMAIN; nope.example.com A; no answer; authority:
 * example.com SOA ns.example.com hostmaster.example.com 2024010101 7200 900
 * 1209600 86400. "nope" + ptr 12 puts example.com at offset 17. */
static const uint8_t resp_nxdomain[] = {
    HDR(7, 0x8183, 1, 0, 1, 0),
    4,
    'n',
    'o',
    'p',
    'e',
    NAME_EXAMPLE_COM,
    U16(1),
    U16(1),
    0xC0,
    17,
    U16(6),
    U16(1),
    0,
    0,
    0x03,
    0x84,
    U16(38), /* TTL 900 */
    2,
    'n',
    's',
    0xC0,
    17, /* mname */
    10,
    'h',
    'o',
    's',
    't',
    'm',
    'a',
    's',
    't',
    'e',
    'r',
    0xC0,
    17, /* rname */
    0x78,
    0xA4,
    0x69,
    0x75,
    0,
    0,
    0x1C,
    0x20,
    0,
    0,
    0x03,
    0x84, /* serial refresh retry */
    0,
    0x12,
    0x75,
    0,
    0,
    1,
    0x51,
    0x80, /* expire minimum */
};

static void test_dns_nxdomain_reports_soa_authority(void **state)
{
    struct env *e = *state;
    const struct mk_dns_rr *rr;

    feed(e, MK_FLOW_TOCLIENT, resp_nxdomain, sizeof(resp_nxdomain));
    assert_int_equal(e->seen.n_anomaly, 0);
    assert_int_equal(e->seen.n_dns, 1);
    assert_int_equal(e->seen.msg.rcode, 3);
    assert_string_equal(mk_dns_rcode_name(e->seen.msg.rcode), "NXDOMAIN");
    assert_string_equal(e->seen.msg.qname, "nope.example.com");
    assert_int_equal(e->seen.msg.n_answers, 0);
    assert_int_equal(e->seen.msg.n_authorities, 1);
    rr = &e->seen.msg.authorities[0];
    assert_string_equal(rr->rrname, "example.com");
    assert_int_equal(rr->rrtype, 6);
    assert_int_equal(rr->ttl, 900);
    assert_string_equal(rr->rdata, "ns.example.com hostmaster.example.com 2024040821 7200 900 "
                                   "1209600 86400");
}

/* _sip._tcp.example.com SRV 10 60 5060 sip.example.com */
static const uint8_t resp_srv[] = {
    HDR(8, 0x8180, 1, 1, 0, 0),
    4,
    '_',
    's',
    'i',
    'p',
    4,
    '_',
    't',
    'c',
    'p',
    NAME_EXAMPLE_COM,
    U16(33),
    U16(1),
    RR(33, 12),
    U16(10),
    U16(60),
    U16(5060),
    3,
    's',
    'i',
    'p',
    0xC0,
    22,
};

static void test_dns_srv_is_priority_weight_port_target(void **state)
{
    const struct mk_dns_rr *rr = answer0(*state, resp_srv, sizeof(resp_srv));

    assert_string_equal(rr->rrname, "_sip._tcp.example.com");
    assert_string_equal(rr->rdata, "10 60 5060 sip.example.com");
}

/* example.com HTTPS 1 . mandatory=alpn alpn=h2,h3 no-default-alpn port=8443
 * ipv4hint=192.0.2.1,192.0.2.2 ech=AQID ipv6hint=2001:db8::1 key999=abcd */
static const uint8_t resp_https[] = {
    HDR(9, 0x8180, 1, 1, 0, 0),
    Q_EXAMPLE(65),
    RR(65, 74),
    U16(1),
    0, /* priority 1, target "." */
    U16(0),
    U16(2),
    U16(1), /* mandatory=alpn */
    U16(1),
    U16(6),
    2,
    'h',
    '2',
    2,
    'h',
    '3', /* alpn=h2,h3 */
    U16(2),
    U16(0), /* no-default-alpn */
    U16(3),
    U16(2),
    U16(8443), /* port=8443 */
    U16(4),
    U16(8),
    192,
    0,
    2,
    1,
    192,
    0,
    2,
    2, /* ipv4hint */
    U16(5),
    U16(3),
    1,
    2,
    3, /* ech (base64 "AQID") */
    U16(6),
    U16(16),
    0x20,
    0x01,
    0x0d,
    0xb8,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    1,
    U16(999),
    U16(2),
    0xab,
    0xcd, /* unknown key: hex */
};

static void test_dns_https_svcparams_presentation(void **state)
{
    const struct mk_dns_rr *rr = answer0(*state, resp_https, sizeof(resp_https));

    assert_int_equal(rr->rrtype, 65);
    assert_string_equal(rr->rdata, "1 . mandatory=alpn alpn=h2,h3 no-default-alpn port=8443 "
                                   "ipv4hint=192.0.2.1,192.0.2.2 ech=AQID ipv6hint=2001:db8::1 "
                                   "key999=abcd");
}

/* _dns.resolver.arpa-like SVCB 0 (AliasMode) svc.example.com */
static const uint8_t resp_svcb_alias[] = {
    HDR(10, 0x8180, 1, 1, 0, 0), Q_EXAMPLE(64), RR(64, 8), U16(0), 3, 's', 'v', 'c', 0xC0, 0x0C,
};

static void test_dns_svcb_alias_mode(void **state)
{
    const struct mk_dns_rr *rr = answer0(*state, resp_svcb_alias, sizeof(resp_svcb_alias));

    assert_string_equal(rr->rdata, "0 svc.example.com");
}

/* example.com CAA (type 257) 0 issue "ca": not decoded, so hex */
static const uint8_t resp_caa[] = {
    HDR(11, 0x8180, 1, 1, 0, 0),
    Q_EXAMPLE(257),
    RR(257, 9),
    0,
    5,
    'i',
    's',
    's',
    'u',
    'e',
    'c',
    'a',
};

static void test_dns_other_types_are_hex(void **state)
{
    const struct mk_dns_rr *rr = answer0(*state, resp_caa, sizeof(resp_caa));

    assert_string_equal(rr->rdata, "000569737375656361");
    assert_string_equal(mk_dns_type_name(257), "CAA");
    assert_null(mk_dns_type_name(12345));
}

/* an A record whose rdlength is 5: malformed */
static const uint8_t resp_a_bad_len[] = {
    HDR(12, 0x8180, 1, 1, 0, 0), Q_EXAMPLE(1), RR(1, 5), 1, 2, 3, 4, 5,
};

static void test_dns_a_with_wrong_length_is_malformed(void **state)
{
    struct env *e = *state;

    feed(e, MK_FLOW_TOCLIENT, resp_a_bad_len, sizeof(resp_a_bad_len));
    assert_int_equal(e->seen.n_dns, 0);
    assert_int_equal(e->seen.n_anomaly, 1);
    assert_string_equal(e->seen.last_anomaly, "dns.malformed");
}

/* ---- hostile names -------------------------------------------------------------- */

static void expect_malformed(struct env *e, const uint8_t *p, size_t n)
{
    feed(e, MK_FLOW_TOCLIENT, p, n);
    assert_int_equal(e->seen.n_dns, 0);
    assert_int_equal(e->seen.n_anomaly, 1);
    assert_string_equal(e->seen.last_anomaly, "dns.malformed");
}

/* the answer's owner is a pointer to itself (offset 29) */
static const uint8_t resp_self_loop[] = {
    HDR(13, 0x8180, 1, 1, 0, 0),
    Q_EXAMPLE(1),
    0xC0,
    29,
    U16(1),
    U16(1),
    0,
    0,
    0,
    1,
    U16(4),
    1,
    2,
    3,
    4,
};

/* the owner is "a" + pointer to 29, itself "a" + pointer back to 29: a
 * two-step loop, each pointer strictly before its own position */
static const uint8_t resp_two_step_loop[] = {
    HDR(14, 0x8180, 1, 1, 0, 0),
    Q_EXAMPLE(1),
    1,
    'a',
    0xC0,
    29,
    U16(1),
    U16(1),
    0,
    0,
    0,
    1,
    U16(4),
    1,
    2,
    3,
    4,
};

/* the owner points forward to offset 45, past itself, where "x" is */
static const uint8_t resp_forward_ptr[] = {
    HDR(15, 0x8180, 1, 1, 0, 0),
    Q_EXAMPLE(1),
    0xC0,
    45,
    U16(1),
    U16(1),
    0,
    0,
    0,
    1,
    U16(4),
    1,
    2,
    3,
    4,
    1,
    'x',
    0,
};

/* the owner points forward to 45, "y" + a pointer back to 29, the owner
 * itself: a loop through a forward pointer */
static const uint8_t resp_forward_loop[] = {
    HDR(15, 0x8180, 1, 1, 0, 0),
    Q_EXAMPLE(1),
    0xC0,
    45,
    U16(1),
    U16(1),
    0,
    0,
    0,
    1,
    U16(4),
    1,
    2,
    3,
    4,
    1,
    'y',
    0xC0,
    29,
};

/* suricata-verify dns-forward-pointer: two questions, the first is a pointer
 * forward to the second (offset 18 = 12 + 2 + 4): codemonkey.net A IN twice */
static const uint8_t query_forward_question[] = {
    HDR(36356, 0x0100, 2, 0, 0, 0),
    0xC0,
    18,
    U16(1),
    U16(1),
    10,
    'c',
    'o',
    'd',
    'e',
    'm',
    'o',
    'n',
    'k',
    'e',
    'y',
    3,
    'n',
    'e',
    't',
    0,
    U16(1),
    U16(1),
};

static void test_dns_pointer_to_itself_is_rejected(void **state)
{
    expect_malformed(*state, resp_self_loop, sizeof(resp_self_loop));
}

static void test_dns_pointer_loop_is_rejected(void **state)
{
    expect_malformed(*state, resp_two_step_loop, sizeof(resp_two_step_loop));
}

/* Forward pointers used to be refused for loop safety; Suricata follows them
 * (test dns-forward-pointer), and the visited bound plus the jump cap make
 * them safe, so this test now asserts that one is followed. */
static void test_dns_forward_pointer_is_followed(void **state)
{
    const struct mk_dns_rr *rr = answer0(*state, resp_forward_ptr, sizeof(resp_forward_ptr));

    assert_string_equal(rr->rrname, "x");
    assert_string_equal(rr->rdata, "1.2.3.4");
}

static void test_dns_forward_pointer_loop_is_rejected(void **state)
{
    expect_malformed(*state, resp_forward_loop, sizeof(resp_forward_loop));
}

static void test_dns_query_with_forward_pointer_question(void **state)
{
    struct env *e = *state;

    assert_int_equal(mk_dns_probe(query_forward_question, sizeof(query_forward_question), 53),
                     MK_PROBE_YES);
    feed(e, MK_FLOW_TOSERVER, query_forward_question, sizeof(query_forward_question));
    assert_int_equal(e->seen.n_anomaly, 0);
    assert_int_equal(e->seen.n_dns, 1);
    assert_int_equal(e->seen.msg.n_questions, 2);
    assert_string_equal(e->seen.msg.qname, "codemonkey.net");
}

static void test_dns_label_over_63_is_rejected(void **state)
{
    /* 0x40 is a 64-byte label length, i.e. an extended label type */
    uint8_t m[12 + 1 + 64 + 1 + 4] = {HDR(16, 0x0100, 1, 0, 0, 0), 0x40};

    memset(m + 13, 'a', 64);
    expect_malformed(*state, m, sizeof(m));
}

static void test_dns_name_over_255_is_rejected(void **state)
{
    /* five 63-byte labels: 5 * 64 + 1 = 321 octets */
    uint8_t m[12 + 5 * 64 + 1 + 4] = {HDR(17, 0x0100, 1, 0, 0, 0)};
    uint8_t ok[12 + 3 * 64 + 2 + 1 + 4] = {HDR(17, 0x0100, 1, 0, 0, 0)};
    size_t off = 12;
    char name[MK_DNS_NAME_BUF];

    for (int i = 0; i < 5; i++, off += 64) {
        m[off] = 63;
        memset(m + off + 1, 'a', 63);
    }
    expect_malformed(*state, m, sizeof(m));
    /* 3 * 64 + 2 + 1 = 195 octets: fine */
    off = 12;
    for (int i = 0; i < 3; i++, off += 64) {
        ok[off] = 63;
        memset(ok + off + 1, 'b', 63);
    }
    ok[off] = 1;
    ok[off + 1] = 'c';
    off = 12;
    assert_int_equal(mk_dns_name_read(ok, sizeof(ok), &off, name, sizeof(name)), MK_OK);
    assert_int_equal(strlen(name), 3 * 64 + 1);
    assert_int_equal(off, sizeof(ok) - 4);
}

static void test_dns_nul_in_label_is_escaped(void **state)
{
    static const uint8_t m[] = {3, 'a', 0, 'b', 0};
    size_t off = 0;
    char name[MK_DNS_NAME_BUF];

    (void)state;
    assert_int_equal(mk_dns_name_read(m, sizeof(m), &off, name, sizeof(name)), MK_OK);
    assert_string_equal(name, "a\\000b");
    assert_int_equal(off, sizeof(m));
}

static void test_dns_every_truncation_is_malformed(void **state)
{
    struct env *e = *state;

    for (size_t n = 0; n < sizeof(resp_nxdomain); n++) {
        feed(e, MK_FLOW_TOCLIENT, resp_nxdomain, n);
    }
    assert_int_equal(e->seen.n_dns, 0);
    assert_int_equal(e->seen.n_anomaly, (int)sizeof(resp_nxdomain));
}

static void test_dns_absurd_counts_are_refused(void **state)
{
    /* claims 65535 answers in a 33-byte message */
    static const uint8_t m[] = {HDR(18, 0x8180, 1, 0xFFFF, 0, 0), Q_EXAMPLE(1)};
    struct mk_dns_msg msg;
    struct env *e = *state;

    assert_int_equal(mk_dns_parse(m, sizeof(m), &e->ctx.cfg, &e->arena, &msg), MK_EINVAL);
}

static void test_dns_answers_beyond_the_cap_are_checked_not_kept(void **state)
{
    struct env *e = *state;

    e->ctx.cfg.max_dns_answers = 1;
    feed(e, MK_FLOW_TOCLIENT, resp_cname, sizeof(resp_cname));
    assert_int_equal(e->seen.n_dns, 1);
    assert_int_equal(e->seen.msg.n_answers, 1);
    assert_string_equal(e->seen.msg.answers[0].rdata, "www.example.com");
}

/* ---- TCP framing (RFC 1035 4.2.2) --------------------------------------------- */

static size_t framed(uint8_t *out, const uint8_t *m, size_t n)
{
    out[0] = (uint8_t)(n >> 8);
    out[1] = (uint8_t)n;
    memcpy(out + 2, m, n);
    return n + 2;
}

static void test_dns_tcp_record_split_at_every_byte(void **state)
{
    struct env *e = *state;
    uint8_t buf[256];
    size_t n = framed(buf, resp_https, sizeof(resp_https));
    size_t idle = mk_analyzer_dns.state_size(e->state);

    assert_null(mk_analyzer_dns.done); /* DNS reports until the flow ends */
    e->flow.proto = IPPROTO_TCP;
    for (size_t i = 0; i < n; i++) {
        feed(e, MK_FLOW_TOCLIENT, buf + i, 1);
        assert_int_equal(e->seen.n_dns, i + 1 == n ? 1 : 0);
        /* a buffer the size of this record, only while it is split */
        assert_int_equal(mk_analyzer_dns.state_size(e->state),
                         i >= 2 && i + 1 < n ? idle + n : idle);
    }
    assert_int_equal(e->seen.n_anomaly, 0);
    assert_true(e->seen.msg.over_tcp);
    assert_string_equal(e->seen.msg.answers[0].rdata,
                        "1 . mandatory=alpn alpn=h2,h3 no-default-alpn port=8443 "
                        "ipv4hint=192.0.2.1,192.0.2.2 ech=AQID ipv6hint=2001:db8::1 "
                        "key999=abcd");
}

static void test_dns_tcp_two_records_in_one_segment_and_a_split_third(void **state)
{
    struct env *e = *state;
    uint8_t buf[512];
    size_t n = framed(buf, query_www_a, sizeof(query_www_a));

    n += framed(buf + n, resp_a, sizeof(resp_a));
    n += framed(buf + n, resp_mx, sizeof(resp_mx));
    e->flow.proto = IPPROTO_TCP;
    feed(e, MK_FLOW_TOSERVER, buf, n - 10);
    assert_int_equal(e->seen.n_dns, 2);
    assert_int_equal(e->seen.msg.id, 0xBEEF);
    feed(e, MK_FLOW_TOSERVER, buf + n - 10, 10);
    assert_int_equal(e->seen.n_dns, 3);
    assert_string_equal(e->seen.msg.answers[1].rdata, "0 .");
    assert_int_equal(e->seen.n_anomaly, 0);
}

static void test_dns_tcp_gap_resyncs_at_a_record_start(void **state)
{
    struct env *e = *state;
    uint8_t buf[256];
    size_t n = framed(buf, resp_a, sizeof(resp_a));

    e->flow.proto = IPPROTO_TCP;
    feed(e, MK_FLOW_TOCLIENT, buf, 10);                                      /* half a record, */
    mk_analyzer_dns.gap(e->state, &e->ctx, &e->flow, MK_FLOW_TOCLIENT, 100); /* then loss */
    feed(e, MK_FLOW_TOCLIENT, buf + 20, n - 20); /* the tail of something: skipped */
    assert_int_equal(e->seen.n_dns, 0);
    feed(e, MK_FLOW_TOCLIENT, buf, n); /* a segment that starts a record */
    assert_int_equal(e->seen.n_dns, 1);
    assert_int_equal(e->seen.n_anomaly, 0);
}

/* ---- probing ------------------------------------------------------------------- */

static void test_dns_probe_accepts_queries_and_responses(void **state)
{
    uint8_t buf[256];
    size_t n = framed(buf, query_www_a, sizeof(query_www_a));

    (void)state;
    assert_int_equal(mk_dns_probe(query_www_a, sizeof(query_www_a), 53), MK_PROBE_YES);
    assert_int_equal(mk_dns_probe(query_www_a, sizeof(query_www_a), 9999), MK_PROBE_YES);
    assert_int_equal(mk_dns_probe(resp_nxdomain, sizeof(resp_nxdomain), 4444), MK_PROBE_YES);
    assert_int_equal(mk_dns_probe(buf, n, 53), MK_PROBE_YES);
    assert_int_equal(mk_dns_probe(buf, n, 8053), MK_PROBE_YES);
    assert_int_equal(mk_dns_probe(buf, 5, 53), MK_PROBE_MORE);
    assert_int_equal(mk_analyzer_dns.probe(buf, n, MK_FLOW_TOSERVER, 53), MK_PROBE_YES);
}

static void test_dns_probe_refuses_other_protocols(void **state)
{
    static const char http[] = "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n";
    /* TLS ClientHello record header and the start of a handshake */
    static const uint8_t tls[] = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01,
                                  0xfc, 0x03, 0x03, 0x11, 0x22, 0x33, 0x44, 0x55};
    /* a query with 3 answers and an rcode: not something a client sends */
    static const uint8_t odd_query[] = {HDR(1, 0x0005, 1, 3, 0, 0), Q_EXAMPLE(1)};

    (void)state;
    assert_int_equal(mk_dns_probe((const uint8_t *)http, sizeof(http) - 1, 80), MK_PROBE_NO);
    assert_int_equal(mk_dns_probe(tls, sizeof(tls), 443), MK_PROBE_NO);
    assert_int_equal(mk_dns_probe(odd_query, sizeof(odd_query), 53), MK_PROBE_NO);
}

/* suricata-verify dns-answer-name: a query (0x0100) that carries an answer */
static const uint8_t query_with_answer[] = {
    HDR(7, 0x0100, 1, 1, 0, 0), Q_EXAMPLE(1), RR(1, 4), 10, 10, 10, 10,
};

static void test_dns_probe_takes_query_with_answer_on_dns_port(void **state)
{
    (void)state;
    assert_int_equal(mk_dns_probe(query_with_answer, sizeof(query_with_answer), 53), MK_PROBE_YES);
    /* mDNS known-answer lists are not DNS as Suricata and tshark see it */
    assert_int_equal(mk_dns_probe(query_with_answer, sizeof(query_with_answer), 5353), MK_PROBE_NO);
    /* off the DNS ports the strict check still wants a bare query */
    assert_int_equal(mk_dns_probe(query_with_answer, sizeof(query_with_answer), 9999), MK_PROBE_NO);
}

/* NetBIOS name query (RFC 1002 4.2.12, ja4/ssh2.pcapng): flags 0x0110 (RD, B),
 * the 32-byte first-level encoded name, type NB (0x20), class IN */
static const uint8_t netbios_query[] = {
    HDR(0x8001, 0x0110, 1, 0, 0, 0),
    32,
    'E',
    'C',
    'E',
    'M',
    'F',
    'F',
    'E',
    'F',
    'E',
    'D',
    'E',
    'B',
    'F',
    'E',
    'E',
    'O',
    'E',
    'F',
    'F',
    'E',
    'F',
    'H',
    'E',
    'P',
    'F',
    'C',
    'E',
    'L',
    'F',
    'D',
    'B',
    'O',
    0,
    U16(0x20),
    U16(1),
};

static void test_dns_probe_never_takes_netbios_ports(void **state)
{
    (void)state;
    assert_int_equal(mk_dns_probe(netbios_query, sizeof(netbios_query), 137), MK_PROBE_NO);
    assert_int_equal(mk_dns_probe(netbios_query, sizeof(netbios_query), 138), MK_PROBE_NO);
    assert_int_equal(mk_dns_probe(query_www_a, sizeof(query_www_a), 137), MK_PROBE_NO);
    assert_int_equal(
        mk_analyzer_dns.probe(netbios_query, sizeof(netbios_query), MK_FLOW_TOSERVER, 137),
        MK_PROBE_NO);
}

static void test_dns_probe_strict_off_port(void **state)
{
    uint8_t trailing[sizeof(query_www_a) + 1];
    uint8_t z_bit[sizeof(query_www_a)];
    static const uint8_t odd_name[] = {
        HDR(9, 0x0100, 1, 0, 0, 0), 3, 'a', '*', 'b', 0, U16(1), U16(1)};

    (void)state;
    memcpy(trailing, query_www_a, sizeof(query_www_a));
    trailing[sizeof(query_www_a)] = 0;
    memcpy(z_bit, query_www_a, sizeof(query_www_a));
    z_bit[3] |= 0x40;
    assert_int_equal(mk_dns_probe(trailing, sizeof(trailing), 9999), MK_PROBE_NO);
    assert_int_equal(mk_dns_probe(z_bit, sizeof(z_bit), 9999), MK_PROBE_NO);
    assert_int_equal(mk_dns_probe(odd_name, sizeof(odd_name), 9999), MK_PROBE_NO);
    /* on the DNS port the same messages are DNS */
    assert_int_equal(mk_dns_probe(z_bit, sizeof(z_bit), 53), MK_PROBE_YES);
    assert_int_equal(mk_dns_probe(odd_name, sizeof(odd_name), 53), MK_PROBE_YES);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, env_setup, env_teardown)
        T(test_dns_query_reports_id_flags_and_question),
        T(test_dns_response_a_with_compressed_owner),
        T(test_dns_aaaa_is_formatted_as_ipv6),
        T(test_dns_cname_chain_follows_pointer_into_rdata),
        T(test_dns_ns_is_a_name),
        T(test_dns_mx_is_preference_and_name),
        T(test_dns_txt_strings_are_joined),
        T(test_dns_ptr_is_a_name),
        T(test_dns_nxdomain_reports_soa_authority),
        T(test_dns_srv_is_priority_weight_port_target),
        T(test_dns_https_svcparams_presentation),
        T(test_dns_svcb_alias_mode),
        T(test_dns_other_types_are_hex),
        T(test_dns_a_with_wrong_length_is_malformed),
        T(test_dns_pointer_to_itself_is_rejected),
        T(test_dns_pointer_loop_is_rejected),
        T(test_dns_forward_pointer_is_followed),
        T(test_dns_forward_pointer_loop_is_rejected),
        T(test_dns_query_with_forward_pointer_question),
        T(test_dns_label_over_63_is_rejected),
        T(test_dns_name_over_255_is_rejected),
        T(test_dns_nul_in_label_is_escaped),
        T(test_dns_every_truncation_is_malformed),
        T(test_dns_absurd_counts_are_refused),
        T(test_dns_answers_beyond_the_cap_are_checked_not_kept),
        T(test_dns_tcp_record_split_at_every_byte),
        T(test_dns_tcp_two_records_in_one_segment_and_a_split_third),
        T(test_dns_tcp_gap_resyncs_at_a_record_start),
        T(test_dns_probe_accepts_queries_and_responses),
        T(test_dns_probe_takes_query_with_answer_on_dns_port),
        T(test_dns_probe_never_takes_netbios_ports),
        T(test_dns_probe_strict_off_port),
        T(test_dns_probe_refuses_other_protocols),
#undef T
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
