/* decode tests: GRE/ERSPAN, VXLAN, GENEVE, IP-in-IP, Teredo: good stacks come
 * from tests/data/pcap/tunnels.pcap (see make_pcaps.py), malformed ones are hex. */
#include "helpers.h"

/* Outer IPv4 192.0.2.1 -> 192.0.2.2 with total length and protocol spliced in */
#define V4(tot, proto) "4500" tot "00010000 40" proto "0000 c0000201 c0000202"
/* Inner IPv4 10.1.0.1 -> 10.1.0.2 UDP, total 28, and its UDP header 1 -> 2 */
#define IN4 "4500001c 00010000 40110000 0a010001 0a010002 00010002 00080000"

static enum mk_status dec4(const char *hex, struct mk_packet *p)
{
    static struct tframe t;

    tframe_hex(&t, MK_LINK_RAW, hex);
    tframe_fix4(&t, 0);
    return mk_decode_frame(dec, &t.f, p);
}

static void expect(const char *hex, enum mk_status st, enum mk_decode_event ev)
{
    struct mk_packet p;
    uint64_t before = mk_decoder_stats(dec)->events[ev];

    /* inner headers keep checksum 0, so the first event may be bad_checksum:
     * the counter is what must move */
    assert_int_equal(dec4(hex, &p), st);
    assert_true(p.has_event);
    assert_int_equal(mk_decoder_stats(dec)->events[ev], before + 1);
}

static void test_tunnels_pcap_reaches_inner_flows(void **state)
{
    static const enum mk_tunnel want[] = {
        MK_TUNNEL_GRE,   MK_TUNNEL_GRE,    MK_TUNNEL_GRE,   MK_TUNNEL_ERSPAN2, MK_TUNNEL_ERSPAN3,
        MK_TUNNEL_VXLAN, MK_TUNNEL_GENEVE, MK_TUNNEL_IPIP,  MK_TUNNEL_IPIP,    MK_TUNNEL_TEREDO,
        MK_TUNNEL_MPLS,  MK_TUNNEL_MPLS,   MK_TUNNEL_PPPOE, MK_TUNNEL_GRE,
    };
    struct treader r;
    struct mk_frame f;
    struct mk_packet p;
    size_t i = 0;

    (void)state;
    assert_true(treader_open(&r, MK_TEST_DATA "/pcap/tunnels.pcap"));
    while (treader_next(&r, &f)) {
        assert_true(i < MK_ARRAY_LEN(want));
        assert_int_equal(mk_decode_frame(dec, &f, &p), MK_OK);
        assert_false(p.has_event);
        assert_int_equal(p.n_tunnels, 1);
        assert_int_equal(p.tunnels[0], want[i]);
        if (p.ip_version == 4) {
            assert_addr(&p.src, "10.1.0.1");
            assert_int_equal(p.dport, 443);
        } else {
            assert_addr(&p.src, "fd00::1");
            assert_int_equal(p.dport, 9999);
        }
        i++;
    }
    treader_close(&r);
    assert_int_equal(i, MK_ARRAY_LEN(want));
}

static void test_gre_rejects_bad_version(void **state)
{
    (void)state;
    expect(V4("0030", "2f") "0002 0800" IN4, MK_EINVAL, MK_DECODE_GRE_BAD_VERSION);
}

static void test_gre_rejects_routing_bit(void **state)
{
    (void)state;
    expect(V4("0030", "2f") "4000 0800" IN4, MK_EINVAL, MK_DECODE_GRE_BAD_FLAGS);
}

static void test_gre_rejects_missing_key(void **state)
{
    (void)state;
    /* K and S announced, only 4 of 8 bytes present */
    expect(V4("001c", "2f") "3000 0800 00000005", MK_ETRUNC, MK_DECODE_GRE_TRUNCATED);
    expect(V4("0015", "2f") "30", MK_ETRUNC, MK_DECODE_GRE_TRUNCATED);
}

static void test_erspan_rejects_bad_version_and_truncation(void **state)
{
    (void)state;
    /* GRE S, ERSPAN II with version 2 */
    expect(V4("0024", "2f") "1000 88be 00000001 20000001 00000007", MK_EINVAL,
           MK_DECODE_ERSPAN_BAD_VERSION);
    expect(V4("001e", "2f") "1000 88be 00000001 1000", MK_ETRUNC, MK_DECODE_ERSPAN_TRUNCATED);
    expect(V4("001c", "2f") "0000 22eb 2000 0001", MK_ETRUNC, MK_DECODE_ERSPAN_TRUNCATED);
}

