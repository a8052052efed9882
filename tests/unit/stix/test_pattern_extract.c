/* STIX pattern prefilter keys: which terms index, one key per OR disjunct,
 * compound keys for an AND on one object, and the patterns that yield none. */
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
    char keys[8192]; /* "KIND/ROLE/value & ... | ..." */
    size_t len;
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

static const char *const kind_names[] = {
    [MK_STIX_KEY_IPV4] = "ipv4",
    [MK_STIX_KEY_IPV6] = "ipv6",
    [MK_STIX_KEY_DOMAIN] = "domain",
    [MK_STIX_KEY_URL] = "url",
    [MK_STIX_KEY_EMAIL] = "email",
    [MK_STIX_KEY_HASH_MD5] = "md5",
    [MK_STIX_KEY_HASH_SHA1] = "sha1",
    [MK_STIX_KEY_HASH_SHA256] = "sha256",
    [MK_STIX_KEY_HASH_SHA512] = "sha512",
    [MK_STIX_KEY_JA3] = "ja3",
    [MK_STIX_KEY_JA4] = "ja4",
    [MK_STIX_KEY_PORT] = "port",
};

static const char *const role_names[] = {
    [MK_STIX_ROLE_ANY] = "",
    [MK_STIX_ROLE_SRC] = "src ",
    [MK_STIX_ROLE_DST] = "dst ",
};

static void collect(void *ctx, const struct mk_stix_key *key)
{
    struct fixture *f = ctx;

    assert_true(key->n_terms >= 1 && key->n_terms <= MK_STIX_KEY_MAX_TERMS);
    for (size_t i = 0; i < key->n_terms; i++) {
        const struct mk_stix_key_term *t = &key->terms[i];
        const char *sep = i > 0 ? " & " : (f->len > 0 ? " | " : "");

        f->len += (size_t)snprintf(f->keys + f->len, sizeof(f->keys) - f->len, "%s%s%s %s%s", sep,
                                   role_names[t->role], kind_names[t->kind],
                                   t->is_cidr ? "cidr " : "", t->value);
    }
}

static void collect_count(void *ctx, const struct mk_stix_key *key)
{
    size_t *calls = ctx;

    assert_true(key->n_terms == 1);
    (*calls)++;
}

struct xcase {
    const char *pattern;
    const char *keys; /* "" for none */
};

static void check(struct fixture *f, const struct xcase *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const struct mk_stix_pattern *p = NULL;
        size_t count;
        size_t expect = 0;

        assert_int_equal(
            mk_stix_pattern_parse(&f->arena, c[i].pattern, strlen(c[i].pattern), &p, &f->err),
            MK_OK);
        f->len = 0;
        f->keys[0] = '\0';
        count = mk_stix_pattern_extract(p, collect, f);
        for (const char *s = c[i].keys; *s != '\0'; s++) {
            expect += *s == '|';
        }
        expect += c[i].keys[0] != '\0';
        if (strcmp(f->keys, c[i].keys) != 0 || count != expect) {
            print_error("case %zu: %s\n  got  %zu: %s\n  want %zu: %s\n", i, c[i].pattern, count,
                        f->keys, expect, c[i].keys);
            fail();
        }
    }
}

