/* Unit tests of the address formatters (mk_ipv4_format, mk_ipv6_format): their
 * text must be inet_ntop's, byte for byte, since EVE consumers and the oracle
 * tests compare it. Edge cases by name, then many pseudo-random addresses with
 * zero groups planted so every compression shape occurs. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/base.h"

static void expect_v6_like_inet_ntop(const uint8_t b[16])
{
    char want[INET6_ADDRSTRLEN];
    char got[46];
    size_t n;

    assert_non_null(inet_ntop(AF_INET6, b, want, sizeof(want)));
    n = mk_ipv6_format(b, got);
    assert_string_equal(got, want);
    assert_int_equal(n, strlen(want));
}

static void expect_v6_text(const char *text)
{
    uint8_t b[16];
    char got[46];

    assert_int_equal(inet_pton(AF_INET6, text, b), 1);
    (void)mk_ipv6_format(b, got);
    assert_string_equal(got, text);
    expect_v6_like_inet_ntop(b);
}

static void test_ipv4_format_matches_dotted_quad(void **state)
{
    static const uint8_t cases[][4] = {
        {0, 0, 0, 0}, {255, 255, 255, 255}, {10, 0, 99, 100}, {192, 168, 1, 9}, {1, 20, 205, 7}};
    char want[INET_ADDRSTRLEN];
    char got[16];

    (void)state;
    for (size_t i = 0; i < MK_ARRAY_LEN(cases); i++) {
        size_t n = mk_ipv4_format(cases[i], got);

        assert_non_null(inet_ntop(AF_INET, cases[i], want, sizeof(want)));
        assert_string_equal(got, want);
        assert_int_equal(n, strlen(want));
    }
}

static void test_ipv6_format_compresses_the_first_longest_zero_run(void **state)
{
    (void)state;
    expect_v6_text("::");
    expect_v6_text("::1");
    expect_v6_text("1::");
    expect_v6_text("2001:db8::1");
    expect_v6_text("2001:db8:0:1:1:1:1:1"); /* one zero group: not compressed */
    expect_v6_text("2001:0:0:1::1");        /* the longer run wins */
    expect_v6_text("2001:db8::1:0:0:1");    /* equal runs: the first */
    expect_v6_text("fe80::abcd:ef01:2345:6789");
    expect_v6_text("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
}

static void test_ipv6_format_writes_embedded_ipv4_as_glibc_does(void **state)
{
    (void)state;
    expect_v6_text("::ffff:192.0.2.1");
    expect_v6_text("::192.0.2.1");
    expect_v6_text("::2"); /* seventh group zero: hex, not ::0.0.0.2 */
    expect_v6_text("::ffff:0.0.0.1");
    expect_v6_text("64:ff9b::c000:201"); /* NAT64: hex, as inet_ntop */
}

static void test_ipv6_format_matches_inet_ntop_on_random_addresses(void **state)
{
    uint64_t x = 0x9e3779b97f4a7c15ull;

    (void)state;
    for (int round = 0; round < 200000; round++) {
        uint8_t b[16];

        for (int i = 0; i < 16; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            b[i] = (uint8_t)x;
        }
        /* zero about half the groups (and sometimes shrink a byte), so runs of
         * every length and position occur */
        for (int gi = 0; gi < 8; gi++) {
            if ((x >> (gi + 20)) & 1) {
                b[2 * gi] = 0;
                b[2 * gi + 1] = 0;
            } else if ((x >> (gi + 40)) & 1) {
                b[2 * gi] = 0;
            }
        }
        expect_v6_like_inet_ntop(b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ipv4_format_matches_dotted_quad),
        cmocka_unit_test(test_ipv6_format_compresses_the_first_longest_zero_run),
        cmocka_unit_test(test_ipv6_format_writes_embedded_ipv4_as_glibc_does),
        cmocka_unit_test(test_ipv6_format_matches_inet_ntop_on_random_addresses),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
