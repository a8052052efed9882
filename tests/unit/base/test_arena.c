/* Unit tests of the arena (mk_arena_*): alignment, the cap, reset keeping its
 * first block and the peak. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/base.h"

static void test_arena_allocations_are_16_byte_aligned(void **state)
{
    struct mk_arena a;

    (void)state;
    mk_arena_init(&a, 4096, 0);
    for (size_t n = 0; n < 100; n++) {
        uint8_t *p = mk_arena_alloc(&a, n);

        assert_non_null(p);
        assert_int_equal((uintptr_t)p % 16, 0);
        memset(p, 0xa5, n); /* ASan would catch an undersized block */
    }
    mk_arena_fini(&a);
}

static void test_arena_allocations_do_not_overlap(void **state)
{
    struct mk_arena a;
    uint8_t *p;
    uint8_t *q;

    (void)state;
    mk_arena_init(&a, 1024, 0);
    p = mk_arena_alloc(&a, 20);
    q = mk_arena_alloc(&a, 20);
    assert_non_null(p);
    assert_non_null(q);
    assert_true(q >= p + 20 || p >= q + 20);
    mk_arena_fini(&a);
}

static void test_arena_allocation_larger_than_block_gets_its_own_block(void **state)
{
    struct mk_arena a;
    uint8_t *big;

    (void)state;
    mk_arena_init(&a, 1024, 0);
    big = mk_arena_alloc(&a, 10000);
    assert_non_null(big);
    memset(big, 1, 10000);
    assert_non_null(mk_arena_alloc(&a, 8));
    mk_arena_fini(&a);
}

static void test_arena_alloc_at_cap_succeeds_and_beyond_returns_null(void **state)
{
    struct mk_arena a;

    (void)state;
    mk_arena_init(&a, 1024, 64);
    assert_non_null(mk_arena_alloc(&a, 48));
    assert_non_null(mk_arena_alloc(&a, 16));
    assert_int_equal(a.used, 64);
    assert_null(mk_arena_alloc(&a, 1));
    mk_arena_fini(&a);
}

static void test_arena_cap_counts_padding(void **state)
{
    struct mk_arena a;

    (void)state;
    mk_arena_init(&a, 1024, 32);
    assert_non_null(mk_arena_alloc(&a, 1)); /* takes 1 */
    assert_non_null(mk_arena_alloc(&a, 1)); /* 15 bytes of padding + 1 */
    assert_null(mk_arena_alloc(&a, 1));
    mk_arena_fini(&a);
}

static void test_arena_request_above_cap_returns_null(void **state)
{
    struct mk_arena a;

    (void)state;
    mk_arena_init(&a, 1024, 100);
    assert_null(mk_arena_alloc(&a, 101));
    assert_int_equal(a.used, 0);
    mk_arena_fini(&a);
}

static void test_arena_unlimited_huge_request_returns_null(void **state)
{
    struct mk_arena a;

    (void)state;
    mk_arena_init(&a, 1024, 0);
    assert_null(mk_arena_alloc(&a, SIZE_MAX));
    assert_null(mk_arena_alloc(&a, SIZE_MAX - 20)); /* header + size would wrap */
    assert_null(mk_arena_strndup(&a, "x", SIZE_MAX));
    mk_arena_fini(&a);
}

static void test_arena_reset_keeps_first_block_and_peak(void **state)
{
    struct mk_arena a;
    void *first;
    void *again;
    size_t peak;

    (void)state;
    mk_arena_init(&a, 1024, 0);
    first = mk_arena_alloc(&a, 100);
    assert_non_null(first);
    for (int i = 0; i < 50; i++) {
        assert_non_null(mk_arena_alloc(&a, 200)); /* spills into more blocks */
    }
    /* used = requested bytes + alignment padding (at most 15 per request) */
    assert_in_range(a.peak, 100 + 50 * 200, 100 + 50 * 215);
    peak = a.peak;
    mk_arena_reset(&a);
    assert_int_equal(a.used, 0);
    assert_int_equal(a.peak, peak);
    assert_non_null(a.head);
    again = mk_arena_alloc(&a, 100);
    assert_ptr_equal(again, first); /* the kept block is reused from its start */
    assert_int_equal(a.used, 100);
    mk_arena_fini(&a);
}

static void test_arena_peak_tracks_highest_use_across_resets(void **state)
{
    struct mk_arena a;

    (void)state;
    mk_arena_init(&a, 1024, 0);
    assert_non_null(mk_arena_alloc(&a, 64));
    mk_arena_reset(&a);
    assert_non_null(mk_arena_alloc(&a, 32));
    assert_int_equal(a.used, 32);
    assert_int_equal(a.peak, 64);
    mk_arena_fini(&a);
}

static void test_arena_reset_of_empty_arena_does_nothing(void **state)
{
    struct mk_arena a;

    (void)state;
    mk_arena_init(&a, 0, 0);
    mk_arena_reset(&a);
    assert_null(a.head);
    assert_non_null(mk_arena_alloc(&a, 1));
    mk_arena_fini(&a);
    mk_arena_fini(NULL);
}

static void test_arena_strndup_copies_and_terminates(void **state)
{
    struct mk_arena a;
    char *s;

    (void)state;
    mk_arena_init(&a, 1024, 0);
    s = mk_arena_strndup(&a, "hello world", 5);
    assert_string_equal(s, "hello");
    s = mk_arena_strndup(&a, NULL, 0);
    assert_string_equal(s, "");
    mk_arena_fini(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arena_allocations_are_16_byte_aligned),
        cmocka_unit_test(test_arena_allocations_do_not_overlap),
        cmocka_unit_test(test_arena_allocation_larger_than_block_gets_its_own_block),
        cmocka_unit_test(test_arena_alloc_at_cap_succeeds_and_beyond_returns_null),
        cmocka_unit_test(test_arena_cap_counts_padding),
        cmocka_unit_test(test_arena_request_above_cap_returns_null),
        cmocka_unit_test(test_arena_unlimited_huge_request_returns_null),
        cmocka_unit_test(test_arena_reset_keeps_first_block_and_peak),
        cmocka_unit_test(test_arena_peak_tracks_highest_use_across_resets),
        cmocka_unit_test(test_arena_reset_of_empty_arena_does_nothing),
        cmocka_unit_test(test_arena_strndup_copies_and_terminates),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
