/* decode tests: link types, Ethernet, VLAN/QinQ, MPLS and PPPoE. */
#include "helpers.h"

/* Ethernet 02:00:00:00:00:01 -> 02:00:00:00:00:02 (dst, src, then type) */
#define ETH_DST_SRC "020000000002 020000000001"
/* IPv4 192.0.2.1 -> 192.0.2.2, IHL 5, total 28, id 1, ttl 64, UDP, csum 0 */
#define IPV4_UDP "4500001c 00010000 40110000 c0000201 c0000202"
/* UDP 1234 -> 5678, length 8, checksum 0 */
#define UDP_HDR "04d2162e 00080000"
/* IPv6 2001:db8::1 -> 2001:db8::2, payload 8, UDP, hop limit 64 */
#define IPV6_UDP                                                                                   \
    "60000000 00081140 20010db8000000000000000000000001 20010db8000000000000000000000002"

static enum mk_status run(struct tframe *t, struct mk_packet *p)
{
    return mk_decode_frame(dec, &t->f, p);
}

static void test_ethernet_ipv4_udp_decodes(void **state)
{
    struct tframe t;
    struct mk_packet p;

    (void)state;
    tframe_hex(&t, MK_LINK_ETHERNET, ETH_DST_SRC "0800" IPV4_UDP UDP_HDR);
    tframe_fix4(&t, 14);
    assert_int_equal(run(&t, &p), MK_OK);
    assert_false(p.has_event);
    assert_int_equal(p.ip_version, 4);
    assert_int_equal(p.proto, 17);
    assert_int_equal(p.sport, 1234);
    assert_int_equal(p.dport, 5678);
    assert_int_equal(p.n_vlans, 0);
    assert_addr(&p.src, "192.0.2.1");
    assert_addr(&p.dst, "192.0.2.2");
}

static void test_ethernet_rejects_short_header(void **state)
{
    struct tframe t;
    struct mk_packet p;

    (void)state;
    tframe_hex(&t, MK_LINK_ETHERNET, ETH_DST_SRC "08");
    assert_int_equal(run(&t, &p), MK_ETRUNC);
    assert_int_equal(p.event, MK_DECODE_ETH_TRUNCATED);
    assert_true(mk_decoder_stats(dec)->events[MK_DECODE_ETH_TRUNCATED] >= 1);
}

static void test_ethernet_unknown_type_is_event_not_error(void **state)
{
    struct tframe t;
    struct mk_packet p;

    (void)state;
    tframe_hex(&t, MK_LINK_ETHERNET, ETH_DST_SRC "1234 00000000");
    assert_int_equal(run(&t, &p), MK_OK);
    assert_true(p.has_event);
    assert_int_equal(p.event, MK_DECODE_ETH_UNKNOWN_TYPE);
    assert_int_equal(p.ip_version, 0);
}

static void test_ethernet_arp_is_quiet_non_ip(void **state)
{
    struct tframe t;
    struct mk_packet p;

    (void)state;
    /* ARP request header only */
    tframe_hex(&t, MK_LINK_ETHERNET, ETH_DST_SRC "0806 0001080006040001");
    assert_int_equal(run(&t, &p), MK_OK);
    assert_false(p.has_event);
    assert_int_equal(p.ip_version, 0);
}

static void test_vlan_records_ids_outermost_first(void **state)
{
    struct tframe t;
    struct mk_packet p;

    (void)state;
    /* 802.1ad S-tag VID 10, 802.1Q C-tag VID 20 (PCP 5), then IPv4 */
    tframe_hex(&t, MK_LINK_ETHERNET, ETH_DST_SRC "88a8 000a 8100 a014 0800" IPV4_UDP UDP_HDR);
    tframe_fix4(&t, 22);
    assert_int_equal(run(&t, &p), MK_OK);
    assert_int_equal(p.n_vlans, 2);
    assert_int_equal(p.vlan[0], 10);
    assert_int_equal(p.vlan[1], 20);
    assert_int_equal(p.proto, 17);
}

static void test_vlan_9100_qinq_accepted(void **state)
{
    struct tframe t;
    struct mk_packet p;

    (void)state;
    tframe_hex(&t, MK_LINK_ETHERNET, ETH_DST_SRC "9100 0005 86dd" IPV6_UDP UDP_HDR);
    assert_int_equal(run(&t, &p), MK_OK);
    assert_int_equal(p.n_vlans, 1);
    assert_int_equal(p.vlan[0], 5);
    assert_int_equal(p.ip_version, 6);
}

static void test_vlan_rejects_fourth_tag(void **state)
{
    struct tframe t;
    struct mk_packet p;

    (void)state;
    tframe_hex(&t, MK_LINK_ETHERNET,
               ETH_DST_SRC "8100 0001 8100 0002 8100 0003 8100 0004 0800" IPV4_UDP UDP_HDR);
    assert_int_equal(run(&t, &p), MK_ELIMIT);
    assert_int_equal(p.event, MK_DECODE_VLAN_TOO_MANY);
}

