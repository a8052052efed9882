/* Unit tests of strict UTF-8 validation (mk_utf8_valid, RFC 3629 section 4):
 * overlongs, surrogates, the U+10FFFF ceiling, truncation and the bad offset. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/base.h"
#include "base/base_int.h"

#define NO_OFFSET ((size_t)-1)

/* Validates a byte literal (sizeof includes the literal's NUL, dropped here) and
 * returns the reported bad offset, or NO_OFFSET when the input is valid. */
#define CHECK(lit) check((const uint8_t *)(lit), sizeof(lit) - 1)

static size_t check(const uint8_t *p, size_t n)
{
    size_t bad = NO_OFFSET;

    if (mk_utf8_valid(p, n, &bad)) {
        assert_int_equal(bad, NO_OFFSET); /* untouched on success */
        return NO_OFFSET;
    }
    assert_true(bad < n);
    return bad;
}

static void test_utf8_accepts_empty_and_ascii(void **state)
{
    (void)state;
    assert_true(mk_utf8_valid(NULL, 0, NULL));
    assert_int_equal(CHECK("plain ASCII text, long enough for the 8-byte path"), NO_OFFSET);
    assert_int_equal(CHECK("\x7f"), NO_OFFSET);
}

static void test_utf8_accepts_valid_2_3_and_4_byte_sequences(void **state)
{
    (void)state;
    assert_int_equal(CHECK("\xc2\x80"), NO_OFFSET);         /* U+0080 */
    assert_int_equal(CHECK("caf\xc3\xa9"), NO_OFFSET);      /* "café" */
    assert_int_equal(CHECK("\xdf\xbf"), NO_OFFSET);         /* U+07FF */
    assert_int_equal(CHECK("\xe0\xa0\x80"), NO_OFFSET);     /* U+0800 */
    assert_int_equal(CHECK("\xe2\x82\xac"), NO_OFFSET);     /* U+20AC euro sign */
    assert_int_equal(CHECK("\xed\x9f\xbf"), NO_OFFSET);     /* U+D7FF, below surrogates */
    assert_int_equal(CHECK("\xee\x80\x80"), NO_OFFSET);     /* U+E000, above surrogates */
    assert_int_equal(CHECK("\xef\xbf\xbf"), NO_OFFSET);     /* U+FFFF */
    assert_int_equal(CHECK("\xf0\x90\x80\x80"), NO_OFFSET); /* U+10000 */
    assert_int_equal(CHECK("\xf0\x9f\x98\x80"), NO_OFFSET); /* U+1F600 emoji */
    assert_int_equal(CHECK("\xf4\x8f\xbf\xbf"), NO_OFFSET); /* U+10FFFF, the last */
}

static void test_utf8_rejects_overlong_forms(void **state)
{
    (void)state;
    assert_int_equal(CHECK("\xc0\x80"), 0);         /* U+0000 in 2 bytes */
    assert_int_equal(CHECK("\xc1\xbf"), 0);         /* U+007F in 2 bytes */
    assert_int_equal(CHECK("\xe0\x80\x80"), 0);     /* U+0000 in 3 bytes */
    assert_int_equal(CHECK("\xe0\x9f\xbf"), 0);     /* U+07FF in 3 bytes */
    assert_int_equal(CHECK("\xf0\x8f\xbf\xbf"), 0); /* U+FFFF in 4 bytes */
}

static void test_utf8_rejects_surrogates(void **state)
{
    (void)state;
    assert_int_equal(CHECK("\xed\xa0\x80"), 0);             /* U+D800 */
    assert_int_equal(CHECK("\xed\xbf\xbf"), 0);             /* U+DFFF */
    assert_int_equal(CHECK("\xed\xa0\xbd\xed\xb8\x80"), 0); /* CESU-8 pair */
}

