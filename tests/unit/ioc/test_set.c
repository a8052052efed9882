/* Unit tests of indicator sets: building (normalisation, public-suffix refusal,
 * duplicates, sids, memory) and every lookup (IP/CIDR/IP:port, domain parents,
 * URL, hashes), validity windows, the warning list, and the real Maltrail
 * trails when ../shared/data/trails is present. */
#include <arpa/inet.h>
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libpsl.h>

#include "ioc/ioc_int.h"

#define NOW 1700000000

static const struct mk_ioc_attrs src_a = {
    .source = "CERT-A", .feed = "a.txt", .tlp = MK_TLP_GREEN, .confidence = 80};
static const struct mk_ioc_attrs src_b = {
    .source = "CERT-B", .feed = "b.txt", .tlp = MK_TLP_AMBER, .confidence = 50};

static void add(struct mk_ioc_builder *b, enum mk_ioc_type t, const char *v,
                const struct mk_ioc_attrs *a)
{
    struct mk_error err;
    enum mk_status st = mk_ioc_builder_add(b, t, v, strlen(v), a != NULL ? a : &src_a, &err);

    if (st != MK_OK) {
        fail_msg("add %s: %s (%s)", v, mk_status_str(st), err.msg);
    }
}

static void addr_of(const char *text, uint8_t a[16])
{
    memset(a, 0, 16);
    if (strchr(text, ':') != NULL) {
        assert_int_equal(inet_pton(AF_INET6, text, a), 1);
    } else {
        a[10] = 0xff;
        a[11] = 0xff;
        assert_int_equal(inet_pton(AF_INET, text, a + 12), 1);
    }
}

static size_t ip_hits(const struct mk_ioc_set *s, const char *text, uint16_t port,
                      struct mk_ioc_hit *out, size_t max)
{
    uint8_t a[16];

    addr_of(text, a);
    return mk_ioc_match_ip(s, a, port, NOW, out, max, NULL);
}

static size_t dom_hits(const struct mk_ioc_set *s, const char *name, struct mk_ioc_hit *out)
{
    return mk_ioc_match_domain(s, name, strlen(name), NOW, out, 8, NULL);
}

static struct mk_ioc_set *build_basic(void)
{
    struct mk_ioc_builder *b = mk_ioc_builder_new(NOW);

    assert_non_null(b);
    add(b, MK_IOC_IPV4, "198.51.100.7", NULL);
    add(b, MK_IOC_IPV6, "2001:db8::bad", NULL);
    add(b, MK_IOC_IP_PORT, "203.0.113.9:8080", NULL);
    add(b, MK_IOC_CIDR4, "10.0.0.0/8", NULL);
    add(b, MK_IOC_CIDR4, "10.20.0.0/16", NULL);
    add(b, MK_IOC_CIDR4, "10.20.30.0/24", NULL);
    add(b, MK_IOC_CIDR4, "192.0.2.99/32", NULL);
    add(b, MK_IOC_CIDR6, "2001:db8:1::/48", NULL);
    add(b, MK_IOC_DOMAIN, "evil.example", NULL);
    add(b, MK_IOC_DOMAIN, "例子.中国", NULL);
    add(b, MK_IOC_URL, "http://Bad.Example/dl/x.exe", NULL);
    add(b, MK_IOC_MD5, "D41D8CD98F00B204E9800998ECF8427E", NULL);
    add(b, MK_IOC_JA3, "e7d705a3286e19ea42f587b344ee6865", NULL);
    return mk_ioc_builder_finish(b);
}

static void test_exact_ipv4_and_ipv6_hit_and_miss(void **state)
{
    struct mk_ioc_set *s = build_basic();
    struct mk_ioc_hit h[4];

    (void)state;
    assert_int_equal(ip_hits(s, "198.51.100.7", 0, h, 4), 1);
    assert_string_equal(h[0].value, "198.51.100.7");
    assert_int_equal(h[0].type, MK_IOC_IPV4);
    assert_string_equal(h[0].meta->source, "CERT-A");
    assert_int_equal(h[0].meta->tlp, MK_TLP_GREEN);
    assert_int_equal(h[0].confidence, 80);
    assert_null(h[0].pattern);
    assert_null(h[0].stix_id);
    assert_int_equal(ip_hits(s, "198.51.100.8", 0, h, 4), 0);
    assert_int_equal(ip_hits(s, "2001:db8::bad", 443, h, 4), 1);
    assert_string_equal(h[0].value, "2001:db8::bad");
    assert_int_equal(ip_hits(s, "2001:db8::bae", 0, h, 4), 0);
    mk_ioc_set_free(s);
}

