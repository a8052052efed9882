/* decode tests: IPv4/IPv6 fragment reassembly: order, overlap policies,
 * timeout, memcap, datagram and fragment caps, bad lengths. */
#include "helpers.h"

/* IPv4 UDP fragment 192.0.2.1 -> 192.0.2.2, id, offset (bytes), MF, with `len`
 * bytes of data each equal to `fill` (a UDP header is just data here). */
static struct mk_frame *frag4(struct tframe *t, uint16_t id, uint16_t off, bool mf, size_t len,
                              uint8_t fill)
{
    uint16_t tot = (uint16_t)(20 + len);
    uint16_t fo = (uint16_t)((mf ? 0x2000 : 0) | off / 8);

    tframe_hex(t, MK_LINK_RAW, "45000000 00000000 40110000 c0000201 c0000202");
    t->buf[2] = (uint8_t)(tot >> 8);
    t->buf[3] = (uint8_t)tot;
    t->buf[4] = (uint8_t)(id >> 8);
    t->buf[5] = (uint8_t)id;
    t->buf[6] = (uint8_t)(fo >> 8);
    t->buf[7] = (uint8_t)fo;
    memset(t->buf + 20, fill, len);
    if (off == 0 && len >= 8) { /* a UDP header 1000 -> 2000 over the whole datagram */
        static const uint8_t udp[8] = {0x03, 0xe8, 0x07, 0xd0, 0, 0, 0, 0};
        memcpy(t->buf + 20, udp, 8);
    }
    t->f.caplen = tot;
    tframe_fix4(t, 0);
    return &t->f;
}

static void set_udp_len(struct tframe *t, uint16_t len)
{
    t->buf[24] = (uint8_t)(len >> 8);
    t->buf[25] = (uint8_t)len;
}

static struct mk_decoder *new_dec(int policy, size_t memcap)
{
    struct mk_defrag_config cfg = MK_DEFRAG_CONFIG_DEFAULT;

    cfg.policy = policy;
    cfg.memcap = memcap;
    cfg.max_datagrams = 4;
    cfg.timeout_sec = 30;
    return mk_decoder_new(&cfg);
}

static void test_ipv4_in_order_reassembles(void **state)
{
    struct mk_decoder *d = new_dec(MK_DEFRAG_POLICY_LINUX, 1 << 20);
    struct tframe t;
    struct mk_packet p;

    (void)state;
    frag4(&t, 1, 0, true, 16, 0xaa);
    set_udp_len(&t, 32);
    assert_int_equal(mk_decode_frame(d, &t.f, &p), MK_EAGAIN);
    assert_true(p.is_fragment);
    frag4(&t, 1, 16, false, 16, 0xbb);
    assert_int_equal(mk_decode_frame(d, &t.f, &p), MK_OK);
    assert_true(p.is_reassembled);
    assert_false(p.is_fragment);
    assert_false(p.has_event);
    assert_int_equal(p.l3_len, 52);
    assert_int_equal(p.proto, 17);
    assert_int_equal(p.dport, 2000);
    assert_int_equal(p.payload_len, 24);
    assert_int_equal(p.payload[7], 0xaa);
    assert_int_equal(p.payload[8], 0xbb);
    assert_int_equal(mk_decoder_stats(d)->reassembled, 1);
    assert_int_equal(mk_decoder_stats(d)->fragments, 2);
    mk_decoder_free(d);
}

static void test_ipv4_out_of_order_reassembles(void **state)
{
    struct mk_decoder *d = new_dec(MK_DEFRAG_POLICY_LINUX, 1 << 20);
    struct tframe t;
    struct mk_packet p;

    (void)state;
    frag4(&t, 2, 32, false, 8, 0xcc);
    assert_int_equal(mk_decode_frame(d, &t.f, &p), MK_EAGAIN);
    frag4(&t, 2, 16, true, 16, 0xbb);
    assert_int_equal(mk_decode_frame(d, &t.f, &p), MK_EAGAIN);
    frag4(&t, 2, 0, true, 16, 0xaa);
    set_udp_len(&t, 40);
    assert_int_equal(mk_decode_frame(d, &t.f, &p), MK_OK);
    assert_int_equal(p.payload_len, 32);
    assert_int_equal(p.payload[31], 0xcc);
    mk_decoder_free(d);
}

