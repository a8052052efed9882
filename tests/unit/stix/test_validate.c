/* Unit tests for STIX 2.1 validation (src/stix/validate.c): the specification's
 * examples pass, each broken object gives its (path, message), SHOULD findings
 * are warnings, TLP markings, custom content and deterministic SCO ids. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "stix/stix.h"

#define MAX_DIAGS 32

struct diag_copy {
    enum mk_stix_severity severity;
    char id[128];
    char path[256];
    char msg[320];
};

struct collected {
    size_t n;
    struct diag_copy d[MAX_DIAGS];
};

struct fixture {
    struct mk_arena arena;
    struct mk_stix_validator v;
    struct collected got;
};

static void collect(void *ctx, const struct mk_stix_diag *d)
{
    struct collected *c = ctx;
    struct diag_copy *out;

    if (c->n == MAX_DIAGS) {
        return;
    }
    out = &c->d[c->n++];
    out->severity = d->severity;
    (void)snprintf(out->id, sizeof(out->id), "%s", d->id);
    (void)snprintf(out->path, sizeof(out->path), "%s", d->path);
    (void)snprintf(out->msg, sizeof(out->msg), "%s", d->msg);
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));

    assert_non_null(f);
    mk_arena_init(&f->arena, 64 << 10, 0);
    mk_stix_validator_init(&f->v, collect, &f->got);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    mk_stix_validator_fini(&f->v);
    mk_arena_fini(&f->arena);
    free(f);
    return 0;
}

static const struct mk_json *parse_n(struct fixture *f, const char *text, size_t n)
{
    const struct mk_json_limits lim = MK_JSON_LIMITS_DEFAULT;
    const struct mk_json *v = NULL;
    struct mk_error err;

    if (mk_json_parse(text, n, &lim, &f->arena, &v, &err) != MK_OK) {
        fail_msg("fixture is not JSON: %s\n%s", err.msg, text);
    }
    return v;
}

static void print_diags(const struct collected *c)
{
    for (size_t i = 0; i < c->n; i++) {
        print_message("  %s %s: %s: %s\n", c->d[i].severity == MK_STIX_ERROR ? "E" : "W",
                      c->d[i].id, c->d[i].path, c->d[i].msg);
    }
}

/* Validates one object; returns its error count. */
static size_t check(struct fixture *f, const char *text)
{
    f->got.n = 0;
    return mk_stix_validate_object(&f->v, parse_n(f, text, strlen(text)));
}

static const struct diag_copy *find(const struct collected *c, enum mk_stix_severity sev,
                                    const char *path, const char *msg)
{
    for (size_t i = 0; i < c->n; i++) {
        if (c->d[i].severity == sev && strcmp(c->d[i].path, path) == 0 &&
            strstr(c->d[i].msg, msg) != NULL) {
            return &c->d[i];
        }
    }
    return NULL;
}

static size_t count(const struct collected *c, enum mk_stix_severity sev)
{
    size_t n = 0;

    for (size_t i = 0; i < c->n; i++) {
        n += c->d[i].severity == sev;
    }
    return n;
}

/* ---- the specification's own examples ---------------------------------------- */

static char *slurp(const char *path, size_t *n)
{
    FILE *fp = fopen(path, "rb");
    char *buf;
    long len;

    assert_non_null(fp);
    assert_int_equal(fseek(fp, 0, SEEK_END), 0);
    len = ftell(fp);
    assert_true(len > 0);
    rewind(fp);
    buf = malloc((size_t)len);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)len, fp), (size_t)len);
    (void)fclose(fp);
    *n = (size_t)len;
    return buf;
}

static void test_validate_accepts_every_spec_example(void **state)
{
    struct fixture *f = *state;
    const char *dir = MK_TEST_DATA "/stix/spec-examples";
    DIR *d = opendir(dir);
    struct dirent *e;
    size_t files = 0;

    assert_non_null(d);
    while ((e = readdir(d)) != NULL) {
        char path[1024];
        size_t n;
        char *text;
        size_t errors;

        if (strstr(e->d_name, ".json") == NULL) {
            continue;
        }
        (void)snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        text = slurp(path, &n);
        f->got.n = 0;
        errors = mk_stix_validate_object(&f->v, parse_n(f, text, n));
        if (errors != 0) {
            print_diags(&f->got);
            fail_msg("%s: %zu errors", e->d_name, errors);
        }
        free(text);
        files++;
    }
    (void)closedir(d);
    assert_true(files >= 50);
}

