/* The JSON codec: yajl plus the checks it lacks, and the writer round trip. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "stix/stix.h"

struct fixture {
    struct mk_arena arena;
    struct mk_error err;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));

    mk_arena_init(&f->arena, 4096, 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    mk_arena_fini(&f->arena);
    free(f);
    return 0;
}

static enum mk_status parse(struct fixture *f, const char *text, const struct mk_json **out)
{
    mk_error_clear(&f->err);
    return mk_json_parse(text, strlen(text), NULL, &f->arena, out, &f->err);
}

/* Writes v compactly into a static buffer for comparisons. */
static const char *write_compact(const struct mk_json *v, bool sort)
{
    static char text[4096];
    struct mk_buf b;
    struct mk_jw w;

    mk_buf_init(&b, sizeof(text) - 1);
    mk_jw_init(&w, &b, 0);
    mk_json_write(&w, v, sort);
    assert_int_equal(mk_jw_status(&w), MK_OK);
    memcpy(text, b.data, b.len + 1);
    mk_buf_fini(&b);
    return text;
}

static void test_json_keeps_member_order_and_number_text(void **state)
{
    const struct mk_json *v;
    const char *in = "{\"z\":1,\"a\":[true,false,null,-1.50e+3],\"m\":{\"k\":\"v\\n\"}}";

    assert_int_equal(parse(*state, in, &v), MK_OK);
    assert_int_equal(v->type, MK_JSON_OBJECT);
    assert_int_equal(v->len, 3);
    assert_string_equal(v->u.members[0].key, "z");
    assert_string_equal(write_compact(v, false), in);
    assert_string_equal(write_compact(v, true),
                        "{\"a\":[true,false,null,-1.50e+3],\"m\":{\"k\":\"v\\n\"},\"z\":1}");
}

static void test_json_get_and_int_accessors(void **state)
{
    const struct mk_json *v;
    int64_t n = 0;

    assert_int_equal(
        parse(*state, "{\"c\":85,\"f\":1.5,\"s\":\"x\",\"big\":99999999999999999999}", &v), MK_OK);
    assert_true(mk_json_get_int(mk_json_get(v, "c"), &n));
    assert_int_equal(n, 85);
    assert_false(mk_json_get_int(mk_json_get(v, "f"), &n));
    assert_false(mk_json_get_int(mk_json_get(v, "big"), &n));
    assert_true(mk_json_is_str(mk_json_get(v, "s"), "x"));
    assert_null(mk_json_get(v, "missing"));
    assert_true(mk_json_number(mk_json_get(v, "f")) == 1.5);
}

static void test_json_rejects_duplicate_keys_small_object(void **state)
{
    struct fixture *f = *state;
    const struct mk_json *v;

    assert_int_equal(parse(f, "{\"id\":1,\"type\":2,\"id\":3}", &v), MK_EINVAL);
    assert_non_null(strstr(f->err.msg, "duplicate key \"id\""));
}

static void test_json_rejects_duplicate_keys_large_object(void **state)
{
    struct fixture *f = *state;
    const struct mk_json *v;
    char text[1024];
    size_t n = 0;

    n += (size_t)snprintf(text + n, sizeof(text) - n, "{");
    for (int i = 0; i < 40; i++) {
        n += (size_t)snprintf(text + n, sizeof(text) - n, "\"k%d\":%d,", i, i);
    }
    (void)snprintf(text + n, sizeof(text) - n, "\"k17\":0}");
    assert_int_equal(parse(f, text, &v), MK_EINVAL);
    assert_non_null(strstr(f->err.msg, "duplicate key \"k17\""));
}

static void test_json_rejects_overlong_utf8(void **state)
{
    struct fixture *f = *state;
    const struct mk_json *v;

    /* "a" then C0 AF, an overlong '/', which yajl alone lets through */
    assert_int_equal(parse(f, "[\"a\xc0\xaf\"]", &v), MK_EINVAL);
    assert_non_null(strstr(f->err.msg, "invalid UTF-8"));
    assert_int_equal(parse(f, "[\"\xed\xa0\x80\"]", &v), MK_EINVAL); /* surrogate */
    assert_int_equal(parse(f, "[\"\xe4\xbe\x8b\"]", &v), MK_OK);     /* U+4F8B */
}

static void test_json_rejects_nesting_past_limit(void **state)
{
    struct fixture *f = *state;
    struct mk_json_limits lim = MK_JSON_LIMITS_DEFAULT;
    const struct mk_json *v;
    char deep[201];

    memset(deep, '[', 200);
    deep[200] = '\0';
    lim.max_depth = 100;
    assert_int_equal(mk_json_parse(deep, 200, &lim, &f->arena, &v, &f->err), MK_ELIMIT);
    assert_non_null(strstr(f->err.msg, "depth"));
}

static void test_json_rejects_string_past_limit(void **state)
{
    struct fixture *f = *state;
    struct mk_json_limits lim = MK_JSON_LIMITS_DEFAULT;
    const struct mk_json *v;
    const char *text = "[\"0123456789abcdef\"]";

    lim.max_string = 8;
    assert_int_equal(mk_json_parse(text, strlen(text), &lim, &f->arena, &v, &f->err), MK_ELIMIT);
    lim.max_string = 16;
    assert_int_equal(mk_json_parse(text, strlen(text), &lim, &f->arena, &v, &f->err), MK_OK);
}

static void test_json_rejects_value_past_size_limit(void **state)
{
    struct fixture *f = *state;
    struct mk_json_limits lim = MK_JSON_LIMITS_DEFAULT;
    struct mk_arena small;
    const struct mk_json *v;
    const char *text = "[\"0123456789abcdef0123456789abcdef\",\"0123456789abcdef\"]";

    mk_arena_init(&small, 1024, 48);
    assert_int_equal(mk_json_parse(text, strlen(text), &lim, &small, &v, &f->err), MK_ELIMIT);
    mk_arena_fini(&small);
}

static void test_json_reports_byte_offset_of_syntax_error(void **state)
{
    struct fixture *f = *state;
    const struct mk_json *v;

    assert_int_equal(parse(f, "{\"a\":1,,}", &v), MK_EINVAL);
    assert_non_null(strstr(f->err.msg, "at byte 8"));
    assert_int_equal(parse(f, "{\"a\":1} x", &v), MK_EINVAL); /* trailing garbage */
    assert_int_equal(parse(f, "{\"a\":", &v), MK_EINVAL);     /* truncated */
    assert_int_equal(parse(f, "", &v), MK_EINVAL);
}

static void test_json_writer_escapes_control_characters(void **state)
{
    const struct mk_json *v;

    assert_int_equal(parse(*state, "[\"\\u0001\\\"\\\\\\t\\u00e9\"]", &v), MK_OK);
    assert_string_equal(write_compact(v, false), "[\"\\u0001\\\"\\\\\\t\xc3\xa9\"]");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_json_keeps_member_order_and_number_text, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_json_get_and_int_accessors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_rejects_duplicate_keys_small_object, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_json_rejects_duplicate_keys_large_object, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_json_rejects_overlong_utf8, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_rejects_nesting_past_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_rejects_string_past_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_rejects_value_past_size_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_reports_byte_offset_of_syntax_error, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_json_writer_escapes_control_characters, setup,
                                        teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
