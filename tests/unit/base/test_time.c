/* Unit tests of RFC 3339 timestamps (mk_time_parse_rfc3339, mk_time_cmp,
 * mk_time_format): calendar rules, offsets, fractions, leap seconds, round trips. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "base/base.h"

/* Parses a NUL-terminated string; the length excludes the NUL. */
static enum mk_status parse(const char *s, bool require_utc, struct mk_time *t)
{
    return mk_time_parse_rfc3339(s, strlen(s), require_utc, t);
}

static bool valid(const char *s)
{
    struct mk_time t;

    return parse(s, false, &t) == MK_OK;
}

static void test_time_parses_stix_timestamp(void **state)
{
    struct mk_time t;

    (void)state;
    assert_int_equal(parse("2016-05-12T08:17:27.000Z", true, &t), MK_OK);
    assert_int_equal(t.sec, 1463041047);
    assert_int_equal(t.nsec, 0);
    assert_int_equal(t.digits, 3);
}

static void test_time_parses_epoch_and_far_dates(void **state)
{
    struct mk_time t;

    (void)state;
    assert_int_equal(parse("1970-01-01T00:00:00Z", true, &t), MK_OK);
    assert_int_equal(t.sec, 0);
    assert_int_equal(parse("0001-01-01T00:00:00Z", true, &t), MK_OK);
    assert_int_equal(t.sec, -62135596800LL);
    assert_int_equal(parse("9999-12-31T23:59:59Z", true, &t), MK_OK);
    assert_int_equal(t.sec, 253402300799LL);
}

static void test_time_accepts_lower_case_t_and_z(void **state)
{
    struct mk_time t;

    (void)state;
    assert_int_equal(parse("2016-05-12t08:17:27z", true, &t), MK_OK);
    assert_int_equal(t.sec, 1463041047);
}

static void test_time_accepts_february_29_in_leap_years(void **state)
{
    struct mk_time t;

    (void)state;
    assert_true(valid("2024-02-29T00:00:00Z"));
    assert_int_equal(parse("2000-02-29T00:00:00Z", true, &t), MK_OK); /* divisible by 400 */
    assert_int_equal(t.sec, 951782400);
}

static void test_time_rejects_february_29_outside_leap_years(void **state)
{
    (void)state;
    assert_false(valid("2023-02-29T00:00:00Z"));
    assert_false(valid("1900-02-29T00:00:00Z")); /* divisible by 100, not by 400 */
    assert_false(valid("2100-02-29T00:00:00Z"));
}

static void test_time_rejects_february_30(void **state)
{
    (void)state;
    assert_false(valid("2024-02-30T00:00:00Z"));
}

static void test_time_accepts_last_day_of_each_month(void **state)
{
    static const char *const ends[] = {
        "2023-01-31", "2023-02-28", "2023-03-31", "2023-04-30", "2023-05-31", "2023-06-30",
        "2023-07-31", "2023-08-31", "2023-09-30", "2023-10-31", "2023-11-30", "2023-12-31",
    };

    (void)state;
    for (size_t i = 0; i < MK_ARRAY_LEN(ends); i++) {
        char s[32];

        (void)snprintf(s, sizeof(s), "%sT12:00:00Z", ends[i]);
        assert_true(valid(s));
    }
}

static void test_time_rejects_day_after_month_end(void **state)
{
    (void)state;
    assert_false(valid("2023-04-31T00:00:00Z"));
    assert_false(valid("2023-06-31T00:00:00Z"));
    assert_false(valid("2023-09-31T00:00:00Z"));
    assert_false(valid("2023-11-31T00:00:00Z"));
    assert_false(valid("2023-01-32T00:00:00Z"));
}

static void test_time_rejects_month_and_day_zero_and_month_13(void **state)
{
    (void)state;
    assert_false(valid("2023-00-10T00:00:00Z"));
    assert_false(valid("2023-13-10T00:00:00Z"));
    assert_false(valid("2023-01-00T00:00:00Z"));
}

