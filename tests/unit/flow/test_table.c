/* Unit tests of the flow table: the canonical key, client assignment, counters,
 * timeouts per protocol and state, eviction, the memcap and flow_id. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "unit/flow/flow_test.h"

static struct mk_flow_table *table_with(struct rec *r, struct mk_flow_config cfg)
{
    struct mk_flow_table *t;

    memset(r, 0, sizeof(*r));
    t = mk_flow_table_new(&cfg, rec_end, rec_stream, r);
    assert_non_null(t);
    return t;
}

static struct mk_flow *feed(struct mk_flow_table *t, const struct mk_packet *p,
                            enum mk_flow_dir *dir)
{
    enum mk_flow_dir d;

    return mk_flow_table_packet(t, p, dir != NULL ? dir : &d);
}

static void test_table_both_directions_map_to_one_flow(void **state)
{
    struct rec r;
    struct mk_flow_table *t = table_with(&r, MK_FLOW_CONFIG_DEFAULT);
    struct mk_packet a = pkt_of("10.0.0.2", 5353, "10.0.0.1", 53, MK_FLOW_PROTO_UDP, 1);
    struct mk_packet b = pkt_of("10.0.0.1", 53, "10.0.0.2", 5353, MK_FLOW_PROTO_UDP, 2);
    enum mk_flow_dir da;
    enum mk_flow_dir db;
    struct mk_flow *fa;
    struct mk_flow *fb;

    (void)state;
    fa = feed(t, &a, &da);
    fb = feed(t, &b, &db);
    assert_non_null(fa);
    assert_ptr_equal(fa, fb);
    assert_int_equal(da, MK_FLOW_TOSERVER);
    assert_int_equal(db, MK_FLOW_TOCLIENT);
    assert_int_equal(mk_flow_table_stats(t)->created, 1);
    assert_int_equal(mk_flow_table_stats(t)->active, 1);
    mk_flow_table_free(t);
}

static void test_table_ipv6_directions_map_to_one_flow(void **state)
{
    struct rec r;
    struct mk_flow_table *t = table_with(&r, MK_FLOW_CONFIG_DEFAULT);
    struct mk_packet a = pkt_of("2001:db8::2", 40000, "2001:db8::1", 443, MK_FLOW_PROTO_UDP, 1);
    struct mk_packet b = pkt_of("2001:db8::1", 443, "2001:db8::2", 40000, MK_FLOW_PROTO_UDP, 1);

    (void)state;
    assert_ptr_equal(feed(t, &a, NULL), feed(t, &b, NULL));
    assert_int_equal(feed(t, &a, NULL)->ip_version, 6);
    mk_flow_table_free(t);
}

static void test_table_vlan_and_ports_and_proto_separate_flows(void **state)
{
    struct rec r;
    struct mk_flow_table *t = table_with(&r, MK_FLOW_CONFIG_DEFAULT);
    struct mk_packet a = pkt_of("10.0.0.2", 1000, "10.0.0.1", 53, MK_FLOW_PROTO_UDP, 1);
    struct mk_packet v = a;
    struct mk_packet port = a;
    struct mk_packet tcp = a;

    (void)state;
    v.vlan[0] = 7;
    v.n_vlans = 1;
    port.sport = 1001;
    tcp.proto = MK_FLOW_PROTO_TCP;
    tcp.tcp_flags = TH_SYN;
    feed(t, &a, NULL);
    feed(t, &v, NULL);
    feed(t, &port, NULL);
    feed(t, &tcp, NULL);
    assert_int_equal(mk_flow_table_stats(t)->created, 4);
    mk_flow_table_free(t);
}

static void test_table_client_is_the_first_sender(void **state)
{
    struct rec r;
    struct mk_flow_table *t = table_with(&r, MK_FLOW_CONFIG_DEFAULT);
    /* the higher address speaks first: it is still the client */
    struct mk_packet a = pkt_of("192.0.2.9", 53, "192.0.2.1", 40000, MK_FLOW_PROTO_UDP, 1);
    struct mk_flow *f;
    char s[46];

    (void)state;
    f = feed(t, &a, NULL);
    assert_memory_equal(f->src.b, a.src.b, 16);
    assert_int_equal(f->sport, 53);
    assert_int_equal(f->dport, 40000);
    inet_ntop(AF_INET, f->dst.b + 12, s, sizeof(s));
    assert_string_equal(s, "192.0.2.1");
    mk_flow_table_free(t);
}