static void test_vxlan_without_i_flag_stays_udp(void **state)
{
    struct mk_packet p;

    (void)state;
    assert_int_equal(dec4(V4("0024", "11") "c350 12b5 0010 0000 00000000 00002a00", &p), MK_OK);
    assert_int_equal(p.n_tunnels, 0);
    assert_int_equal(p.dport, 4789);
}

static void test_vxlan_rejects_short_header(void **state)
{
    (void)state;
    expect(V4("0020", "11") "c350 12b5 000c 0000 08000000", MK_ETRUNC, MK_DECODE_VXLAN_TRUNCATED);
}

static void test_geneve_rejects_version_options_truncation(void **state)
{
    (void)state;
    expect(V4("0024", "11") "c350 17c1 0010 0000 40006558 00002a00", MK_EINVAL,
           MK_DECODE_GENEVE_BAD_VERSION);
    /* opt len 1 word, option claims 2 more words */
    expect(V4("0028", "11") "c350 17c1 0014 0000 01006558 00002a00 01020302", MK_EINVAL,
           MK_DECODE_GENEVE_BAD_OPTIONS);
    expect(V4("0024", "11") "c350 17c1 0010 0000 02006558 00002a00", MK_ETRUNC,
           MK_DECODE_GENEVE_TRUNCATED);
}

static void test_teredo_rejects_truncated_auth(void **state)
{
    (void)state;
    /* authentication indication with id-len 16 and nothing after */
    expect(V4("0020", "11") "c350 0dd8 000c 0000 00011000", MK_ETRUNC, MK_DECODE_TEREDO_TRUNCATED);
}

static void test_teredo_non_ipv6_stays_udp(void **state)
{
    struct mk_packet p;

    (void)state;
    assert_int_equal(dec4(V4("0020", "11") "c350 0dd8 000c 0000 45000000", &p), MK_OK);
    assert_int_equal(p.n_tunnels, 0);
}

static void test_ipip_nesting_hits_tunnel_cap(void **state)
{
    (void)state;
    /* five IPv4-in-IPv4 headers: the fifth encapsulation exceeds MK_DECODE_MAX_TUNNELS */
    expect(V4("0078", "04") V4("0064", "04") V4("0050", "04") V4("003c", "04") V4("0028", "04")
               V4("0014", "3b"),
           MK_ELIMIT, MK_DECODE_TOO_MANY_LAYERS);
}

static void test_vlan_mpls_layers_hit_layer_cap(void **state)
{
    struct tframe t;
    struct mk_packet p;
    char hex[1024] = "020000000002 020000000001 8100 0001 8100 0002 8100 0003 8847";

    (void)state;
    /* 3 VLANs + Ethernet + 8 MPLS labels + IPIP chain exceeds 16 layers */
    for (int i = 0; i < 7; i++) {
        strncat(hex, " 00064040", sizeof(hex) - strlen(hex) - 1);
    }
    strncat(hex,
            " 00064140 " V4("0064", "04") V4("0050", "04") V4("003c", "04") V4("0028", "04")
                V4("0014", "3b"),
            sizeof(hex) - strlen(hex) - 1);
    tframe_hex(&t, MK_LINK_ETHERNET, hex);
    uint64_t before = mk_decoder_stats(dec)->events[MK_DECODE_TOO_MANY_LAYERS];

    assert_int_equal(mk_decode_frame(dec, &t.f, &p), MK_ELIMIT);
    assert_int_equal(mk_decoder_stats(dec)->events[MK_DECODE_TOO_MANY_LAYERS], before + 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tunnels_pcap_reaches_inner_flows),
        cmocka_unit_test(test_gre_rejects_bad_version),
        cmocka_unit_test(test_gre_rejects_routing_bit),
        cmocka_unit_test(test_gre_rejects_missing_key),
        cmocka_unit_test(test_erspan_rejects_bad_version_and_truncation),
        cmocka_unit_test(test_vxlan_without_i_flag_stays_udp),
        cmocka_unit_test(test_vxlan_rejects_short_header),
        cmocka_unit_test(test_geneve_rejects_version_options_truncation),
        cmocka_unit_test(test_teredo_rejects_truncated_auth),
        cmocka_unit_test(test_teredo_non_ipv6_stays_udp),
        cmocka_unit_test(test_ipip_nesting_hits_tunnel_cap),
        cmocka_unit_test(test_vlan_mpls_layers_hit_layer_cap),
    };

    return cmocka_run_group_tests(tests, decoder_setup, decoder_teardown);
}