static void test_time_rejects_hour_24_minute_60_second_61(void **state)
{
    (void)state;
    assert_false(valid("2023-01-01T24:00:00Z"));
    assert_false(valid("2023-01-01T23:60:00Z"));
    assert_false(valid("2023-01-01T23:59:61Z"));
}

static void test_time_rejects_malformed_layout(void **state)
{
    (void)state;
    assert_false(valid(""));
    assert_false(valid("2023-01-01"));
    assert_false(valid("2023-01-01 00:00:00Z"));
    assert_false(valid("2023-1-01T00:00:00Z"));
    assert_false(valid("2023/01/01T00:00:00Z"));
    assert_false(valid("2023-01-01T00:00Z"));
    assert_false(valid("2023-01-01T00:00:00"));
    assert_false(valid("2023-01-01T00:00:00Zjunk"));
    assert_false(valid("+2023-01-01T00:00:00Z"));
    assert_false(valid("2023-01-01T0a:00:00Z"));
}

static void test_time_rejects_every_proper_prefix(void **state)
{
    static const char full[] = "2016-05-12T08:17:27.123+02:00";
    struct mk_time t;

    (void)state;
    for (size_t n = 0; n < sizeof(full) - 1; n++) {
        char copy[sizeof(full)];

        /* Not NUL-terminated at n: the parser must respect the length. */
        memcpy(copy, full, sizeof(full));
        assert_int_equal(mk_time_parse_rfc3339(copy, n, false, &t), MK_EINVAL);
    }
    assert_int_equal(mk_time_parse_rfc3339(full, sizeof(full) - 1, false, &t), MK_OK);
}

static void test_time_rejects_embedded_nul(void **state)
{
    static const char s[] = "2016-05-12T08:17:27\0Z";
    struct mk_time t;

    (void)state;
    assert_int_equal(mk_time_parse_rfc3339(s, sizeof(s) - 1, false, &t), MK_EINVAL);
}

static void test_time_applies_numeric_offsets(void **state)
{
    struct mk_time z;
    struct mk_time t;

    (void)state;
    assert_int_equal(parse("2016-05-12T08:17:27Z", false, &z), MK_OK);
    assert_int_equal(parse("2016-05-12T10:17:27+02:00", false, &t), MK_OK);
    assert_int_equal(t.sec, z.sec);
    assert_int_equal(parse("2016-05-12T02:47:27-05:30", false, &t), MK_OK);
    assert_int_equal(t.sec, z.sec);
    assert_int_equal(parse("2016-05-12T08:17:27-00:00", false, &t), MK_OK);
    assert_int_equal(t.sec, z.sec);
}

static void test_time_offset_crosses_day_and_year(void **state)
{
    struct mk_time t;

    (void)state;
    assert_int_equal(parse("1970-01-01T00:30:00+01:00", false, &t), MK_OK);
    assert_int_equal(t.sec, -1800);
}

static void test_time_with_require_utc_rejects_numeric_offsets(void **state)
{
    struct mk_time t;

    (void)state;
    assert_int_equal(parse("2016-05-12T10:17:27+02:00", true, &t), MK_EINVAL);
    assert_int_equal(parse("2016-05-12T08:17:27+00:00", true, &t), MK_EINVAL);
    assert_int_equal(parse("2016-05-12T08:17:27Z", true, &t), MK_OK);
}

static void test_time_rejects_malformed_offsets(void **state)
{
    (void)state;
    assert_false(valid("2016-05-12T08:17:27+24:00"));
    assert_false(valid("2016-05-12T08:17:27+02:60"));
    assert_false(valid("2016-05-12T08:17:27+0200"));
    assert_false(valid("2016-05-12T08:17:27+02"));
    assert_false(valid("2016-05-12T08:17:27 02:00"));
}

