/* Unit tests of Community ID v1 against the spec's published baseline
 * (corelight/community-id-spec baseline/baseline_deflt.json, seed 0, and
 * baseline_seed1.json, seed 1), plus the id of a flow built from packets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "unit/flow/flow_test.h"

/* For ICMP, a/b are the message type and code (the baseline lists the mapped
 * "port equivalents": echo reply 0 becomes 0 -> 8, so the code there is 0). */
struct vector {
    uint8_t proto;
    const char *src;
    const char *dst;
    uint16_t a;
    uint16_t b;
    const char *seed0;
    const char *seed1;
};

static const struct vector vectors[] = {
    {58, "fe80::200:86ff:fe05:80da", "fe80::260:97ff:fe07:69ea", 135, 0,
     "1:dGHyGvjMfljg6Bppwm3bg0LO8TY=", "1:kHa1FhMYIT6Ym2Vm2AOtoOARDzY="},
    {58, "fe80::260:97ff:fe07:69ea", "fe80::200:86ff:fe05:80da", 136, 0,
     "1:dGHyGvjMfljg6Bppwm3bg0LO8TY=", "1:kHa1FhMYIT6Ym2Vm2AOtoOARDzY="},
    {58, "fe80::260:97ff:fe07:69ea", "fe80::200:86ff:fe05:80da", 135, 0,
     "1:zavyT/cezQr1fmImYCwYnMXbgck=", "1:2hSqmsDZ2kdcY9kbiUzOEBic0iM="},
    {58, "fe80::200:86ff:fe05:80da", "fe80::260:97ff:fe07:69ea", 136, 0,
     "1:zavyT/cezQr1fmImYCwYnMXbgck=", "1:2hSqmsDZ2kdcY9kbiUzOEBic0iM="},
    {58, "3ffe:501:1800:2345::2", "3ffe:507:0:1:200:86ff:fe05:80da", 3, 0,
     "1:2ObVBgIn28oZvibYZhZMBgh7WdQ=", "1:lVEtCZpYu84Xqaa++3lXFyuu2n4="},
    {58, "3ffe:501:410:0:2c0:dfff:fe47:33e", "3ffe:507:0:1:200:86ff:fe05:80da", 1, 4,
     "1:hLZd0XGWojozrvxqE0dWB1iM6R0=", "1:W8MHwXpWzpoSTD+cGcaJr4u0ys8="},
    {58, "3ffe:507:0:1:200:86ff:fe05:80da", "3ffe:501:0:1001::2", 128, 0,
     "1:+TW+HtLHvV1xnGhV1lv7XoJrqQg=", "1:GfZxjAkDk2MkegpBYHV6tadtFXQ="},
    {58, "3ffe:501:0:1001::2", "3ffe:507:0:1:200:86ff:fe05:80da", 129, 0,
     "1:+TW+HtLHvV1xnGhV1lv7XoJrqQg=", "1:GfZxjAkDk2MkegpBYHV6tadtFXQ="},
    {58, "fe80::200:86ff:fe05:80da", "ff02::2", 133, 0,
     "1:hO+sN4H+MG5MY/8hIrXPqc4ZQz0=", "1:L7Ka0ZMYu+J3bL4ulW2PrqyXNo8="},
    {58, "fe80::260:97ff:fe07:69ea", "ff02::1", 134, 0,
     "1:pkvHqCL88/tg1k4cPigmZXUtL00=", "1:K/ee5UCqAMAQXDorP5nSa2CGLjc="},
    {1, "192.168.0.89", "192.168.0.1", 8, 0,
     "1:X0snYXpgwiv9TZtqg64sgzUn6Dk=", "1:03g6IloqVBdcZlPyX8r0hgoE7kA="},
    {1, "192.168.0.1", "192.168.0.89", 0, 0,
     "1:X0snYXpgwiv9TZtqg64sgzUn6Dk=", "1:03g6IloqVBdcZlPyX8r0hgoE7kA="},
    {1, "10.0.0.1", "10.0.0.2", 11, 0,
     "1:YHxtAirCG//0OzkcVAukqKQN9xM=", "1:XjUibYHaafLQ3pxQeiMI8g25q20="},
    {6, "2001:470:e5bf:dead:4957:2174:e82c:4887", "2607:f8b0:400c:c03::1a", 63943, 25,
     "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=", "1:eJYTW6AOzFLlSUoESovMjnu7rMw="},
    {6, "2607:f8b0:400c:c03::1a", "2001:470:e5bf:dead:4957:2174:e82c:4887", 25, 63943,
     "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=", "1:eJYTW6AOzFLlSUoESovMjnu7rMw="},
    {132, "192.168.170.8", "192.168.170.56", 7, 7,
     "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs=", "1:5w3ZRjeKBzqT3zsaEECDGjUbYeg="},
    {132, "192.168.170.56", "192.168.170.8", 7, 7,
     "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs=", "1:5w3ZRjeKBzqT3zsaEECDGjUbYeg="},
    {6, "128.232.110.120", "66.35.250.204", 34855, 80,
     "1:LQU9qZlK+B5F3KDmev6m5PMibrg=", "1:3V71V58M3Ksw/yuFALMcW0LAHvc="},
    {6, "66.35.250.204", "128.232.110.120", 80, 34855,
     "1:LQU9qZlK+B5F3KDmev6m5PMibrg=", "1:3V71V58M3Ksw/yuFALMcW0LAHvc="},
    {17, "192.168.1.52", "8.8.8.8", 54585, 53,
     "1:d/FP5EW3wiY1vCndhwleRRKHowQ=", "1:Q9We8WO3piVF8yEQBNJF4uiSVrI="},
    {17, "8.8.8.8", "192.168.1.52", 53, 54585,
     "1:d/FP5EW3wiY1vCndhwleRRKHowQ=", "1:Q9We8WO3piVF8yEQBNJF4uiSVrI="},
    {46, "10.1.12.1", "10.1.12.2", 0, 0,
     "1:KHlLkgoJW7ifUTyTSgyVfkFHzKw=", "1:rYir8gphR31noO9iDRQmF/BteEI="},
    {46, "10.1.12.2", "10.1.12.1", 0, 0,
     "1:KHlLkgoJW7ifUTyTSgyVfkFHzKw=", "1:rYir8gphR31noO9iDRQmF/BteEI="},
};