static void test_pattern_extract_indexable_properties(void **state)
{
    static const struct xcase cases[] = {
        {"[ipv4-addr:value = '198.51.100.1']", "ipv4 198.51.100.1"},
        {"[ipv4-addr:value = '198.51.100.0/24']", "ipv4 cidr 198.51.100.0/24"},
        {"[ipv6-addr:value = '2001:db8::1']", "ipv6 2001:db8::1"},
        {"[domain-name:value = 'evil.example']", "domain evil.example"},
        {"[url:value = 'http://x.example/a']", "url http://x.example/a"},
        {"[email-addr:value = 'a@x.example']", "email a@x.example"},
        {"[file:hashes.MD5 = 'CEAD3F77F6CDA6EC00F57D76C9A6879F']",
         "md5 cead3f77f6cda6ec00f57d76c9a6879f"},
        {"[file:hashes.'SHA-1' = 'AB']", "sha1 ab"},
        {"[file:hashes.sha1 = 'ab']", "sha1 ab"},
        {"[file:hashes.'SHA-256' = 'Ab']", "sha256 ab"},
        {"[file:hashes.SHA256 = 'ab']", "sha256 ab"},
        {"[file:hashes.'sha-512' = 'ab']", "sha512 ab"},
        {"[file:hashes.'SSDEEP' = 'ab']", ""},
        {"[artifact:hashes.MD5 = 'ab']", ""},
        {"[file:hashes[*] = 'ab']", ""}, /* fuzzer: a list step where a name was read */
        {"[file:hashes[0] = 'ab' OR file:x[*].ja3 = 'ab']", ""},
        {"[network-traffic:dst_ref.value = '203.0.113.5']", "dst ipv4 203.0.113.5"},
        {"[network-traffic:src_ref.value = '2001:db8::/32']", "src ipv6 cidr 2001:db8::/32"},
        {"[network-traffic:dst_ref.value = 'c2.example']", "dst domain c2.example"},
        {"[network-traffic:extensions.'x-mekong-tls'.ja3 = 'E7D705A3286E19EA42F587B344EE6865']",
         "ja3 e7d705a3286e19ea42f587b344ee6865"},
        {"[network-traffic:extensions.'x-mekong-tls'.ja3_hash = 'ab']", "ja3 ab"},
        {"[x-tls:client.ja3_md5 = 'ab']", "ja3 ab"},
        {"[x-ja3:hash = 'AB']", "ja3 ab"},
        {"[network-traffic:extensions.'x-mekong-tls'.ja4 = 't13d1516h2_8daaf6152771_e5627efa2ab1']",
         "ja4 t13d1516h2_8daaf6152771_e5627efa2ab1"},
        {"[x-ja4:value = 't13d'] ", "ja4 t13d"},
        {"[ipv4-addr:value ISSUBSET '10.0.0.0/8']", "ipv4 cidr 10.0.0.0/8"},
        {"[network-traffic:dst_ref.value ISSUBSET '10.1.0.0/16']", "dst ipv4 cidr 10.1.0.0/16"},
        {"[network-traffic:dst_ref.value ISSUBSET 'c2.example']", ""},
        {"[ipv4-addr:value ISSUBSET '2001:db8::/32']", ""},
        {"[domain-name:value ISSUBSET 'x.example']", ""},
    };

    check(*state, cases, MK_ARRAY_LEN(cases));
}

static void test_pattern_extract_one_key_per_disjunct(void **state)
{
    static const struct xcase cases[] = {
        {"[ipv4-addr:value = '1.1.1.1' OR ipv4-addr:value = '2.2.2.2']",
         "ipv4 1.1.1.1 | ipv4 2.2.2.2"},
        {"[ipv4-addr:value IN ('1.1.1.1', '2.2.2.2', '10.0.0.0/8')]",
         "ipv4 1.1.1.1 | ipv4 2.2.2.2 | ipv4 cidr 10.0.0.0/8"},
        {"[network-traffic:dst_ref.value IN ('1.1.1.1', 'c2.example')]",
         "dst ipv4 1.1.1.1 | dst domain c2.example"},
        {"[domain-name:value = 'a.example'] OR [url:value = 'http://b.example/']",
         "domain a.example | url http://b.example/"},
        {"[ipv4-addr:value = '1.1.1.1'] OR [ipv4-addr:value = '1.1.1.1']", "ipv4 1.1.1.1"},
        {"([file:hashes.MD5 = 'aa'] OR [file:hashes.MD5 = 'bb']) REPEATS 2 TIMES",
         "md5 aa | md5 bb"},
        {"[ipv4-addr:value IN ()]", ""},
    };

    check(*state, cases, MK_ARRAY_LEN(cases));
}

