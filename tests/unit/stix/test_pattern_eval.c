/* STIX pattern evaluation: each comparison operator, object paths and _ref
 * resolution, observation operators and qualifiers, against observed data built
 * with mk_json_parse. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "stix/stix.h"

#define MAX_OBS 8

struct fixture {
    struct mk_arena arena;
    struct mk_error err;
    struct mk_stix_observation obs[MAX_OBS];
    size_t n_obs;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));

    mk_arena_init(&f->arena, 1u << 16, 0);
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

static void read_time(const struct mk_json *od, const char *key, struct mk_time *t)
{
    const struct mk_json *v = mk_json_get(od, key);

    assert_non_null(v);
    assert_int_equal(mk_time_parse_rfc3339(v->u.str, v->len, true, t), MK_OK);
}

/* One observed-data object: its window and its "objects" (array or 2.0 dict). */
static void load_one(struct fixture *f, const struct mk_json *od, struct mk_stix_observation *o)
{
    const struct mk_json *objs = mk_json_get(od, "objects");
    const struct mk_json **list;
    const char **keys = NULL;

    assert_non_null(objs);
    list = mk_arena_alloc(&f->arena, (objs->len + 1) * sizeof(*list));
    if (objs->type == MK_JSON_OBJECT) {
        keys = mk_arena_alloc(&f->arena, (objs->len + 1) * sizeof(*keys));
    }
    for (uint32_t i = 0; i < objs->len; i++) {
        if (keys != NULL) {
            keys[i] = objs->u.members[i].key;
            list[i] = &objs->u.members[i].value;
        } else {
            list[i] = &objs->u.items[i];
        }
    }
    read_time(od, "first_observed", &o->first_observed);
    read_time(od, "last_observed", &o->last_observed);
    o->number_observed = 1;
    o->objects = list;
    o->keys = keys;
    o->n_objects = objs->len;
}

/* text: a JSON array of observed-data objects. */
static void load(struct fixture *f, const char *text)
{
    const struct mk_json *arr = NULL;
    enum mk_status st = mk_json_parse(text, strlen(text), NULL, &f->arena, &arr, &f->err);

    if (st != MK_OK) {
        print_error("json: %s\n", f->err.msg);
    }
    assert_int_equal(st, MK_OK);
    assert_true(arr->type == MK_JSON_ARRAY && arr->len <= MAX_OBS);
    for (uint32_t i = 0; i < arr->len; i++) {
        load_one(f, &arr->u.items[i], &f->obs[i]);
    }
    f->n_obs = arr->len;
}

static bool match(struct fixture *f, const char *pattern)
{
    const struct mk_stix_pattern *p = NULL;
    enum mk_status st = mk_stix_pattern_parse(&f->arena, pattern, strlen(pattern), &p, &f->err);

    if (st != MK_OK) {
        print_error("pattern %s: %s\n", pattern, f->err.msg);
    }
    assert_int_equal(st, MK_OK);
    return mk_stix_pattern_match(p, f->obs, f->n_obs);
}

struct expect {
    const char *pattern;
    bool matches;
};

static void check(struct fixture *f, const struct expect *e, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (match(f, e[i].pattern) != e[i].matches) {
            print_error("case %zu: %s should %smatch\n", i, e[i].pattern,
                        e[i].matches ? "" : "not ");
            fail();
        }
    }
}

#define T0                                                                                         \
    "\"first_observed\": \"2020-01-01T00:00:00Z\", \"last_observed\": \"2020-01-01T00:00:00Z\""