/* Fragment A [0,24) 0xaa first, then B [8,24) 0xbb at another offset, then
 * C [8,16) 0xcc at B's offset; the last fragment [24,32) completes it. */
static uint8_t overlap_byte(int policy, size_t at)
{
    struct mk_decoder *d = new_dec(policy, 1 << 20);
    struct tframe t;
    struct mk_packet p;
    uint8_t v;

    frag4(&t, 3, 0, true, 24, 0xaa);
    set_udp_len(&t, 32);
    assert_int_equal(mk_decode_frame(d, &t.f, &p), MK_EAGAIN);
    frag4(&t, 3, 8, true, 16, 0xbb);
    assert_int_equal(mk_decode_frame(d, &t.f, &p), MK_EAGAIN);
    assert_int_equal(p.event, MK_DECODE_FRAG_OVERLAP);
    frag4(&t, 3, 8, true, 8, 0xcc);
    assert_int_equal(mk_decode_frame(d, &t.f, &p), MK_EAGAIN);
    frag4(&t, 3, 24, false, 8, 0xdd);
    assert_int_equal(mk_decode_frame(d, &t.f, &p), MK_OK);
    assert_int_equal(p.event, MK_DECODE_FRAG_OVERLAP);
    assert_int_equal(mk_decoder_stats(d)->events[MK_DECODE_FRAG_OVERLAP], 1);
    v = p.l3[20 + at];
    mk_decoder_free(d);
    return v;
}

static void test_overlap_policy_first_keeps_earliest(void **state)
{
    (void)state;
    assert_int_equal(overlap_byte(MK_DEFRAG_POLICY_FIRST, 10), 0xaa);
    assert_int_equal(overlap_byte(MK_DEFRAG_POLICY_FIRST, 20), 0xaa);
}

static void test_overlap_policy_last_keeps_latest(void **state)
{
    (void)state;
    assert_int_equal(overlap_byte(MK_DEFRAG_POLICY_LAST, 10), 0xcc);
    assert_int_equal(overlap_byte(MK_DEFRAG_POLICY_LAST, 20), 0xbb);
}

static void test_overlap_policy_linux_keeps_earlier_at_same_offset(void **state)
{
    (void)state;
    /* C starts where B did: B keeps [8,16); B overwrote A */
    assert_int_equal(overlap_byte(MK_DEFRAG_POLICY_LINUX, 10), 0xbb);
    assert_int_equal(overlap_byte(MK_DEFRAG_POLICY_LINUX, 20), 0xbb);
}

static void test_timeout_drops_incomplete_datagram(void **state)
{
    struct mk_decoder *d = new_dec(MK_DEFRAG_POLICY_LINUX, 1 << 20);
    struct tframe t;
    struct mk_packet p;

    (void)state;
    frag4(&t, 4, 0, true, 16, 0xaa);
    assert_int_equal(mk_decode_frame(d, &t.f, &p), MK_EAGAIN);
    mk_decoder_expire(d, 1000 + 31);
    assert_int_equal(mk_decoder_stats(d)->events[MK_DECODE_FRAG_TIMEOUT], 1);
    /* the second half alone cannot complete it any more */
    frag4(&t, 4, 16, false, 16, 0xbb);
    t.f.ts_sec = 1031;
    assert_int_equal(mk_decode_frame(d, &t.f, &p), MK_EAGAIN);
    mk_decoder_free(d);
}