static void check_vectors(uint16_t seed)
{
    for (size_t i = 0; i < MK_ARRAY_LEN(vectors); i++) {
        const struct vector *v = &vectors[i];
        struct mk_addr s = addr_of(v->src);
        struct mk_addr d = addr_of(v->dst);
        uint8_t ipv = strchr(v->src, ':') != NULL ? 6 : 4;
        char out[64];

        mk_flow_community_id_tuple(&s, &d, ipv, v->proto, v->a, v->b, seed, out);
        assert_string_equal(out, seed == 0 ? v->seed0 : v->seed1);
    }
}

static void test_community_id_matches_the_spec_baseline_with_seed_0(void **state)
{
    (void)state;
    check_vectors(0);
}

static void test_community_id_matches_the_spec_baseline_with_seed_1(void **state)
{
    (void)state;
    check_vectors(1);
}

static void test_community_id_of_a_flow_is_the_same_from_either_side(void **state)
{
    struct mk_flow_config cfg = MK_FLOW_CONFIG_DEFAULT;
    struct mk_flow_table *t = mk_flow_table_new(&cfg, NULL, NULL, NULL);
    /* the server's reply seen first: the flow's client is still 128.232.110.120 */
    struct mk_packet sa =
        tcp_of("66.35.250.204", 80, "128.232.110.120", 34855, TH_SYN | TH_ACK, 1, 2, NULL);
    struct mk_packet echo = pkt_of("192.168.0.89", 0, "192.168.0.1", 0, MK_FLOW_PROTO_ICMP, 0);
    enum mk_flow_dir d;
    char out[64];

    (void)state;
    assert_non_null(t);
    mk_flow_community_id(mk_flow_table_packet(t, &sa, &d), 0, out);
    assert_string_equal(out, "1:LQU9qZlK+B5F3KDmev6m5PMibrg=");
    echo.icmp_type = 8;
    mk_flow_community_id(mk_flow_table_packet(t, &echo, &d), 0, out);
    assert_string_equal(out, "1:X0snYXpgwiv9TZtqg64sgzUn6Dk=");
    mk_flow_table_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_community_id_matches_the_spec_baseline_with_seed_0),
        cmocka_unit_test(test_community_id_matches_the_spec_baseline_with_seed_1),
        cmocka_unit_test(test_community_id_of_a_flow_is_the_same_from_either_side),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