static void test_pattern_extract_compound_key_for_and_on_one_object(void **state)
{
    static const struct xcase cases[] = {
        {"[network-traffic:dst_ref.value = '203.0.113.5' AND network-traffic:dst_port = 443]",
         "dst ipv4 203.0.113.5 & dst port 443"},
        {"[network-traffic:dst_port = 443 AND network-traffic:dst_ref.value = '203.0.113.5']",
         "dst ipv4 203.0.113.5 & dst port 443"},
        {"[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = "
         "'203.0.113.33/32']",
         "dst ipv4 cidr 203.0.113.33/32"},
        {"[network-traffic:src_ref.value = '10.0.0.1' AND network-traffic:dst_ref.value = "
         "'10.0.0.2' AND network-traffic:src_port = 1234 AND network-traffic:dst_port = 80]",
         "src ipv4 10.0.0.1 & dst ipv4 10.0.0.2 & src port 1234 & dst port 80"},
        {"[network-traffic:dst_ref.value IN ('1.1.1.1', '2.2.2.2') AND "
         "network-traffic:dst_port IN (80, 443)]",
         "dst ipv4 1.1.1.1 & dst port 80 | dst ipv4 1.1.1.1 & dst port 443 | "
         "dst ipv4 2.2.2.2 & dst port 80 | dst ipv4 2.2.2.2 & dst port 443"},
        {"[(network-traffic:dst_ref.value = '1.1.1.1' OR network-traffic:dst_ref.value = "
         "'c2.example') AND network-traffic:dst_port = 443]",
         "dst ipv4 1.1.1.1 & dst port 443 | dst domain c2.example & dst port 443"},
        {"[file:name = 'x.exe' AND file:hashes.MD5 = 'AA']", "md5 aa"},
        /* five terms: the fifth (a port) is dropped, the key only gets broader */
        {"[network-traffic:src_ref.value = '10.0.0.1' AND network-traffic:dst_ref.value = "
         "'10.0.0.2' AND network-traffic:extensions.'x'.ja3 = 'aa' AND "
         "network-traffic:src_port = 1 AND network-traffic:dst_port = 2]",
         "src ipv4 10.0.0.1 & dst ipv4 10.0.0.2 & ja3 aa & src port 1"},
    };

    check(*state, cases, MK_ARRAY_LEN(cases));
}

/* Each side with keys proposes the indicator, so the verifier's history can
 * collect the observations of every side (FOLLOWEDBY, AND across observations). */
static void test_pattern_extract_and_of_observations_keys_every_indexable_side(void **state)
{
    static const struct xcase cases[] = {
        {"[ipv4-addr:value = '1.1.1.1'] AND [domain-name:value = 'a.example']",
         "ipv4 1.1.1.1 | domain a.example"},
        {"[domain-name:value = 'c2.example'] FOLLOWEDBY [url:value = 'http://c2.example/x']",
         "domain c2.example | url http://c2.example/x"},
        {"[file:name = 'x'] AND [domain-name:value = 'a.example']", "domain a.example"},
        {"[file:name = 'x'] FOLLOWEDBY [url:value = 'http://a/'] WITHIN 60 SECONDS",
         "url http://a/"},
        {"[file:name = 'x'] AND [file:size = 3]", ""},
        {"([file:name = 'x'] OR [url:value = 'http://a/']) AND [domain-name:value = 'd']",
         "domain d"},
    };

    check(*state, cases, MK_ARRAY_LEN(cases));
}