static void test_ip_port_requires_the_port(void **state)
{
    struct mk_ioc_set *s = build_basic();
    struct mk_ioc_hit h[4];

    (void)state;
    assert_int_equal(ip_hits(s, "203.0.113.9", 8080, h, 4), 1);
    assert_int_equal(h[0].type, MK_IOC_IP_PORT);
    assert_string_equal(h[0].value, "203.0.113.9:8080");
    assert_int_equal(ip_hits(s, "203.0.113.9", 80, h, 4), 0);
    assert_int_equal(ip_hits(s, "203.0.113.9", 0, h, 4), 0);
    mk_ioc_set_free(s);
}

static void test_cidr_longest_prefix_wins(void **state)
{
    struct mk_ioc_set *s = build_basic();
    struct mk_ioc_hit h[4];

    (void)state;
    assert_int_equal(ip_hits(s, "10.20.30.40", 0, h, 4), 1);
    assert_string_equal(h[0].value, "10.20.30.0/24");
    assert_int_equal(ip_hits(s, "10.20.31.1", 0, h, 4), 1);
    assert_string_equal(h[0].value, "10.20.0.0/16");
    assert_int_equal(ip_hits(s, "10.99.0.1", 0, h, 4), 1);
    assert_string_equal(h[0].value, "10.0.0.0/8");
    assert_int_equal(ip_hits(s, "11.0.0.1", 0, h, 4), 0);
    assert_int_equal(ip_hits(s, "2001:db8:1:2::3", 0, h, 4), 1);
    assert_string_equal(h[0].value, "2001:db8:1::/48");
    assert_int_equal(ip_hits(s, "2001:db8:2::3", 0, h, 4), 0);
    mk_ioc_set_free(s);
}

static void test_cidr_32_is_an_exact_address(void **state)
{
    struct mk_ioc_set *s = build_basic();
    struct mk_ioc_hit h[4];

    (void)state;
    assert_int_equal(mk_ioc_set_count_type(s, MK_IOC_IPV4), 2);
    assert_int_equal(mk_ioc_set_count_type(s, MK_IOC_CIDR4), 3);
    assert_int_equal(ip_hits(s, "192.0.2.99", 0, h, 4), 1);
    assert_int_equal(h[0].type, MK_IOC_IPV4);
    assert_string_equal(h[0].value, "192.0.2.99");
    assert_int_equal(ip_hits(s, "192.0.2.98", 0, h, 4), 0);
    mk_ioc_set_free(s);
}

static void test_domain_matches_itself_and_names_below_it(void **state)
{
    struct mk_ioc_set *s = build_basic();
    struct mk_ioc_hit h[8];

    (void)state;
    assert_int_equal(dom_hits(s, "evil.example", h), 1);
    assert_string_equal(h[0].value, "evil.example");
    assert_int_equal(dom_hits(s, "a.b.evil.example", h), 1);
    assert_string_equal(h[0].value, "evil.example");
    assert_int_equal(dom_hits(s, "notevil.example", h), 0);
    assert_int_equal(dom_hits(s, "evil.example.com", h), 0);
    assert_int_equal(dom_hits(s, "example", h), 0);
    assert_int_equal(dom_hits(s, "vil.example", h), 0);
    mk_ioc_set_free(s);
}

static void test_domain_lookup_ignores_case_trailing_dot_and_idn_form(void **state)
{
    struct mk_ioc_set *s = build_basic();
    struct mk_ioc_hit h[8];

    (void)state;
    assert_int_equal(dom_hits(s, "WWW.Evil.Example.", h), 1);
    assert_int_equal(dom_hits(s, "xn--fsqu00a.xn--fiqs8s", h), 1);
    assert_string_equal(h[0].value, "xn--fsqu00a.xn--fiqs8s");
    assert_int_equal(dom_hits(s, "www.例子.中国", h), 1);
    assert_int_equal(dom_hits(s, "WWW.XN--FSQU00A.XN--FIQS8S.", h), 1);
    mk_ioc_set_free(s);
}