static void test_memcap_refuses_fragments(void **state)
{
    struct mk_decoder *d = new_dec(MK_DEFRAG_POLICY_LINUX, 600);
    struct tframe t;
    struct mk_packet p;

    (void)state;
    frag4(&t, 5, 0, true, 1000, 0xaa);
    assert_int_equal(mk_decode_frame(d, &t.f, &p), MK_EAGAIN);
    assert_int_equal(p.event, MK_DECODE_FRAG_MEMCAP);
    assert_int_equal(mk_decoder_stats(d)->events[MK_DECODE_FRAG_MEMCAP], 1);
    mk_decoder_free(d);
}

static void test_max_datagrams_cap(void **state)
{
    struct mk_decoder *d = new_dec(MK_DEFRAG_POLICY_LINUX, 1 << 20);
    struct tframe t;
    struct mk_packet p;

    (void)state;
    for (uint16_t id = 10; id < 14; id++) {
        frag4(&t, id, 0, true, 16, 0xaa);
        assert_int_equal(mk_decode_frame(d, &t.f, &p), MK_EAGAIN);
        assert_false(p.has_event);
    }
    frag4(&t, 14, 0, true, 16, 0xaa);
    assert_int_equal(mk_decode_frame(d, &t.f, &p), MK_EAGAIN);
    assert_int_equal(p.event, MK_DECODE_FRAG_MAX_DATAGRAMS);
    mk_decoder_free(d);
}

static void test_rejects_unaligned_and_oversized_fragments(void **state)
{
    struct mk_decoder *d = new_dec(MK_DEFRAG_POLICY_LINUX, 1 << 20);
    struct tframe t;
    struct mk_packet p;

    (void)state;
    frag4(&t, 20, 0, true, 12, 0xaa); /* not a multiple of 8 with MF */
    assert_int_equal(mk_decode_frame(d, &t.f, &p), MK_EINVAL);
    assert_int_equal(p.event, MK_DECODE_FRAG_BAD_LENGTH);
    frag4(&t, 21, 65528, false, 16, 0xaa); /* ends past 65535 */
    assert_int_equal(mk_decode_frame(d, &t.f, &p), MK_EINVAL);
    assert_int_equal(p.event, MK_DECODE_FRAG_TOO_LARGE);
    mk_decoder_free(d);
}

/* Regression: every fragment fits with its own 20-byte header, but the
 * offset-0 fragment has 40 bytes of options and the datagram would exceed
 * 65535 (and, for IPv6, the reassembly buffer). */
static void test_rejects_datagram_too_large_with_first_fragment_header(void **state)
{
    struct mk_decoder *d = new_dec(MK_DEFRAG_POLICY_LINUX, 1 << 20);
    struct tframe t;
    struct mk_packet p;

    (void)state;
    /* IHL 15: 40 bytes of NOP options, then 8 bytes of data, MF */
    tframe_hex(&t, MK_LINK_RAW,
               "4f000044 00180000 40110000 c0000201 c0000202"
               "01010101 01010101 01010101 01010101 01010101 01010101 01010101 01010101"
               "01010101 01010101 0000000000000000");
    t.buf[6] = 0x20; /* MF, offset 0 */
    tframe_fix4(&t, 0);
    assert_int_equal(mk_decode_frame(d, &t.f, &p), MK_EAGAIN);
    frag4(&t, 0x18, 8, true, 1000, 0xaa);
    assert_int_equal(mk_decode_frame(d, &t.f, &p), MK_EAGAIN);
    /* a last fragment that ends at 65512: fits 20 + 65512, not 60 + 65512 */
    frag4(&t, 0x18, 65504, false, 8, 0xbb);
    assert_int_equal(mk_decode_frame(d, &t.f, &p), MK_EAGAIN);
    /* fill [1008, 65504) with big fragments */
    for (uint32_t off = 1008; off < 65504; off += 1480) {
        uint32_t len = 65504 - off < 1480 ? 65504 - off : 1480;
        enum mk_status st;

        frag4(&t, 0x18, (uint16_t)off, true, len, 0xcc);
        st = mk_decode_frame(d, &t.f, &p);
        if (off + len < 65504) {
            assert_int_equal(st, MK_EAGAIN);
        } else {
            assert_int_equal(st, MK_EINVAL);
            assert_int_equal(p.event, MK_DECODE_FRAG_TOO_LARGE);
        }
    }
    assert_int_equal(mk_decoder_stats(d)->events[MK_DECODE_FRAG_TOO_LARGE], 1);
    mk_decoder_free(d);
}

