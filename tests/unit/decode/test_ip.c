/* decode tests: IPv4, IPv6 extension headers, TCP, UDP, ICMP. Frames are raw
 * IP (LINKTYPE_RAW) so each fixture starts at the IP header. */
#include "helpers.h"

/* IPv4 192.0.2.1 -> 192.0.2.2, IHL 5, total 40, id 1, ttl 64, TCP */
#define V4_TCP40 "45000028 00010000 40060000 c0000201 c0000202"
/* TCP 40000 -> 80, seq 1000, ack 0, offset 5, SYN, window 65535 */
#define TCP_SYN "9c400050 000003e8 00000000 5002ffff 00000000"
/* IPv6 2001:db8::1 -> 2001:db8::2 with payload length and next header spliced in */
#define V6(plen, nh)                                                                               \
    "60000000" plen nh "40 20010db8000000000000000000000001 20010db8000000000000000000000002"
/* UDP 1234 -> 53, length 8 */
#define UDP8 "04d20035 00080000"

static enum mk_status dec4(const char *hex, struct mk_packet *p, bool fix)
{
    static struct tframe t;

    tframe_hex(&t, MK_LINK_RAW, hex);
    if (fix) {
        tframe_fix4(&t, 0);
    }
    return mk_decode_frame(dec, &t.f, p);
}

static void expect4(const char *hex, enum mk_status st, enum mk_decode_event ev)
{
    struct mk_packet p;

    assert_int_equal(dec4(hex, &p, true), st);
    assert_true(p.has_event);
    assert_int_equal(p.event, ev);
}

static void test_ipv4_tcp_syn_fields(void **state)
{
    struct mk_packet p;

    (void)state;
    assert_int_equal(dec4(V4_TCP40 TCP_SYN, &p, true), MK_OK);
    assert_false(p.has_event);
    assert_false(p.has_bad_ip_checksum);
    assert_int_equal(p.ip_version, 4);
    assert_int_equal(p.ttl, 64);
    assert_int_equal(p.l3_len, 40);
    assert_int_equal(p.proto, 6);
    assert_int_equal(p.sport, 40000);
    assert_int_equal(p.dport, 80);
    assert_int_equal(p.tcp_seq, 1000);
    assert_int_equal(p.tcp_flags, 0x02);
    assert_int_equal(p.tcp_window, 65535);
    assert_int_equal(p.payload_len, 0);
}

static void test_ipv4_rejects_short_header(void **state)
{
    (void)state;
    expect4("45000028 0001", MK_ETRUNC, MK_DECODE_IPV4_TRUNCATED);
}

static void test_ipv4_rejects_bad_version(void **state)
{
    (void)state;
    expect4("55000028 00010000 40060000 c0000201 c0000202" TCP_SYN, MK_EINVAL,
            MK_DECODE_IPV4_BAD_VERSION);
}

static void test_ipv4_rejects_ihl_below_5(void **state)
{
    (void)state;
    expect4("44000028 00010000 40060000 c0000201 c0000202" TCP_SYN, MK_EINVAL,
            MK_DECODE_IPV4_BAD_IHL);
}

static void test_ipv4_rejects_total_length_below_header(void **state)
{
    (void)state;
    expect4("45000010 00010000 40060000 c0000201 c0000202" TCP_SYN, MK_EINVAL,
            MK_DECODE_IPV4_BAD_TOTAL_LEN);
}

static void test_ipv4_rejects_total_length_beyond_capture(void **state)
{
    (void)state;
    expect4("45000100 00010000 40060000 c0000201 c0000202" TCP_SYN, MK_ETRUNC,
            MK_DECODE_IPV4_TRUNCATED);
}

static void test_ipv4_trims_ethernet_padding(void **state)
{
    struct mk_packet p;

    (void)state;
    /* total length 28 (UDP, 0 bytes of data), then 6 bytes of padding */
    assert_int_equal(
        dec4("4500001c 00010000 40110000 c0000201 c0000202" UDP8 "000000000000", &p, true), MK_OK);
    assert_int_equal(p.l3_len, 28);
    assert_int_equal(p.payload_len, 0);
}