/* A file with most value types, a directory it refers to, and a process. */
static const char one_file[] =
    "[{" T0 ", \"objects\": ["
    "{\"type\": \"file\", \"id\": \"file--1\", \"name\": \"Report.exe\", \"size\": 2048,"
    " \"ratio\": 0.5, \"is_signed\": false, \"created\": \"2016-05-01T10:00:00.250Z\","
    " \"magic_number_hex\": \"FFD8\", \"payload_bin\": \"AQID\","
    " \"hashes\": {\"MD5\": \"79054025255FB1A26E4BC422AEF54EB4\", \"SHA-256\": \"ab\"},"
    " \"parent_directory_ref\": \"directory--1\","
    " \"contains_refs\": [\"file--2\", \"file--3\"],"
    " \"tags\": [\"a\", \"évil\", \"c\"],"
    " \"extensions\": {\"windows-pebinary-ext\": {\"sections\": [{\"entropy\": 3.5},"
    " {\"entropy\": 7.9}]}}},"
    "{\"type\": \"directory\", \"id\": \"directory--1\", \"path\": \"C:\\\\Windows\"},"
    "{\"type\": \"file\", \"id\": \"file--2\", \"name\": \"inner.dll\"},"
    "{\"type\": \"file\", \"id\": \"file--3\", \"name\": \"other.txt\"}"
    "]}]";

static void test_pattern_match_equality_is_type_correct(void **state)
{
    static const struct expect cases[] = {
        {"[file:name = 'Report.exe']", true},
        {"[file:name = 'report.exe']", false},
        {"[file:size = 2048]", true},
        {"[file:size = 2048.0]", true},
        {"[file:size = '2048']", false}, /* a string never equals a number */
        {"[file:ratio = 0.5]", true},
        {"[file:is_signed = false]", true},
        {"[file:is_signed = true]", false},
        {"[file:created = t'2016-05-01T10:00:00.25Z']", true},
        {"[file:created = t'2016-05-01T10:00:00Z']", false},
        {"[file:magic_number_hex = h'ffd8']", true},
        {"[file:magic_number_hex = h'ffd9']", false},
        {"[file:payload_bin = b'AQID']", true},
        {"[file:payload_bin = h'010203']", true},
        {"[file:size != 1]", true},
        {"[file:size != 2048]", false},
        {"[file:size NOT = 2048]", false},
        {"[file:size NOT != 2048]", true},
        {"[file:size != 'text']", false}, /* types do not compare: neither = nor != */
        {"[directory:path = 'C:\\\\Windows']", true},
    };

    load(*state, one_file);
    check(*state, cases, MK_ARRAY_LEN(cases));
}

static void test_pattern_match_missing_property_never_satisfies(void **state)
{
    static const struct expect cases[] = {
        {"[file:nope != 'x']", false},
        {"[file:nope NOT = 'x']", false},
        {"[file:nope NOT IN ('x')]", false},
        {"[file:nope NOT LIKE 'x']", false},
        {"[file:hashes.'SHA-1' != 'x']", false},
        {"[process:name != 'x']", false}, /* no object of that type */
        {"[file:tags[9] != 'x']", false},
    };

    load(*state, one_file);
    check(*state, cases, MK_ARRAY_LEN(cases));
}

static void test_pattern_match_ordering_operators(void **state)
{
    static const struct expect cases[] = {
        {"[file:size > 2047]", true},
        {"[file:size > 2048]", false},
        {"[file:size >= 2048]", true},
        {"[file:size < 2049]", true},
        {"[file:size <= 2047]", false},
        {"[file:size NOT > 2048]", true},
        {"[file:ratio < 1]", true},
        {"[file:name > 'Q']", true},
        {"[file:name < 'R']", false},
        {"[file:name > 'r']", false}, /* bytewise */
        {"[file:created > t'2016-05-01T10:00:00Z']", true},
        {"[file:created < t'2016-05-01T10:00:00.1Z']", false},
        {"[file:magic_number_hex > h'ff00']", true},
        {"[file:name > 5]", false},
    };

    load(*state, one_file);
    check(*state, cases, MK_ARRAY_LEN(cases));
}

