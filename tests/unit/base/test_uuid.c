/* Unit tests of UUIDs (mk_uuid_*): parse/format, version and variant, v4 bits and
 * v5 against known vectors (RFC 9562 appendix A.4, the STIX 2.1 SCO namespace). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/base.h"

/* RFC 9562 section 6.6: the DNS namespace. */
static const char dns_ns[] = "6ba7b810-9dad-11d1-80b4-00c04fd430c8";
/* STIX 2.1 section 2.9: the namespace of deterministic SCO identifiers. */
static const char stix_ns[] = "00abedb4-aa42-466c-9c01-fed23315a9b7";

static void parse_ok(const char *s, uint8_t u[16])
{
    assert_int_equal(mk_uuid_parse(s, strlen(s), u), MK_OK);
}

static enum mk_status parse_st(const char *s)
{
    uint8_t u[16];

    return mk_uuid_parse(s, strlen(s), u);
}

static void test_uuid_parse_format_round_trip(void **state)
{
    static const char s[] = "2ed6657d-e927-568b-95e1-2665a8aea6a2";
    uint8_t u[16];
    char out[37];

    (void)state;
    parse_ok(s, u);
    assert_int_equal(u[0], 0x2e);
    assert_int_equal(u[15], 0xa2);
    mk_uuid_format(u, out);
    assert_string_equal(out, s);
}

static void test_uuid_parse_accepts_upper_case_and_formats_lower_case(void **state)
{
    uint8_t u[16];
    char out[37];

    (void)state;
    parse_ok("6BA7B810-9DAD-11D1-80B4-00C04FD430C8", u);
    mk_uuid_format(u, out);
    assert_string_equal(out, dns_ns);
}

static void test_uuid_parse_rejects_wrong_length(void **state)
{
    (void)state;
    assert_int_equal(parse_st(""), MK_EINVAL);
    assert_int_equal(parse_st("6ba7b810-9dad-11d1-80b4-00c04fd430c"), MK_EINVAL);
    assert_int_equal(parse_st("6ba7b810-9dad-11d1-80b4-00c04fd430c80"), MK_EINVAL);
    assert_int_equal(parse_st("6ba7b8109dad11d180b400c04fd430c8"), MK_EINVAL);
    assert_int_equal(parse_st("{6ba7b810-9dad-11d1-80b4-00c04fd430c8}"), MK_EINVAL);
}

static void test_uuid_parse_rejects_misplaced_hyphens_and_non_hex(void **state)
{
    (void)state;
    assert_int_equal(parse_st("6ba7b8109-dad-11d1-80b4-00c04fd430c8"), MK_EINVAL);
    assert_int_equal(parse_st("6ba7b810-9dad-11d1-80b4-00c04fd430cg"), MK_EINVAL);
    assert_int_equal(parse_st("6ba7b810-9dad-11d1-80b4+00c04fd430c8"), MK_EINVAL);
    assert_int_equal(parse_st("6ba7b810-9dad-11d1-80b4-00c04fd430 8"), MK_EINVAL);
    assert_int_equal(parse_st("-ba7b810-9dad-11d1-80b4-00c04fd430c8"), MK_EINVAL);
}

static void test_uuid_version_and_variant_are_read_from_bits(void **state)
{
    uint8_t u[16];

    (void)state;
    parse_ok(dns_ns, u);
    assert_int_equal(mk_uuid_version(u), 1);
    assert_true(mk_uuid_is_rfc4122_variant(u));
    parse_ok(stix_ns, u);
    assert_int_equal(mk_uuid_version(u), 4);
    assert_true(mk_uuid_is_rfc4122_variant(u));
    parse_ok("00000000-0000-0000-0000-000000000000", u); /* the Nil UUID */
    assert_int_equal(mk_uuid_version(u), 0);
    assert_false(mk_uuid_is_rfc4122_variant(u));
    parse_ok("12345678-1234-5678-c234-123456789abc", u); /* Microsoft variant 110x */
    assert_false(mk_uuid_is_rfc4122_variant(u));
}

