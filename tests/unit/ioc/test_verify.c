/* mk_ioc_verify(): STIX patterns behind prefilter hits, evaluated on the
 * sensor's observation and, for temporal patterns, on the indicator's recent
 * observations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ioc/ioc.h"

static const uint8_t *v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
    static uint8_t buf[4][16];
    static int k;
    uint8_t *p = buf[k++ % 4];

    memset(p, 0, 16);
    p[10] = p[11] = 0xff;
    p[12] = a;
    p[13] = b;
    p[14] = c;
    p[15] = d;
    return p;
}

static bool check(struct mk_ioc_verifier *v, uint32_t sid, const char *pattern,
                  const struct mk_ioc_observation *o)
{
    struct mk_ioc_hit h = {.sid = sid, .pattern = pattern};

    return mk_ioc_verify(v, &h, o);
}

static void test_verify_and_of_address_and_port(void **state)
{
    static const char p[] =
        "[network-traffic:dst_ref.value = '198.51.100.2' AND network-traffic:dst_port = 443]";
    struct mk_ioc_verifier *v = mk_ioc_verifier_new();
    struct mk_ioc_observation o = {.ts_sec = 100,
                                   .src_ip = v4(192, 0, 2, 1),
                                   .dst_ip = v4(198, 51, 100, 2),
                                   .src_port = 50000,
                                   .dst_port = 443,
                                   .protocol = "tcp"};

    (void)state;
    assert_true(check(v, 1, p, &o));
    o.dst_port = 80;
    assert_false(check(v, 1, p, &o));
    o.dst_port = 443;
    o.dst_ip = v4(198, 51, 100, 3);
    o.src_ip = v4(198, 51, 100, 2); /* the address as source: wrong direction */
    assert_false(check(v, 1, p, &o));
    mk_ioc_verifier_free(v);
}

static void test_verify_domain_ref_hashes_and_fingerprints(void **state)
{
    struct mk_ioc_verifier *v = mk_ioc_verifier_new();
    struct mk_ioc_observation o = {
        .ts_sec = 100,
        .dst_ip = v4(198, 51, 100, 2),
        .dst_port = 443,
        .protocol = "tcp",
        .domain = "evil.example",
        .url = "http://evil.example/x",
        .md5 = "d41d8cd98f00b204e9800998ecf8427e",
        .sha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        .ja3 = "e7d705a3286e19ea42f587b344ee6865",
        .ja4 = "t13d1516h2_8daaf6152771_b186095e22b6",
    };

    (void)state;
    assert_true(check(v, 2,
                      "[network-traffic:dst_ref.value = 'evil.example' AND "
                      "network-traffic:dst_port = 443]",
                      &o));
    assert_true(check(v, 3, "[domain-name:value = 'evil.example' AND url:value != 'x']", &o) ==
                false); /* two object types in one [ ]: never true */
    assert_true(check(v, 4,
                      "[file:hashes.'SHA-256' = "
                      "'E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855' AND "
                      "file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e']",
                      &o));
    assert_false(check(v, 5,
                       "[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e' AND "
                       "file:hashes.SHA1 = 'da39a3ee5e6b4b0d3255bfef95601890afd80709']",
                       &o));
    assert_true(check(v, 6,
                      "[network-traffic:extensions.'x-mekong-tls'.ja3 = "
                      "'e7d705a3286e19ea42f587b344ee6865' AND network-traffic:dst_port = 443]",
                      &o));
    assert_true(check(v, 7, "[x-ja4:hash = 't13d1516h2_8daaf6152771_b186095e22b6']", &o));
    assert_true(check(v, 8, "[url:value LIKE 'http://evil.example/%']", &o));
    assert_false(check(v, 9, "[ipv4-addr:value = ]", &o)); /* cannot verify: never alerts */
    assert_true(check(v, 10, NULL, &o));                   /* exact keys need no check */
    mk_ioc_verifier_free(v);
}

static void test_verify_repeats_within_over_observations(void **state)
{
    static const char p[] = "[ipv4-addr:value = '198.51.100.9'] REPEATS 3 TIMES WITHIN 60 SECONDS";

    static const struct {
        int64_t ts;
        bool expect;
    } steps[] = {
        {0, false},   {10, false},  {20, true}, /* third within 60 s */
        {30, false},  {200, false},             /* history restarts after an alert */
        {210, false},                           /* 30 is too old for 200 and 210 */
        {220, true},
    };
    struct mk_ioc_verifier *v = mk_ioc_verifier_new();
    struct mk_ioc_observation o = {.dst_ip = v4(198, 51, 100, 9), .dst_port = 80};

    (void)state;
    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
        o.ts_sec = steps[i].ts;
        assert_int_equal(check(v, 42, p, &o), steps[i].expect);
    }
    mk_ioc_verifier_free(v);
}

static void test_verify_followedby_needs_the_order(void **state)
{
    static const char p[] = "[domain-name:value = 'a.example'] FOLLOWEDBY "
                            "[url:value = 'http://a.example/x'] WITHIN 300 SECONDS";
    struct mk_ioc_verifier *v = mk_ioc_verifier_new();
    struct mk_ioc_observation dns = {.ts_sec = 1000, .domain = "a.example"};
    struct mk_ioc_observation http = {
        .ts_sec = 900, .domain = "a.example", .url = "http://b.example/"};

    (void)state;
    assert_false(check(v, 7, p, &http)); /* an unrelated URL */
    assert_false(check(v, 7, p, &dns));
    http.ts_sec = 1100;
    http.url = "http://a.example/x";
    assert_true(check(v, 7, p, &http)); /* DNS at 1000, then the URL at 1100 */
    /* another indicator's history is separate */
    assert_false(
        check(v, 8, p, &(struct mk_ioc_observation){.ts_sec = 1200, .url = "http://a.example/x"}));
    mk_ioc_verifier_free(v);
}

static void test_verify_cache_follows_content_and_bounds_history(void **state)
{
    char p[128];
    struct mk_ioc_verifier *v = mk_ioc_verifier_new();
    struct mk_ioc_observation o = {.ts_sec = 5, .dst_ip = v4(198, 51, 100, 1)};

    (void)state;
    (void)snprintf(p, sizeof(p), "[ipv4-addr:value = '198.51.100.1']");
    assert_true(check(v, 1, p, &o));
    /* same address, new text (as after a reload): parsed again */
    (void)snprintf(p, sizeof(p), "[ipv4-addr:value = '198.51.100.2']");
    assert_false(check(v, 1, p, &o));
    /* more indicators and observations than the history holds */
    for (uint32_t sid = 0; sid < 600; sid++) {
        for (int i = 0; i < 3; i++) {
            o.ts_sec = sid * 1000 + i * 100;
            assert_false(check(v, sid,
                               "[ipv4-addr:value = '198.51.100.1'] REPEATS 2 TIMES "
                               "WITHIN 10 SECONDS",
                               &o));
        }
    }
    for (int i = 0; i < 100; i++) {
        o.ts_sec = 10000000 + i * 100;
        assert_false(check(v, 5,
                           "[ipv4-addr:value = '198.51.100.1'] REPEATS 2 TIMES WITHIN 10 "
                           "SECONDS",
                           &o));
    }
    mk_ioc_verifier_free(v);
    mk_ioc_verifier_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_verify_and_of_address_and_port),
        cmocka_unit_test(test_verify_domain_ref_hashes_and_fingerprints),
        cmocka_unit_test(test_verify_repeats_within_over_observations),
        cmocka_unit_test(test_verify_followedby_needs_the_order),
        cmocka_unit_test(test_verify_cache_follows_content_and_bounds_history),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
