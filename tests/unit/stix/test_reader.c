/* The streaming reader: bundles object by object, in chunks of any size, in
 * bounded memory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "stix/stix.h"

struct seen {
    size_t count;
    char ids[8][64];
    size_t stop_at; /* return MK_ELIMIT at this index; SIZE_MAX = never */
};

static enum mk_status collect(void *ctx, const struct mk_json *obj, size_t index)
{
    struct seen *s = ctx;
    const struct mk_json *id = mk_json_get(obj, "id");

    if (index == s->stop_at) {
        return MK_ELIMIT;
    }
    if (s->count < 8 && id != NULL && id->type == MK_JSON_STRING) {
        (void)snprintf(s->ids[s->count], sizeof(s->ids[0]), "%s", id->u.str);
    }
    s->count++;
    return MK_OK;
}

/* Feeds `text` in chunks of `chunk` bytes. */
static enum mk_status run(const char *text, size_t chunk, struct seen *s,
                          struct mk_stix_reader **out, struct mk_error *err)
{
    struct mk_stix_reader *r = mk_stix_reader_new(NULL, collect, s);
    size_t n = strlen(text);
    enum mk_status st = MK_OK;

    assert_non_null(r);
    for (size_t off = 0; off < n && st == MK_OK; off += chunk) {
        st = mk_stix_reader_feed(r, text + off, n - off < chunk ? n - off : chunk, err);
    }
    if (st == MK_OK) {
        st = mk_stix_reader_finish(r, err);
    }
    *out = r;
    return st;
}

static const char bundle[] =
    "{\"type\":\"bundle\",\"id\":\"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d\",\"objects\":["
    "{\"type\":\"indicator\",\"id\":\"indicator--1\"},"
    "{\"type\":\"malware\",\"id\":\"malware--2\",\"x\":{\"y\":[1,2]}},"
    "{\"type\":\"identity\",\"id\":\"identity--3\"}],\"x_after\":true}";

static void test_reader_streams_bundle_objects_in_order(void **state)
{
    static const size_t chunks[] = {1, 2, 7, 64, 100000};

    (void)state;
    for (size_t i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
        struct seen s = {.stop_at = SIZE_MAX};
        struct mk_stix_reader *r;
        struct mk_error err;
        const struct mk_json *env;

        assert_int_equal(run(bundle, chunks[i], &s, &r, &err), MK_OK);
        assert_int_equal(s.count, 3);
        assert_string_equal(s.ids[0], "indicator--1");
        assert_string_equal(s.ids[2], "identity--3");
        assert_int_equal(mk_stix_reader_kind(r), MK_STIX_DOC_BUNDLE);
        env = mk_stix_reader_envelope(r);
        assert_non_null(env);
        assert_true(mk_json_is_str(mk_json_get(env, "type"), "bundle"));
        assert_null(mk_json_get(env, "objects"));
        assert_non_null(mk_json_get(env, "x_after"));
        assert_int_equal(mk_json_get(mk_stix_reader_envelope_head(r), "x_after") == NULL, 1);
        mk_stix_reader_free(r);
    }
}

static void test_reader_delivers_single_object_and_arrays(void **state)
{
    struct seen s = {.stop_at = SIZE_MAX};
    struct mk_stix_reader *r;
    struct mk_error err;

    (void)state;
    assert_int_equal(run("{\"type\":\"indicator\",\"id\":\"indicator--9\"}", 3, &s, &r, &err),
                     MK_OK);
    assert_int_equal(mk_stix_reader_kind(r), MK_STIX_DOC_OBJECT);
    assert_int_equal(s.count, 1);
    assert_string_equal(s.ids[0], "indicator--9");
    mk_stix_reader_free(r);

    memset(&s, 0, sizeof(s));
    s.stop_at = SIZE_MAX;
    assert_int_equal(run("[{\"id\":\"a--1\"},{\"id\":\"b--2\"}]", 5, &s, &r, &err), MK_OK);
    assert_int_equal(mk_stix_reader_kind(r), MK_STIX_DOC_ARRAY);
    assert_int_equal(s.count, 2);
    mk_stix_reader_free(r);
}

static void test_reader_rejects_non_bundle_with_objects_array(void **state)
{
    struct seen s = {.stop_at = SIZE_MAX};
    struct mk_stix_reader *r;
    struct mk_error err;

    (void)state;
    assert_int_equal(
        run("{\"type\":\"grouping\",\"objects\":[{\"id\":\"x--1\"}]}", 4, &s, &r, &err), MK_EINVAL);
    assert_non_null(strstr(err.msg, "must be a bundle"));
    mk_stix_reader_free(r);
}

static void test_reader_stops_when_callback_fails(void **state)
{
    struct seen s = {.stop_at = 1};
    struct mk_stix_reader *r;
    struct mk_error err;

    (void)state;
    assert_int_equal(run(bundle, 16, &s, &r, &err), MK_ELIMIT);
    assert_int_equal(s.count, 1);
    mk_stix_reader_free(r);
}

static void test_reader_reports_truncated_input(void **state)
{
    struct seen s = {.stop_at = SIZE_MAX};
    struct mk_stix_reader *r;
    struct mk_error err;
    char cut[sizeof(bundle)];

    (void)state;
    memcpy(cut, bundle, 120);
    cut[120] = '\0';
    assert_int_equal(run(cut, 16, &s, &r, &err), MK_EINVAL);
    assert_non_null(strstr(err.msg, "JSON error"));
    mk_stix_reader_free(r);
}

/* Memory per object stays flat however many objects the bundle holds. */
static void test_reader_memory_is_bounded_by_largest_object(void **state)
{
    struct seen s = {.stop_at = SIZE_MAX};
    struct mk_stix_reader *r = mk_stix_reader_new(NULL, collect, &s);
    struct mk_error err;
    const char *head = "{\"type\":\"bundle\",\"id\":\"bundle--1\",\"objects\":[";
    const char *obj = "{\"type\":\"indicator\",\"id\":\"indicator--x\",\"pattern\":"
                      "\"[ipv4-addr:value = '198.51.100.1']\",\"labels\":[\"a\",\"b\"]},";
    size_t peak_small;

    (void)state;
    assert_int_equal(mk_stix_reader_feed(r, head, strlen(head), &err), MK_OK);
    for (int i = 0; i < 10; i++) {
        assert_int_equal(mk_stix_reader_feed(r, obj, strlen(obj), &err), MK_OK);
    }
    peak_small = mk_stix_reader_peak_object_bytes(r);
    for (int i = 0; i < 20000; i++) {
        assert_int_equal(mk_stix_reader_feed(r, obj, strlen(obj), &err), MK_OK);
    }
    assert_int_equal(mk_stix_reader_feed(r, "{}]}", 4, &err), MK_OK);
    assert_int_equal(mk_stix_reader_finish(r, &err), MK_OK);
    assert_int_equal(s.count, 20011);
    assert_int_equal(mk_stix_reader_peak_object_bytes(r), peak_small);
    mk_stix_reader_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reader_streams_bundle_objects_in_order),
        cmocka_unit_test(test_reader_delivers_single_object_and_arrays),
        cmocka_unit_test(test_reader_rejects_non_bundle_with_objects_array),
        cmocka_unit_test(test_reader_stops_when_callback_fails),
        cmocka_unit_test(test_reader_reports_truncated_input),
        cmocka_unit_test(test_reader_memory_is_bounded_by_largest_object),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
