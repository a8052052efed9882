/* The indicator loaders: plain lists, Maltrail trails (own samples and, when
 * present, real trails from ../shared/data/trails), CSV with a column map, and
 * STIX bundles (markings, identities, revoked/expired, compound keys). */
#include <arpa/inet.h>
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "ioc/ioc.h"

#define TRAILS "/work/shared/data/trails/malware"

static const char *data(const char *name)
{
    static char path[512];

    (void)snprintf(path, sizeof(path), "%s/ioc/%s", MK_TEST_DATA, name);
    return path;
}

static const uint8_t *ip(const char *text)
{
    static uint8_t a[4][16];
    static int k;
    uint8_t *p = a[k++ % 4];

    memset(p, 0, 16);
    if (strchr(text, ':') != NULL) {
        assert_int_equal(inet_pton(AF_INET6, text, p), 1);
    } else {
        p[10] = p[11] = 0xff;
        assert_int_equal(inet_pton(AF_INET, text, p + 12), 1);
    }
    return p;
}

struct loaded {
    struct mk_ioc_set *set;
    struct mk_ioc_load_stats st;
    struct mk_error err;
    enum mk_status rc;
};

static struct loaded load(enum mk_status (*fn)(struct mk_ioc_builder *, const char *,
                                               const struct mk_ioc_attrs *,
                                               struct mk_ioc_load_stats *, struct mk_error *),
                          const char *path)
{
    struct loaded l;
    struct mk_ioc_builder *b = mk_ioc_builder_new((int64_t)time(NULL));

    memset(&l, 0, sizeof(l));
    assert_non_null(b);
    l.rc = fn(b, path, NULL, &l.st, &l.err);
    l.set = mk_ioc_builder_finish(b);
    assert_non_null(l.set);
    return l;
}

static size_t dom(const struct loaded *l, const char *name, struct mk_ioc_hit *h)
{
    uint64_t sup = 0;

    return mk_ioc_match_domain(l->set, name, strlen(name), (int64_t)time(NULL), h, 4, &sup);
}

static size_t addr(const struct loaded *l, const char *a, uint16_t port, struct mk_ioc_hit *h)
{
    uint64_t sup = 0;

    return mk_ioc_match_ip(l->set, ip(a), port, (int64_t)time(NULL), h, 4, &sup);
}

static void test_list_plain_values_typed_and_invalid_counted(void **state)
{
    struct loaded l = load(mk_ioc_load_list, data("plain.txt"));
    struct mk_ioc_hit h[4];
    uint64_t sup = 0;

    (void)state;
    assert_int_equal(l.rc, MK_OK);
    assert_int_equal(l.st.added, 15);
    assert_int_equal(l.st.invalid, 1);                   /* "not a value!" */
    assert_int_equal(l.st.public_suffix, 1);             /* com.cn */
    assert_int_equal(addr(&l, "198.51.100.7", 0, h), 2); /* the address and the /24 */
    assert_string_equal(h[0].meta->feed, "plain.txt");
    assert_null(h[0].pattern);
    assert_int_equal(addr(&l, "198.51.100.200", 0, h), 1);  /* the /24 */
    assert_int_equal(addr(&l, "198.51.100.8", 8080, h), 2); /* ip:port and the /24 */
    assert_int_equal(addr(&l, "198.51.100.8", 80, h), 1);   /* only the /24 */
    assert_int_equal(h[0].type, MK_IOC_CIDR4);
    assert_int_equal(addr(&l, "2001:db8:1:2::3", 0, h), 1);
    assert_int_equal(dom(&l, "a.b.evil.example", h), 1);
    assert_int_equal(dom(&l, "notevil.example", h), 0);
    assert_int_equal(dom(&l, "xn--fsqu00a.xn--fiqs8s", h), 1); /* 例子.中国 */
    assert_int_equal(dom(&l, "indented.example", h), 1);
    assert_int_equal(dom(&l, "crlf.example", h), 1);
    assert_int_equal(mk_ioc_match_value(l.set, MK_IOC_SHA256,
                                        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b"
                                        "7852b855",
                                        64, (int64_t)time(NULL), h, 4, &sup),
                     1);
    assert_int_equal(mk_ioc_set_count_type(l.set, MK_IOC_JA4), 1);
    assert_int_equal(mk_ioc_set_count_type(l.set, MK_IOC_URL), 2);
    mk_ioc_set_free(l.set);
}

