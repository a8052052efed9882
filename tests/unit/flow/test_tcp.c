/* Unit tests of TCP in the flow table: the state machine and stream
 * reassembly (in order, out of order, retransmissions, overlaps, gaps by ACK
 * and by cap, wraparound, stream_depth, midstream pickup, memory). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "unit/flow/flow_test.h"

#define CLI "10.0.0.2"
#define SRV "10.0.0.1"
#define TS  MK_FLOW_TOSERVER
#define TC  MK_FLOW_TOCLIENT

struct fx {
    struct rec r;
    struct mk_flow_table *t;
    struct mk_flow *f;
};

static void open_table(struct fx *x, struct mk_flow_config cfg)
{
    memset(x, 0, sizeof(*x));
    x->t = mk_flow_table_new(&cfg, rec_end, rec_stream, &x->r);
    assert_non_null(x->t);
}

/* A segment from the client (to_server) or the server, seq absolute. */
static void seg(struct fx *x, bool to_server, uint8_t flags, uint32_t seq, uint32_t ack,
                const char *data)
{
    struct mk_packet p = to_server ? tcp_of(CLI, 40000, SRV, 80, flags, seq, ack, data)
                                   : tcp_of(SRV, 80, CLI, 40000, flags, seq, ack, data);
    enum mk_flow_dir d;

    x->f = mk_flow_table_packet(x->t, &p, &d);
    assert_non_null(x->f);
}

/* Client ISN c, server ISN s: SYN, SYN/ACK, ACK. */
static void handshake(struct fx *x, uint32_t c, uint32_t s)
{
    seg(x, true, TH_SYN, c, 0, NULL);
    seg(x, false, TH_SYN | TH_ACK, s, c + 1, NULL);
    seg(x, true, TH_ACK, c + 1, s + 1, NULL);
}

static void close_table(struct fx *x)
{
    mk_flow_table_free(x->t);
}

static void test_tcp_handshake_then_fin_both_ways_closes(void **state)
{
    struct fx x;

    (void)state;
    open_table(&x, MK_FLOW_CONFIG_DEFAULT);
    seg(&x, true, TH_SYN, 100, 0, NULL);
    assert_int_equal(x.f->tcp_state, MK_TCP_SYN_SENT);
    seg(&x, false, TH_SYN | TH_ACK, 500, 101, NULL);
    assert_int_equal(x.f->tcp_state, MK_TCP_SYN_RECV);
    seg(&x, true, TH_ACK, 101, 501, NULL);
    assert_int_equal(x.f->tcp_state, MK_TCP_ESTABLISHED);
    seg(&x, true, TH_FIN | TH_ACK, 101, 501, NULL);
    assert_int_equal(x.f->tcp_state, MK_TCP_FIN_WAIT);
    assert_true(x.f->stream[TS].closed);
    seg(&x, false, TH_FIN | TH_ACK, 501, 102, NULL);
    assert_int_equal(x.f->tcp_state, MK_TCP_CLOSED);
    assert_true(x.f->stream[TC].closed);
    assert_int_equal(x.f->stream[TS].next_seq, 102); /* SYN and FIN each take one */
    close_table(&x);
}

static void test_tcp_rst_closes_from_any_state(void **state)
{
    struct fx x;

    (void)state;
    open_table(&x, MK_FLOW_CONFIG_DEFAULT);
    seg(&x, true, TH_SYN, 100, 0, NULL);
    seg(&x, false, TH_RST | TH_ACK, 0, 101, NULL);
    assert_int_equal(x.f->tcp_state, MK_TCP_CLOSED);
    assert_string_equal(mk_tcp_state_name(x.f->tcp_state), "closed");
    close_table(&x);
}

static void test_tcp_in_order_data_is_delivered_per_direction(void **state)
{
    struct fx x;

    (void)state;
    open_table(&x, MK_FLOW_CONFIG_DEFAULT);
    handshake(&x, 100, 500);
    seg(&x, true, TH_ACK, 101, 501, "GET / ");
    seg(&x, true, TH_ACK, 107, 501, "HTTP/1.1\r\n");
    seg(&x, false, TH_ACK, 501, 117, "HTTP/1.1 200");
    assert_string_equal(x.r.text[TS], "GET / HTTP/1.1\r\n");
    assert_string_equal(x.r.text[TC], "HTTP/1.1 200");
    assert_int_equal(x.f->stream[TS].delivered, 16);
    assert_int_equal(x.f->stream[TS].isn, 100);
    assert_int_equal(x.f->stream[TC].isn, 500);
    close_table(&x);
}