static void test_table_synack_seen_first_makes_its_receiver_the_client(void **state)
{
    struct rec r;
    struct mk_flow_table *t = table_with(&r, MK_FLOW_CONFIG_DEFAULT);
    struct mk_packet sa =
        tcp_of("10.0.0.1", 80, "10.0.0.2", 40000, TH_SYN | TH_ACK, 500, 101, NULL);
    struct mk_packet ack = tcp_of("10.0.0.2", 40000, "10.0.0.1", 80, TH_ACK, 101, 501, NULL);
    enum mk_flow_dir d;
    struct mk_flow *f;

    (void)state;
    f = feed(t, &sa, &d);
    assert_int_equal(d, MK_FLOW_TOCLIENT);
    assert_int_equal(f->sport, 40000);
    assert_int_equal(f->dport, 80);
    assert_int_equal(f->tcp_state, MK_TCP_SYN_RECV);
    feed(t, &ack, &d);
    assert_int_equal(d, MK_FLOW_TOSERVER);
    assert_int_equal(f->tcp_state, MK_TCP_ESTABLISHED);
    mk_flow_table_free(t);
}

static void test_table_counts_packets_bytes_and_flags_per_direction(void **state)
{
    struct rec r;
    struct mk_flow_table *t = table_with(&r, MK_FLOW_CONFIG_DEFAULT);
    struct mk_packet syn = tcp_of("10.0.0.2", 40000, "10.0.0.1", 80, TH_SYN, 100, 0, NULL);
    struct mk_packet sa =
        tcp_of("10.0.0.1", 80, "10.0.0.2", 40000, TH_SYN | TH_ACK, 500, 101, NULL);
    struct mk_packet ack = tcp_of("10.0.0.2", 40000, "10.0.0.1", 80, TH_ACK, 101, 501, "hello");
    struct mk_frame fr = {.wirelen = 99};
    struct mk_flow *f;

    (void)state;
    ack.frame = &fr;
    f = feed(t, &syn, NULL);
    feed(t, &sa, NULL);
    feed(t, &ack, NULL);
    assert_int_equal(f->pkts[MK_FLOW_TOSERVER], 2);
    assert_int_equal(f->pkts[MK_FLOW_TOCLIENT], 1);
    assert_int_equal(f->bytes[MK_FLOW_TOSERVER], 40 + 99); /* l3_len without a frame */
    assert_int_equal(f->bytes[MK_FLOW_TOCLIENT], 40);
    assert_int_equal(f->tcp_flags[MK_FLOW_TOSERVER], TH_SYN | TH_ACK);
    assert_int_equal(f->tcp_flags[MK_FLOW_TOCLIENT], TH_SYN | TH_ACK);
    assert_int_equal(f->tcp_state, MK_TCP_ESTABLISHED);
    assert_string_equal(r.text[MK_FLOW_TOSERVER], "hello");
    mk_flow_table_free(t);
}

static void test_table_icmp_request_and_reply_share_a_flow(void **state)
{
    struct rec r;
    struct mk_flow_table *t = table_with(&r, MK_FLOW_CONFIG_DEFAULT);
    struct mk_packet req = pkt_of("10.0.0.2", 0, "10.0.0.1", 0, MK_FLOW_PROTO_ICMP, 1);
    struct mk_packet rep = pkt_of("10.0.0.1", 0, "10.0.0.2", 0, MK_FLOW_PROTO_ICMP, 1);
    enum mk_flow_dir d;
    struct mk_flow *f;

    (void)state;
    req.icmp_type = 8;
    rep.icmp_type = 0;
    f = feed(t, &req, NULL);
    assert_ptr_equal(feed(t, &rep, &d), f);
    assert_int_equal(d, MK_FLOW_TOCLIENT);
    assert_int_equal(f->icmp_type[MK_FLOW_TOSERVER], 8);
    assert_int_equal(f->icmp_type[MK_FLOW_TOCLIENT], 0);
    mk_flow_table_free(t);
}