static void test_list_maltrail_header_names_feed_and_source(void **state)
{
    struct loaded l = load(mk_ioc_load_list, data("trails/malware/testfam.txt"));
    struct mk_ioc_hit h[4];

    (void)state;
    assert_int_equal(l.rc, MK_OK);
    assert_int_equal(l.st.added, 9); /* the path trail too: a URL on any host */
    assert_int_equal(l.st.invalid, 0);
    assert_int_equal(dom(&l, "x.onedrive-sample.example", h), 1);
    assert_string_equal(h[0].meta->feed, "maltrail:testfam");
    assert_string_equal(h[0].meta->source, "https://example.org/report/1");
    assert_string_equal(h[0].meta->labels, "malware");
    assert_string_equal(h[0].name, "testfam");
    /* "http://203.0.113.5" is a host trail, as in Maltrail */
    assert_int_equal(addr(&l, "203.0.113.5", 0, h), 1);
    assert_int_equal(addr(&l, "203.0.113.9", 443, h), 1);
    assert_int_equal(addr(&l, "203.0.113.9", 80, h), 0);
    assert_int_equal(dom(&l, "bad-sample.example", h), 1);
    assert_int_equal(dom(&l, "cdn.sample.example", h), 1); /* port dropped */
    assert_int_equal(dom(&l, "xn--80af4bcj.online", h), 1);
    assert_int_equal(dom(&l, "гусар.online", h), 1);
    assert_int_equal(mk_ioc_set_count_type(l.set, MK_IOC_URL), 2); /* one is a path trail */
    assert_int_equal(mk_ioc_match_url(l.set, "any.host.example", 80, "/only/a/path.apk",
                                      (int64_t)time(NULL), h, 4, NULL),
                     1);
    mk_ioc_set_free(l.set);
}

static void test_list_overlong_line_is_invalid(void **state)
{
    char path[] = "/tmp/mk_ioc_long_XXXXXX";
    int fd = mkstemp(path);
    FILE *f = fdopen(fd, "w");
    struct loaded l;

    (void)state;
    assert_non_null(f);
    (void)fputs("first.example\n", f);
    for (int i = 0; i < 70000; i++) {
        (void)fputc('a', f);
    }
    (void)fputs("\nlast.example", f); /* no final newline */
    assert_int_equal(fclose(f), 0);
    l = load(mk_ioc_load_list, path);
    assert_int_equal(l.rc, MK_OK);
    assert_int_equal(l.st.added, 2);
    assert_int_equal(l.st.invalid, 1);
    mk_ioc_set_free(l.set);
    (void)remove(path);
}

static void test_list_missing_file_is_eio(void **state)
{
    struct loaded l = load(mk_ioc_load_list, "/nonexistent/list.txt");

    (void)state;
    assert_int_equal(l.rc, MK_EIO);
    assert_non_null(strstr(l.err.msg, "/nonexistent/list.txt"));
    mk_ioc_set_free(l.set);
}

/* Counts the value lines of a trail file and those that are path-only. */
static void count_trail(const char *path, uint64_t *values, uint64_t *paths)
{
    char line[70000];
    FILE *f = fopen(path, "r");

    assert_non_null(f);
    while (fgets(line, sizeof(line), f) != NULL) {
        char *p = line;
        char *hash;

        while (*p == ' ' || *p == '\t') {
            p++;
        }
        if (*p == '#' || strspn(p, " \t\r\n") == strlen(p)) {
            continue;
        }
        hash = strstr(p, " #");
        if (hash != NULL && hash == p) {
            continue;
        }
        (*values)++;
        *paths += *p == '/';
    }
    (void)fclose(f);
}