static void test_validate_accepts_spec_bundle_and_its_objects(void **state)
{
    struct fixture *f = *state;
    size_t n;
    char *text = slurp(MK_TEST_DATA "/stix/bundles/spec-bundle.json", &n);
    const struct mk_json *b = parse_n(f, text, n);
    const struct mk_json *objs = mk_json_get(b, "objects");

    f->got.n = 0;
    assert_int_equal(mk_stix_validate_bundle_envelope(&f->v, b), 0);
    assert_non_null(objs);
    for (uint32_t i = 0; i < objs->len; i++) {
        assert_int_equal(mk_stix_validate_object(&f->v, &objs->u.items[i]), 0);
    }
    assert_int_equal(f->v.errors, 0);
    free(text);
}

/* ---- broken objects: tests/data/stix/invalid/cases.json -------------------------
 * Each case is {name, severity, path, msg, object}: validating `object` must give
 * a finding of that severity at exactly `path` whose message contains `msg`, and
 * a warning case must give no error. */

static void run_case(struct fixture *f, const struct mk_json *c)
{
    const struct mk_json *name = mk_json_get(c, "name");
    const struct mk_json *path = mk_json_get(c, "path");
    const struct mk_json *msg = mk_json_get(c, "msg");
    bool is_warning = mk_json_is_str(mk_json_get(c, "severity"), "warning");
    size_t errors;

    f->got.n = 0;
    errors = mk_stix_validate_object(&f->v, mk_json_get(c, "object"));
    if (find(&f->got, is_warning ? MK_STIX_WARNING : MK_STIX_ERROR, path->u.str, msg->u.str) ==
            NULL ||
        (is_warning && errors != 0) || (!is_warning && errors == 0)) {
        print_diags(&f->got);
        fail_msg("case '%s': expected %s at '%s' containing '%s'", name->u.str,
                 is_warning ? "only a warning" : "an error", path->u.str, msg->u.str);
    }
    assert_int_equal(errors, count(&f->got, MK_STIX_ERROR));
}

static void test_validate_reports_each_broken_object_at_its_path(void **state)
{
    struct fixture *f = *state;
    size_t n;
    char *text = slurp(MK_TEST_DATA "/stix/invalid/cases.json", &n);
    const struct mk_json *cases = parse_n(f, text, n);

    assert_int_equal(cases->type, MK_JSON_ARRAY);
    assert_true(cases->len >= 100);
    for (uint32_t i = 0; i < cases->len; i++) {
        run_case(f, &cases->u.items[i]);
    }
    free(text);
}

/* ---- focused behaviour ------------------------------------------------------------ */

#define INDICATOR_HEAD                                                                             \
    "{\"type\":\"indicator\",\"spec_version\":\"2.1\","                                            \
    "\"id\":\"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f\","                                  \
    "\"created\":\"2016-04-06T20:03:48.000Z\",\"modified\":\"2016-04-06T20:03:48.000Z\","          \
    "\"pattern\":\"[ipv4-addr:value = '198.51.100.1']\",\"pattern_type\":\"stix\","                \
    "\"valid_from\":\"2016-01-01T00:00:00Z\""

static void test_validate_rejects_modified_before_created(void **state)
{
    struct fixture *f = *state;

    assert_int_equal(check(f, "{\"type\":\"identity\",\"spec_version\":\"2.1\","
                              "\"id\":\"identity--023d105b-752e-4e3c-941c-7d3f3cb15e9e\","
                              "\"created\":\"2016-04-06T20:03:00.000Z\","
                              "\"modified\":\"2016-04-06T20:02:59.999Z\",\"name\":\"J\"}"),
                     1);
    assert_non_null(find(&f->got, MK_STIX_ERROR, "/modified", "earlier than created"));
    assert_string_equal(f->got.d[0].id, "identity--023d105b-752e-4e3c-941c-7d3f3cb15e9e");
}

static void test_validate_names_missing_id_as_no_id(void **state)
{
    struct fixture *f = *state;

    assert_true(check(f, "{\"type\":\"indicator\"}") > 0);
    assert_string_equal(f->got.d[0].id, "(no id)");
    assert_non_null(find(&f->got, MK_STIX_ERROR, "/pattern", "required property missing"));
}