static void test_pattern_match_in_set(void **state)
{
    static const struct expect cases[] = {
        {"[file:name IN ('a', 'Report.exe', 'b')]", true},
        {"[file:name IN ('a', 'b')]", false},
        {"[file:name NOT IN ('a', 'b')]", true},
        {"[file:size NOT IN (1, 2048)]", false},
        {"[file:size IN (1, 2048)]", true},
        {"[file:size IN ('2048')]", false},
        {"[file:size NOT IN ('2048')]", false}, /* nothing comparable */
        {"[file:name IN ()]", false},
        {"[file:name NOT IN ()]", true},
    };

    load(*state, one_file);
    check(*state, cases, MK_ARRAY_LEN(cases));
}

static void test_pattern_match_like_uses_sql_wildcards(void **state)
{
    static const struct expect cases[] = {
        {"[file:name LIKE 'Report.exe']", true}, {"[file:name LIKE '%.exe']", true},
        {"[file:name LIKE 'R%t.%']", true},      {"[file:name LIKE 'Report.ex_']", true},
        {"[file:name LIKE 'Report.e_']", false}, {"[file:name LIKE '%.so']", false},
        {"[file:name LIKE '%']", true},          {"[file:name LIKE 'report%']", false},
        {"[file:name NOT LIKE '%.exe']", true},  {"[file:tags[*] LIKE '_vil']", true},
        {"[file:size LIKE '2%']", false},        {"[file:name LIKE '%p%r%']", true},
    };

    load(*state, one_file);
    check(*state, cases, MK_ARRAY_LEN(cases));
}

static void test_pattern_match_regex_is_posix_extended(void **state)
{
    static const struct expect cases[] = {
        {"[file:name MATCHES '^Report\\\\.(exe|dll)$']", true},
        {"[file:name MATCHES 'port']", true}, /* a search, not anchored */
        {"[file:name MATCHES '^port']", false},
        {"[file:name NOT MATCHES '^port']", true},
        {"[file:name MATCHES '[0-9]+']", false},
        {"[file:name MATCHES '(']", false}, /* does not compile: never matches */
        {"[file:name NOT MATCHES '(']", false},
        {"[file:size MATCHES '2']", false},
    };

    load(*state, one_file);
    check(*state, cases, MK_ARRAY_LEN(cases));
}

static const char addresses[] =
    "[{" T0 ", \"objects\": ["
    "{\"type\": \"ipv4-addr\", \"id\": \"ipv4-addr--1\", \"value\": \"198.51.100.7\"},"
    "{\"type\": \"ipv4-addr\", \"id\": \"ipv4-addr--2\", \"value\": \"10.0.0.0/8\"},"
    "{\"type\": \"ipv6-addr\", \"id\": \"ipv6-addr--1\", \"value\": \"2001:db8:dead:beef::1\"},"
    "{\"type\": \"domain-name\", \"id\": \"domain-name--1\", \"value\": \"example.com\","
    " \"resolves_to_refs\": [\"ipv4-addr--2\", \"ipv4-addr--1\"]},"
    "{\"type\": \"network-traffic\", \"id\": \"network-traffic--1\","
    " \"src_ref\": \"ipv4-addr--1\", \"dst_ref\": \"domain-name--1\", \"dst_port\": 443,"
    " \"protocols\": [\"tcp\", \"tls\"]}"
    "]}]";

static void test_pattern_match_cidr_subset_and_superset(void **state)
{
    static const struct expect cases[] = {
        {"[ipv4-addr:value ISSUBSET '198.51.100.0/24']", true},
        {"[ipv4-addr:value ISSUBSET '198.51.101.0/24']", false}, /* neither .7 nor 10/8 */
        {"[ipv4-addr:value ISSUBSET '198.51.100.0/30']", false},
        {"[ipv4-addr:value ISSUBSET '198.51.100.7/32']", true},
        {"[ipv4-addr:value ISSUBSET '0.0.0.0/0']", true},
        {"[ipv4-addr:value ISSUPERSET '10.1.2.3']", true},
        {"[ipv4-addr:value ISSUPERSET '11.1.2.3']", false},
        {"[ipv4-addr:value NOT ISSUBSET '0.0.0.0/0']", false},
        {"[ipv6-addr:value ISSUBSET '2001:0db8:dead:beef:0000:0000:0000:0000/64']", true},
        {"[ipv6-addr:value ISSUBSET '2001:db8:dead:bee0::/63']", false},
        {"[ipv6-addr:value ISSUBSET '198.51.100.0/24']", false},
        {"[ipv4-addr:value ISSUBSET 'not an address']", false},
        {"[ipv4-addr:value ISSUBSET '198.51.100.0/33']", false},
    };

    load(*state, addresses);
    check(*state, cases, MK_ARRAY_LEN(cases));
}