static void test_ipv4_accepts_valid_options(void **state)
{
    struct mk_packet p;

    (void)state;
    /* IHL 6: NOP, NOP, router alert (type 148, len 4) truncated to... use NOP NOP EOL EOL */
    assert_int_equal(
        dec4("4600002c 00010000 40060000 c0000201 c0000202 01010000" TCP_SYN, &p, true), MK_OK);
    assert_false(p.has_event);
}

static void test_ipv4_rejects_option_length_overrun(void **state)
{
    (void)state;
    /* option type 0x44 (timestamp) claiming 40 bytes in a 4-byte option area */
    expect4("4600002c 00010000 40060000 c0000201 c0000202 44280000" TCP_SYN, MK_EINVAL,
            MK_DECODE_IPV4_BAD_OPTIONS);
    /* option length 1 (below the minimum of 2) */
    expect4("4600002c 00010000 40060000 c0000201 c0000202 07010000" TCP_SYN, MK_EINVAL,
            MK_DECODE_IPV4_BAD_OPTIONS);
}

static void test_ipv4_bad_checksum_is_flagged_not_dropped(void **state)
{
    struct mk_packet p;

    (void)state;
    assert_int_equal(dec4("45000028 00010000 40061234 c0000201 c0000202" TCP_SYN, &p, false),
                     MK_OK);
    assert_true(p.has_bad_ip_checksum);
    assert_int_equal(p.event, MK_DECODE_IPV4_BAD_CHECKSUM);
    assert_int_equal(p.dport, 80);
}

static void test_ipv4_unassigned_protocol_is_event(void **state)
{
    struct mk_packet p;

    (void)state;
    assert_int_equal(dec4("45000018 00010000 40ff0000 c0000201 c0000202 00000000", &p, true),
                     MK_OK);
    assert_int_equal(p.event, MK_DECODE_UNKNOWN_L4);
    /* ESP (50) is known: no event, payload is the ESP header */
    assert_int_equal(dec4("45000018 00010000 40320000 c0000201 c0000202 00000000", &p, true),
                     MK_OK);
    assert_false(p.has_event);
    assert_int_equal(p.payload_len, 4);
}

static void test_tcp_rejects_data_offset_below_5(void **state)
{
    (void)state;
    expect4(V4_TCP40 "9c400050 000003e8 00000000 4002ffff 00000000", MK_EINVAL,
            MK_DECODE_TCP_BAD_HLEN);
}

static void test_tcp_rejects_header_beyond_packet(void **state)
{
    (void)state;
    expect4(V4_TCP40 "9c400050 000003e8 00000000 f002ffff 00000000", MK_ETRUNC,
            MK_DECODE_TCP_TRUNCATED);
    expect4("4500001c 00010000 40060000 c0000201 c0000202 9c400050 000003e8", MK_ETRUNC,
            MK_DECODE_TCP_TRUNCATED);
}

static void test_tcp_options_valid_and_invalid(void **state)
{
    struct mk_packet p;

    (void)state;
    /* MSS 1460, NOP, NOP, SACK-permitted */
    assert_int_equal(dec4("45000030 00010000 40060000 c0000201 c0000202"
                          "9c400050 000003e8 00000000 7002ffff 00000000 020405b4 01010402",
                          &p, true),
                     MK_OK);
    assert_false(p.has_event);
    /* MSS with length 3: still decoded, flagged */
    assert_int_equal(dec4("45000030 00010000 40060000 c0000201 c0000202"
                          "9c400050 000003e8 00000000 7002ffff 00000000 020305b4 01010402",
                          &p, true),
                     MK_OK);
    assert_int_equal(p.event, MK_DECODE_TCP_BAD_OPTIONS);
    assert_int_equal(p.dport, 80);
}

