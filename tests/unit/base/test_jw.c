/* Unit tests of the streaming JSON writer (mk_jw_*): exact compact and indented
 * output, string escaping, U+FFFD for invalid UTF-8, the depth cap, sticky errors. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "base/base.h"

#define FFFD "\xef\xbf\xbd" /* U+FFFD REPLACEMENT CHARACTER in UTF-8 */

/* Writes one sample document with every kind of value. */
static void write_sample(struct mk_jw *w)
{
    mk_jw_obj_open(w);
    mk_jw_key_cstr(w, "type");
    mk_jw_str_cstr(w, "indicator");
    mk_jw_key_cstr(w, "n");
    mk_jw_int(w, -42);
    mk_jw_key_cstr(w, "flags");
    mk_jw_arr_open(w);
    mk_jw_bool(w, true);
    mk_jw_bool(w, false);
    mk_jw_null(w);
    mk_jw_arr_close(w);
    mk_jw_key_cstr(w, "empty_obj");
    mk_jw_obj_open(w);
    mk_jw_obj_close(w);
    mk_jw_key_cstr(w, "empty_arr");
    mk_jw_arr_open(w);
    mk_jw_arr_close(w);
    mk_jw_key_cstr(w, "nested");
    mk_jw_arr_open(w);
    mk_jw_obj_open(w);
    mk_jw_key_cstr(w, "u");
    mk_jw_uint(w, UINT64_MAX);
    mk_jw_obj_close(w);
    mk_jw_arr_close(w);
    mk_jw_obj_close(w);
}

/* Writes a string value alone and returns the output (valid until b is reused). */
static const char *string_json(struct mk_buf *b, const char *s, size_t n)
{
    struct mk_jw w;

    mk_buf_reset(b);
    mk_jw_init(&w, b, 0);
    mk_jw_str(&w, s, n);
    assert_int_equal(mk_jw_status(&w), MK_OK);
    return (const char *)b->data;
}

#define STR_JSON(b, lit) string_json((b), (lit), sizeof(lit) - 1)

static void test_jw_compact_output_is_exact(void **state)
{
    struct mk_buf b;
    struct mk_jw w;

    (void)state;
    mk_buf_init(&b, 4096);
    mk_jw_init(&w, &b, 0);
    write_sample(&w);
    assert_int_equal(mk_jw_status(&w), MK_OK);
    assert_string_equal((const char *)b.data,
                        "{\"type\":\"indicator\",\"n\":-42,\"flags\":[true,false,null],"
                        "\"empty_obj\":{},\"empty_arr\":[],"
                        "\"nested\":[{\"u\":18446744073709551615}]}");
    mk_buf_fini(&b);
}

static void test_jw_indented_output_is_exact(void **state)
{
    struct mk_buf b;
    struct mk_jw w;

    (void)state;
    mk_buf_init(&b, 4096);
    mk_jw_init(&w, &b, 2);
    write_sample(&w);
    assert_int_equal(mk_jw_status(&w), MK_OK);
    assert_string_equal((const char *)b.data, "{\n"
                                              "  \"type\": \"indicator\",\n"
                                              "  \"n\": -42,\n"
                                              "  \"flags\": [\n"
                                              "    true,\n"
                                              "    false,\n"
                                              "    null\n"
                                              "  ],\n"
                                              "  \"empty_obj\": {},\n"
                                              "  \"empty_arr\": [],\n"
                                              "  \"nested\": [\n"
                                              "    {\n"
                                              "      \"u\": 18446744073709551615\n"
                                              "    }\n"
                                              "  ]\n"
                                              "}");
    mk_buf_fini(&b);
}

static void test_jw_deep_indentation_beyond_32_spaces_is_exact(void **state)
{
    struct mk_buf b;
    struct mk_jw w;
    char want[128];

    (void)state;
    mk_buf_init(&b, 4096);
    mk_jw_init(&w, &b, 20);
    mk_jw_arr_open(&w);
    mk_jw_arr_open(&w);
    mk_jw_int(&w, 1);
    mk_jw_arr_close(&w);
    mk_jw_arr_close(&w);
    assert_int_equal(mk_jw_status(&w), MK_OK);
    (void)snprintf(want, sizeof(want), "[\n%20s[\n%40s1\n%20s]\n]", "", "", "");
    assert_string_equal((const char *)b.data, want);
    mk_buf_fini(&b);
}