static void test_list_real_maltrail_trails(void **state)
{
    static const char *const files[] = {"amadey.txt", "apt_27.txt",     "badiis.txt",
                                        "brbbot.txt", "casbaneiro.txt", "dircrypt.txt"};
    char path[512];
    DIR *d = opendir(TRAILS);

    (void)state;
    if (d == NULL) {
        skip();
    }
    (void)closedir(d);
    for (size_t i = 0; i < MK_ARRAY_LEN(files); i++) {
        struct loaded l;
        uint64_t values = 0;
        uint64_t paths = 0;

        (void)snprintf(path, sizeof(path), "%s/%s", TRAILS, files[i]);
        if (access(path, R_OK) != 0) {
            continue;
        }
        count_trail(path, &values, &paths);
        l = load(mk_ioc_load_list, path);
        print_message("%s: %llu values, added %llu, invalid %llu (path-only %llu), public "
                      "suffix %llu\n",
                      files[i], (unsigned long long)values, (unsigned long long)l.st.added,
                      (unsigned long long)l.st.invalid, (unsigned long long)paths,
                      (unsigned long long)l.st.public_suffix);
        assert_int_equal(l.rc, MK_OK);
        /* path trails ("/gate.php", any host) are indexed: only the odd
         * regex-style or out-of-range lines may be invalid */
        assert_true(l.st.invalid * 1000 <= values);
        assert_true(paths == 0 || l.st.added >= paths);
        assert_int_equal(l.st.added + l.st.invalid + l.st.public_suffix, values);
        assert_true(l.st.added > 0);
        mk_ioc_set_free(l.set);
    }
}

/* ---- CSV --------------------------------------------------------------------- */

static struct loaded load_csv(const char *path, const char *map)
{
    struct loaded l;
    struct mk_ioc_builder *b = mk_ioc_builder_new((int64_t)time(NULL));

    memset(&l, 0, sizeof(l));
    assert_non_null(b);
    l.rc = mk_ioc_load_csv(b, path, map, NULL, &l.st, &l.err);
    l.set = mk_ioc_builder_finish(b);
    assert_non_null(l.set);
    return l;
}

static void test_csv_column_map_and_misp_types(void **state)
{
    struct loaded l =
        load_csv(data("misp.csv"),
                 "value=value,type=type,source=org,confidence=score,tlp=tlp,valid_until=expires");
    struct mk_ioc_hit h[4];
    uint64_t sup = 0;
    int64_t now = (int64_t)time(NULL);

    (void)state;
    assert_int_equal(l.rc, MK_OK);
    /* 1, 2, 3 (two), 4, 5, 9, 10 */
    assert_int_equal(l.st.added, 8);
    assert_int_equal(l.st.invalid, 2); /* regkey; a name with a line break */
    assert_int_equal(l.st.expired, 1);
    assert_int_equal(addr(&l, "198.51.100.20", 0, h), 1);
    assert_string_equal(h[0].meta->source, "CERT-A");
    assert_int_equal(h[0].meta->tlp, MK_TLP_AMBER);
    assert_int_equal(h[0].confidence, 80);
    assert_string_equal(h[0].meta->feed, "misp.csv");
    assert_int_equal(mk_ioc_match_url(l.set, "quoted.example", 80, "/a,b?x=\"y\"", now, h, 4, &sup),
                     1);
    assert_int_equal(h[0].meta->tlp, MK_TLP_GREEN);
    assert_int_equal(dom(&l, "pair.example", h), 1);
    assert_string_equal(h[0].meta->source, "CERT-B");
    assert_int_equal(addr(&l, "198.51.100.21", 0, h), 1);
    assert_int_equal(mk_ioc_match_value(l.set, MK_IOC_MD5, "d41d8cd98f00b204e9800998ecf8427e", 32,
                                        now, h, 4, &sup),
                     1);
    assert_int_equal(h[0].meta->tlp, MK_TLP_CLEAR);
    assert_int_equal(mk_ioc_match_value(l.set, MK_IOC_JA3, "e7d705a3286e19ea42f587b344ee6865", 32,
                                        now, h, 4, &sup),
                     1);
    assert_int_equal(addr(&l, "198.51.100.22", 8443, h), 1);
    assert_int_equal(dom(&l, "guessed.example", h), 1);
    assert_true(h[0].valid_until > now);
    mk_ioc_set_free(l.set);
}