static void test_table_packet_without_ip_has_no_flow(void **state)
{
    struct rec r;
    struct mk_flow_table *t = table_with(&r, MK_FLOW_CONFIG_DEFAULT);
    struct mk_packet p = pkt_of("10.0.0.2", 1, "10.0.0.1", 2, MK_FLOW_PROTO_UDP, 1);

    (void)state;
    p.ip_version = 0;
    assert_null(feed(t, &p, NULL));
    assert_int_equal(mk_flow_table_stats(t)->created, 0);
    mk_flow_table_free(t);
}

static void test_table_udp_times_out_by_new_then_established_timeout(void **state)
{
    struct rec r;
    struct mk_flow_table *t = table_with(&r, MK_FLOW_CONFIG_DEFAULT);
    struct mk_packet a = pkt_of("10.0.0.2", 1000, "10.0.0.1", 53, MK_FLOW_PROTO_UDP, 100);
    struct mk_packet b = pkt_of("10.0.0.1", 53, "10.0.0.2", 1000, MK_FLOW_PROTO_UDP, 100);

    (void)state;
    feed(t, &a, NULL);
    mk_flow_table_expire(t, 129); /* udp_new = 30 */
    assert_int_equal(r.ends, 0);
    mk_flow_table_expire(t, 130);
    assert_int_equal(r.ends, 1);
    assert_int_equal(r.reasons[0], MK_FLOW_END_TIMEOUT);
    /* a reply makes it established: 300 s */
    feed(t, &a, NULL);
    feed(t, &b, NULL);
    mk_flow_table_expire(t, 399);
    assert_int_equal(r.ends, 1);
    mk_flow_table_expire(t, 400);
    assert_int_equal(r.ends, 2);
    assert_int_equal(mk_flow_table_stats(t)->ended[MK_FLOW_END_TIMEOUT], 2);
    assert_int_equal(mk_flow_table_stats(t)->active, 0);
    mk_flow_table_free(t);
}

static void test_table_tcp_timeouts_follow_the_state(void **state)
{
    struct rec r;
    struct mk_flow_table *t = table_with(&r, MK_FLOW_CONFIG_DEFAULT);
    struct mk_packet syn = tcp_of("10.0.0.2", 40000, "10.0.0.1", 80, TH_SYN, 100, 0, NULL);
    struct mk_packet sa =
        tcp_of("10.0.0.1", 80, "10.0.0.2", 40000, TH_SYN | TH_ACK, 500, 101, NULL);
    struct mk_packet ack = tcp_of("10.0.0.2", 40000, "10.0.0.1", 80, TH_ACK, 101, 501, NULL);
    struct mk_packet rst = tcp_of("10.0.0.1", 80, "10.0.0.2", 40000, TH_RST, 501, 0, NULL);

    (void)state;
    feed(t, &syn, NULL); /* t = 0, tcp_new = 60 */
    mk_flow_table_expire(t, 59);
    assert_int_equal(r.ends, 0);
    mk_flow_table_expire(t, 60);
    assert_int_equal(r.ends, 1);
    syn.ts_sec = sa.ts_sec = ack.ts_sec = 100;
    feed(t, &syn, NULL);
    feed(t, &sa, NULL);
    feed(t, &ack, NULL); /* established: 600 */
    mk_flow_table_expire(t, 699);
    assert_int_equal(r.ends, 1);
    rst.ts_sec = 650;
    feed(t, &rst, NULL); /* closed: 10 */
    mk_flow_table_expire(t, 659);
    assert_int_equal(r.ends, 1);
    mk_flow_table_expire(t, 660);
    assert_int_equal(r.ends, 2);
    assert_int_equal(r.reasons[1], MK_FLOW_END_CLOSED);
    mk_flow_table_free(t);
}

static void test_table_configured_timeouts_apply(void **state)
{
    struct rec r;
    struct mk_flow_config cfg = MK_FLOW_CONFIG_DEFAULT;
    struct mk_flow_table *t;
    struct mk_packet icmp = pkt_of("10.0.0.2", 0, "10.0.0.1", 0, MK_FLOW_PROTO_ICMP, 0);
    struct mk_packet gre = pkt_of("10.0.0.2", 0, "10.0.0.1", 0, 47, 0);

    (void)state;
    cfg.icmp = 5;
    cfg.other = 7;
    t = table_with(&r, cfg);
    feed(t, &icmp, NULL);
    feed(t, &gre, NULL);
    mk_flow_table_expire(t, 5);
    assert_int_equal(r.ends, 1);
    mk_flow_table_expire(t, 6);
    assert_int_equal(r.ends, 1);
    mk_flow_table_expire(t, 7);
    assert_int_equal(r.ends, 2);
    mk_flow_table_free(t);
}