static void test_pattern_match_resolves_refs(void **state)
{
    static const struct expect cases[] = {
        {"[file:parent_directory_ref.path = 'C:\\\\Windows']", true},
        {"[file:parent_directory_ref.path = 'C:\\\\Temp']", false},
        {"[file:contains_refs[*].name = 'other.txt']", true},
        {"[file:contains_refs[0].name = 'inner.dll']", true},
        {"[file:contains_refs[1].name = 'inner.dll']", false},
        {"[file:contains_refs[-1].name = 'other.txt']", false},
        {"[file:parent_directory_ref = 'directory--1']", true}, /* the id itself */
        {"[file:extensions.'windows-pebinary-ext'.sections[*].entropy > 7.0]", true},
        {"[file:extensions.'windows-pebinary-ext'.sections[0].entropy > 7.0]", false},
        {"[file:hashes.MD5 = '79054025255fb1a26e4bc422aef54eb4']", true}, /* hex: any case */
        {"[file:hashes.'SHA-256' = 'AB']", true},
        {"[file:name.length = 3]", false},
    };

    load(*state, one_file);
    check(*state, cases, MK_ARRAY_LEN(cases));
}

static void test_pattern_match_network_traffic_refs(void **state)
{
    static const struct expect cases[] = {
        {"[network-traffic:src_ref.value = '198.51.100.7']", true},
        {"[network-traffic:dst_ref.value = 'example.com' AND network-traffic:dst_port = 443]",
         true},
        {"[network-traffic:dst_ref.value = 'example.com' AND network-traffic:dst_port = 80]",
         false},
        {"[network-traffic:dst_ref.type = 'domain-name' AND network-traffic:dst_ref.value = "
         "'example.com']",
         true},
        {"[network-traffic:dst_ref.resolves_to_refs[*].value = '10.0.0.0/8']", true},
        {"[network-traffic:src_ref.value ISSUBSET '198.51.100.0/24']", true},
        {"[network-traffic:protocols[*] = 'tls']", true},
        {"[network-traffic:protocols[*] = 'udp']", false},
        {"[network-traffic:protocols[*] != 'tcp']", true}, /* any element */
        {"[domain-name:resolves_to_refs[*].value = '198.51.100.7']", true},
    };

    load(*state, addresses);
    check(*state, cases, MK_ARRAY_LEN(cases));
}

static void test_pattern_match_resolves_refs_by_dictionary_key(void **state)
{
    load(*state, "[{" T0 ", \"objects\": {"
                 "\"0\": {\"type\": \"ipv4-addr\", \"value\": \"203.0.113.9\"},"
                 "\"1\": {\"type\": \"network-traffic\", \"dst_ref\": \"0\", \"dst_port\": 53}"
                 "}}]");
    assert_true(match(*state, "[network-traffic:dst_ref.value = '203.0.113.9']"));
    assert_false(match(*state, "[network-traffic:dst_ref.value = '203.0.113.10']"));
}