static void test_pattern_extract_no_keys_when_any_disjunct_is_unindexable(void **state)
{
    static const struct xcase cases[] = {
        {"[ipv4-addr:value = '1.1.1.1' OR file:name = 'x']", ""},
        {"[ipv4-addr:value = '1.1.1.1'] OR [file:name = 'x']", ""},
        {"[ipv4-addr:value = '1.1.1.1'] OR [network-traffic:dst_port = 443]", ""},
        {"[network-traffic:dst_port = 443]", ""},
        {"[network-traffic:dst_port = 443 AND network-traffic:src_port = 1]", ""},
        {"[network-traffic:dst_ref.type = 'ipv4-addr']", ""},
        {"[domain-name:value LIKE '%.example']", ""},
        {"[domain-name:value MATCHES 'example$']", ""},
        {"[EXISTS domain-name:value]", ""},
        {"[ipv4-addr:value IN ('1.1.1.1', 5)]", ""},
        {"[network-traffic:dst_port = '443' AND network-traffic:dst_ref.value = '1.1.1.1']",
         "dst ipv4 1.1.1.1"},
        {"[network-traffic:dst_port = 70000 AND network-traffic:dst_ref.value = '1.1.1.1']",
         "dst ipv4 1.1.1.1"},
        {"[domain-name:value = 'a' AND (domain-name:value = 'b' OR file:name = 'c')]", "domain a"},
    };

    check(*state, cases, MK_ARRAY_LEN(cases));
}

static void test_pattern_extract_negations_are_never_keys(void **state)
{
    static const struct xcase cases[] = {
        {"[ipv4-addr:value != '1.1.1.1']", ""},
        {"[ipv4-addr:value NOT = '1.1.1.1']", ""},
        {"[ipv4-addr:value NOT IN ('1.1.1.1')]", ""},
        {"[ipv4-addr:value NOT ISSUBSET '10.0.0.0/8']", ""},
        {"[NOT EXISTS ipv4-addr:value]", ""},
        {"[ipv4-addr:value != '1.1.1.1' AND ipv4-addr:value ISSUBSET '1.0.0.0/8']",
         "ipv4 cidr 1.0.0.0/8"},
    };

    check(*state, cases, MK_ARRAY_LEN(cases));
}

static void test_pattern_extract_large_sets(void **state)
{
    struct fixture *f = *state;
    size_t cap = 20000 * 20 + 64;
    char *s = calloc(1, cap);
    size_t n = (size_t)snprintf(s, cap, "[ipv4-addr:value IN (");
    const struct mk_stix_pattern *p = NULL;
    size_t calls = 0;

    for (int i = 0; i < 1000; i++) {
        n +=
            (size_t)snprintf(s + n, cap - n, "%s'10.0.%d.%d'", i > 0 ? ", " : "", i / 256, i % 256);
    }
    (void)snprintf(s + n, cap - n, ")]");
    assert_int_equal(mk_stix_pattern_parse(&f->arena, s, strlen(s), &p, &f->err), MK_OK);
    assert_int_equal(mk_stix_pattern_extract(p, collect_count, &calls), 1000);
    assert_int_equal(calls, 1000);
    /* past MAX_KEYS (16384) the pattern is evaluated on demand instead */
    n = (size_t)snprintf(s, cap, "[ipv4-addr:value IN (");
    for (int i = 0; i < 17000; i++) {
        n += (size_t)snprintf(s + n, cap - n, "%s'10.%d.%d.1'", i > 0 ? "," : "", i / 256, i % 256);
    }
    (void)snprintf(s + n, cap - n, ")]");
    assert_int_equal(mk_stix_pattern_parse(&f->arena, s, strlen(s), &p, &f->err), MK_OK);
    calls = 0;
    assert_int_equal(mk_stix_pattern_extract(p, collect_count, &calls), 0);
    assert_int_equal(calls, 0);
    (void)snprintf(s + n, cap - n, ") OR ipv4-addr:value = '1.1.1.1']");
    assert_int_equal(mk_stix_pattern_parse(&f->arena, s, strlen(s), &p, &f->err), MK_OK);
    assert_int_equal(mk_stix_pattern_extract(p, collect_count, &calls), 0);
    assert_int_equal(calls, 0);
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_pattern_extract_indexable_properties, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pattern_extract_one_key_per_disjunct, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pattern_extract_compound_key_for_and_on_one_object,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_pattern_extract_and_of_observations_keys_every_indexable_side, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_pattern_extract_no_keys_when_any_disjunct_is_unindexable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pattern_extract_negations_are_never_keys, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_pattern_extract_large_sets, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