static void test_jw_writes_scalar_at_root(void **state)
{
    struct mk_buf b;
    struct mk_jw w;

    (void)state;
    mk_buf_init(&b, 64);
    mk_jw_init(&w, &b, 0);
    mk_jw_int(&w, INT64_MIN);
    assert_int_equal(mk_jw_status(&w), MK_OK);
    assert_string_equal((const char *)b.data, "-9223372036854775808");
    mk_buf_fini(&b);
}

static void test_jw_escapes_quote_backslash_and_control_chars(void **state)
{
    struct mk_buf b;

    (void)state;
    mk_buf_init(&b, 256);
    assert_string_equal(STR_JSON(&b, "a\"b\\c"), "\"a\\\"b\\\\c\"");
    assert_string_equal(STR_JSON(&b, "\n\r\t"), "\"\\n\\r\\t\"");
    assert_string_equal(STR_JSON(&b, "\b\f\x01\x1f"), "\"\\u0008\\u000c\\u0001\\u001f\"");
    assert_string_equal(STR_JSON(&b, "\x00"), "\"\\u0000\"");
    /* DEL and '/' need no escape in JSON. */
    assert_string_equal(STR_JSON(&b, "\x7f/"), "\"\x7f/\"");
    assert_string_equal(STR_JSON(&b, ""), "\"\"");
    mk_buf_fini(&b);
}

static void test_jw_escapes_keys_like_strings(void **state)
{
    struct mk_buf b;
    struct mk_jw w;

    (void)state;
    mk_buf_init(&b, 256);
    mk_jw_init(&w, &b, 0);
    mk_jw_obj_open(&w);
    mk_jw_key(&w, "k\"\n", 3);
    mk_jw_str_cstr(&w, "v");
    mk_jw_obj_close(&w);
    assert_int_equal(mk_jw_status(&w), MK_OK);
    assert_string_equal((const char *)b.data, "{\"k\\\"\\n\":\"v\"}");
    mk_buf_fini(&b);
}