static void test_table_packet_after_timeout_starts_a_new_flow(void **state)
{
    struct rec r;
    struct mk_flow_table *t = table_with(&r, MK_FLOW_CONFIG_DEFAULT);
    struct mk_packet a = pkt_of("10.0.0.2", 1000, "10.0.0.1", 53, MK_FLOW_PROTO_UDP, 0);
    uint64_t id;

    (void)state;
    id = feed(t, &a, NULL)->flow_id;
    a.ts_sec = 31; /* expire was never called */
    assert_int_not_equal(feed(t, &a, NULL)->flow_id, id);
    assert_int_equal(r.ends, 1);
    assert_int_equal(r.reasons[0], MK_FLOW_END_TIMEOUT);
    assert_int_equal(mk_flow_table_stats(t)->created, 2);
    mk_flow_table_free(t);
}

static void test_table_new_syn_on_closed_connection_starts_a_new_flow(void **state)
{
    struct rec r;
    struct mk_flow_table *t = table_with(&r, MK_FLOW_CONFIG_DEFAULT);
    struct mk_packet syn = tcp_of("10.0.0.2", 40000, "10.0.0.1", 80, TH_SYN, 100, 0, NULL);
    struct mk_packet rst = tcp_of("10.0.0.1", 80, "10.0.0.2", 40000, TH_RST, 0, 0, NULL);
    struct mk_flow *f;

    (void)state;
    feed(t, &syn, NULL);
    feed(t, &rst, NULL);
    syn.tcp_seq = 9000;
    f = feed(t, &syn, NULL);
    assert_int_equal(r.ends, 1);
    assert_int_equal(r.reasons[0], MK_FLOW_END_CLOSED);
    assert_int_equal(f->tcp_state, MK_TCP_SYN_SENT);
    mk_flow_table_free(t);
}

static void test_table_expire_with_nothing_due_ends_nothing(void **state)
{
    struct rec r;
    struct mk_flow_table *t = table_with(&r, MK_FLOW_CONFIG_DEFAULT);

    (void)state;
    for (uint16_t i = 0; i < 1000; i++) {
        struct mk_packet a = pkt_of("10.0.0.2", i, "10.0.0.1", 53, MK_FLOW_PROTO_UDP, i / 100);

        feed(t, &a, NULL);
    }
    mk_flow_table_expire(t, 29);
    assert_int_equal(r.ends, 0);
    mk_flow_table_expire(t, 30); /* the first 100 (t = 0) */
    assert_int_equal(r.ends, 100);
    mk_flow_table_free(t);
}

static void test_table_evicts_the_oldest_flow_when_full(void **state)
{
    struct rec r;
    struct mk_flow_config cfg = MK_FLOW_CONFIG_DEFAULT;
    struct mk_flow_table *t;
    uint64_t first_id = 0;

    (void)state;
    cfg.max_flows = 4;
    t = table_with(&r, cfg);
    for (uint16_t i = 0; i < 4; i++) {
        struct mk_packet a = pkt_of("10.0.0.2", i, "10.0.0.1", 53, MK_FLOW_PROTO_UDP, 10 + i);
        struct mk_flow *f = feed(t, &a, NULL);

        first_id = i == 0 ? f->flow_id : first_id;
    }
    {
        /* flow 0 is touched again: flow 1 is now the oldest */
        struct mk_packet again = pkt_of("10.0.0.2", 0, "10.0.0.1", 53, MK_FLOW_PROTO_UDP, 20);
        struct mk_packet extra = pkt_of("10.0.0.2", 99, "10.0.0.1", 53, MK_FLOW_PROTO_UDP, 21);

        assert_int_equal(feed(t, &again, NULL)->flow_id, first_id);
        assert_non_null(feed(t, &extra, NULL));
    }
    assert_int_equal(r.ends, 1);
    assert_int_equal(r.reasons[0], MK_FLOW_END_EVICTED);
    assert_int_not_equal(r.end_ids[0], first_id);
    assert_int_equal(mk_flow_table_stats(t)->ended[MK_FLOW_END_EVICTED], 1);
    assert_int_equal(mk_flow_table_stats(t)->active, 4);
    mk_flow_table_free(t);
}