static void test_public_suffix_domains_are_refused(void **state)
{
    struct mk_ioc_builder *b = mk_ioc_builder_new(NOW);
    static const char *const suffixes[] = {"com.cn", "co.th", "CO.UK.", "com", "中国"};
    struct mk_error err;
    struct mk_ioc_set *s;

    (void)state;
    for (size_t i = 0; i < MK_ARRAY_LEN(suffixes); i++) {
        const char *d = suffixes[i];

        mk_error_clear(&err);
        assert_int_equal(mk_ioc_builder_add(b, MK_IOC_DOMAIN, d, strlen(d), &src_a, &err),
                         MK_ELIMIT);
        assert_non_null(strstr(err.msg, "public suffix"));
    }
    add(b, MK_IOC_DOMAIN, "evil.com.cn", NULL);
    s = mk_ioc_builder_finish(b);
    assert_int_equal(mk_ioc_set_count(s), 1);
    mk_ioc_set_free(s);
}

static void test_url_lookup_normalises_the_request(void **state)
{
    struct mk_ioc_set *s = build_basic();
    struct mk_ioc_hit h[4];

    (void)state;
    assert_int_equal(mk_ioc_match_url(s, "BAD.example", 80, "/dl/x.exe", NOW, h, 4, NULL), 1);
    assert_string_equal(h[0].value, "bad.example/dl/x.exe");
    assert_int_equal(mk_ioc_match_url(s, "bad.example:80", 0, "/a/../dl/%78.exe", NOW, h, 4, NULL),
                     1);
    /* an indicator without a query matches the request with one */
    assert_int_equal(mk_ioc_match_url(s, "bad.example", 80, "/dl/x.exe?id=7", NOW, h, 4, NULL), 1);
    assert_int_equal(mk_ioc_match_url(s, "bad.example", 8080, "/dl/x.exe", NOW, h, 4, NULL), 0);
    assert_int_equal(mk_ioc_match_url(s, "bad.example", 80, "/dl/X.exe", NOW, h, 4, NULL), 0);
    assert_int_equal(mk_ioc_match_url(s, "bad.example", 80, "/dl/x.exe/more", NOW, h, 4, NULL), 0);
    mk_ioc_set_free(s);
}

static void test_url_query_and_path_only_indicators(void **state)
{
    struct mk_ioc_builder *b = mk_ioc_builder_new(NOW);
    struct mk_ioc_set *s;
    struct mk_ioc_hit h[4];

    (void)state;
    add(b, MK_IOC_URL, "evil.example/gate.php?id=1", NULL);
    add(b, MK_IOC_URL, "/panel/login.php", NULL);
    s = mk_ioc_builder_finish(b);
    /* a path indicator matches on any host, with any query */
    assert_int_equal(mk_ioc_match_url(s, "a.example", 80, "/panel/login.php?x", NOW, h, 4, NULL),
                     1);
    assert_string_equal(h[0].value, "/panel/login.php");
    assert_int_equal(mk_ioc_match_url(s, "a.example", 80, "/panel/login.ph", NOW, h, 4, NULL), 0);
    assert_int_equal(mk_ioc_match_url(s, "evil.example", 80, "/gate.php?id=1", NOW, h, 4, NULL), 1);
    assert_int_equal(mk_ioc_match_url(s, "evil.example", 80, "/gate.php?id=2", NOW, h, 4, NULL), 0);
    assert_int_equal(mk_ioc_match_url(s, "evil.example", 80, "/gate.php", NOW, h, 4, NULL), 0);
    mk_ioc_set_free(s);
}

static void test_hash_lookup_ignores_case(void **state)
{
    struct mk_ioc_set *s = build_basic();
    struct mk_ioc_hit h[4];
    const char *md5 = "d41d8cd98f00b204e9800998ecf8427e";

    (void)state;
    assert_int_equal(mk_ioc_match_value(s, MK_IOC_MD5, md5, 32, NOW, h, 4, NULL), 1);
    assert_string_equal(h[0].value, md5);
    assert_int_equal(
        mk_ioc_match_value(s, MK_IOC_MD5, "D41D8CD98F00B204E9800998ECF8427E", 32, NOW, h, 4, NULL),
        1);
    /* same hex, other type: not the same indicator */
    assert_int_equal(mk_ioc_match_value(s, MK_IOC_JA3, md5, 32, NOW, h, 4, NULL), 0);
    assert_int_equal(
        mk_ioc_match_value(s, MK_IOC_JA3, "E7D705A3286E19EA42F587B344EE6865", 32, NOW, h, 4, NULL),
        1);
    mk_ioc_set_free(s);
}

