/* Unit tests of indicator normalisation (ioc_int.h): domains (case, trailing dot,
 * IDNA UTS #46), URLs (RFC 3986 section 6 and 5.2.4), addresses and prefixes,
 * hashes, type guessing and TLP names. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ioc/ioc_int.h"

static void domain_is(const char *in, const char *want)
{
    char out[MK_IOC_DOMAIN_MAX + 1];
    size_t n = 0;

    assert_int_equal(mk_ioc_norm_domain(in, strlen(in), out, sizeof(out), &n), MK_OK);
    assert_string_equal(out, want);
    assert_int_equal(n, strlen(want));
}

static enum mk_status domain_st(const char *in)
{
    char out[MK_IOC_DOMAIN_MAX + 1];
    size_t n;

    return mk_ioc_norm_domain(in, strlen(in), out, sizeof(out), &n);
}

static void test_domain_lower_cases_and_drops_trailing_dot(void **state)
{
    (void)state;
    domain_is("Evil.EXAMPLE.", "evil.example");
    domain_is("a-b_c.example", "a-b_c.example");
    domain_is("*.evil.example", "evil.example");
}

static void test_domain_u_labels_become_a_labels(void **state)
{
    (void)state;
    domain_is("例子.中国", "xn--fsqu00a.xn--fiqs8s");
    domain_is("xn--fsqu00a.xn--fiqs8s", "xn--fsqu00a.xn--fiqs8s");
    domain_is("例子.中国.", "xn--fsqu00a.xn--fiqs8s");
    /* non-transitional: sharp s stays (UTS #46), upper case folds */
    domain_is("FAß.de", "xn--fa-hia.de");
}

static void test_domain_rejects_empty_labels_and_bad_bytes(void **state)
{
    char long_label[80];

    (void)state;
    assert_int_equal(domain_st(""), MK_EINVAL);
    assert_int_equal(domain_st("."), MK_EINVAL);
    assert_int_equal(domain_st("a..b"), MK_EINVAL);
    assert_int_equal(domain_st(".a.b"), MK_EINVAL);
    assert_int_equal(domain_st("a b.example"), MK_EINVAL);
    assert_int_equal(domain_st("a/b.example"), MK_EINVAL);
    memset(long_label, 'a', 64);
    memcpy(long_label + 64, ".example", 9);
    assert_int_equal(domain_st(long_label), MK_EINVAL);
}

static void url_is(const char *in, const char *want)
{
    char out[MK_IOC_URL_MAX + 1];
    size_t n = 0;
    enum mk_status st = mk_ioc_norm_url(in, strlen(in), out, sizeof(out), &n);

    if (st != MK_OK) {
        fail_msg("%s: %s", in, mk_status_str(st));
    }
    assert_string_equal(out, want);
    assert_int_equal(n, strlen(want));
}

static void test_url_normalisation_table(void **state)
{
    static const char *const table[][2] = {
        {"HTTP://Evil.Example/Path", "evil.example/Path"}, /* scheme/host case, path kept */
        {"http://evil.example:80/a", "evil.example/a"},    /* default port */
        {"https://evil.example:443/a", "evil.example/a"},
        {"evil.example:8080/a", "evil.example:8080/a"},
        {"evil.example/%7Euser/%41", "evil.example/~user/A"}, /* unreserved decoded */
        {"evil.example/a%2fb%2F", "evil.example/a%2Fb%2F"},   /* reserved kept, hex upper */
        {"evil.example/a/./b/../c", "evil.example/a/c"},      /* RFC 3986 5.2.4 */
        {"evil.example/../../x", "evil.example/x"},
        {"evil.example/a/..", "evil.example/"},
        {"evil.example/a/%2E%2E/b", "evil.example/b"},
        {"evil.example/p?q=1#frag", "evil.example/p?q=1"}, /* fragment dropped */
        {"evil.example/p#frag", "evil.example/p"},
        {"evil.example/p?", "evil.example/p"},
        {"evil.example", "evil.example/"}, /* empty path */
        {"evil.example?x=1", "evil.example/?x=1"},
        {"http://user:pw@Evil.Example./x", "evil.example/x"},
        {"http://[2001:DB8::1]:8080/x", "[2001:db8::1]:8080/x"},
        {"http://103.75.190.28", "103.75.190.28/"},
        {"evil.example/a b", "evil.example/a%20b"},
        {"evil.example/%%34%zz", "evil.example/%254%25zz"}, /* stray '%' -> %25 */
        {"hxxp://evil.example/x", "evil.example/x"},
        {" evil.example/x ", "evil.example/x"},
        {"http://例子.中国/路", "xn--fsqu00a.xn--fiqs8s/%E8%B7%AF"},
        {"/gate.php?id=%7e1", "/gate.php?id=~1"}, /* a path on any host */
        {"/a/../b", "/b"},
    };

    (void)state;
    for (size_t i = 0; i < MK_ARRAY_LEN(table); i++) {
        url_is(table[i][0], table[i][1]);
    }
}