static void test_table_memcap_bounds_flows_and_memuse(void **state)
{
    struct rec r;
    struct mk_flow_config cfg = MK_FLOW_CONFIG_DEFAULT;
    struct mk_flow_table *t;

    (void)state;
    cfg.memcap = 10 * sizeof(struct mk_flow);
    cfg.max_flows = 100;
    t = table_with(&r, cfg);
    for (uint16_t i = 0; i < 50; i++) {
        struct mk_packet a = pkt_of("10.0.0.2", i, "10.0.0.1", 53, MK_FLOW_PROTO_UDP, i);

        assert_non_null(feed(t, &a, NULL));
        assert_true(mk_flow_table_stats(t)->memuse <= cfg.memcap);
    }
    assert_int_equal(mk_flow_table_stats(t)->active, 10);
    assert_int_equal(mk_flow_table_stats(t)->ended[MK_FLOW_END_EVICTED], 40);
    mk_flow_table_flush(t);
    assert_int_equal(mk_flow_table_stats(t)->memuse, 0);
    assert_int_equal(mk_flow_table_stats(t)->ended[MK_FLOW_END_SHUTDOWN], 10);
    mk_flow_table_free(t);
}

static void test_table_memcap_below_one_flow_refuses_and_counts(void **state)
{
    struct rec r;
    struct mk_flow_config cfg = MK_FLOW_CONFIG_DEFAULT;
    struct mk_flow_table *t;
    struct mk_packet a = pkt_of("10.0.0.2", 1, "10.0.0.1", 53, MK_FLOW_PROTO_UDP, 1);

    (void)state;
    cfg.memcap = 16;
    t = table_with(&r, cfg);
    assert_null(feed(t, &a, NULL));
    assert_int_equal(mk_flow_table_stats(t)->memcap_hits, 1);
    mk_flow_table_free(t);
}

static void test_table_flow_id_is_51_bit_stable_and_distinct(void **state)
{
    struct rec r;
    struct mk_flow_table *t = table_with(&r, MK_FLOW_CONFIG_DEFAULT);
    struct mk_packet a = pkt_of("10.0.0.2", 1, "10.0.0.1", 53, MK_FLOW_PROTO_UDP, 1);
    struct mk_packet b = pkt_of("10.0.0.1", 53, "10.0.0.2", 1, MK_FLOW_PROTO_UDP, 2);
    struct mk_packet c = pkt_of("10.0.0.2", 2, "10.0.0.1", 53, MK_FLOW_PROTO_UDP, 1);
    uint64_t id;

    (void)state;
    id = feed(t, &a, NULL)->flow_id;
    assert_true(id > 0 && id < (UINT64_C(1) << 51));
    assert_int_equal(feed(t, &b, NULL)->flow_id, id);
    assert_int_not_equal(feed(t, &c, NULL)->flow_id, id);
    mk_flow_table_free(t);
}

static int freed;

static void count_free(void *p)
{
    (void)p;
    freed++;
}

static void test_table_end_calls_app_free_after_the_end_callback(void **state)
{
    struct rec r;
    struct mk_flow_table *t = table_with(&r, MK_FLOW_CONFIG_DEFAULT);
    struct mk_packet a = pkt_of("10.0.0.2", 1, "10.0.0.1", 53, MK_FLOW_PROTO_UDP, 1);
    struct mk_flow *f;
    int token = 0;

    (void)state;
    freed = 0;
    f = feed(t, &a, NULL);
    f->app_state = &token;
    f->app_free = count_free;
    mk_flow_table_flush(t);
    assert_int_equal(freed, 1);
    assert_int_equal(r.ends, 1);
    assert_int_equal(r.reasons[0], MK_FLOW_END_SHUTDOWN);
    /* the table stays usable after a flush */
    assert_non_null(feed(t, &a, NULL));
    mk_flow_table_free(t);
    assert_int_equal(r.ends, 2);
}

/* A flush ends every flow of every list once, empties the table (no flow is
 * found again: each packet after it creates a new one) and frees every slot. */