static void test_vlan_truncated_tag(void **state)
{
    struct tframe t;
    struct mk_packet p;

    (void)state;
    tframe_hex(&t, MK_LINK_ETHERNET, ETH_DST_SRC "8100 00");
    assert_int_equal(run(&t, &p), MK_ETRUNC);
    assert_int_equal(p.event, MK_DECODE_VLAN_TRUNCATED);
}

static void test_mpls_two_labels_then_ipv4(void **state)
{
    struct tframe t;
    struct mk_packet p;

    (void)state;
    /* label 100 (ttl 64), label 200 bottom-of-stack, then IPv4 */
    tframe_hex(&t, MK_LINK_ETHERNET, ETH_DST_SRC "8847 00064040 000c8140" IPV4_UDP UDP_HDR);
    tframe_fix4(&t, 22);
    assert_int_equal(run(&t, &p), MK_OK);
    assert_int_equal(p.n_tunnels, 1);
    assert_int_equal(p.tunnels[0], MK_TUNNEL_MPLS);
    assert_int_equal(p.ip_version, 4);
}

static void test_mpls_pseudowire_control_word_then_ethernet(void **state)
{
    struct tframe t;
    struct mk_packet p;

    (void)state;
    /* label 300 bottom, control word 0, inner Ethernet + IPv6/UDP */
    tframe_hex(&t, MK_LINK_ETHERNET,
               ETH_DST_SRC "8847 0012c140 00000000" ETH_DST_SRC "86dd" IPV6_UDP UDP_HDR);
    assert_int_equal(run(&t, &p), MK_OK);
    assert_int_equal(p.ip_version, 6);
    assert_int_equal(p.dport, 5678);
}

static void test_mpls_unknown_payload_nibble(void **state)
{
    struct tframe t;
    struct mk_packet p;

    (void)state;
    tframe_hex(&t, MK_LINK_ETHERNET, ETH_DST_SRC "8847 00064140 f0000000");
    assert_int_equal(run(&t, &p), MK_EINVAL);
    assert_int_equal(p.event, MK_DECODE_MPLS_UNKNOWN_PAYLOAD);
}

static void test_mpls_rejects_stack_without_bottom(void **state)
{
    struct tframe t;
    struct mk_packet p;

    (void)state;
    tframe_hex(&t, MK_LINK_ETHERNET, ETH_DST_SRC "8847 00064040 00064040");
    assert_int_equal(run(&t, &p), MK_ETRUNC);
    assert_int_equal(p.event, MK_DECODE_MPLS_TRUNCATED);
}

static void test_mpls_caps_label_count(void **state)
{
    struct tframe t;
    struct mk_packet p;

    (void)state;
    tframe_hex(&t, MK_LINK_ETHERNET,
               ETH_DST_SRC "8847 00064040 00064040 00064040 00064040 00064040 00064040 00064040 "
                           "00064040 00064140" IPV4_UDP UDP_HDR);
    assert_int_equal(run(&t, &p), MK_ELIMIT);
    assert_int_equal(p.event, MK_DECODE_TOO_MANY_LAYERS);
}

static void test_pppoe_session_ipv4(void **state)
{
    struct tframe t;
    struct mk_packet p;

    (void)state;
    /* PPPoE ver/type 0x11, code 0, session 0x1234, length 30; PPP 0x0021 */
    tframe_hex(&t, MK_LINK_ETHERNET, ETH_DST_SRC "8864 1100 1234 001e 0021" IPV4_UDP UDP_HDR);
    tframe_fix4(&t, 22);
    assert_int_equal(run(&t, &p), MK_OK);
    assert_int_equal(p.tunnels[0], MK_TUNNEL_PPPOE);
    assert_int_equal(p.proto, 17);
}

static void test_pppoe_rejects_length_beyond_frame(void **state)
{
    struct tframe t;
    struct mk_packet p;

    (void)state;
    tframe_hex(&t, MK_LINK_ETHERNET, ETH_DST_SRC "8864 1100 1234 0100 0021" IPV4_UDP UDP_HDR);
    assert_int_equal(run(&t, &p), MK_ETRUNC);
    assert_int_equal(p.event, MK_DECODE_PPPOE_TRUNCATED);
}

static void test_pppoe_rejects_bad_version(void **state)
{
    struct tframe t;
    struct mk_packet p;

    (void)state;
    tframe_hex(&t, MK_LINK_ETHERNET, ETH_DST_SRC "8864 2100 1234 0002 0021");
    assert_int_equal(run(&t, &p), MK_EINVAL);
    assert_int_equal(p.event, MK_DECODE_PPPOE_BAD_HEADER);
}