static void test_duplicates_from_two_sources_are_both_returned(void **state)
{
    struct mk_ioc_builder *b = mk_ioc_builder_new(NOW);
    struct mk_ioc_set *s;
    struct mk_ioc_hit h[4];
    size_t n;

    (void)state;
    add(b, MK_IOC_DOMAIN, "evil.example", &src_a);
    add(b, MK_IOC_DOMAIN, "EVIL.example", &src_b);
    add(b, MK_IOC_DOMAIN, "evil.example.", &src_a); /* same source again: merged */
    add(b, MK_IOC_DOMAIN, "other.example", &src_a);
    s = mk_ioc_builder_finish(b);
    assert_int_equal(mk_ioc_set_count(s), 3);
    n = dom_hits(s, "x.evil.example", h);
    assert_int_equal(n, 2);
    assert_string_not_equal(h[0].meta->source, h[1].meta->source);
    assert_true(h[0].sid != h[1].sid);
    assert_ptr_equal(h[0].value, h[1].value); /* the key is stored once */
    mk_ioc_set_free(s);
}

static void test_validity_windows(void **state)
{
    struct mk_ioc_builder *b = mk_ioc_builder_new(NOW);
    struct mk_ioc_attrs later = src_a;
    struct mk_ioc_attrs until = src_a;
    struct mk_ioc_attrs expired = src_a;
    struct mk_ioc_attrs revoked = src_a;
    struct mk_ioc_set *s;
    struct mk_ioc_hit h[4];

    (void)state;
    later.valid_from = NOW + 100;
    until.valid_until = NOW + 100;
    expired.valid_until = NOW - 1;
    revoked.revoked = true;
    add(b, MK_IOC_DOMAIN, "later.example", &later);
    add(b, MK_IOC_DOMAIN, "until.example", &until);
    add(b, MK_IOC_DOMAIN, "expired.example", &expired);
    add(b, MK_IOC_DOMAIN, "revoked.example", &revoked);
    add(b, MK_IOC_CIDR4, "10.0.0.0/8", NULL);
    add(b, MK_IOC_CIDR4, "10.1.0.0/16", &until);
    s = mk_ioc_builder_finish(b);
    assert_int_equal(mk_ioc_set_count(s), 4); /* expired and revoked are not added */
    assert_int_equal(mk_ioc_match_domain(s, "later.example", 13, NOW, h, 4, NULL), 0);
    assert_int_equal(mk_ioc_match_domain(s, "later.example", 13, NOW + 100, h, 4, NULL), 1);
    assert_int_equal(h[0].valid_from, NOW + 100);
    assert_int_equal(mk_ioc_match_domain(s, "until.example", 13, NOW + 99, h, 4, NULL), 1);
    assert_int_equal(mk_ioc_match_domain(s, "until.example", 13, NOW + 100, h, 4, NULL), 0);
    assert_int_equal(mk_ioc_match_domain(s, "expired.example", 15, NOW, h, 4, NULL), 0);
    assert_int_equal(mk_ioc_match_domain(s, "revoked.example", 15, NOW, h, 4, NULL), 0);
    /* an expired longer prefix falls back to the shorter one */
    {
        uint8_t a[16];

        addr_of("10.1.2.3", a);
        assert_int_equal(mk_ioc_match_ip(s, a, 0, NOW, h, 4, NULL), 1);
        assert_string_equal(h[0].value, "10.1.0.0/16");
        assert_int_equal(mk_ioc_match_ip(s, a, 0, NOW + 200, h, 4, NULL), 1);
        assert_string_equal(h[0].value, "10.0.0.0/8");
    }
    mk_ioc_set_free(s);
}

static void test_warning_list_suppresses_and_counts(void **state)
{
    struct mk_ioc_builder *b = mk_ioc_builder_new(NOW);
    struct mk_ioc_set *s;
    struct mk_ioc_hit h[4];
    uint64_t suppressed = 0;
    uint8_t a[16];

    (void)state;
    assert_int_equal(mk_ioc_builder_add_default_warnings(b), MK_OK);
    assert_int_equal(mk_ioc_builder_add_warning(b, MK_IOC_DOMAIN, "google.com", 10, NULL), MK_OK);
    add(b, MK_IOC_CIDR4, "10.0.0.0/8", NULL);
    add(b, MK_IOC_IPV4, "203.0.113.5", NULL);
    add(b, MK_IOC_DOMAIN, "mail.google.com", NULL);
    add(b, MK_IOC_DOMAIN, "evil.example", NULL);
    add(b, MK_IOC_URL, "docs.google.com/x", NULL);
    s = mk_ioc_builder_finish(b);
    assert_int_equal(mk_ioc_set_count(s), 5);
    addr_of("10.1.2.3", a);
    assert_int_equal(mk_ioc_match_ip(s, a, 0, NOW, h, 4, &suppressed), 0);
    assert_int_equal(suppressed, 1);
    addr_of("203.0.113.5", a); /* documentation range: not on the default list */
    assert_int_equal(mk_ioc_match_ip(s, a, 0, NOW, h, 4, &suppressed), 1);
    assert_int_equal(mk_ioc_match_domain(s, "a.mail.google.com", 17, NOW, h, 4, &suppressed), 0);
    assert_int_equal(suppressed, 2);
    assert_int_equal(mk_ioc_match_url(s, "docs.google.com", 443, "/x", NOW, h, 4, &suppressed), 0);
    assert_int_equal(suppressed, 3);
    assert_int_equal(mk_ioc_match_domain(s, "evil.example", 12, NOW, h, 4, &suppressed), 1);
    /* a miss is not a suppression */
    addr_of("192.168.1.1", a);
    assert_int_equal(mk_ioc_match_ip(s, a, 0, NOW, h, 4, &suppressed), 0);
    assert_int_equal(suppressed, 3);
    mk_ioc_set_free(s);
}

