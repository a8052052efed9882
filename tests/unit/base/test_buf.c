/* Unit tests of the capped growable buffer (mk_buf_*): the cap, NUL termination
 * and printf. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/base.h"

static void test_buf_append_keeps_bytes_nul_terminated(void **state)
{
    struct mk_buf b;

    (void)state;
    mk_buf_init(&b, 1024);
    assert_int_equal(mk_buf_append(&b, "abc", 3), MK_OK);
    assert_int_equal(mk_buf_putc(&b, 'd'), MK_OK);
    assert_int_equal(b.len, 4);
    assert_string_equal((const char *)b.data, "abcd");
    assert_int_equal(b.data[b.len], '\0');
    mk_buf_fini(&b);
}

static void test_buf_empty_append_allocates_a_terminated_string(void **state)
{
    struct mk_buf b;

    (void)state;
    mk_buf_init(&b, 16);
    assert_int_equal(mk_buf_append(&b, NULL, 0), MK_OK);
    assert_non_null(b.data);
    assert_int_equal(b.len, 0);
    assert_string_equal((const char *)b.data, "");
    mk_buf_fini(&b);
}

static void test_buf_append_up_to_cap_succeeds(void **state)
{
    struct mk_buf b;
    char block[100];

    (void)state;
    memset(block, 'x', sizeof(block));
    mk_buf_init(&b, 100);
    assert_int_equal(mk_buf_append(&b, block, 60), MK_OK);
    assert_int_equal(mk_buf_append(&b, block, 40), MK_OK);
    assert_int_equal(b.len, 100);
    assert_int_equal(b.data[100], '\0');
    assert_true(b.alloc <= 101);
    mk_buf_fini(&b);
}

static void test_buf_append_beyond_cap_fails_with_elimit_and_keeps_content(void **state)
{
    struct mk_buf b;

    (void)state;
    mk_buf_init(&b, 5);
    assert_int_equal(mk_buf_append(&b, "abcd", 4), MK_OK);
    assert_int_equal(mk_buf_append(&b, "ef", 2), MK_ELIMIT);
    assert_int_equal(b.len, 4);
    assert_string_equal((const char *)b.data, "abcd");
    assert_int_equal(mk_buf_putc(&b, 'e'), MK_OK);
    assert_int_equal(mk_buf_putc(&b, 'f'), MK_ELIMIT);
    assert_string_equal((const char *)b.data, "abcde");
    mk_buf_fini(&b);
}

static void test_buf_zero_cap_rejects_every_byte(void **state)
{
    struct mk_buf b;

    (void)state;
    mk_buf_init(&b, 0);
    assert_int_equal(mk_buf_putc(&b, 'a'), MK_ELIMIT);
    assert_int_equal(b.len, 0);
    mk_buf_fini(&b);
}

static void test_buf_huge_length_fails_with_elimit_without_wrapping(void **state)
{
    struct mk_buf b;

    (void)state;
    mk_buf_init(&b, SIZE_MAX);
    assert_int_equal(mk_buf_putc(&b, 'a'), MK_OK);
    assert_int_equal(mk_buf_append(&b, "x", SIZE_MAX), MK_ELIMIT);
    assert_int_equal(mk_buf_append(&b, "x", SIZE_MAX - 1), MK_ELIMIT);
    assert_int_equal(b.len, 1);
    mk_buf_fini(&b);
}

static void test_buf_grows_across_many_appends(void **state)
{
    struct mk_buf b;

    (void)state;
    mk_buf_init(&b, 1 << 20);
    for (int i = 0; i < 10000; i++) {
        assert_int_equal(mk_buf_putc(&b, (char)('a' + i % 26)), MK_OK);
    }
    assert_int_equal(b.len, 10000);
    assert_int_equal(b.data[9999], 'a' + 9999 % 26);
    assert_int_equal(b.data[10000], '\0');
    mk_buf_fini(&b);
}

static void test_buf_printf_appends_formatted_text(void **state)
{
    struct mk_buf b;

    (void)state;
    mk_buf_init(&b, 64);
    assert_int_equal(mk_buf_append(&b, "n=", 2), MK_OK);
    assert_int_equal(mk_buf_printf(&b, "%d,%s", 42, "x"), MK_OK);
    assert_string_equal((const char *)b.data, "n=42,x");
    assert_int_equal(b.len, 6);
    mk_buf_fini(&b);
}

static void test_buf_printf_beyond_cap_fails_with_elimit_and_keeps_content(void **state)
{
    struct mk_buf b;

    (void)state;
    mk_buf_init(&b, 8);
    assert_int_equal(mk_buf_printf(&b, "%s", "1234"), MK_OK);
    assert_int_equal(mk_buf_printf(&b, "%s", "56789"), MK_ELIMIT);
    assert_string_equal((const char *)b.data, "1234");
    assert_int_equal(mk_buf_printf(&b, "%d", 5678), MK_OK);
    assert_string_equal((const char *)b.data, "12345678");
    mk_buf_fini(&b);
}

static void test_buf_printf_of_long_text_is_complete(void **state)
{
    struct mk_buf b;
    char want[501];

    (void)state;
    memset(want, 'q', 500);
    want[500] = '\0';
    mk_buf_init(&b, 4096);
    assert_int_equal(mk_buf_printf(&b, "%s", want), MK_OK);
    assert_int_equal(b.len, 500);
    assert_string_equal((const char *)b.data, want);
    mk_buf_fini(&b);
}

static void test_buf_reset_empties_and_keeps_allocation(void **state)
{
    struct mk_buf b;
    uint8_t *data;

    (void)state;
    mk_buf_init(&b, 64);
    assert_int_equal(mk_buf_append(&b, "hello", 5), MK_OK);
    data = b.data;
    mk_buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_ptr_equal(b.data, data);
    assert_string_equal((const char *)b.data, "");
    assert_int_equal(mk_buf_append(&b, "hi", 2), MK_OK);
    assert_string_equal((const char *)b.data, "hi");
    mk_buf_fini(&b);
}

static void test_buf_fini_of_null_does_nothing(void **state)
{
    (void)state;
    mk_buf_fini(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buf_append_keeps_bytes_nul_terminated),
        cmocka_unit_test(test_buf_empty_append_allocates_a_terminated_string),
        cmocka_unit_test(test_buf_append_up_to_cap_succeeds),
        cmocka_unit_test(test_buf_append_beyond_cap_fails_with_elimit_and_keeps_content),
        cmocka_unit_test(test_buf_zero_cap_rejects_every_byte),
        cmocka_unit_test(test_buf_huge_length_fails_with_elimit_without_wrapping),
        cmocka_unit_test(test_buf_grows_across_many_appends),
        cmocka_unit_test(test_buf_printf_appends_formatted_text),
        cmocka_unit_test(test_buf_printf_beyond_cap_fails_with_elimit_and_keeps_content),
        cmocka_unit_test(test_buf_printf_of_long_text_is_complete),
        cmocka_unit_test(test_buf_reset_empties_and_keeps_allocation),
        cmocka_unit_test(test_buf_fini_of_null_does_nothing),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