static void test_udp_rejects_length_below_8(void **state)
{
    (void)state;
    expect4("4500001c 00010000 40110000 c0000201 c0000202 04d20035 00040000", MK_EINVAL,
            MK_DECODE_UDP_BAD_LEN);
}

static void test_udp_rejects_length_beyond_packet(void **state)
{
    (void)state;
    expect4("4500001c 00010000 40110000 c0000201 c0000202 04d20035 00200000", MK_ETRUNC,
            MK_DECODE_UDP_TRUNCATED);
    expect4("45000018 00010000 40110000 c0000201 c0000202 04d20035", MK_ETRUNC,
            MK_DECODE_UDP_TRUNCATED);
}

static void test_icmp_echo_and_truncation(void **state)
{
    struct mk_packet p;

    (void)state;
    /* echo request id 1 seq 1 "ping" */
    assert_int_equal(
        dec4("4500001c 00010000 40010000 c0000201 c0000202 08000000 00010001", &p, true), MK_OK);
    assert_int_equal(p.icmp_type, 8);
    assert_int_equal(p.icmp_code, 0);
    expect4("45000018 00010000 40010000 c0000201 c0000202 08000000", MK_ETRUNC,
            MK_DECODE_ICMPV4_TRUNCATED);
}

static enum mk_status dec6(const char *hex, struct mk_packet *p)
{
    static struct tframe t;

    tframe_hex(&t, MK_LINK_IPV6, hex);
    return mk_decode_frame(dec, &t.f, p);
}

static void expect6(const char *hex, enum mk_status st, enum mk_decode_event ev)
{
    struct mk_packet p;

    assert_int_equal(dec6(hex, &p), st);
    assert_int_equal(p.event, ev);
}

static void test_ipv6_udp_and_icmpv6(void **state)
{
    struct mk_packet p;

    (void)state;
    assert_int_equal(dec6(V6("0008", "11") UDP8, &p), MK_OK);
    assert_int_equal(p.ip_version, 6);
    assert_int_equal(p.ttl, 64);
    assert_addr(&p.src, "2001:db8::1");
    assert_int_equal(p.dport, 53);
    /* ICMPv6 echo request */
    assert_int_equal(dec6(V6("0008", "3a") "80000000 00010001", &p), MK_OK);
    assert_int_equal(p.icmp_type, 128);
    expect6(V6("0004", "3a") "80000000", MK_ETRUNC, MK_DECODE_ICMPV6_TRUNCATED);
}

static void test_ipv6_rejects_bad_version_and_lengths(void **state)
{
    (void)state;
    expect6("70000000 00081140 20010db8000000000000000000000001 "
            "20010db8000000000000000000000002" UDP8,
            MK_EINVAL, MK_DECODE_IPV6_BAD_VERSION);
    expect6(V6("0100", "11") UDP8, MK_ETRUNC, MK_DECODE_IPV6_TRUNCATED);
    expect6(V6("0000", "11") UDP8, MK_EINVAL, MK_DECODE_IPV6_BAD_PAYLOAD_LEN);
    expect6("6000000000081140", MK_ETRUNC, MK_DECODE_IPV6_TRUNCATED);
}

static void test_ipv6_extension_chain_to_udp(void **state)
{
    struct mk_packet p;

    (void)state;
    /* hop-by-hop (PadN 4) -> routing type 4 segments left 0 (8 bytes) -> dst opts -> UDP */
    assert_int_equal(dec6(V6("0020", "00") "2b00 0104 00000000"
                                           "3c00 0400 00000000"
                                           "1100 0104 00000000" UDP8,
                          &p),
                     MK_OK);
    assert_int_equal(p.proto, 17);
    assert_int_equal(p.dport, 53);
    /* AH (RFC 4302: length in 4-byte words minus 2): 12 bytes, then UDP */
    assert_int_equal(dec6(V6("0014", "33") "11010000 00000001 00000001" UDP8, &p), MK_OK);
    assert_int_equal(p.proto, 17);
}