static void test_ppp_lcp_is_quiet_unknown_is_event(void **state)
{
    struct tframe t;
    struct mk_packet p;

    (void)state;
    tframe_hex(&t, MK_LINK_PPP, "ff03 c021 01010004");
    assert_int_equal(run(&t, &p), MK_OK);
    assert_false(p.has_event);
    tframe_hex(&t, MK_LINK_PPP, "ff03 0041 0000");
    assert_int_equal(run(&t, &p), MK_OK);
    assert_int_equal(p.event, MK_DECODE_PPP_UNKNOWN_PROTO);
}

static void test_link_types_reach_ip(void **state)
{
    static const struct {
        int lt;
        const char *hdr;
        int version;
    } cases[] = {
        {MK_LINK_NULL, "02000000", 4},                             /* AF_INET, little end. */
        {MK_LINK_NULL, "0000001e", 6},                             /* AF_INET6 (Darwin), BE */
        {MK_LINK_LOOP, "00000002", 4},                             /* OpenBSD loopback */
        {MK_LINK_LOOP, "18000000", 6},                             /* 24, swapped */
        {MK_LINK_SLL, "0000 0001 0006 020000000001 0000 0800", 4}, /* cooked v1 */
        {MK_LINK_SLL2, "86dd 0000 00000002 0001 00 06 0200000000010000", 6}, /* cooked v2 */
        {MK_LINK_RAW, "", 4},
        {MK_LINK_RAW_ALT, "", 6},
        {MK_LINK_RAW_LINKTYPE, "", 4},
        {MK_LINK_IPV4, "", 4},
        {MK_LINK_IPV6, "", 6},
        {MK_LINK_PPP, "ff03 0057", 6},
        {MK_LINK_PPP, "21", 4}, /* compressed protocol */
        {MK_LINK_PPP_SERIAL, "ff03 0021", 4},
        {MK_LINK_CHDLC, "0f00 0800", 4},
        {MK_LINK_CHDLC, "8f00 86dd", 6},
    };

    (void)state;
    for (size_t i = 0; i < MK_ARRAY_LEN(cases); i++) {
        char hex[512];
        struct tframe t;
        struct mk_packet p;
        bool v6 = cases[i].version == 6;

        (void)snprintf(hex, sizeof(hex), "%s %s %s", cases[i].hdr, v6 ? IPV6_UDP : IPV4_UDP,
                       UDP_HDR);
        tframe_hex(&t, cases[i].lt, hex);
        if (!v6) {
            tframe_fix4(&t, t.f.caplen - 28);
        }
        assert_int_equal(run(&t, &p), MK_OK);
        assert_int_equal(p.ip_version, cases[i].version);
        assert_int_equal(p.proto, 17);
        assert_false(p.has_event);
    }
}

static void test_link_unsupported_and_truncated(void **state)
{
    struct tframe t;
    struct mk_packet p;

    (void)state;
    tframe_hex(&t, 147, "00");
    assert_int_equal(run(&t, &p), MK_EINVAL);
    assert_int_equal(p.event, MK_DECODE_LINK_UNSUPPORTED);
    tframe_hex(&t, MK_LINK_SLL, "0000");
    assert_int_equal(run(&t, &p), MK_ETRUNC);
    assert_int_equal(p.event, MK_DECODE_LINK_TRUNCATED);
    tframe_hex(&t, MK_LINK_NULL, "07000000 45");
    assert_int_equal(run(&t, &p), MK_OK);
    assert_int_equal(p.event, MK_DECODE_LINK_UNSUPPORTED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ethernet_ipv4_udp_decodes),
        cmocka_unit_test(test_ethernet_rejects_short_header),
        cmocka_unit_test(test_ethernet_unknown_type_is_event_not_error),
        cmocka_unit_test(test_ethernet_arp_is_quiet_non_ip),
        cmocka_unit_test(test_vlan_records_ids_outermost_first),
        cmocka_unit_test(test_vlan_9100_qinq_accepted),
        cmocka_unit_test(test_vlan_rejects_fourth_tag),
        cmocka_unit_test(test_vlan_truncated_tag),
        cmocka_unit_test(test_mpls_two_labels_then_ipv4),
        cmocka_unit_test(test_mpls_pseudowire_control_word_then_ethernet),
        cmocka_unit_test(test_mpls_unknown_payload_nibble),
        cmocka_unit_test(test_mpls_rejects_stack_without_bottom),
        cmocka_unit_test(test_mpls_caps_label_count),
        cmocka_unit_test(test_pppoe_session_ipv4),
        cmocka_unit_test(test_pppoe_rejects_length_beyond_frame),
        cmocka_unit_test(test_pppoe_rejects_bad_version),
        cmocka_unit_test(test_ppp_lcp_is_quiet_unknown_is_event),
        cmocka_unit_test(test_link_types_reach_ip),
        cmocka_unit_test(test_link_unsupported_and_truncated),
    };

    return cmocka_run_group_tests(tests, decoder_setup, decoder_teardown);
}