static void test_conflicting_last_fragments_drop_datagram(void **state)
{
    struct mk_decoder *d = new_dec(MK_DEFRAG_POLICY_LINUX, 1 << 20);
    struct tframe t;
    struct mk_packet p;

    (void)state;
    frag4(&t, 22, 16, false, 16, 0xaa);
    assert_int_equal(mk_decode_frame(d, &t.f, &p), MK_EAGAIN);
    frag4(&t, 22, 16, false, 8, 0xaa);
    assert_int_equal(mk_decode_frame(d, &t.f, &p), MK_EINVAL);
    assert_int_equal(p.event, MK_DECODE_FRAG_BAD_LENGTH);
    mk_decoder_free(d);
}

static void test_too_many_fragments(void **state)
{
    struct mk_defrag_config cfg = MK_DEFRAG_CONFIG_DEFAULT;
    struct mk_decoder *d = mk_decoder_new(&cfg);
    struct tframe t;
    struct mk_packet p;
    enum mk_status st = MK_EAGAIN;

    (void)state;
    /* the same 8 bytes again and again never complete the datagram */
    for (int i = 0; i <= MK_DEFRAG_MAX_FRAGS && st == MK_EAGAIN; i++) {
        frag4(&t, 23, 8, true, 8, 0xaa);
        st = mk_decode_frame(d, &t.f, &p);
    }
    assert_int_equal(st, MK_EINVAL);
    assert_int_equal(p.event, MK_DECODE_FRAG_TOO_MANY);
    mk_decoder_free(d);
}

static void test_frags_pcap_ipv4_and_ipv6(void **state)
{
    struct mk_decoder *d = mk_decoder_new(NULL);
    struct treader r;
    struct mk_frame f;
    struct mk_packet p;
    int done = 0;

    (void)state;
    assert_true(treader_open(&r, MK_TEST_DATA "/pcap/frags.pcap"));
    while (treader_next(&r, &f)) {
        enum mk_status st = mk_decode_frame(d, &f, &p);

        if (st == MK_OK) {
            assert_true(p.is_reassembled);
            assert_int_equal(p.proto, 17);
            assert_int_equal(p.dport, 7001);
            assert_int_equal(p.payload_len, 1024);
            assert_int_equal(p.payload[1023], 255);
            done++;
        } else {
            assert_int_equal(st, MK_EAGAIN);
        }
    }
    treader_close(&r);
    assert_int_equal(done, 2);
    assert_int_equal(mk_decoder_stats(d)->ipv6, 2); /* one per frame */
    mk_decoder_free(d);
}

