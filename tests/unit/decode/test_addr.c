/* Address text forms: the hand-written IPv4 formatter against inet_pton round
 * trips, and IPv6 through inet_ntop. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "decode/decode.h"

static void test_addr_formats_every_ipv4_octet_width(void **state)
{
    static const char *const cases[] = {"0.0.0.0",         "1.2.3.4",   "9.10.99.100",
                                        "255.255.255.255", "192.0.2.1", "10.0.100.200",
                                        "100.64.0.9"};
    struct mk_addr a;
    char out[46];

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(mk_addr_parse(cases[i], &a), MK_OK);
        assert_true(mk_addr_is_v4(&a));
        mk_addr_format(&a, out);
        assert_string_equal(out, cases[i]);
    }
}

static void test_addr_formats_ipv6_canonically(void **state)
{
    struct mk_addr a;
    char out[46];

    (void)state;
    assert_int_equal(mk_addr_parse("2001:DB8:0:0:0:0:0:1", &a), MK_OK);
    assert_false(mk_addr_is_v4(&a));
    mk_addr_format(&a, out);
    assert_string_equal(out, "2001:db8::1");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_addr_formats_every_ipv4_octet_width),
        cmocka_unit_test(test_addr_formats_ipv6_canonically),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