static void test_tcp_out_of_order_segment_is_held_until_the_hole_fills(void **state)
{
    struct fx x;

    (void)state;
    open_table(&x, MK_FLOW_CONFIG_DEFAULT);
    handshake(&x, 100, 500);
    seg(&x, true, TH_ACK, 107, 501, "world");
    seg(&x, true, TH_ACK, 104, 501, "lo ");
    assert_string_equal(x.r.text[TS], "");
    assert_int_equal(x.f->stream[TS].pending, 8);
    assert_true(mk_flow_table_stats(x.t)->memuse > sizeof(struct mk_flow));
    seg(&x, true, TH_ACK, 101, 501, "hel");
    assert_string_equal(x.r.text[TS], "hello world");
    assert_int_equal(x.f->stream[TS].pending, 0);
    assert_int_equal(mk_flow_table_stats(x.t)->tcp_out_of_order, 2);
    assert_int_equal(mk_flow_table_stats(x.t)->memuse, sizeof(struct mk_flow));
    close_table(&x);
}

static void test_tcp_retransmission_is_counted_and_not_delivered_twice(void **state)
{
    struct fx x;

    (void)state;
    open_table(&x, MK_FLOW_CONFIG_DEFAULT);
    handshake(&x, 100, 500);
    seg(&x, true, TH_ACK, 101, 501, "abc");
    seg(&x, true, TH_ACK, 101, 501, "abc");
    seg(&x, true, TH_ACK, 104, 501, "def");
    assert_string_equal(x.r.text[TS], "abcdef");
    assert_int_equal(mk_flow_table_stats(x.t)->tcp_retransmissions, 1);
    close_table(&x);
}

static void test_tcp_overlap_with_delivered_data_delivers_only_new_bytes(void **state)
{
    struct fx x;

    (void)state;
    open_table(&x, MK_FLOW_CONFIG_DEFAULT);
    handshake(&x, 100, 500);
    seg(&x, true, TH_ACK, 101, 501, "abcd");
    seg(&x, true, TH_ACK, 103, 501, "XXef"); /* "cd" again, differently */
    assert_string_equal(x.r.text[TS], "abcdef");
    assert_int_equal(mk_flow_table_stats(x.t)->tcp_overlaps, 1);
    close_table(&x);
}

static void test_tcp_overlap_of_held_data_first_received_wins(void **state)
{
    struct fx x;

    (void)state;
    open_table(&x, MK_FLOW_CONFIG_DEFAULT);
    handshake(&x, 100, 500);
    seg(&x, true, TH_ACK, 105, 501, "EFGH");     /* held: 105..108 */
    seg(&x, true, TH_ACK, 103, 501, "cdXXXXij"); /* 103..110: only cd and ij are new */
    seg(&x, true, TH_ACK, 101, 501, "ab");
    assert_string_equal(x.r.text[TS], "abcdEFGHij");
    assert_int_equal(mk_flow_table_stats(x.t)->tcp_overlaps, 1);
    assert_int_equal(mk_flow_table_stats(x.t)->tcp_overlap_diff, 1);
    close_table(&x);
}

static void test_tcp_in_order_segment_overlapping_held_data_keeps_the_held_bytes(void **state)
{
    struct fx x;

    (void)state;
    open_table(&x, MK_FLOW_CONFIG_DEFAULT);
    handshake(&x, 100, 500);
    seg(&x, true, TH_ACK, 103, 501, "CD");
    seg(&x, true, TH_ACK, 101, 501, "abcdef");
    assert_string_equal(x.r.text[TS], "abCDef");
    assert_int_equal(mk_flow_table_stats(x.t)->tcp_overlap_diff, 1);
    close_table(&x);
}

static void test_tcp_ack_past_missing_data_delivers_a_gap(void **state)
{
    struct fx x;

    (void)state;
    open_table(&x, MK_FLOW_CONFIG_DEFAULT);
    handshake(&x, 100, 500);
    seg(&x, true, TH_ACK, 101, 501, "abc");
    /* 104..106 never captured; 107.. held */
    seg(&x, true, TH_ACK, 107, 501, "ghi");
    seg(&x, false, TH_ACK, 501, 110, NULL); /* the server has it all */
    assert_string_equal(x.r.text[TS], "abc###ghi");
    assert_int_equal(x.r.gaps[TS], 1);
    assert_int_equal(x.f->stream[TS].gap_bytes, 3);
    assert_int_equal(mk_flow_table_stats(x.t)->tcp_gaps, 1);
    /* an ACK beyond everything: a gap to it, then data continues after it */
    seg(&x, false, TH_ACK, 501, 115, NULL);
    seg(&x, true, TH_ACK, 115, 501, "z");
    assert_string_equal(x.r.text[TS], "abc###ghi#####z");
    close_table(&x);
}

static void test_tcp_ack_of_the_fin_is_not_a_gap(void **state)
{
    struct fx x;

    (void)state;
    open_table(&x, MK_FLOW_CONFIG_DEFAULT);
    handshake(&x, 100, 500);
    seg(&x, true, TH_ACK | TH_FIN, 101, 501, "ab");
    seg(&x, false, TH_ACK, 501, 104, NULL);
    assert_string_equal(x.r.text[TS], "ab");
    assert_int_equal(x.r.gaps[TS], 0);
    close_table(&x);
}