/* ---- sids -------------------------------------------------------------------------- */

static const char *const sid_values[] = {
    "evil.example", "198.51.100.1", "10.0.0.0/8",   "bad.example/x",
    "192.0.2.1:81", "c2.example",   "evil.example", "d41d8cd98f00b204e9800998ecf8427e"};

static struct mk_ioc_set *build_order(bool reversed)
{
    struct mk_ioc_builder *b = mk_ioc_builder_new(NOW);
    size_t n = MK_ARRAY_LEN(sid_values);

    for (size_t k = 0; k < n; k++) {
        size_t i = reversed ? n - 1 - k : k;
        enum mk_ioc_type t;

        assert_int_equal(mk_ioc_guess_type(sid_values[i], strlen(sid_values[i]), &t), MK_OK);
        /* the two "evil.example" differ by source: two indicators, one key */
        add(b, t, sid_values[i], i == 6 ? &src_b : &src_a);
    }
    return mk_ioc_builder_finish(b);
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a;
    uint32_t y = *(const uint32_t *)b;

    return x < y ? -1 : x > y;
}

static void sids_of(const struct mk_ioc_set *s, uint32_t *out, const char **src)
{
    for (size_t i = 0; i < s->main.n_entries; i++) {
        out[i] = s->main.entries[i].sid;
        src[i] = s->metas[s->main.entries[i].meta].source;
    }
}

static void test_sids_do_not_depend_on_load_order(void **state)
{
    struct mk_ioc_set *a = build_order(false);
    struct mk_ioc_set *b = build_order(true);
    struct mk_ioc_hit ha[4];
    struct mk_ioc_hit hb[4];
    uint32_t sa[8];
    uint32_t sb[8];
    const char *srca[8];
    const char *srcb[8];
    size_t na;

    (void)state;
    assert_int_equal(mk_ioc_set_count(a), MK_ARRAY_LEN(sid_values));
    sids_of(a, sa, srca);
    sids_of(b, sb, srcb);
    qsort(sa, MK_ARRAY_LEN(sid_values), sizeof(sa[0]), cmp_u32);
    qsort(sb, MK_ARRAY_LEN(sid_values), sizeof(sb[0]), cmp_u32);
    assert_memory_equal(sa, sb, sizeof(sa));
    for (size_t i = 0; i < MK_ARRAY_LEN(sid_values); i++) {
        assert_true(sa[i] >= MK_IOC_SID_BASE);
        assert_true(i == 0 || sa[i] != sa[i - 1]);
    }
    na = dom_hits(a, "evil.example", ha);
    assert_int_equal(na, 2);
    assert_int_equal(dom_hits(b, "evil.example", hb), 2);
    for (size_t i = 0; i < na; i++) {
        for (size_t j = 0; j < na; j++) {
            if (strcmp(ha[i].meta->source, hb[j].meta->source) == 0) {
                assert_int_equal(ha[i].sid, hb[j].sid);
            }
        }
    }
    mk_ioc_set_free(a);
    mk_ioc_set_free(b);
}

static void test_stix_id_name_and_pattern_are_kept(void **state)
{
    struct mk_ioc_builder *b = mk_ioc_builder_new(NOW);
    struct mk_ioc_attrs a = src_a;
    struct mk_ioc_set *s;
    struct mk_ioc_hit h[2];

    (void)state;
    a.stix_id = "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f";
    a.name = "C2 of a botnet";
    a.pattern = "[domain-name:value = 'c2.example'] AND [ipv4-addr:value = '198.51.100.1']";
    add(b, MK_IOC_DOMAIN, "c2.example", &a);
    s = mk_ioc_builder_finish(b);
    assert_int_equal(dom_hits(s, "c2.example", h), 1);
    assert_string_equal(h[0].stix_id, a.stix_id);
    assert_string_equal(h[0].name, a.name);
    assert_string_equal(h[0].pattern, a.pattern);
    mk_ioc_set_free(s);
}