static void test_url_rejects_bad_hosts_and_ports(void **state)
{
    char out[64];
    size_t n;

    (void)state;
    assert_int_equal(mk_ioc_norm_url("a..b/x", 6, out, sizeof(out), &n), MK_EINVAL);
    assert_int_equal(mk_ioc_norm_url("evil.example:99999/", 19, out, sizeof(out), &n), MK_EINVAL);
    assert_int_equal(
        mk_ioc_norm_url("evil.example/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                        "aaaaaaaaaaaaaaaaa",
                        80, out, sizeof(out), &n),
        MK_ELIMIT);
}

static void request_is(const char *host, int port, const char *uri, const char *want)
{
    char out[MK_IOC_URL_MAX + 1];
    size_t n = 0;

    assert_int_equal(mk_ioc_norm_request(host, port, uri, out, sizeof(out), &n), MK_OK);
    assert_string_equal(out, want);
}

static void test_request_is_normalised_like_an_indicator(void **state)
{
    (void)state;
    request_is("Evil.Example", 80, "/a/../b?x=1", "evil.example/b?x=1");
    request_is("Evil.Example:8080", 0, "/x", "evil.example:8080/x");
    request_is("evil.example", 8080, "/x", "evil.example:8080/x");
    request_is("evil.example:8080", 80, "/x", "evil.example:8080/x"); /* Host's port wins */
    request_is("evil.example", 443, NULL, "evil.example/");
    request_is("ignored.example", 80, "http://Evil.Example/x", "evil.example/x");
}

static void ip_is(const char *in, enum mk_ioc_type type, const char *text)
{
    struct mk_ioc_ip ip;

    assert_int_equal(mk_ioc_parse_ip(in, strlen(in), &ip), MK_OK);
    assert_int_equal(ip.type, type);
    assert_string_equal(ip.text, text);
}

static void test_ip_prefixes_clear_host_bits_and_full_length_is_an_address(void **state)
{
    struct mk_ioc_ip ip;

    (void)state;
    ip_is("10.1.2.3/8", MK_IOC_CIDR4, "10.0.0.0/8");
    ip_is("192.0.2.7/32", MK_IOC_IPV4, "192.0.2.7");
    ip_is("2001:DB8::1/128", MK_IOC_IPV6, "2001:db8::1");
    ip_is("2001:db8:ffff::/32", MK_IOC_CIDR6, "2001:db8::/32");
    ip_is("::ffff:198.51.100.1", MK_IOC_IPV4, "198.51.100.1");
    ip_is("::ffff:198.51.100.0/120", MK_IOC_CIDR4, "198.51.100.0/24");
    ip_is("0.0.0.0/0", MK_IOC_CIDR4, "0.0.0.0/0");
    assert_int_equal(mk_ioc_parse_ip("10.0.0.0/8", 10, &ip), MK_OK);
    assert_int_equal(ip.bin_len, 5);
    assert_int_equal(ip.bin[0], 8);
    assert_int_equal(ip.bin[1], 10);
}

static void test_ip_port_forms(void **state)
{
    struct mk_ioc_ip ip;

    (void)state;
    ip_is("198.51.100.7:8080", MK_IOC_IP_PORT, "198.51.100.7:8080");
    ip_is("[2001:db8::7]:443", MK_IOC_IP_PORT, "[2001:db8::7]:443");
    assert_int_equal(mk_ioc_parse_ip("198.51.100.7:8080", 17, &ip), MK_OK);
    assert_int_equal(ip.bin_len, 6);
    assert_int_equal(ip.bin[4], 0x1f);
    assert_int_equal(ip.bin[5], 0x90);
}