static void test_tcp_held_bytes_over_max_pending_force_a_gap(void **state)
{
    struct fx x;
    struct mk_flow_config cfg = MK_FLOW_CONFIG_DEFAULT;

    (void)state;
    cfg.max_pending = 6;
    open_table(&x, cfg);
    handshake(&x, 100, 500);
    seg(&x, true, TH_ACK, 103, 501, "cde"); /* held: 3 */
    seg(&x, true, TH_ACK, 110, 501, "jkl"); /* held: 6 */
    seg(&x, true, TH_ACK, 120, 501, "tu");  /* 8 > 6: skip to 103 and drain */
    assert_string_equal(x.r.text[TS], "##cde");
    assert_int_equal(x.f->stream[TS].pending, 5);
    seg(&x, true, TH_ACK, 130, 501, "DDDDD"); /* 10 > 6 again: skip to 110 */
    /* 110 drained, still 2 + 5 > 6: skip to 120 as well, then hold */
    assert_string_equal(x.r.text[TS], "##cde####jkl#######tu");
    assert_int_equal(x.f->stream[TS].pending, 5);
    close_table(&x);
}

static void test_tcp_reassembly_memcap_forces_a_gap_and_is_counted(void **state)
{
    struct fx x;
    struct mk_flow_config cfg = MK_FLOW_CONFIG_DEFAULT;

    (void)state;
    cfg.max_flows = 1;
    cfg.memcap = sizeof(struct mk_flow) + sizeof(struct mk_tcp_segment) + 4;
    open_table(&x, cfg);
    handshake(&x, 100, 500);
    seg(&x, true, TH_ACK, 103, 501, "cd");  /* fits */
    seg(&x, true, TH_ACK, 106, 501, "fgh"); /* no room: 103 goes out first */
    assert_string_equal(x.r.text[TS], "##cd");
    seg(&x, true, TH_ACK, 110, 501, "XYZ"); /* no room: 106 goes out first */
    assert_string_equal(x.r.text[TS], "##cd#fgh");
    assert_int_equal(mk_flow_table_stats(x.t)->tcp_reassembly_memcap, 2);
    assert_true(mk_flow_table_stats(x.t)->memuse <= cfg.memcap);
    close_table(&x);
}

static void test_tcp_sequence_wraparound_at_2_32_is_in_order(void **state)
{
    struct fx x;

    (void)state;
    open_table(&x, MK_FLOW_CONFIG_DEFAULT);
    handshake(&x, 0xfffffff9u, 500);                 /* data starts at 0xfffffffa */
    seg(&x, true, TH_ACK, 0x00000000u, 501, "ghij"); /* after the wrap, early */
    seg(&x, true, TH_ACK, 0xfffffffau, 501, "abcd");
    seg(&x, true, TH_ACK, 0xfffffffeu, 501, "ef"); /* 0xfffffffe, 0xffffffff */
    seg(&x, true, TH_ACK, 0xfffffffcu, 501, "cd"); /* retransmission across nothing */
    assert_string_equal(x.r.text[TS], "abcdefghij");
    assert_int_equal(x.f->stream[TS].next_seq, 4);
    assert_int_equal(mk_flow_table_stats(x.t)->tcp_retransmissions, 1);
    close_table(&x);
}

static void test_tcp_stream_depth_stops_delivery_per_direction(void **state)
{
    struct fx x;
    struct mk_flow_config cfg = MK_FLOW_CONFIG_DEFAULT;

    (void)state;
    cfg.stream_depth = 5;
    open_table(&x, cfg);
    handshake(&x, 100, 500);
    seg(&x, true, TH_ACK, 107, 501, "ghi"); /* held, then dropped at the depth */
    seg(&x, true, TH_ACK, 101, 501, "abcdef");
    seg(&x, false, TH_ACK, 501, 110, "0123456789");
    assert_string_equal(x.r.text[TS], "abcde");
    assert_string_equal(x.r.text[TC], "01234");
    assert_true(x.f->stream[TS].depth_reached);
    assert_int_equal(x.f->stream[TS].pending, 0);
    assert_int_equal(mk_flow_table_stats(x.t)->memuse, sizeof(struct mk_flow));
    close_table(&x);
}