static void test_memory_accounts_for_every_table(void **state)
{
    struct mk_ioc_builder *b = mk_ioc_builder_new(NOW);
    struct mk_ioc_set *s;
    char name[64];
    size_t mem;

    (void)state;
    for (int i = 0; i < 10000; i++) {
        (void)snprintf(name, sizeof(name), "host%d.evil%d.example", i, i % 97);
        add(b, MK_IOC_DOMAIN, name, NULL);
    }
    s = mk_ioc_builder_finish(b);
    mem = mk_ioc_set_memory(s);
    assert_int_equal(mk_ioc_set_count(s), 10000);
    assert_int_equal(mk_ioc_set_count_type(s, MK_IOC_DOMAIN), 10000);
    /* entries (20) + slots (4 per slot at load >= 0.35) + keys (~23): 40..64 */
    assert_true(mem >= 10000 * (sizeof(struct mk_ioc_entry) + 4 + 20));
    assert_true(mem <= 10000 * 64);
    /* the Bloom filter in front of the slots is counted too */
    assert_non_null(s->main.bloom);
    assert_true(mem >= s->main.n_entries * sizeof(struct mk_ioc_entry) +
                           ((size_t)s->main.mask + 1) * 4 + ((size_t)s->main.bloom_mask + 1) * 8 +
                           s->arena_len);
    assert_int_equal(mk_ioc_set_memory(NULL), 0);
    assert_int_equal(mk_ioc_set_count(NULL), 0);
    mk_ioc_set_free(s);
}

static void test_empty_set_and_bad_input_miss(void **state)
{
    struct mk_ioc_set *s = mk_ioc_builder_finish(mk_ioc_builder_new(NOW));
    struct mk_ioc_hit h[1];
    struct mk_ioc_builder *b = mk_ioc_builder_new(NOW);
    struct mk_error err;

    (void)state;
    assert_non_null(s);
    assert_int_equal(mk_ioc_set_count(s), 0);
    assert_int_equal(dom_hits(s, "evil.example", h), 0);
    assert_int_equal(ip_hits(s, "10.0.0.1", 80, h, 1), 0);
    assert_int_equal(mk_ioc_match_url(s, "a", 80, "/", NOW, h, 1, NULL), 0);
    mk_ioc_set_free(s);
    assert_int_equal(mk_ioc_builder_add(b, MK_IOC_IPV4, "1.2.3", 5, NULL, &err), MK_EINVAL);
    assert_int_equal(mk_ioc_builder_add(b, MK_IOC_SHA256, "abc", 3, NULL, &err), MK_EINVAL);
    assert_int_equal(mk_ioc_builder_add(b, MK_IOC_TYPE_COUNT, "abc", 3, NULL, &err), MK_EINVAL);
    mk_ioc_builder_free(b);
    mk_ioc_set_free(NULL);
}

/* ---- the real Maltrail trails ----------------------------------------------------------- */

/* ../shared/data/trails next to the repository, or $MK_TRAILS */
#define TRAILS MK_TEST_DATA "/../../../shared/data/trails/malware"

/* A tiny local reader (the real one is mk_ioc_load_list): value up to the first
 * blank or '#', type guessed. Returns the number of values added. */
static size_t load_trail(struct mk_ioc_builder *b, const char *path, const char *feed)
{
    FILE *f = fopen(path, "r");
    char line[4096];
    struct mk_ioc_attrs a = {.source = "maltrail", .feed = feed, .confidence = 70};
    size_t added = 0;

    assert_non_null(f);
    while (fgets(line, sizeof(line), f) != NULL) {
        size_t n = strcspn(line, " \t\r\n#");
        enum mk_ioc_type t;
        struct mk_error err;

        if (n == 0 || mk_ioc_guess_type(line, n, &t) != MK_OK) {
            continue;
        }
        if (mk_ioc_builder_add(b, t, line, n, &a, &err) == MK_OK) {
            added++;
        }
    }
    (void)fclose(f);
    return added;
}