static void test_validate_counts_errors_and_warnings_across_objects(void **state)
{
    struct fixture *f = *state;

    assert_int_equal(check(f, INDICATOR_HEAD ",\"confidence\":-1}"), 1);
    assert_int_equal(check(f, INDICATOR_HEAD ",\"acme\":1,\"x_ok\":2}"), 0);
    assert_int_equal(f->v.errors, 1);
    assert_int_equal(f->v.warnings, 1);
    assert_non_null(find(&f->got, MK_STIX_WARNING, "/acme", "x_"));
}

static void test_validate_strict_turns_warnings_into_errors(void **state)
{
    struct fixture *f = *state;

    f->v.strict = true;
    assert_int_equal(check(f, INDICATOR_HEAD ",\"acme_score\":1}"), 1);
    assert_non_null(find(&f->got, MK_STIX_ERROR, "/acme_score", "should start with 'x_'"));
    assert_int_equal(f->v.warnings, 0);
}

static void test_validate_without_callback_only_counts(void **state)
{
    struct mk_stix_validator v;
    struct fixture *f = *state;

    (void)state;
    mk_stix_validator_init(&v, NULL, NULL);
    assert_int_equal(mk_stix_validate_object(&v, parse_n(f, "{}", 2)), 2);
    assert_int_equal(v.errors, 2);
    mk_stix_validator_fini(&v);
    mk_stix_validator_fini(NULL);
}

static void test_validate_accepts_custom_type_defined_by_extension(void **state)
{
    struct fixture *f = *state;

    assert_int_equal(
        check(f,
              "{\"type\":\"my-favorite-sdo\",\"spec_version\":\"2.1\","
              "\"id\":\"my-favorite-sdo--ac97aae4-83f1-46ca-a351-7aeb76678189\","
              "\"created\":\"2014-02-20T09:16:08.989Z\",\"modified\":\"2014-02-20T09:16:08.989Z\","
              "\"name\":\"This is the name of my favorite\",\"some_property_name1\":\"v\","
              "\"extensions\":{\"extension-definition--9c59fd79-4215-4ba2-920d-3e4f320e1e62\":"
              "{\"extension_type\":\"new-sdo\"}}}"),
        0);
    assert_int_equal(f->got.n, 0);
}

static void test_validate_accepts_toplevel_extension_properties_unprefixed(void **state)
{
    struct fixture *f = *state;

    assert_int_equal(check(f, INDICATOR_HEAD
                           ",\"rank\":5,\"toxicity\":8,\"extensions\":{"
                           "\"extension-definition--71736db5-10db-43d3-b0e3-65cf81601fe1\":"
                           "{\"extension_type\":\"toplevel-property-extension\"}}}"),
                     0);
    assert_int_equal(f->got.n, 0);
}

static void test_validate_keeps_unknown_type_with_only_warnings(void **state)
{
    struct fixture *f = *state;

    assert_int_equal(check(f, "{\"type\":\"x-acme-widget\","
                              "\"id\":\"x-acme-widget--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f\","
                              "\"created\":\"2020-01-01T00:00:00Z\",\"widget_size\":3,"
                              "\"confidence\":20}"),
                     0);
    assert_int_equal(count(&f->got, MK_STIX_WARNING), 1);
    assert_non_null(find(&f->got, MK_STIX_WARNING, "/type", "custom type"));
    /* common properties of a custom object are still checked */
    assert_int_equal(check(f, "{\"type\":\"x-acme-widget\","
                              "\"id\":\"x-acme-widget--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f\","
                              "\"confidence\":200}"),
                     1);
    assert_non_null(find(&f->got, MK_STIX_ERROR, "/confidence", "out of range"));
}

static void test_validate_escapes_json_pointer_tokens(void **state)
{
    struct fixture *f = *state;

    assert_int_equal(check(f, INDICATOR_HEAD ",\"external_references\":[{\"source_name\":\"s\","
                                             "\"url\":\"u\",\"hashes\":{\"a/b~c\":\"x\"}}]}"),
                     1);
    assert_non_null(
        find(&f->got, MK_STIX_ERROR, "/external_references/0/hashes/a~1b~0c", "hash name"));
}