static void test_utf8_rejects_code_points_above_10ffff(void **state)
{
    (void)state;
    assert_int_equal(CHECK("\xf4\x90\x80\x80"), 0); /* U+110000 */
    assert_int_equal(CHECK("\xf5\x80\x80\x80"), 0);
    assert_int_equal(CHECK("\xf8\x88\x80\x80\x80"), 0); /* old 5-byte form */
    assert_int_equal(CHECK("\xff"), 0);
    assert_int_equal(CHECK("\xfe"), 0);
}

static void test_utf8_rejects_lone_continuation_bytes(void **state)
{
    (void)state;
    assert_int_equal(CHECK("\x80"), 0);
    assert_int_equal(CHECK("ab\xbf"), 2);
    assert_int_equal(CHECK("\xc3\xa9\xa9"), 2);
}

static void test_utf8_rejects_truncated_sequences(void **state)
{
    (void)state;
    assert_int_equal(CHECK("\xc3"), 0);
    assert_int_equal(CHECK("\xe2\x82"), 0);
    assert_int_equal(CHECK("\xf0\x9f\x98"), 0);
    assert_int_equal(CHECK("abc\xf0\x9f"), 3);
    assert_int_equal(CHECK("\xe2\x82"
                           "A"),
                     0); /* interrupted by ASCII */
    assert_int_equal(CHECK("\xf0\x9f\x98"
                           "A"),
                     0); /* interrupted by ASCII */
}

static void test_utf8_length_bounds_the_check(void **state)
{
    static const uint8_t euro[] = {0xe2, 0x82, 0xac};

    (void)state;
    assert_false(mk_utf8_valid(euro, 2, NULL)); /* the third byte is not ours */
    assert_true(mk_utf8_valid(euro, 3, NULL));
}

static void test_utf8_reports_offset_of_first_bad_sequence(void **state)
{
    (void)state;
    /* The bad byte after a run of 8+ ASCII bytes is found past the fast path. */
    assert_int_equal(CHECK("0123456789abcdef\xc0\x80"), 16);
    assert_int_equal(CHECK("0123456\xc3\xa9xyz\xed\xa0\x80"
                           "tail"),
                     12);
    assert_int_equal(CHECK("\xe2\x82\xac\xe2\x82\xac\xff\xe2\x82\xac"), 6);
}

static void test_utf8_seq_reports_maximal_subpart(void **state)
{
    static const uint8_t trunc3[] = {0xe2, 0x82, 0x41};
    static const uint8_t surrogate[] = {0xed, 0xa0, 0x80};
    static const uint8_t four[] = {0xf0, 0x9f, 0x98, 0x80};
    size_t len = 0;

    (void)state;
    assert_false(mk_utf8_seq(trunc3, sizeof(trunc3), &len));
    assert_int_equal(len, 2); /* E2 82 is a valid prefix: one U+FFFD for both */
    assert_false(mk_utf8_seq(surrogate, sizeof(surrogate), &len));
    assert_int_equal(len, 1); /* A0 cannot follow ED */
    assert_true(mk_utf8_seq(four, sizeof(four), &len));
    assert_int_equal(len, 4);
    assert_false(mk_utf8_seq(four, 3, &len));
    assert_int_equal(len, 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8_accepts_empty_and_ascii),
        cmocka_unit_test(test_utf8_accepts_valid_2_3_and_4_byte_sequences),
        cmocka_unit_test(test_utf8_rejects_overlong_forms),
        cmocka_unit_test(test_utf8_rejects_surrogates),
        cmocka_unit_test(test_utf8_rejects_code_points_above_10ffff),
        cmocka_unit_test(test_utf8_rejects_lone_continuation_bytes),
        cmocka_unit_test(test_utf8_rejects_truncated_sequences),
        cmocka_unit_test(test_utf8_length_bounds_the_check),
        cmocka_unit_test(test_utf8_reports_offset_of_first_bad_sequence),
        cmocka_unit_test(test_utf8_seq_reports_maximal_subpart),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