static void test_real_trails_load_and_match(void **state)
{
    struct mk_ioc_builder *b;
    struct mk_ioc_set *s;
    struct mk_ioc_hit h[4];
    const char *dir = getenv("MK_TRAILS") != NULL ? getenv("MK_TRAILS") : TRAILS;
    DIR *d = opendir(dir);
    const struct dirent *de;
    char path[512];
    size_t added = 0;
    size_t files = 0;
    uint8_t a[16];

    (void)state;
    if (d == NULL) {
        skip();
    }
    b = mk_ioc_builder_new(NOW);
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.') {
            continue;
        }
        (void)snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
        added += load_trail(b, path, de->d_name);
        files++;
    }
    (void)closedir(d);
    s = mk_ioc_builder_finish(b);
    assert_non_null(s);
    print_message("trails: %zu files, %zu added, %zu indicators, %zu bytes (%.1f B/indicator)\n",
                  files, added, mk_ioc_set_count(s), mk_ioc_set_memory(s),
                  (double)mk_ioc_set_memory(s) / (double)mk_ioc_set_count(s));
    assert_true(mk_ioc_set_count(s) > 100000);
    /* apt_27.txt: bbs.sonypsps.com, http://139.180.208.225/ajax */
    assert_true(dom_hits(s, "BBS.sonypsps.com.", h) >= 1);
    assert_true(dom_hits(s, "x.bbs.sonypsps.com", h) >= 1);
    assert_int_equal(dom_hits(s, "xbbs.sonypsps.com", h), 0);
    assert_true(mk_ioc_match_url(s, "139.180.208.225", 80, "/ajax", NOW, h, 4, NULL) >= 1);
    /* android_bankbot.txt: 185.220.103.7:443 */
    addr_of("185.220.103.7", a);
    assert_true(mk_ioc_match_ip(s, a, 443, NOW, h, 4, NULL) >= 1);
    assert_int_equal(h[0].type, MK_IOC_IP_PORT);
    assert_int_equal(mk_ioc_match_ip(s, a, 444, NOW, h, 4, NULL), 0);
    assert_int_equal(dom_hits(s, "www.wikipedia.org", h), 0);
    mk_ioc_set_free(s);
}

/* The public-suffix filter (builder.c) only skips names libpsl would accept:
 * for every rule of libpsl's list, the rule itself, its parent, names below it,
 * wildcard children and exceptions get libpsl's own verdict. */
static void check_psl(struct mk_ioc_builder *b, const char *name, size_t *n)
{
    char canon[MK_IOC_DOMAIN_MAX + 1];
    size_t len;
    bool want;

    if (mk_ioc_norm_domain(name, strlen(name), canon, sizeof(canon), &len) != MK_OK) {
        return;
    }
    want = psl_is_public_suffix2(psl_builtin(), canon, PSL_TYPE_ANY) != 0;
    if (mk_ioc_builder_is_public_suffix(b, canon, len) != want) {
        fail_msg("%s: filter says %d, libpsl %d", canon, !want, want);
    }
    (*n)++;
}

static void test_public_suffix_filter_agrees_with_libpsl(void **state)
{
    struct mk_ioc_builder *b = mk_ioc_builder_new(NOW);
    const char *path = psl_builtin_filename();
    FILE *f = path != NULL ? fopen(path, "r") : NULL;
    static const char *const extra[] = {
        "com",        "example.com",       "x.example.com",    "www.ck",
        "x.ck",       "a.b.c.kawasaki.jp", "city.kawasaki.jp", "xn--p1ai",
        "x.xn--p1ai", "a.xn--80ao21a",     "xn--fiqs8s"};
    char line[512];
    char name[600];
    size_t checked = 0;

    (void)state;
    assert_non_null(b);
    b->psl_lazy = 0; /* build the filter on the first name */
    for (size_t i = 0; i < MK_ARRAY_LEN(extra); i++) {
        check_psl(b, extra[i], &checked);
    }
    if (f == NULL) {
        print_message("libpsl list %s not readable: filter not built, libpsl alone\n",
                      path != NULL ? path : "(none)");
        assert_false(b->pslf.ready);
        mk_ioc_builder_free(b);
        return;
    }
    assert_true(b->pslf.ready); /* this machine's list is libpsl's builtin one */
    while (fgets(line, sizeof(line), f) != NULL) {
        char *r = line + strspn(line, " \t");
        const char *parent;

        r[strcspn(r, " \t\r\n")] = '\0';
        if (r[0] == '\0' || strncmp(r, "//", 2) == 0) {
            continue;
        }
        r += r[0] == '!';
        if (strncmp(r, "*.", 2) == 0) {
            r += 2;
            (void)snprintf(name, sizeof(name), "w.%s", r);
            check_psl(b, name, &checked);
            (void)snprintf(name, sizeof(name), "x.w.%s", r);
            check_psl(b, name, &checked);
        }
        check_psl(b, r, &checked);
        (void)snprintf(name, sizeof(name), "x.%s", r);
        check_psl(b, name, &checked);
        (void)snprintf(name, sizeof(name), "x.y-z.%s", r);
        check_psl(b, name, &checked);
        parent = strchr(r, '.');
        if (parent != NULL) {
            check_psl(b, parent + 1, &checked);
        }
    }
    (void)fclose(f);
    assert_true(checked > 30000);
    mk_ioc_builder_free(b);
}