static void test_pattern_match_exists(void **state)
{
    static const struct expect cases[] = {
        {"[EXISTS file:hashes.MD5]", true},
        {"[EXISTS file:hashes.'SHA-512']", false},
        {"[NOT EXISTS file:hashes.'SHA-512']", true},
        {"[NOT EXISTS file:name]", false}, /* every file has a name */
        {"[NOT EXISTS file:size]", true},  /* inner.dll has none */
        {"[EXISTS file:contains_refs[*].name]", true},
        {"[EXISTS process:name]", false},
    };

    load(*state, one_file);
    check(*state, cases, MK_ARRAY_LEN(cases));
}

static void test_pattern_match_and_within_brackets_needs_one_object(void **state)
{
    static const struct expect cases[] = {
        {"[file:name = 'inner.dll' AND file:size = 2048]", false}, /* two different files */
        {"[file:name = 'Report.exe' AND file:size = 2048]", true},
        {"[file:name = 'inner.dll' OR file:size = 2048]", true},
        {"[(file:name = 'x' OR file:name = 'Report.exe') AND file:size > 1000]", true},
        {"[file:name = 'Report.exe' AND directory:path = 'C:\\\\Windows']", false},
    };

    load(*state, one_file);
    check(*state, cases, MK_ARRAY_LEN(cases));
}

/* Three observations: a at 00:00, b at 00:10, a again at 00:20 (ten minutes apart). */
static const char timeline[] =
    "[{\"first_observed\": \"2020-01-01T00:00:00Z\", \"last_observed\": \"2020-01-01T00:00:00Z\","
    " \"objects\": [{\"type\": \"file\", \"name\": \"a\"}]},"
    " {\"first_observed\": \"2020-01-01T00:10:00Z\", \"last_observed\": \"2020-01-01T00:10:05Z\","
    " \"objects\": [{\"type\": \"file\", \"name\": \"b\"}]},"
    " {\"first_observed\": \"2020-01-01T00:20:00Z\", \"last_observed\": \"2020-01-01T00:20:00Z\","
    " \"objects\": [{\"type\": \"file\", \"name\": \"a\"}]}]";

static void test_pattern_match_observation_operators(void **state)
{
    static const struct expect cases[] = {
        {"[file:name = 'a'] AND [file:name = 'b']", true},
        {"[file:name = 'a'] AND [file:name = 'c']", false},
        {"[file:name = 'a'] OR [file:name = 'c']", true},
        {"[file:name = 'c'] OR [file:name = 'd']", false},
        {"[file:name = 'a'] FOLLOWEDBY [file:name = 'b']", true},
        {"[file:name = 'b'] FOLLOWEDBY [file:name = 'a']", true},  /* the second a */
        {"[file:name = 'b'] FOLLOWEDBY [file:name = 'b']", false}, /* one b only */
        {"[file:name = 'a'] FOLLOWEDBY [file:name = 'b'] FOLLOWEDBY [file:name = 'a']", true},
        {"[file:name = 'b'] FOLLOWEDBY [file:name = 'a'] FOLLOWEDBY [file:name = 'b']", false},
        {"([file:name = 'a'] OR [file:name = 'c']) AND [file:name = 'b']", true},
        {"[file:name = 'a'] AND [file:name = 'a']", true}, /* one observation may serve both */
    };

    load(*state, timeline);
    check(*state, cases, MK_ARRAY_LEN(cases));
}