static void test_dispatch_hash_symmetric_and_fragment_stable(void **state)
{
    struct tframe a;
    struct tframe b;

    (void)state;
    /* 192.0.2.1 -> 192.0.2.2 UDP and the reverse direction */
    tframe_hex(&a, MK_LINK_RAW, "4500001c 00010000 40110000 c0000201 c0000202 00010002 00080000");
    tframe_hex(&b, MK_LINK_RAW, "4500001c 00010000 40110000 c0000202 c0000201 00020001 00080000");
    assert_int_equal(mk_decode_dispatch_hash(&a.f), mk_decode_dispatch_hash(&b.f));
    assert_int_not_equal(mk_decode_dispatch_hash(&a.f), 0);
    /* a later fragment of the same pair: no ports, same hash */
    frag4(&b, 9, 64, false, 8, 0);
    assert_int_equal(mk_decode_dispatch_hash(&a.f), mk_decode_dispatch_hash(&b.f));
    /* a VLAN id changes it; ARP has none */
    tframe_hex(&b, MK_LINK_ETHERNET,
               "020000000002 020000000001 8100 0007 0800"
               "4500001c 00010000 40110000 c0000201 c0000202 00010002 00080000");
    assert_int_not_equal(mk_decode_dispatch_hash(&a.f), mk_decode_dispatch_hash(&b.f));
    tframe_hex(&b, MK_LINK_ETHERNET, "020000000002 020000000001 0806 0001080006040001");
    assert_int_equal(mk_decode_dispatch_hash(&b.f), 0);
}

/* Workers get even shares: 20,000 IPv4 pairs and 20,000 IPv6 pairs spread over
 * 2, 3 and 8 workers within 5 % of an even split (the hash adds the two
 * addresses, so the test also guards against that sum losing bits). */
static void test_dispatch_hash_spreads_evenly(void **state)
{
    static const unsigned ways[] = {2, 3, 8};
    struct tframe t;
    uint32_t x = 12345;

    (void)state;
    for (int v6 = 0; v6 <= 1; v6++) {
        uint32_t hashes[20000];

        for (size_t i = 0; i < MK_ARRAY_LEN(hashes); i++) {
            uint8_t *ip;

            tframe_hex(&t, MK_LINK_RAW,
                       v6 ? "60000000 00081140 20010db8000000000000000000000001"
                            "20010db8000000000000000000000002 00010002 00080000"
                          : "4500001c 00010000 40110000 c0000201 c0000202 00010002 00080000");
            ip = t.buf + (v6 ? 8 : 12);
            for (int k = 0; k < (v6 ? 32 : 8); k++) {
                if (v6 && (k % 16) < 8) {
                    continue; /* keep the 2001:db8:: prefixes: vary the host parts */
                }
                x = x * 1103515245u + 12345u;
                ip[k] = (uint8_t)(x >> 16);
            }
            hashes[i] = mk_decode_dispatch_hash(&t.f);
        }
        for (size_t w = 0; w < MK_ARRAY_LEN(ways); w++) {
            unsigned count[8] = {0};
            double even = (double)MK_ARRAY_LEN(hashes) / ways[w];

            for (size_t i = 0; i < MK_ARRAY_LEN(hashes); i++) {
                count[hashes[i] % ways[w]]++;
            }
            for (unsigned k = 0; k < ways[w]; k++) {
                assert_true(count[k] > 0.95 * even && count[k] < 1.05 * even);
            }
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ipv4_in_order_reassembles),
        cmocka_unit_test(test_ipv4_out_of_order_reassembles),
        cmocka_unit_test(test_overlap_policy_first_keeps_earliest),
        cmocka_unit_test(test_overlap_policy_last_keeps_latest),
        cmocka_unit_test(test_overlap_policy_linux_keeps_earlier_at_same_offset),
        cmocka_unit_test(test_timeout_drops_incomplete_datagram),
        cmocka_unit_test(test_memcap_refuses_fragments),
        cmocka_unit_test(test_max_datagrams_cap),
        cmocka_unit_test(test_rejects_unaligned_and_oversized_fragments),
        cmocka_unit_test(test_rejects_datagram_too_large_with_first_fragment_header),
        cmocka_unit_test(test_conflicting_last_fragments_drop_datagram),
        cmocka_unit_test(test_too_many_fragments),
        cmocka_unit_test(test_frags_pcap_ipv4_and_ipv6),
        cmocka_unit_test(test_dispatch_hash_symmetric_and_fragment_stable),
        cmocka_unit_test(test_dispatch_hash_spreads_evenly),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