static void test_ipv6_rejects_hop_by_hop_not_first(void **state)
{
    (void)state;
    expect6(V6("0018", "3c") "0000 0104 00000000 1100 0104 00000000" UDP8, MK_EINVAL,
            MK_DECODE_IPV6_BAD_EXT_HDR);
}

static void test_ipv6_rejects_bad_option_padding(void **state)
{
    (void)state;
    /* dst opts with PadN length 5 overrunning the 6 option bytes by one */
    expect6(V6("0010", "3c") "1100 0105 00000000" UDP8, MK_EINVAL, MK_DECODE_IPV6_BAD_EXT_HDR);
    /* extension header longer than the payload */
    expect6(V6("0008", "3c") "1105 0104 00000000", MK_EINVAL, MK_DECODE_IPV6_BAD_EXT_HDR);
}

static void test_ipv6_caps_extension_header_count(void **state)
{
    (void)state;
    expect6(V6("0050", "3c") "3c00 0104 00000000 3c00 0104 00000000 3c00 0104 00000000"
                             "3c00 0104 00000000 3c00 0104 00000000 3c00 0104 00000000"
                             "3c00 0104 00000000 3c00 0104 00000000 3c00 0104 00000000"
                             "1100 0104 00000000",
            MK_ELIMIT, MK_DECODE_IPV6_TOO_MANY_EXT_HDRS);
}

static void test_ipv6_no_next_header(void **state)
{
    struct mk_packet p;

    (void)state;
    assert_int_equal(dec6(V6("0000", "3b"), &p), MK_OK);
    assert_int_equal(p.proto, 59);
    assert_null(p.payload);
}

static void test_ipv6_atomic_fragment_is_whole(void **state)
{
    struct mk_packet p;

    (void)state;
    /* fragment header with offset 0 and M 0 (RFC 6946), then UDP */
    assert_int_equal(dec6(V6("0010", "2c") "11000000 00001234" UDP8, &p), MK_OK);
    assert_false(p.is_fragment);
    assert_int_equal(p.dport, 53);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ipv4_tcp_syn_fields),
        cmocka_unit_test(test_ipv4_rejects_short_header),
        cmocka_unit_test(test_ipv4_rejects_bad_version),
        cmocka_unit_test(test_ipv4_rejects_ihl_below_5),
        cmocka_unit_test(test_ipv4_rejects_total_length_below_header),
        cmocka_unit_test(test_ipv4_rejects_total_length_beyond_capture),
        cmocka_unit_test(test_ipv4_trims_ethernet_padding),
        cmocka_unit_test(test_ipv4_accepts_valid_options),
        cmocka_unit_test(test_ipv4_rejects_option_length_overrun),
        cmocka_unit_test(test_ipv4_bad_checksum_is_flagged_not_dropped),
        cmocka_unit_test(test_ipv4_unassigned_protocol_is_event),
        cmocka_unit_test(test_tcp_rejects_data_offset_below_5),
        cmocka_unit_test(test_tcp_rejects_header_beyond_packet),
        cmocka_unit_test(test_tcp_options_valid_and_invalid),
        cmocka_unit_test(test_udp_rejects_length_below_8),
        cmocka_unit_test(test_udp_rejects_length_beyond_packet),
        cmocka_unit_test(test_icmp_echo_and_truncation),
        cmocka_unit_test(test_ipv6_udp_and_icmpv6),
        cmocka_unit_test(test_ipv6_rejects_bad_version_and_lengths),
        cmocka_unit_test(test_ipv6_extension_chain_to_udp),
        cmocka_unit_test(test_ipv6_rejects_hop_by_hop_not_first),
        cmocka_unit_test(test_ipv6_rejects_bad_option_padding),
        cmocka_unit_test(test_ipv6_caps_extension_header_count),
        cmocka_unit_test(test_ipv6_no_next_header),
        cmocka_unit_test(test_ipv6_atomic_fragment_is_whole),
    };

    return cmocka_run_group_tests(tests, decoder_setup, decoder_teardown);
}
