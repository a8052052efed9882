/* Unit tests of the digests and hex encoding (mk_hash_*, mk_hex_encode) against
 * the published "abc" vectors (RFC 1321, FIPS 180-4 examples). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/base.h"

static void test_hash_md5_of_abc_matches_rfc1321(void **state)
{
    uint8_t d[16];
    char hex[33];

    (void)state;
    mk_hash_md5("abc", 3, d);
    mk_hex_encode(d, sizeof(d), hex);
    assert_string_equal(hex, "900150983cd24fb0d6963f7d28e17f72");
}

static void test_hash_md5_of_empty_input_matches_rfc1321(void **state)
{
    uint8_t d[16];
    char hex[33];

    (void)state;
    mk_hash_md5("", 0, d);
    mk_hex_encode(d, sizeof(d), hex);
    assert_string_equal(hex, "d41d8cd98f00b204e9800998ecf8427e");
}

static void test_hash_sha1_of_abc_matches_fips180(void **state)
{
    uint8_t d[20];
    char hex[41];

    (void)state;
    mk_hash_sha1("abc", 3, d);
    mk_hex_encode(d, sizeof(d), hex);
    assert_string_equal(hex, "a9993e364706816aba3e25717850c26c9cd0d89d");
}

static void test_hash_sha256_of_abc_matches_fips180(void **state)
{
    uint8_t d[32];
    char hex[65];

    (void)state;
    mk_hash_sha256("abc", 3, d);
    mk_hex_encode(d, sizeof(d), hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_hash_sha256_does_not_write_past_32_bytes(void **state)
{
    uint8_t d[40];

    (void)state;
    memset(d, 0xee, sizeof(d));
    mk_hash_sha256("abc", 3, d);
    for (size_t i = 32; i < sizeof(d); i++) {
        assert_int_equal(d[i], 0xee);
    }
}

static void test_hex_encode_is_lower_case_and_terminated(void **state)
{
    static const uint8_t in[] = {0x00, 0x0f, 0xa0, 0xff};
    char out[9];

    (void)state;
    memset(out, 'x', sizeof(out));
    mk_hex_encode(in, sizeof(in), out);
    assert_string_equal(out, "000fa0ff");
}

static void test_hex_encode_of_nothing_is_empty_string(void **state)
{
    char out[1] = {'x'};

    (void)state;
    mk_hex_encode(NULL, 0, out);
    assert_string_equal(out, "");
}

static void test_hash64_depends_on_input_and_seed(void **state)
{
    (void)state;
    assert_true(mk_hash64("abc", 3, 0) == mk_hash64("abc", 3, 0));
    assert_true(mk_hash64("abc", 3, 0) != mk_hash64("abd", 3, 0));
    assert_true(mk_hash64("abc", 3, 0) != mk_hash64("abc", 3, 1));
}

/* RFC 4231 test cases 1 and 2; a key over one block is refused, not hashed. */
static void test_hmac_sha256_matches_rfc4231(void **state)
{
    uint8_t key1[20];
    uint8_t mac[32];
    char hex[65];

    (void)state;
    memset(key1, 0x0b, sizeof(key1));
    assert_true(mk_hmac_sha256(key1, sizeof(key1), (const uint8_t *)"Hi There", 8, mac));
    mk_hex_encode(mac, sizeof(mac), hex);
    assert_string_equal(hex, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    assert_true(mk_hmac_sha256((const uint8_t *)"Jefe", 4,
                               (const uint8_t *)"what do ya want for nothing?", 28, mac));
    mk_hex_encode(mac, sizeof(mac), hex);
    assert_string_equal(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    {
        uint8_t long_key[65] = {0};

        assert_false(mk_hmac_sha256(long_key, sizeof(long_key), key1, 1, mac));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hash_md5_of_abc_matches_rfc1321),
        cmocka_unit_test(test_hash_md5_of_empty_input_matches_rfc1321),
        cmocka_unit_test(test_hash_sha1_of_abc_matches_fips180),
        cmocka_unit_test(test_hash_sha256_of_abc_matches_fips180),
        cmocka_unit_test(test_hash_sha256_does_not_write_past_32_bytes),
        cmocka_unit_test(test_hex_encode_is_lower_case_and_terminated),
        cmocka_unit_test(test_hex_encode_of_nothing_is_empty_string),
        cmocka_unit_test(test_hash64_depends_on_input_and_seed),
        cmocka_unit_test(test_hmac_sha256_matches_rfc4231),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