static void test_ip_rejects_malformed(void **state)
{
    static const char *const bad[] = {"1.2.3.4/33", "01.2.3.4",     "1.2.3.4:0", "1.2.3.4:65536",
                                      "1.2.3",      "::1/129",      "1.2.3.4/",  "[::1]",
                                      "[::1]:",     "evil.example", "1.2.3.4/08"};
    struct mk_ioc_ip ip;

    (void)state;
    for (size_t i = 0; i < MK_ARRAY_LEN(bad); i++) {
        if (mk_ioc_parse_ip(bad[i], strlen(bad[i]), &ip) == MK_OK) {
            fail_msg("accepted %s", bad[i]);
        }
    }
}

static void test_hash_values_are_lower_cased_and_length_checked(void **state)
{
    char out[MK_IOC_VALUE_MAX + 1];
    size_t n;
    const char *md5 = "D41D8CD98F00B204E9800998ECF8427E";

    (void)state;
    assert_int_equal(mk_ioc_norm_value(MK_IOC_MD5, md5, 32, out, sizeof(out), &n), MK_OK);
    assert_string_equal(out, "d41d8cd98f00b204e9800998ecf8427e");
    assert_int_equal(mk_ioc_norm_value(MK_IOC_SHA1, md5, 32, out, sizeof(out), &n), MK_EINVAL);
    assert_int_equal(
        mk_ioc_norm_value(MK_IOC_MD5, "g41d8cd98f00b204e9800998ecf8427e", 32, out, sizeof(out), &n),
        MK_EINVAL);
    assert_int_equal(mk_ioc_norm_value(MK_IOC_EMAIL, "Bob@Evil.Example", 16, out, sizeof(out), &n),
                     MK_OK);
    assert_string_equal(out, "bob@evil.example");
}

static void test_guess_type(void **state)
{
    static const struct {
        const char *in;
        enum mk_ioc_type type;
    } table[] = {
        {"192.0.2.1", MK_IOC_IPV4},
        {"192.0.2.0/24", MK_IOC_CIDR4},
        {"192.0.2.1:80", MK_IOC_IP_PORT},
        {"2001:db8::1", MK_IOC_IPV6},
        {"2001:db8::/32", MK_IOC_CIDR6},
        {"d41d8cd98f00b204e9800998ecf8427e", MK_IOC_MD5},
        {"da39a3ee5e6b4b0d3255bfef95601890afd80709", MK_IOC_SHA1},
        {"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", MK_IOC_SHA256},
        {"t13d1516h2_8daaf6152771_b186095e22b6", MK_IOC_JA4},
        {"evil.example/x", MK_IOC_URL},
        {"http://evil.example", MK_IOC_URL},
        {"bob@evil.example", MK_IOC_EMAIL},
        {"evil.example", MK_IOC_DOMAIN},
    };
    enum mk_ioc_type t;

    (void)state;
    for (size_t i = 0; i < MK_ARRAY_LEN(table); i++) {
        assert_int_equal(mk_ioc_guess_type(table[i].in, strlen(table[i].in), &t), MK_OK);
        if (t != table[i].type) {
            fail_msg("%s: %s", table[i].in, mk_ioc_type_name(t));
        }
    }
    assert_int_equal(mk_ioc_guess_type("", 0, &t), MK_EINVAL);
    assert_int_equal(mk_ioc_guess_type("a b", 3, &t), MK_EINVAL);
}

static void test_tlp_names_parse_and_marking_ids(void **state)
{
    (void)state;
    assert_string_equal(mk_tlp_name(MK_TLP_AMBER_STRICT), "TLP:AMBER+STRICT");
    assert_string_equal(mk_tlp_name(MK_TLP_UNSET), "");
    assert_int_equal(mk_tlp_parse("TLP:AMBER+STRICT"), MK_TLP_AMBER_STRICT);
    assert_int_equal(mk_tlp_parse("amber+strict"), MK_TLP_AMBER_STRICT);
    assert_int_equal(mk_tlp_parse("white"), MK_TLP_CLEAR);
    assert_int_equal(mk_tlp_parse("tlp:green"), MK_TLP_GREEN);
    assert_int_equal(mk_tlp_parse("purple"), MK_TLP_UNSET);
    assert_int_equal(
        mk_tlp_from_marking_id("marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"),
        MK_TLP_CLEAR);
    assert_int_equal(
        mk_tlp_from_marking_id("marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"),
        MK_TLP_AMBER_STRICT);
    assert_int_equal(
        mk_tlp_from_marking_id("marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"),
        MK_TLP_RED);
    assert_int_equal(mk_tlp_from_marking_id("identity--e828b379-4e03-4974-9ac4-e53a884c97c1"),
                     MK_TLP_UNSET);
    assert_string_equal(mk_ioc_type_name(MK_IOC_CIDR6), "cidr6");
}