static void test_validate_checks_bundle_envelope(void **state)
{
    struct fixture *f = *state;
    const char *ok =
        "{\"type\":\"bundle\",\"id\":\"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d\"}";

    f->got.n = 0;
    assert_int_equal(mk_stix_validate_bundle_envelope(&f->v, parse_n(f, ok, strlen(ok))), 0);
    assert_int_equal(f->got.n, 0);
    assert_int_equal(check(f, "{\"type\":\"bundle\","
                              "\"id\":\"report--5d0092c5-5f74-4287-9642-33f4c354e56d\","
                              "\"spec_version\":\"2.1\",\"objects\":{}}"),
                     2);
    assert_non_null(find(&f->got, MK_STIX_ERROR, "/id", "does not match type"));
    assert_non_null(find(&f->got, MK_STIX_ERROR, "/objects", "must be a list"));
    assert_non_null(find(&f->got, MK_STIX_WARNING, "/spec_version", "not a bundle property"));
    f->got.n = 0;
    assert_int_equal(mk_stix_validate_bundle_envelope(&f->v, parse_n(f, "{}", 2)), 2);
}

/* ---- markings ------------------------------------------------------------------ */

static void test_validate_accepts_fixed_tlp_markings_without_warnings(void **state)
{
    static const char *const files[] = {"tlp1-white", "tlp1-green",        "tlp1-amber",
                                        "tlp1-red",   "tlp2-clear",        "tlp2-green",
                                        "tlp2-amber", "tlp2-amber-strict", "tlp2-red"};
    struct fixture *f = *state;

    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        char path[512];
        size_t n;
        char *text;

        (void)snprintf(path, sizeof(path), "%s/stix/spec-examples/%s.json", MK_TEST_DATA, files[i]);
        text = slurp(path, &n);
        f->got.n = 0;
        assert_int_equal(mk_stix_validate_object(&f->v, parse_n(f, text, n)), 0);
        if (f->got.n != 0) {
            print_diags(&f->got);
            fail_msg("%s: unexpected findings", files[i]);
        }
        free(text);
    }
}

/* ---- deterministic SCO ids (section 2.9) -----------------------------------------
 * Expected ids computed outside mekong with Python:
 *   uuid.uuid5(UUID('00abedb4-aa42-466c-9c01-fed23315a9b7'),
 *              json.dumps(props, sort_keys=True, separators=(',', ':'), ensure_ascii=False))
 * where props holds the ID-contributing properties (one hash of `hashes`). */

struct sco_case {
    const char *json; /* without "id" */
    const char *id;
};

static const struct sco_case sco_cases[] = {
    {"\"type\":\"ipv4-addr\",\"value\":\"198.51.100.3\"",
     "ipv4-addr--28bb3599-77cd-5a82-a950-b5bc3caf07c4"},
    {"\"type\":\"ipv6-addr\",\"value\":\"2001:0db8:85a3:0000:0000:8a2e:0370:7334\"",
     "ipv6-addr--85a85a8c-ee99-5722-946d-3c3a3270fc6f"},
    {"\"type\":\"domain-name\",\"value\":\"example.com\"",
     "domain-name--bedb4899-d24b-5401-bc86-8f6b4cc18ec7"},
    {"\"type\":\"domain-name\",\"value\":\"\xe4\xbe\x8b\xe5\xad\x90.\xe4\xb8\xad\xe5\x9b\xbd\"",
     "domain-name--c3a581ce-8b66-518b-ad5f-af375a70f787"}, /* 例子.中国, raw UTF-8 */
    {"\"type\":\"url\",\"value\":\"https://example.com/research/index.html\"",
     "url--47c3cf9a-5027-5bf0-997a-017c7edc7c55"},
    {"\"type\":\"url\",\"value\":\"http://a/\\\"q\\\"\\\\x\\t\"", /* http://a/"q"\x<TAB> */
     "url--3bc6ba21-b4e2-5ffe-b66e-42316839c37f"},
    {"\"type\":\"email-addr\",\"value\":\"john@example.com\",\"display_name\":\"John\"",
     "email-addr--7165e2a9-671f-585d-b1e1-ca59c671d934"},
    {"\"type\":\"mac-addr\",\"value\":\"d2:fb:49:24:37:18\"",
     "mac-addr--757b1725-9903-54f5-a855-1240691d7659"},
    {"\"type\":\"autonomous-system\",\"number\":15139,\"name\":\"Slime Industries\"",
     "autonomous-system--3aa27478-50b5-5ab8-9da9-cdc12b657fff"},
    {"\"type\":\"file\",\"name\":\"qwerty.dll\",\"hashes\":{\"SHA-256\":"
     "\"ceafbfd424be2ca4a5f0402cae090dda2fb0526cf521b60b60077c0f622b285a\"}",
     "file--7cdc1fbe-5cfd-5e09-8e87-648a1cf1080c"},
    {"\"type\":\"file\",\"name\":\"x.exe\",\"hashes\":{\"SHA-1\":"
     "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"MD5\":\"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\"}",
     "file--4915fc0e-b154-5cb1-b338-70da92bbc85c"}, /* only MD5 contributes */
    {"\"type\":\"network-traffic\",\"protocols\":[\"ipv4\",\"tcp\"],\"dst_port\":443,"
     "\"dst_ref\":\"ipv4-addr--28bb3599-77cd-5a82-a950-b5bc3caf07c4\"",
     "network-traffic--8f6360b2-5dca-5b52-9c76-61c88274cba7"},
};

