/* Unit tests for the STIX 2.1 object model: the type table, kinds, the
 * common-property and indicator readers (src/stix/model.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "stix/stix.h"
#include "stix/validate_int.h"

static const struct mk_json *parse(struct mk_arena *a, const char *text)
{
    const struct mk_json_limits lim = MK_JSON_LIMITS_DEFAULT;
    const struct mk_json *v = NULL;
    struct mk_error err;

    assert_int_equal(mk_json_parse(text, strlen(text), &lim, a, &v, &err), MK_OK);
    return v;
}

static void test_model_every_type_name_round_trips(void **state)
{
    (void)state;
    for (int t = 1; t < MK_STIX_TYPE_COUNT; t++) {
        const char *name = mk_stix_type_name((enum mk_stix_type)t);

        assert_non_null(name);
        assert_int_equal(mk_stix_type_from_name(name, strlen(name)), t);
    }
    assert_null(mk_stix_type_name(MK_STIX_TYPE_UNKNOWN));
    assert_null(mk_stix_type_name(MK_STIX_TYPE_COUNT));
}

static void test_model_counts_types_of_each_kind(void **state)
{
    int n[MK_STIX_KIND_BUNDLE + 1] = {0};

    (void)state;
    for (int t = 1; t < MK_STIX_TYPE_COUNT; t++) {
        n[mk_stix_type_kind((enum mk_stix_type)t)]++;
    }
    assert_int_equal(n[MK_STIX_KIND_SDO], 19);
    assert_int_equal(n[MK_STIX_KIND_SRO], 2);
    assert_int_equal(n[MK_STIX_KIND_SCO], 18);
    assert_int_equal(n[MK_STIX_KIND_META], 3);
    assert_int_equal(n[MK_STIX_KIND_BUNDLE], 1);
    assert_int_equal(n[MK_STIX_KIND_CUSTOM], 0);
}

static void test_model_names_kinds_of_sample_types(void **state)
{
    (void)state;
    assert_int_equal(mk_stix_type_from_name("indicator", 9), MK_STIX_INDICATOR);
    assert_int_equal(mk_stix_type_kind(MK_STIX_INDICATOR), MK_STIX_KIND_SDO);
    assert_int_equal(mk_stix_type_kind(MK_STIX_SIGHTING), MK_STIX_KIND_SRO);
    assert_int_equal(mk_stix_type_kind(MK_STIX_X509_CERTIFICATE), MK_STIX_KIND_SCO);
    assert_int_equal(mk_stix_type_kind(MK_STIX_MARKING_DEFINITION), MK_STIX_KIND_META);
    assert_int_equal(mk_stix_type_kind(MK_STIX_TYPE_UNKNOWN), MK_STIX_KIND_CUSTOM);
    assert_string_equal(mk_stix_type_name(MK_STIX_MALWARE_ANALYSIS), "malware-analysis");
}

static void test_model_unknown_and_prefix_names_are_unknown(void **state)
{
    (void)state;
    assert_int_equal(mk_stix_type_from_name("x-acme-widget", 13), MK_STIX_TYPE_UNKNOWN);
    assert_int_equal(mk_stix_type_from_name("indicato", 8), MK_STIX_TYPE_UNKNOWN);
    assert_int_equal(mk_stix_type_from_name("indicators", 10), MK_STIX_TYPE_UNKNOWN);
    assert_int_equal(mk_stix_type_from_name("", 0), MK_STIX_TYPE_UNKNOWN);
}

static void test_model_every_schema_property_is_unique_and_fits_the_mask(void **state)
{
    (void)state;
    for (int t = 0; t < MK_STIX_TYPE_COUNT; t++) {
        const struct mk_stix_type_info *ti = mk_stix_type_info((enum mk_stix_type)t);

        assert_true(ti->n_props <= 64);
        for (size_t i = 0; i < ti->n_props; i++) {
            assert_int_equal(strlen(ti->props[i].name), ti->props[i].len);
            for (size_t j = i + 1; j < ti->n_props; j++) {
                assert_string_not_equal(ti->props[i].name, ti->props[j].name);
            }
        }
    }
}

static void test_model_sco_namespace_is_the_specifications(void **state)
{
    char text[37];

    (void)state;
    mk_uuid_format(mk_stix_sco_namespace, text);
    assert_string_equal(text, "00abedb4-aa42-466c-9c01-fed23315a9b7");
}

static void test_model_common_read_takes_views(void **state)
{
    struct mk_arena a;
    struct mk_stix_common c;
    const struct mk_json *o;

    (void)state;
    mk_arena_init(&a, 4096, 0);
    o = parse(&a, "{\"type\":\"campaign\",\"spec_version\":\"2.1\","
                  "\"id\":\"campaign--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f\","
                  "\"created\":\"2016-04-06T20:03:00.000Z\",\"modified\":\"2016-04-06T20:03:01Z\","
                  "\"confidence\":75,\"revoked\":true,\"labels\":[\"a\"],"
                  "\"created_by_ref\":\"identity--f431f809-377b-45e0-aa1c-6a4751cae5ff\"}");
    mk_stix_common_read(o, &c);
    assert_int_equal(c.type, MK_STIX_CAMPAIGN);
    assert_true(mk_slice_eq_cstr(c.id, "campaign--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"));
    assert_true(mk_slice_eq_cstr(c.spec_version, "2.1"));
    assert_true(c.has_created && c.has_modified);
    assert_int_equal(c.modified.sec - c.created.sec, 1);
    assert_int_equal(c.confidence, 75);
    assert_true(c.revoked);
    assert_non_null(c.labels);
    assert_null(c.external_references);
    assert_true(mk_slice_has_prefix(c.created_by_ref, "identity--"));
    mk_arena_fini(&a);
}

static void test_model_common_read_leaves_bad_values_empty(void **state)
{
    struct mk_arena a;
    struct mk_stix_common c;

    (void)state;
    mk_arena_init(&a, 4096, 0);
    mk_stix_common_read(parse(&a, "{\"type\":3,\"created\":\"yesterday\",\"confidence\":101}"), &c);
    assert_int_equal(c.type, MK_STIX_TYPE_UNKNOWN);
    assert_null(c.type_name.ptr);
    assert_false(c.has_created);
    assert_int_equal(c.confidence, -1);
    mk_stix_common_read(parse(&a, "[1]"), &c);
    assert_null(c.id.ptr);
    mk_arena_fini(&a);
}

static void test_model_indicator_read_needs_pattern_and_valid_from(void **state)
{
    struct mk_arena a;
    struct mk_stix_indicator ind;

    (void)state;
    mk_arena_init(&a, 4096, 0);
    assert_int_equal(
        mk_stix_indicator_read(
            parse(&a, "{\"type\":\"indicator\",\"pattern\":\"[url:value = 'http://x/']\","
                      "\"pattern_type\":\"stix\",\"valid_from\":\"2020-01-01T00:00:00Z\","
                      "\"valid_until\":\"2021-01-01T00:00:00Z\",\"name\":\"n\"}"),
            &ind),
        MK_OK);
    assert_true(mk_slice_eq_cstr(ind.pattern_type, "stix"));
    assert_true(mk_slice_eq_cstr(ind.name, "n"));
    assert_true(ind.has_valid_until);
    assert_true(ind.valid_until.sec > ind.valid_from.sec);
    assert_int_equal(
        mk_stix_indicator_read(parse(&a, "{\"type\":\"indicator\",\"pattern\":\"x\"}"), &ind),
        MK_EINVAL);
    assert_int_equal(mk_stix_indicator_read(parse(&a, "{\"type\":\"malware\"}"), &ind), MK_EINVAL);
    mk_arena_fini(&a);
}

static void test_model_vocab_lookup_is_exact(void **state)
{
    (void)state;
    assert_true(mk_stix_vocab_has(MK_STIX_OV_INDICATOR_TYPE, "malicious-activity", 18));
    assert_false(mk_stix_vocab_has(MK_STIX_OV_INDICATOR_TYPE, "malicious", 9));
    assert_true(mk_stix_vocab_has(MK_STIX_ENUM_TLP2, "amber+strict", 12));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_model_every_type_name_round_trips),
        cmocka_unit_test(test_model_counts_types_of_each_kind),
        cmocka_unit_test(test_model_names_kinds_of_sample_types),
        cmocka_unit_test(test_model_unknown_and_prefix_names_are_unknown),
        cmocka_unit_test(test_model_every_schema_property_is_unique_and_fits_the_mask),
        cmocka_unit_test(test_model_sco_namespace_is_the_specifications),
        cmocka_unit_test(test_model_common_read_takes_views),
        cmocka_unit_test(test_model_common_read_leaves_bad_values_empty),
        cmocka_unit_test(test_model_indicator_read_needs_pattern_and_valid_from),
        cmocka_unit_test(test_model_vocab_lookup_is_exact),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