/* The hand-written IPv4 parser and formatter against libc's inet_pton and
 * inet_ntop (what they replaced): edge octets, leading zeros, wrong counts,
 * with a port and as a prefix. */
static void test_ipv4_text_matches_libc(void **state)
{
    static const char *const octets[] = {"0",   "00",   "01",  "1",   "9",   "10",  "99",
                                         "100", "199",  "200", "249", "250", "255", "256",
                                         "999", "1000", "",    "a",   "-1",  "+1",  "1 "};
    const size_t n_oct = MK_ARRAY_LEN(octets);
    uint64_t x = 88172645463325252ull;

    (void)state;
    for (int k = 0; k < 20000; k++) {
        char in[80];
        char want[64];
        char buf[INET_ADDRSTRLEN];
        uint8_t a[4];
        struct mk_ioc_ip ip;
        int parts;
        unsigned port;
        bool ok;
        size_t len = 0;

        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        parts = 3 + (int)(x % 3); /* 3, 4 or 5 parts */
        for (int i = 0; i < parts; i++) {
            len += (size_t)snprintf(in + len, sizeof(in) - len, "%s%s", i > 0 ? "." : "",
                                    octets[(x >> (8 + 5 * i)) % n_oct]);
        }
        in[len] = '\0';
        ok = inet_pton(AF_INET, in, a) == 1;
        if (ok) {
            assert_non_null(inet_ntop(AF_INET, a, buf, sizeof(buf)));
        }
        if (mk_ioc_parse_ip(in, len, &ip) == MK_OK) {
            assert_true(ok);
            assert_int_equal(ip.type, MK_IOC_IPV4);
            assert_string_equal(ip.text, buf);
            assert_memory_equal(ip.bin, a, 4);
        } else {
            assert_false(ok);
            continue;
        }
        port = (unsigned)(x >> 40) % 65535 + 1;
        (void)snprintf(want, sizeof(want), "%s:%u", buf, port);
        (void)snprintf(in + len, sizeof(in) - len, ":%u", port);
        assert_int_equal(mk_ioc_parse_ip(in, strlen(in), &ip), MK_OK);
        assert_int_equal(ip.type, MK_IOC_IP_PORT);
        assert_string_equal(ip.text, want);
        (void)snprintf(in + len, sizeof(in) - len, "/%u", port % 31 + 1);
        assert_int_equal(mk_ioc_parse_ip(in, strlen(in), &ip), MK_OK);
        assert_int_equal(ip.type, MK_IOC_CIDR4);
        assert_int_equal(ip.bin[0], port % 31 + 1);
        mk_ioc_mask(a, 4, port % 31 + 1);
        assert_non_null(inet_ntop(AF_INET, a, buf, sizeof(buf)));
        (void)snprintf(want, sizeof(want), "%s/%u", buf, port % 31 + 1);
        assert_string_equal(ip.text, want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_domain_lower_cases_and_drops_trailing_dot),
        cmocka_unit_test(test_ipv4_text_matches_libc),
        cmocka_unit_test(test_domain_u_labels_become_a_labels),
        cmocka_unit_test(test_domain_rejects_empty_labels_and_bad_bytes),
        cmocka_unit_test(test_url_normalisation_table),
        cmocka_unit_test(test_url_rejects_bad_hosts_and_ports),
        cmocka_unit_test(test_request_is_normalised_like_an_indicator),
        cmocka_unit_test(test_ip_prefixes_clear_host_bits_and_full_length_is_an_address),
        cmocka_unit_test(test_ip_port_forms),
        cmocka_unit_test(test_ip_rejects_malformed),
        cmocka_unit_test(test_hash_values_are_lower_cased_and_length_checked),
        cmocka_unit_test(test_guess_type),
        cmocka_unit_test(test_tlp_names_parse_and_marking_ids),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