static void test_jw_copies_valid_utf8_unchanged(void **state)
{
    struct mk_buf b;

    (void)state;
    mk_buf_init(&b, 256);
    assert_string_equal(STR_JSON(&b, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
                        "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
    mk_buf_fini(&b);
}

static void test_jw_replaces_invalid_utf8_with_fffd(void **state)
{
    struct mk_buf b;

    (void)state;
    mk_buf_init(&b, 256);
    assert_string_equal(STR_JSON(&b, "a\xff"
                                     "b"),
                        "\"a" FFFD "b\"");
    assert_string_equal(STR_JSON(&b, "\xc0\x80"), "\"" FFFD FFFD "\"");          /* overlong */
    assert_string_equal(STR_JSON(&b, "\xed\xa0\x80"), "\"" FFFD FFFD FFFD "\""); /* surrogate */
    assert_string_equal(STR_JSON(&b, "\xf4\x90\x80\x80"), "\"" FFFD FFFD FFFD FFFD "\"");
    assert_string_equal(STR_JSON(&b, "x\xf0\x9f\x98"), "\"x" FFFD "\""); /* truncated at end */
    assert_string_equal(STR_JSON(&b, "\xe2\x82"
                                     "A"),
                        "\"" FFFD "A\"");
    mk_buf_fini(&b);
}

static void test_jw_keeps_valid_character_before_stray_continuation_byte(void **state)
{
    struct mk_buf b;

    (void)state;
    mk_buf_init(&b, 256);
    /* "é" followed by a lone continuation byte: é survives, 0x80 is replaced. */
    assert_string_equal(STR_JSON(&b, "\xc3\xa9\x80z"), "\"\xc3\xa9" FFFD "z\"");
    assert_string_equal(STR_JSON(&b, "\xe2\x82\xac\xac\xac"), "\"\xe2\x82\xac" FFFD FFFD "\"");
    mk_buf_fini(&b);
}

static void test_jw_writes_numbers(void **state)
{
    struct mk_buf b;
    struct mk_jw w;

    (void)state;
    mk_buf_init(&b, 256);
    mk_jw_init(&w, &b, 0);
    mk_jw_arr_open(&w);
    mk_jw_double(&w, 0.1);
    mk_jw_double(&w, 1.0 / 3.0);
    mk_jw_double(&w, 1e300);
    mk_jw_double(&w, NAN);
    mk_jw_double(&w, -INFINITY);
    mk_jw_raw_number(&w, "1.5e3", 5);
    mk_jw_uint(&w, 0);
    mk_jw_arr_close(&w);
    assert_int_equal(mk_jw_status(&w), MK_OK);
    assert_string_equal((const char *)b.data, "[0.1,0.33333333333333331,1e+300,null,null,1.5e3,0]");
    mk_buf_fini(&b);
}

static void test_jw_nesting_below_depth_cap_succeeds(void **state)
{
    struct mk_buf b;
    struct mk_jw w;

    (void)state;
    mk_buf_init(&b, 4096);
    mk_jw_init(&w, &b, 0);
    for (int i = 0; i < MK_JW_MAX_DEPTH - 1; i++) {
        mk_jw_arr_open(&w);
    }
    for (int i = 0; i < MK_JW_MAX_DEPTH - 1; i++) {
        mk_jw_arr_close(&w);
    }
    assert_int_equal(mk_jw_status(&w), MK_OK);
    assert_int_equal(b.len, 2 * (MK_JW_MAX_DEPTH - 1));
    mk_buf_fini(&b);
}

static void test_jw_nesting_at_depth_cap_fails_with_elimit(void **state)
{
    struct mk_buf b;
    struct mk_jw w;

    (void)state;
    mk_buf_init(&b, 4096);
    mk_jw_init(&w, &b, 0);
    for (int i = 0; i < MK_JW_MAX_DEPTH; i++) {
        mk_jw_obj_open(&w);
        mk_jw_key_cstr(&w, "k");
    }
    assert_int_equal(mk_jw_status(&w), MK_ELIMIT);
    for (int i = 0; i < MK_JW_MAX_DEPTH + 5; i++) {
        mk_jw_obj_close(&w); /* too many closes: the first error stays */
    }
    assert_int_equal(mk_jw_status(&w), MK_ELIMIT);
    mk_buf_fini(&b);
}

static void test_jw_buffer_cap_error_is_sticky(void **state)
{
    struct mk_buf b;
    struct mk_jw w;
    size_t len;

    (void)state;
    mk_buf_init(&b, 16);
    mk_jw_init(&w, &b, 0);
    mk_jw_arr_open(&w);
    mk_jw_str_cstr(&w, "0123456789abcdef");
    assert_int_equal(mk_jw_status(&w), MK_ELIMIT);
    len = b.len;
    mk_jw_int(&w, 1); /* would fit, but nothing is written after an error */
    mk_jw_arr_close(&w);
    mk_jw_arr_close(&w); /* unbalanced: still the first error */
    assert_int_equal(mk_jw_status(&w), MK_ELIMIT);
    assert_int_equal(b.len, len);
    mk_buf_fini(&b);
}

static void test_jw_close_without_open_fails_with_einval(void **state)
{
    struct mk_buf b;
    struct mk_jw w;

    (void)state;
    mk_buf_init(&b, 16);
    mk_jw_init(&w, &b, 0);
    mk_jw_obj_close(&w);
    assert_int_equal(mk_jw_status(&w), MK_EINVAL);
    mk_buf_fini(&b);
}

/* Literal keys and plain strings write exactly what the general calls write,
 * compact and indented, first key or not. */
static void write_with_literals(struct mk_jw *w, bool literals)
{
    mk_jw_obj_open(w);
    if (literals) {
        mk_jw_key_lit(w, MK_JW_LIT("src_ip"));
        mk_jw_str_plain(w, "192.0.2.1", 9);
        mk_jw_key_lit(w, MK_JW_LIT("dest_port"));
        mk_jw_uint(w, 53);
        mk_jw_kv_plain(w, MK_JW_LIT("proto"), "UDP", 3);
        mk_jw_kv_uint(w, MK_JW_LIT("flow_id"), 1234567890123ull);
    } else {
        mk_jw_key_cstr(w, "src_ip");
        mk_jw_str_cstr(w, "192.0.2.1");
        mk_jw_key_cstr(w, "dest_port");
        mk_jw_uint(w, 53);
        mk_jw_key_cstr(w, "proto");
        mk_jw_str_cstr(w, "UDP");
        mk_jw_key_cstr(w, "flow_id");
        mk_jw_uint(w, 1234567890123ull);
    }
    mk_jw_key_cstr(w, "dns");
    mk_jw_obj_open(w);
    if (literals) { /* first members of an object: no comma */
        mk_jw_kv_uint(w, MK_JW_LIT("id"), 0);
        mk_jw_key_lit(w, MK_JW_LIT("rrtype"));
        mk_jw_str_plain(w, "AAAA", 4);
    } else {
        mk_jw_key_cstr(w, "id");
        mk_jw_uint(w, 0);
        mk_jw_key_cstr(w, "rrtype");
        mk_jw_str_cstr(w, "AAAA");
    }
    mk_jw_key_cstr(w, "tx");
    mk_jw_obj_open(w);
    if (literals) {
        mk_jw_kv_plain(w, MK_JW_LIT("opcode"), "query", 5);
    } else {
        mk_jw_key_cstr(w, "opcode");
        mk_jw_str_cstr(w, "query");
    }
    mk_jw_obj_close(w);
    mk_jw_obj_close(w);
    mk_jw_obj_close(w);
}

static void test_jw_literal_keys_and_plain_strings_match_the_general_calls(void **state)
{
    (void)state;
    for (int indent = 0; indent <= 2; indent += 2) {
        struct mk_buf want;
        struct mk_buf got;
        struct mk_jw w;

        mk_buf_init(&want, 4096);
        mk_buf_init(&got, 4096);
        mk_jw_init(&w, &want, indent);
        write_with_literals(&w, false);
        assert_int_equal(mk_jw_status(&w), MK_OK);
        mk_jw_init(&w, &got, indent);
        write_with_literals(&w, true);
        assert_int_equal(mk_jw_status(&w), MK_OK);
        assert_string_equal((const char *)got.data, (const char *)want.data);
        if (indent == 0) {
            assert_string_equal((const char *)got.data,
                                "{\"src_ip\":\"192.0.2.1\",\"dest_port\":53,\"proto\":\"UDP\","
                                "\"flow_id\":1234567890123,\"dns\":{\"id\":0,\"rrtype\":"
                                "\"AAAA\",\"tx\":{\"opcode\":\"query\"}}}");
        }
        mk_buf_fini(&want);
        mk_buf_fini(&got);
    }
}

#ifndef NDEBUG
static void test_jw_plain_string_that_needed_escaping_is_an_error_in_debug_builds(void **state)
{
    struct mk_buf b;
    struct mk_jw w;

    (void)state;
    mk_buf_init(&b, 4096);
    mk_jw_init(&w, &b, 0);
    mk_jw_str_plain(&w, "a\"b", 3);
    assert_int_equal(mk_jw_status(&w), MK_EINVAL);
    mk_jw_init(&w, &b, 0);
    mk_jw_obj_open(&w);
    mk_jw_kv_plain(&w, MK_JW_LIT("k"), "a\\b", 3);
    assert_int_equal(mk_jw_status(&w), MK_EINVAL);
    mk_buf_fini(&b);
}
#endif

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jw_compact_output_is_exact),
        cmocka_unit_test(test_jw_literal_keys_and_plain_strings_match_the_general_calls),
#ifndef NDEBUG
        cmocka_unit_test(test_jw_plain_string_that_needed_escaping_is_an_error_in_debug_builds),
#endif
        cmocka_unit_test(test_jw_indented_output_is_exact),
        cmocka_unit_test(test_jw_deep_indentation_beyond_32_spaces_is_exact),
        cmocka_unit_test(test_jw_writes_scalar_at_root),
        cmocka_unit_test(test_jw_escapes_quote_backslash_and_control_chars),
        cmocka_unit_test(test_jw_escapes_keys_like_strings),
        cmocka_unit_test(test_jw_copies_valid_utf8_unchanged),
        cmocka_unit_test(test_jw_replaces_invalid_utf8_with_fffd),
        cmocka_unit_test(test_jw_keeps_valid_character_before_stray_continuation_byte),
        cmocka_unit_test(test_jw_writes_numbers),
        cmocka_unit_test(test_jw_nesting_below_depth_cap_succeeds),
        cmocka_unit_test(test_jw_nesting_at_depth_cap_fails_with_elimit),
        cmocka_unit_test(test_jw_buffer_cap_error_is_sticky),
        cmocka_unit_test(test_jw_close_without_open_fails_with_einval),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