static void test_validate_accepts_deterministic_sco_ids(void **state)
{
    struct fixture *f = *state;

    for (size_t i = 0; i < sizeof(sco_cases) / sizeof(sco_cases[0]); i++) {
        char text[1024];

        (void)snprintf(text, sizeof(text), "{\"id\":\"%s\",%s}", sco_cases[i].id,
                       sco_cases[i].json);
        assert_int_equal(check(f, text), 0);
        if (f->got.n != 0) {
            print_diags(&f->got);
            fail_msg("case %zu: %s", i, sco_cases[i].id);
        }
    }
}

static void test_validate_warns_on_sco_id_that_is_not_deterministic(void **state)
{
    struct fixture *f = *state;

    for (size_t i = 0; i < sizeof(sco_cases) / sizeof(sco_cases[0]); i++) {
        const char *sep = strstr(sco_cases[i].id, "--");
        char text[1024];
        char want[128];

        /* same type, a random (v4) UUID */
        (void)snprintf(text, sizeof(text),
                       "{\"id\":\"%.*s--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f\",%s}",
                       (int)(sep - sco_cases[i].id), sco_cases[i].id, sco_cases[i].json);
        (void)snprintf(want, sizeof(want), "should be %s", sco_cases[i].id);
        assert_int_equal(check(f, text), 0);
        if (find(&f->got, MK_STIX_WARNING, "/id", want) == NULL) {
            print_diags(&f->got);
            fail_msg("case %zu: no warning naming %s", i, sco_cases[i].id);
        }
    }
}

static void test_validate_wants_uuidv4_for_sco_without_contributing_properties(void **state)
{
    struct fixture *f = *state;

    assert_int_equal(check(f, "{\"type\":\"process\",\"pid\":1,"
                              "\"id\":\"process--8e2e2d2b-17d4-5cbf-938f-98ee46b3cd3f\"}"),
                     0);
    assert_non_null(find(&f->got, MK_STIX_WARNING, "/id", "should be a UUIDv4"));
    assert_int_equal(check(f, "{\"type\":\"process\",\"pid\":1,"
                              "\"id\":\"process--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f\"}"),
                     0);
    assert_int_equal(f->got.n, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
        T(test_validate_accepts_every_spec_example),
        T(test_validate_accepts_spec_bundle_and_its_objects),
        T(test_validate_reports_each_broken_object_at_its_path),
        T(test_validate_rejects_modified_before_created),
        T(test_validate_names_missing_id_as_no_id),
        T(test_validate_counts_errors_and_warnings_across_objects),
        T(test_validate_strict_turns_warnings_into_errors),
        T(test_validate_without_callback_only_counts),
        T(test_validate_accepts_custom_type_defined_by_extension),
        T(test_validate_accepts_toplevel_extension_properties_unprefixed),
        T(test_validate_keeps_unknown_type_with_only_warnings),
        T(test_validate_escapes_json_pointer_tokens),
        T(test_validate_checks_bundle_envelope),
        T(test_validate_accepts_fixed_tlp_markings_without_warnings),
        T(test_validate_accepts_deterministic_sco_ids),
        T(test_validate_warns_on_sco_id_that_is_not_deterministic),
        T(test_validate_wants_uuidv4_for_sco_without_contributing_properties),
#undef T
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