static void test_pattern_match_qualifiers(void **state)
{
    static const struct expect cases[] = {
        {"[file:name = 'a'] REPEATS 2 TIMES", true},
        {"[file:name = 'a'] REPEATS 3 TIMES", false},
        {"[file:name = 'b'] REPEATS 2 TIMES", false},
        {"[file:name = 'a' OR file:name = 'b'] REPEATS 3 TIMES", true},
        {"[file:name = 'a'] REPEATS 2 TIMES WITHIN 1200 SECONDS", true},
        {"[file:name = 'a'] REPEATS 2 TIMES WITHIN 1199.5 SECONDS", false},
        {"([file:name = 'a'] AND [file:name = 'b']) WITHIN 600 SECONDS", true},
        {"([file:name = 'a'] AND [file:name = 'b']) WITHIN 304.9 SECONDS", false},
        {"([file:name = 'b'] FOLLOWEDBY [file:name = 'a']) WITHIN 600 SECONDS", true},
        {"([file:name = 'b'] FOLLOWEDBY [file:name = 'a']) WITHIN 599 SECONDS", false},
        {"[file:name = 'b'] WITHIN 4 SECONDS", false}, /* its own window is 5 s */
        {"[file:name = 'b'] WITHIN 5 SECONDS", true},
        {"[file:name = 'a'] START t'2020-01-01T00:15:00Z' STOP t'2020-01-02T00:00:00Z'", true},
        {"[file:name = 'a'] START t'2020-01-01T00:01:00Z' STOP t'2020-01-01T00:20:00Z'", false},
        {"[file:name = 'a'] START t'2020-01-01T00:00:00Z' STOP t'2020-01-01T00:00:01Z'", true},
        {"[file:name = 'a'] REPEATS 2 TIMES START t'2020-01-01T00:00:00Z' STOP "
         "t'2020-01-01T00:20:00Z'",
         false},
        /* the qualifier binds to [b] alone: over the AND the span would be 1200 s */
        {"([file:name = 'a'] REPEATS 2 TIMES) AND [file:name = 'b'] WITHIN 5 SECONDS", true},
        {"(([file:name = 'a'] REPEATS 2 TIMES) AND [file:name = 'b']) WITHIN 5 SECONDS", false},
        {"[file:name = 'a'] REPEATS 1000000 TIMES", false},
    };

    load(*state, timeline);
    check(*state, cases, MK_ARRAY_LEN(cases));
}

static void test_pattern_match_needs_observations(void **state)
{
    struct fixture *f = *state;
    const struct mk_stix_pattern *p = NULL;

    assert_int_equal(mk_stix_pattern_parse(&f->arena, "[file:name = 'a']", 17, &p, &f->err), MK_OK);
    assert_false(mk_stix_pattern_match(p, NULL, 0));
    assert_false(mk_stix_pattern_match(NULL, f->obs, 0));
}

/* Many matching observations: the search is bounded and still finds a match. */
static void test_pattern_match_many_observations_stays_bounded(void **state)
{
    struct fixture *f = *state;
    const struct mk_stix_pattern *p = NULL;
    struct mk_stix_observation *obs = calloc(200, sizeof(*obs));
    const struct mk_json *file = NULL;
    const char *pat = "([a:x = 1] AND [a:x = 1] AND [a:x = 1]) REPEATS 3 TIMES WITHIN 10 SECONDS";
    const char *json = "{\"type\": \"a\", \"x\": 1}";

    assert_int_equal(mk_json_parse(json, strlen(json), NULL, &f->arena, &file, &f->err), MK_OK);
    for (size_t i = 0; i < 200; i++) {
        obs[i].first_observed.sec = (int64_t)i;
        obs[i].last_observed.sec = (int64_t)i;
        obs[i].objects = &file;
        obs[i].n_objects = 1;
    }
    assert_int_equal(mk_stix_pattern_parse(&f->arena, pat, strlen(pat), &p, &f->err), MK_OK);
    assert_true(mk_stix_pattern_match(p, obs, 200));
    free(obs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_pattern_match_equality_is_type_correct, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_pattern_match_missing_property_never_satisfies, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_pattern_match_ordering_operators, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pattern_match_in_set, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pattern_match_like_uses_sql_wildcards, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_pattern_match_regex_is_posix_extended, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_pattern_match_cidr_subset_and_superset, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_pattern_match_resolves_refs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pattern_match_network_traffic_refs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pattern_match_resolves_refs_by_dictionary_key, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_pattern_match_exists, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pattern_match_and_within_brackets_needs_one_object,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_pattern_match_observation_operators, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pattern_match_qualifiers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pattern_match_needs_observations, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pattern_match_many_observations_stays_bounded, setup,
                                        teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