static void test_time_keeps_fraction_digits_and_nanoseconds(void **state)
{
    struct mk_time t;

    (void)state;
    assert_int_equal(parse("2016-05-12T08:17:27.1Z", true, &t), MK_OK);
    assert_int_equal(t.nsec, 100000000);
    assert_int_equal(t.digits, 1);
    assert_int_equal(parse("2016-05-12T08:17:27.000001Z", true, &t), MK_OK);
    assert_int_equal(t.nsec, 1000);
    assert_int_equal(t.digits, 6);
    assert_int_equal(parse("2016-05-12T08:17:27.123456789Z", true, &t), MK_OK);
    assert_int_equal(t.nsec, 123456789);
    assert_int_equal(t.digits, 9);
}

static void test_time_truncates_fraction_beyond_9_digits(void **state)
{
    struct mk_time t;

    (void)state;
    assert_int_equal(parse("2016-05-12T08:17:27.1234567899999Z", true, &t), MK_OK);
    assert_int_equal(t.nsec, 123456789);
    assert_int_equal(t.digits, 9);
    assert_int_equal(t.sec, 1463041047);
}

static void test_time_rejects_empty_fraction(void **state)
{
    (void)state;
    assert_false(valid("2016-05-12T08:17:27.Z"));
    assert_false(valid("2016-05-12T08:17:27,5Z"));
}

static void test_time_folds_leap_second_into_59(void **state)
{
    struct mk_time leap;
    struct mk_time t;

    (void)state;
    assert_int_equal(parse("2016-12-31T23:59:60Z", true, &leap), MK_OK);
    assert_int_equal(parse("2016-12-31T23:59:59Z", true, &t), MK_OK);
    assert_int_equal(leap.sec, t.sec);
    assert_int_equal(parse("2017-01-01T00:59:60+01:00", false, &leap), MK_OK);
    assert_int_equal(leap.sec, t.sec);
}

static void test_time_rejects_leap_second_outside_2359_utc(void **state)
{
    (void)state;
    assert_false(valid("2016-12-31T12:00:60Z"));
    assert_false(valid("2016-12-31T23:58:60Z"));
    assert_false(valid("2016-12-31T23:59:60+01:00")); /* 22:59:60 UTC */
}

static void test_time_cmp_orders_by_seconds_then_nanoseconds(void **state)
{
    struct mk_time a;
    struct mk_time b;

    (void)state;
    assert_int_equal(parse("2016-05-12T08:17:27.5Z", true, &a), MK_OK);
    assert_int_equal(parse("2016-05-12T08:17:27.25Z", true, &b), MK_OK);
    assert_int_equal(mk_time_cmp(&a, &b), 1);
    assert_int_equal(mk_time_cmp(&b, &a), -1);
    assert_int_equal(parse("2016-05-12T08:17:28Z", true, &b), MK_OK);
    assert_int_equal(mk_time_cmp(&a, &b), -1);
    assert_int_equal(parse("1969-12-31T23:59:59.9Z", true, &b), MK_OK);
    assert_int_equal(mk_time_cmp(&a, &b), 1);
}

static void test_time_cmp_ignores_written_precision(void **state)
{
    struct mk_time a;
    struct mk_time b;

    (void)state;
    assert_int_equal(parse("2016-05-12T08:17:27.5Z", true, &a), MK_OK);
    assert_int_equal(parse("2016-05-12T10:17:27.500000+02:00", false, &b), MK_OK);
    assert_int_equal(mk_time_cmp(&a, &b), 0);
}

/* Parses s, formats it back and expects the same text. */
static void assert_round_trip(const char *s)
{
    struct mk_time t;
    char out[32];
    size_t n;

    assert_int_equal(parse(s, true, &t), MK_OK);
    n = mk_time_format(&t, out);
    assert_string_equal(out, s);
    assert_int_equal(n, strlen(s));
}