static void test_tcp_midstream_pickup_starts_at_the_first_segment(void **state)
{
    struct fx x;

    (void)state;
    open_table(&x, MK_FLOW_CONFIG_DEFAULT);
    seg(&x, true, TH_ACK, 7000, 9000, "mid");
    assert_int_equal(x.f->tcp_state, MK_TCP_ESTABLISHED);
    assert_int_equal(x.f->stream[TS].isn, 7000);
    seg(&x, false, TH_ACK, 9000, 7003, "reply");
    seg(&x, true, TH_ACK, 7003, 9005, "dle");
    assert_string_equal(x.r.text[TS], "middle");
    assert_string_equal(x.r.text[TC], "reply");
    assert_int_equal(x.r.gaps[TS] + x.r.gaps[TC], 0);
    close_table(&x);
}

static void test_tcp_data_on_syn_is_delivered_after_the_syn(void **state)
{
    struct fx x;

    (void)state;
    open_table(&x, MK_FLOW_CONFIG_DEFAULT);
    seg(&x, true, TH_SYN, 100, 0, "tfo");
    seg(&x, true, TH_SYN, 100, 0, "tfo"); /* SYN retransmitted */
    seg(&x, false, TH_SYN | TH_ACK, 500, 104, NULL);
    seg(&x, true, TH_ACK, 104, 501, "-more");
    assert_string_equal(x.r.text[TS], "tfo-more");
    close_table(&x);
}

static void test_tcp_data_after_the_fin_is_ignored(void **state)
{
    struct fx x;

    (void)state;
    open_table(&x, MK_FLOW_CONFIG_DEFAULT);
    handshake(&x, 100, 500);
    seg(&x, true, TH_ACK, 104, 501, "FIN"); /* held */
    seg(&x, true, TH_ACK | TH_FIN, 101, 501, "abc");
    seg(&x, true, TH_ACK, 104, 501, "late");
    assert_string_equal(x.r.text[TS], "abc");
    assert_true(x.f->stream[TS].closed);
    assert_int_equal(mk_flow_table_stats(x.t)->memuse, sizeof(struct mk_flow));
    close_table(&x);
}

static void test_tcp_flush_delivers_held_data_after_a_gap_and_frees_it(void **state)
{
    struct fx x;

    (void)state;
    open_table(&x, MK_FLOW_CONFIG_DEFAULT);
    handshake(&x, 100, 500);
    seg(&x, true, TH_ACK, 101, 501, "ab");
    seg(&x, true, TH_ACK, 105, 501, "ef");
    seg(&x, true, TH_ACK, 109, 501, "ij");
    mk_flow_table_flush(x.t);
    assert_string_equal(x.r.text[TS], "ab##ef##ij");
    assert_int_equal(x.r.ends, 1);
    assert_int_equal(mk_flow_table_stats(x.t)->memuse, 0);
    close_table(&x);
}

static void test_tcp_segment_far_ahead_is_ignored(void **state)
{
    struct fx x;

    (void)state;
    open_table(&x, MK_FLOW_CONFIG_DEFAULT);
    handshake(&x, 100, 500);
    seg(&x, true, TH_ACK, 101 + 0x40000000u, 501, "far");
    seg(&x, true, TH_ACK, 101, 501, "near");
    assert_string_equal(x.r.text[TS], "near");
    assert_int_equal(mk_flow_table_stats(x.t)->tcp_out_of_window, 1);
    close_table(&x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tcp_handshake_then_fin_both_ways_closes),
        cmocka_unit_test(test_tcp_rst_closes_from_any_state),
        cmocka_unit_test(test_tcp_in_order_data_is_delivered_per_direction),
        cmocka_unit_test(test_tcp_out_of_order_segment_is_held_until_the_hole_fills),
        cmocka_unit_test(test_tcp_retransmission_is_counted_and_not_delivered_twice),
        cmocka_unit_test(test_tcp_overlap_with_delivered_data_delivers_only_new_bytes),
        cmocka_unit_test(test_tcp_overlap_of_held_data_first_received_wins),
        cmocka_unit_test(test_tcp_in_order_segment_overlapping_held_data_keeps_the_held_bytes),
        cmocka_unit_test(test_tcp_ack_past_missing_data_delivers_a_gap),
        cmocka_unit_test(test_tcp_ack_of_the_fin_is_not_a_gap),
        cmocka_unit_test(test_tcp_held_bytes_over_max_pending_force_a_gap),
        cmocka_unit_test(test_tcp_reassembly_memcap_forces_a_gap_and_is_counted),
        cmocka_unit_test(test_tcp_sequence_wraparound_at_2_32_is_in_order),
        cmocka_unit_test(test_tcp_stream_depth_stops_delivery_per_direction),
        cmocka_unit_test(test_tcp_midstream_pickup_starts_at_the_first_segment),
        cmocka_unit_test(test_tcp_data_on_syn_is_delivered_after_the_syn),
        cmocka_unit_test(test_tcp_data_after_the_fin_is_ignored),
        cmocka_unit_test(test_tcp_flush_delivers_held_data_after_a_gap_and_frees_it),
        cmocka_unit_test(test_tcp_segment_far_ahead_is_ignored),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