static void test_table_flush_of_many_flows_across_lists(void **state)
{
    struct rec r;
    struct mk_flow_config cfg = MK_FLOW_CONFIG_DEFAULT;
    struct mk_flow_table *t;
    struct mk_packet p[40];
    int n = 0;

    (void)state;
    cfg.max_flows = 64; /* the freed slots must serve the second round */
    t = table_with(&r, cfg);
    for (int i = 0; i < 20; i++) { /* UDP, one way and answered */
        char src[32];

        (void)snprintf(src, sizeof(src), "10.0.%d.%d", i / 8, i % 8 + 1);
        p[n++] = pkt_of(src, (uint16_t)(1000 + i), "10.1.0.1", 53, MK_FLOW_PROTO_UDP, 1);
    }
    for (int i = 0; i < 20; i++) { /* TCP SYNs, and ICMPv6 */
        char src[48];

        (void)snprintf(src, sizeof(src), "2001:db8::%x", i + 1);
        p[n] = pkt_of(src, (uint16_t)(2000 + i), "2001:db8::ffff", 443,
                      i % 2 ? MK_FLOW_PROTO_TCP : MK_FLOW_PROTO_ICMPV6, 1);
        p[n].tcp_flags = i % 2 ? MK_FLOW_TH_SYN : 0;
        n++;
    }
    for (int k = 0; k < n; k++) {
        assert_non_null(feed(t, &p[k], NULL));
    }
    assert_int_equal(mk_flow_table_stats(t)->active, 40);
    mk_flow_table_flush(t);
    assert_int_equal(r.ends, 40);
    assert_int_equal(mk_flow_table_stats(t)->active, 0);
    assert_int_equal(mk_flow_table_stats(t)->ended[MK_FLOW_END_SHUTDOWN], 40);
    for (int k = 0; k < n; k++) { /* none found again: 40 new flows in 64 slots */
        struct mk_flow *f = feed(t, &p[k], NULL);

        assert_non_null(f);
        assert_int_equal(f->pkts[0] + f->pkts[1], 1);
    }
    assert_int_equal(mk_flow_table_stats(t)->created, 80);
    assert_int_equal(mk_flow_table_stats(t)->active, 40);
    mk_flow_table_free(t);
    assert_int_equal(r.ends, 80);
}

static void test_table_names(void **state)
{
    (void)state;
    assert_string_equal(mk_flow_end_name(MK_FLOW_END_EVICTED), "evicted");
    assert_string_equal(mk_tcp_state_name(MK_TCP_ESTABLISHED), "established");
    assert_string_equal(mk_tcp_state_name(MK_TCP_CLOSED), "closed");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_both_directions_map_to_one_flow),
        cmocka_unit_test(test_table_flush_of_many_flows_across_lists),
        cmocka_unit_test(test_table_ipv6_directions_map_to_one_flow),
        cmocka_unit_test(test_table_vlan_and_ports_and_proto_separate_flows),
        cmocka_unit_test(test_table_client_is_the_first_sender),
        cmocka_unit_test(test_table_synack_seen_first_makes_its_receiver_the_client),
        cmocka_unit_test(test_table_counts_packets_bytes_and_flags_per_direction),
        cmocka_unit_test(test_table_icmp_request_and_reply_share_a_flow),
        cmocka_unit_test(test_table_packet_without_ip_has_no_flow),
        cmocka_unit_test(test_table_udp_times_out_by_new_then_established_timeout),
        cmocka_unit_test(test_table_tcp_timeouts_follow_the_state),
        cmocka_unit_test(test_table_configured_timeouts_apply),
        cmocka_unit_test(test_table_packet_after_timeout_starts_a_new_flow),
        cmocka_unit_test(test_table_new_syn_on_closed_connection_starts_a_new_flow),
        cmocka_unit_test(test_table_expire_with_nothing_due_ends_nothing),
        cmocka_unit_test(test_table_evicts_the_oldest_flow_when_full),
        cmocka_unit_test(test_table_memcap_bounds_flows_and_memuse),
        cmocka_unit_test(test_table_memcap_below_one_flow_refuses_and_counts),
        cmocka_unit_test(test_table_flow_id_is_51_bit_stable_and_distinct),
        cmocka_unit_test(test_table_end_calls_app_free_after_the_end_callback),
        cmocka_unit_test(test_table_names),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