static void test_uuid_v4_sets_version_and_variant_bits(void **state)
{
    (void)state;
    for (int i = 0; i < 64; i++) {
        uint8_t u[16];

        assert_int_equal(mk_uuid_v4(u), MK_OK);
        assert_int_equal(u[6] >> 4, 4);
        assert_int_equal(u[8] & 0xc0, 0x80);
        assert_int_equal(mk_uuid_version(u), 4);
        assert_true(mk_uuid_is_rfc4122_variant(u));
    }
}

static void test_uuid_v4_values_differ(void **state)
{
    uint8_t a[16];
    uint8_t b[16];

    (void)state;
    assert_int_equal(mk_uuid_v4(a), MK_OK);
    assert_int_equal(mk_uuid_v4(b), MK_OK);
    assert_memory_not_equal(a, b, 16);
}

static void test_uuid_v5_matches_rfc9562_dns_vector(void **state)
{
    static const char name[] = "www.example.com";
    uint8_t ns[16];
    uint8_t u[16];
    char out[37];

    (void)state;
    parse_ok(dns_ns, ns);
    mk_uuid_v5(ns, name, sizeof(name) - 1, u);
    mk_uuid_format(u, out);
    assert_string_equal(out, "2ed6657d-e927-568b-95e1-2665a8aea6a2");
    assert_int_equal(mk_uuid_version(u), 5);
    assert_true(mk_uuid_is_rfc4122_variant(u));
}

/* Expected values computed with Python's uuid.uuid5(), an independent
 * implementation, over the STIX namespace and the canonical JSON of the
 * ID-contributing properties. */
static void test_uuid_v5_with_stix_namespace_matches_reference(void **state)
{
    static const struct {
        const char *name;
        const char *id;
    } cases[] = {
        {"{\"value\":\"john@example.com\"}", "7165e2a9-671f-585d-b1e1-ca59c671d934"},
        {"{\"value\":\"198.51.100.3\"}", "28bb3599-77cd-5a82-a950-b5bc3caf07c4"},
        {"{\"value\":\"example.com\"}", "bedb4899-d24b-5401-bc86-8f6b4cc18ec7"},
    };

    uint8_t ns[16];

    (void)state;
    parse_ok(stix_ns, ns);
    for (size_t i = 0; i < MK_ARRAY_LEN(cases); i++) {
        uint8_t u[16];
        char out[37];

        mk_uuid_v5(ns, cases[i].name, strlen(cases[i].name), u);
        mk_uuid_format(u, out);
        assert_string_equal(out, cases[i].id);
    }
}

static void test_uuid_v5_is_deterministic_and_name_sensitive(void **state)
{
    uint8_t ns[16];
    uint8_t a[16];
    uint8_t b[16];

    (void)state;
    parse_ok(stix_ns, ns);
    mk_uuid_v5(ns, "abc", 3, a);
    mk_uuid_v5(ns, "abc", 3, b);
    assert_memory_equal(a, b, 16);
    mk_uuid_v5(ns, "abd", 3, b);
    assert_memory_not_equal(a, b, 16);
    mk_uuid_v5(ns, "", 0, b);
    assert_int_equal(mk_uuid_version(b), 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uuid_parse_format_round_trip),
        cmocka_unit_test(test_uuid_parse_accepts_upper_case_and_formats_lower_case),
        cmocka_unit_test(test_uuid_parse_rejects_wrong_length),
        cmocka_unit_test(test_uuid_parse_rejects_misplaced_hyphens_and_non_hex),
        cmocka_unit_test(test_uuid_version_and_variant_are_read_from_bits),
        cmocka_unit_test(test_uuid_v4_sets_version_and_variant_bits),
        cmocka_unit_test(test_uuid_v4_values_differ),
        cmocka_unit_test(test_uuid_v5_matches_rfc9562_dns_vector),
        cmocka_unit_test(test_uuid_v5_with_stix_namespace_matches_reference),
        cmocka_unit_test(test_uuid_v5_is_deterministic_and_name_sensitive),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