static void test_time_format_round_trips_written_precision(void **state)
{
    (void)state;
    assert_round_trip("2016-05-12T08:17:27Z");
    assert_round_trip("2016-05-12T08:17:27.000Z");
    assert_round_trip("2016-05-12T08:17:27.1Z");
    assert_round_trip("2016-05-12T08:17:27.123456789Z");
    assert_round_trip("2024-02-29T23:59:59.999Z");
    assert_round_trip("9999-12-31T23:59:59.999999999Z");
}

static void test_time_format_round_trips_before_1970(void **state)
{
    (void)state;
    assert_round_trip("1969-12-31T23:59:59Z");
    assert_round_trip("1969-12-31T23:59:59.5Z");
    assert_round_trip("1969-01-01T00:00:00.001Z");
    assert_round_trip("1900-01-01T00:00:00Z");
    assert_round_trip("1600-02-29T12:34:56Z");
    assert_round_trip("0001-01-01T00:00:00.000001Z");
}

static void test_time_format_writes_utc_for_offset_input(void **state)
{
    struct mk_time t;
    char out[32];

    (void)state;
    assert_int_equal(parse("2017-01-01T01:30:00.25+02:00", false, &t), MK_OK);
    assert_int_equal(mk_time_format(&t, out), 23);
    assert_string_equal(out, "2016-12-31T23:30:00.25Z");
}

static void test_time_format_of_extreme_seconds_stays_in_32_bytes(void **state)
{
    struct mk_time t = {.sec = INT64_MAX, .nsec = 999999999, .digits = 9};
    char out[40];

    (void)state;
    memset(out, 'x', sizeof(out));
    assert_true(mk_time_format(&t, out) < 32);
    assert_true(memchr(out, '\0', 32) != NULL);
    assert_int_equal(out[32], 'x');
    t.sec = INT64_MIN;
    assert_true(mk_time_format(&t, out) < 32);
    assert_true(memchr(out, '\0', 32) != NULL);
    assert_int_equal(out[32], 'x');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_time_parses_stix_timestamp),
        cmocka_unit_test(test_time_parses_epoch_and_far_dates),
        cmocka_unit_test(test_time_accepts_lower_case_t_and_z),
        cmocka_unit_test(test_time_accepts_february_29_in_leap_years),
        cmocka_unit_test(test_time_rejects_february_29_outside_leap_years),
        cmocka_unit_test(test_time_rejects_february_30),
        cmocka_unit_test(test_time_accepts_last_day_of_each_month),
        cmocka_unit_test(test_time_rejects_day_after_month_end),
        cmocka_unit_test(test_time_rejects_month_and_day_zero_and_month_13),
        cmocka_unit_test(test_time_rejects_hour_24_minute_60_second_61),
        cmocka_unit_test(test_time_rejects_malformed_layout),
        cmocka_unit_test(test_time_rejects_every_proper_prefix),
        cmocka_unit_test(test_time_rejects_embedded_nul),
        cmocka_unit_test(test_time_applies_numeric_offsets),
        cmocka_unit_test(test_time_offset_crosses_day_and_year),
        cmocka_unit_test(test_time_with_require_utc_rejects_numeric_offsets),
        cmocka_unit_test(test_time_rejects_malformed_offsets),
        cmocka_unit_test(test_time_keeps_fraction_digits_and_nanoseconds),
        cmocka_unit_test(test_time_truncates_fraction_beyond_9_digits),
        cmocka_unit_test(test_time_rejects_empty_fraction),
        cmocka_unit_test(test_time_folds_leap_second_into_59),
        cmocka_unit_test(test_time_rejects_leap_second_outside_2359_utc),
        cmocka_unit_test(test_time_cmp_orders_by_seconds_then_nanoseconds),
        cmocka_unit_test(test_time_cmp_ignores_written_precision),
        cmocka_unit_test(test_time_format_round_trips_written_precision),
        cmocka_unit_test(test_time_format_round_trips_before_1970),
        cmocka_unit_test(test_time_format_writes_utc_for_offset_input),
        cmocka_unit_test(test_time_format_of_extreme_seconds_stays_in_32_bytes),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