static void test_csv_without_map_guesses_value_column(void **state)
{
    struct loaded l = load_csv(data("auto.csv"), NULL);
    struct mk_ioc_hit h[4];

    (void)state;
    assert_int_equal(l.rc, MK_OK);
    assert_int_equal(l.st.added, 2);
    assert_int_equal(addr(&l, "198.51.100.31", 0, h), 1);
    mk_ioc_set_free(l.set);
}

static void test_csv_bad_map_is_einval_with_message(void **state)
{
    struct loaded l = load_csv(data("misp.csv"), "value=nope");

    (void)state;
    assert_int_equal(l.rc, MK_EINVAL);
    assert_non_null(strstr(l.err.msg, "no column 'nope'"));
    mk_ioc_set_free(l.set);
    l = load_csv(data("misp.csv"), "value=value,colour=type");
    assert_int_equal(l.rc, MK_EINVAL);
    assert_non_null(strstr(l.err.msg, "unknown field 'colour'"));
    mk_ioc_set_free(l.set);
    l = load_csv(data("misp.csv"), "type=type");
    assert_int_equal(l.rc, MK_EINVAL);
    assert_non_null(strstr(l.err.msg, "value"));
    mk_ioc_set_free(l.set);
    l = load_csv(data("misp.csv"), "value");
    assert_int_equal(l.rc, MK_EINVAL);
    mk_ioc_set_free(l.set);
}

/* ---- STIX ---------------------------------------------------------------------- */

static void test_stix_bundle_keys_markings_and_counts(void **state)
{
    struct loaded l = load(mk_ioc_load_stix, data("bundle.json"));
    struct mk_ioc_hit h[4];
    uint64_t sup = 0;
    int64_t now = (int64_t)time(NULL);

    (void)state;
    assert_int_equal(l.rc, MK_OK);
    assert_int_equal(l.st.added, 9);
    assert_int_equal(l.st.revoked, 1);
    assert_int_equal(l.st.expired, 1);
    assert_int_equal(l.st.on_demand, 1);
    assert_int_equal(l.st.invalid, 2); /* a snort pattern, a pattern that does not parse */

    /* exact single term: no pattern; TLP 1.0 green; identity defined later in the bundle */
    assert_int_equal(addr(&l, "198.51.100.1", 0, h), 1);
    assert_null(h[0].pattern);
    assert_string_equal(h[0].stix_id, "indicator--00000000-0000-4000-8000-000000000001");
    assert_string_equal(h[0].name, "C2 address");
    assert_string_equal(h[0].meta->source, "CERT Example");
    assert_int_equal(h[0].meta->tlp, MK_TLP_GREEN);
    assert_int_equal(h[0].confidence, 85);
    assert_string_equal(h[0].meta->labels, "malicious-activity,malicious-activity,attribution");
    assert_string_equal(h[0].meta->kill_chain, "mitre-attack:command-and-control");

    /* compound key address + port -> IP_PORT carrying the pattern; TLP 2.0 */
    assert_int_equal(addr(&l, "198.51.100.2", 443, h), 1);
    assert_int_equal(h[0].type, MK_IOC_IP_PORT);
    assert_non_null(h[0].pattern);
    assert_int_equal(h[0].meta->tlp, MK_TLP_AMBER_STRICT);
    assert_int_equal(addr(&l, "198.51.100.2", 80, h), 0);
    assert_int_equal(addr(&l, "2001:db8::5", 8443, h), 1);
    assert_non_null(h[0].pattern);

    /* OR of equalities: each key is exact; the strictest marking wins (bundle's red) */
    assert_int_equal(dom(&l, "www.evil.example", h), 1);
    assert_null(h[0].pattern);
    assert_int_equal(h[0].meta->tlp, MK_TLP_RED);
    assert_int_equal(mk_ioc_match_url(l.set, "evil.example", 80, "/x", now, h, 4, &sup), 1);

    /* qualifiers keep the pattern; a TLP 2.0 marking defined in the bundle */
    assert_int_equal(addr(&l, "198.51.100.9", 0, h), 1);
    assert_non_null(h[0].pattern);
    assert_int_equal(h[0].meta->tlp, MK_TLP_AMBER);

    assert_int_equal(addr(&l, "198.51.100.4", 0, h), 0); /* revoked */
    assert_int_equal(addr(&l, "198.51.100.5", 0, h), 0); /* expired */
    assert_int_equal(dom(&l, "xn--fsqu00a.xn--fiqs8s", h), 1);
    assert_int_equal(addr(&l, "203.0.113.77", 0, h), 1);
    assert_null(h[0].pattern);
    assert_int_equal(h[0].type, MK_IOC_CIDR4);
    assert_int_equal(mk_ioc_match_value(l.set, MK_IOC_SHA256,
                                        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b"
                                        "7852b855",
                                        64, now, h, 4, &sup),
                     1);
    assert_null(h[0].pattern);
    mk_ioc_set_free(l.set);
}