/* Many keys (several radix passes, Bloom filter in front of the slots), some
 * from two sources: every value is found, sids do not depend on the order. */
static void test_large_set_sorts_and_filters_like_a_small_one(void **state)
{
    enum { N = 20000 };
    struct mk_ioc_set *s[2];
    struct mk_ioc_hit h[4];
    char name[64];

    (void)state;
    for (int pass = 0; pass < 2; pass++) {
        struct mk_ioc_builder *b = mk_ioc_builder_new(NOW);

        for (int k = 0; k < N; k++) {
            int i = pass == 0 ? k : N - 1 - k;

            (void)snprintf(name, sizeof(name), "n%d.big%d.example", i, i % 89);
            add(b, MK_IOC_DOMAIN, name, i % 7 == 0 && pass == 1 ? &src_b : &src_a);
            if (i % 7 == 0) {
                add(b, MK_IOC_DOMAIN, name, pass == 1 ? &src_a : &src_b);
            }
        }
        s[pass] = mk_ioc_builder_finish(b);
        assert_non_null(s[pass]);
        assert_non_null(s[pass]->main.bloom);
    }
    for (int i = 0; i < N; i++) {
        size_t n0;
        size_t n1;

        (void)snprintf(name, sizeof(name), "a.n%d.big%d.example", i, i % 89);
        n0 = mk_ioc_match_domain(s[0], name, strlen(name), NOW, h, 2, NULL);
        n1 = mk_ioc_match_domain(s[1], name, strlen(name), NOW, h + 2, 2, NULL);
        assert_int_equal(n0, i % 7 == 0 ? 2 : 1);
        assert_int_equal(n1, n0);
        for (size_t j = 0; j < n0; j++) { /* same (source, sid) pairs, in any order */
            size_t same = strcmp(h[j].meta->source, h[2].meta->source) == 0 ? 2 : 3;

            assert_string_equal(h[j].meta->source, h[same].meta->source);
            assert_int_equal(h[j].sid, h[same].sid);
        }
        (void)snprintf(name, sizeof(name), "n%d.big%d.example", i, (i + 1) % 89);
        assert_int_equal(mk_ioc_match_domain(s[0], name, strlen(name), NOW, h, 2, NULL), 0);
    }
    mk_ioc_set_free(s[0]);
    mk_ioc_set_free(s[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_ipv4_and_ipv6_hit_and_miss),
        cmocka_unit_test(test_ip_port_requires_the_port),
        cmocka_unit_test(test_cidr_longest_prefix_wins),
        cmocka_unit_test(test_cidr_32_is_an_exact_address),
        cmocka_unit_test(test_domain_matches_itself_and_names_below_it),
        cmocka_unit_test(test_domain_lookup_ignores_case_trailing_dot_and_idn_form),
        cmocka_unit_test(test_public_suffix_domains_are_refused),
        cmocka_unit_test(test_url_lookup_normalises_the_request),
        cmocka_unit_test(test_url_query_and_path_only_indicators),
        cmocka_unit_test(test_hash_lookup_ignores_case),
        cmocka_unit_test(test_duplicates_from_two_sources_are_both_returned),
        cmocka_unit_test(test_validity_windows),
        cmocka_unit_test(test_warning_list_suppresses_and_counts),
        cmocka_unit_test(test_sids_do_not_depend_on_load_order),
        cmocka_unit_test(test_stix_id_name_and_pattern_are_kept),
        cmocka_unit_test(test_memory_accounts_for_every_table),
        cmocka_unit_test(test_empty_set_and_bad_input_miss),
        cmocka_unit_test(test_real_trails_load_and_match),
        cmocka_unit_test(test_public_suffix_filter_agrees_with_libpsl),
        cmocka_unit_test(test_large_set_sorts_and_filters_like_a_small_one),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