static void test_load_file_sniffs_the_format(void **state)
{
    struct loaded l;

    (void)state;
    l = load(mk_ioc_load_file, data("bundle.json"));
    assert_int_equal(l.rc, MK_OK);
    assert_int_equal(l.st.added, 9);
    mk_ioc_set_free(l.set);
    l = load(mk_ioc_load_file, data("auto.csv"));
    assert_int_equal(l.rc, MK_OK);
    assert_int_equal(l.st.added, 2);
    mk_ioc_set_free(l.set);
    l = load(mk_ioc_load_file, data("trails/malware/testfam.txt"));
    assert_int_equal(l.rc, MK_OK);
    assert_int_equal(l.st.added, 9);
    mk_ioc_set_free(l.set);
}

/* The keys of one STIX indicator are one signature: one sid (one alert per
 * flow, one temporal history); another indicator with the same value keeps
 * its own. */
static void test_keys_of_one_stix_indicator_share_a_sid(void **state)
{
    struct mk_ioc_builder *b = mk_ioc_builder_new((int64_t)time(NULL));
    struct mk_ioc_attrs one = {.stix_id = "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
                               .confidence = MK_IOC_CONFIDENCE_UNKNOWN};
    struct mk_ioc_attrs two = {.stix_id = "indicator--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061",
                               .confidence = MK_IOC_CONFIDENCE_UNKNOWN};
    struct mk_error err;
    struct mk_ioc_set *set;
    struct mk_ioc_hit d[4];
    struct mk_ioc_hit u[4];
    uint64_t sup = 0;
    size_t nd;
    size_t nu;

    (void)state;
    assert_int_equal(mk_ioc_builder_add(b, MK_IOC_DOMAIN, "c2.example", 10, &one, &err), MK_OK);
    assert_int_equal(mk_ioc_builder_add(b, MK_IOC_URL, "c2.example/x", 12, &one, &err), MK_OK);
    assert_int_equal(mk_ioc_builder_add(b, MK_IOC_DOMAIN, "c2.example", 10, &two, &err), MK_OK);
    set = mk_ioc_builder_finish(b);
    assert_non_null(set);
    nd = mk_ioc_match_domain(set, "c2.example", 10, (int64_t)time(NULL), d, 4, &sup);
    nu = mk_ioc_match_url(set, "c2.example", 80, "/x", (int64_t)time(NULL), u, 4, &sup);
    assert_int_equal(nd, 2);
    assert_int_equal(nu, 1);
    assert_int_not_equal(d[0].sid, d[1].sid);
    assert_true(u[0].sid == d[0].sid || u[0].sid == d[1].sid);
    assert_string_equal(u[0].stix_id, one.stix_id);
    mk_ioc_set_free(set);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keys_of_one_stix_indicator_share_a_sid),
        cmocka_unit_test(test_list_plain_values_typed_and_invalid_counted),
        cmocka_unit_test(test_list_maltrail_header_names_feed_and_source),
        cmocka_unit_test(test_list_overlong_line_is_invalid),
        cmocka_unit_test(test_list_missing_file_is_eio),
        cmocka_unit_test(test_list_real_maltrail_trails),
        cmocka_unit_test(test_csv_column_map_and_misp_types),
        cmocka_unit_test(test_csv_without_map_guesses_value_column),
        cmocka_unit_test(test_csv_bad_map_is_einval_with_message),
        cmocka_unit_test(test_stix_bundle_keys_markings_and_counts),
        cmocka_unit_test(test_load_file_sniffs_the_format),
    };

    mk_log_set_level(MK_LOG_ERROR);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
