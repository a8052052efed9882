/* TCP stream reassembly, one direction at a time: in-order bytes go straight
 * from the packet to on_stream (no copy); only out-of-order bytes are held.
 * Entry point: mk_flow_stream_segment(). See docs/internals/flow.md. */
#include <stdlib.h>
#include <string.h>

#include "flow/flow_int.h"

static void seg_free(struct mk_flow_table *t, struct mk_tcp_stream *s, struct mk_tcp_segment *g)
{
    s->pending -= g->len;
    t->stats.memuse -= sizeof(*g) + g->len;
    free(g);
}

static void free_segments(struct mk_flow_table *t, struct mk_tcp_stream *s)
{
    struct mk_tcp_segment *g;

    while ((g = s->segments) != NULL) {
        s->segments = g->next;
        seg_free(t, s, g);
    }
}

/* Hands len bytes (data == NULL: a gap) at the stream's current offset to the
 * caller, honouring stream_depth (counted in stream offset, gaps included). */
static void deliver(struct mk_flow_table *t, struct mk_flow *f, enum mk_flow_dir dir,
                    const uint8_t *data, uint32_t len)
{
    struct mk_tcp_stream *s = &f->stream[dir];
    uint64_t off = s->delivered + s->gap_bytes;
    uint64_t depth = t->cfg.stream_depth;

    if (s->depth_reached || len == 0) {
        return;
    }
    if (depth != 0 && off + len >= depth) {
        len = (uint32_t)(depth - off);
        s->depth_reached = true;
    }
    if (data != NULL) {
        s->delivered += len;
    } else {
        s->gap_bytes += len;
        t->stats.tcp_gaps++;
    }
    if (t->on_stream != NULL && len > 0) {
        t->on_stream(t->ctx, f, dir, data, len);
    }
    if (s->depth_reached) {
        free_segments(t, s); /* nothing past the depth is ever delivered */
    }
}

/* Once every byte before the FIN is through, the FIN takes its sequence number
 * (RFC 9293 section 3.4) and the direction is done. */
static void check_fin(struct mk_flow_table *t, struct mk_tcp_stream *s)
{
    if (s->fin_seen && !s->closed && s->next_seq == s->fin_seq) {
        s->closed = true;
        s->next_seq++;
        free_segments(t, s);
    }
}

/* Delivers held segments that now start at or before next_seq. */
static void drain(struct mk_flow_table *t, struct mk_flow *f, enum mk_flow_dir dir)
{
    struct mk_tcp_stream *s = &f->stream[dir];
    struct mk_tcp_segment *g;

    while ((g = s->segments) != NULL && mk_seq_le(g->seq, s->next_seq)) {
        uint32_t skip = s->next_seq - g->seq;

        s->segments = g->next;
        if (skip < g->len) {
            s->next_seq += g->len - skip;
            deliver(t, f, dir, g->data + skip, g->len - skip);
        }
        seg_free(t, s, g);
    }
    check_fin(t, s);
}

/* Declares the bytes from next_seq up to `to` lost, then drains. */
static void skip_to(struct mk_flow_table *t, struct mk_flow *f, enum mk_flow_dir dir, uint32_t to)
{
    struct mk_tcp_stream *s = &f->stream[dir];

    if (mk_seq_lt(s->next_seq, to)) {
        uint32_t gap = to - s->next_seq;

        s->next_seq = to;
        deliver(t, f, dir, NULL, gap);
    }
    drain(t, f, dir);
}

static bool insert_piece(struct mk_flow_table *t, struct mk_tcp_stream *s,
                         struct mk_tcp_segment **at, uint32_t seq, const uint8_t *data,
                         uint32_t len)
{
    struct mk_tcp_segment *g;

    if (t->stats.memuse + sizeof(*g) + len > t->cfg.memcap) {
        t->stats.tcp_reassembly_memcap++;
        return false;
    }
    g = malloc(sizeof(*g) + len);
    if (g == NULL) {
        t->stats.tcp_reassembly_memcap++;
        return false;
    }
    g->seq = seq;
    g->len = len;
    memcpy(g->data, data, len);
    g->next = *at;
    *at = g;
    s->pending += len;
    t->stats.memuse += sizeof(*g) + len;
    return true;
}

/* Compares the bytes a new segment shares with a held one (first copy wins). */
static void note_overlap(struct mk_flow_table *t, uint32_t seq, const uint8_t *data, uint32_t len,
                         const struct mk_tcp_segment *h)
{
    uint32_t from = mk_seq_lt(seq, h->seq) ? h->seq : seq;
    uint32_t to = mk_seq_lt(seq + len, h->seq + h->len) ? seq + len : h->seq + h->len;

    if (mk_seq_lt(from, to) &&
        memcmp(data + (from - seq), h->data + (from - h->seq), to - from) != 0) {
        t->stats.tcp_overlap_diff++;
    }
}

/* Holds [seq, seq+len) ahead of next_seq, keeping only the bytes no held
 * segment has yet: the list stays sorted and free of overlaps. */
static void hold(struct mk_flow_table *t, struct mk_tcp_stream *s, uint32_t seq,
                 const uint8_t *data, uint32_t len)
{
    struct mk_tcp_segment **pp = &s->segments;
    uint32_t base = s->next_seq;
    uint32_t cur = seq - base; /* offsets from next_seq: all below 2^31 */
    uint32_t end = cur + len;
    bool overlapped = false;

    while (cur < end) {
        struct mk_tcp_segment *h = *pp;
        uint32_t hs = h != NULL ? h->seq - base : end;
        uint32_t he = h != NULL ? hs + h->len : end;

        if (h != NULL && he <= cur) {
            pp = &h->next;
            continue;
        }
        if (hs > cur) {
            uint32_t n = (hs < end ? hs : end) - cur;

            if (insert_piece(t, s, pp, base + cur, data + (cur - (seq - base)), n)) {
                pp = &(*pp)->next;
            }
            cur += n;
            continue;
        }
        overlapped = true;
        note_overlap(t, seq, data, len, h);
        cur = he;
        pp = &h->next;
    }
    if (overlapped) {
        t->stats.tcp_overlaps++;
    }
}

static bool fits(const struct mk_flow_table *t, const struct mk_tcp_stream *s, uint32_t len)
{
    return (uint64_t)s->pending + len <= t->cfg.max_pending &&
           t->stats.memuse + sizeof(struct mk_tcp_segment) + len <= t->cfg.memcap;
}

/* Delivers the in-order head of a segment starting at next_seq, up to the
 * first held segment (whose bytes came first and win). Returns bytes used. */
static uint32_t take_in_order(struct mk_flow_table *t, struct mk_flow *f, enum mk_flow_dir dir,
                              const uint8_t *data, uint32_t len)
{
    struct mk_tcp_stream *s = &f->stream[dir];
    const struct mk_tcp_segment *h = s->segments;
    uint32_t n = len;

    if (h != NULL && mk_seq_lt(h->seq, s->next_seq + len)) {
        n = h->seq - s->next_seq;
        note_overlap(t, s->next_seq, data, len, h);
        t->stats.tcp_overlaps++;
    }
    s->next_seq += n;
    deliver(t, f, dir, data, n);
    drain(t, f, dir);
    return n;
}

/* Makes room for an out-of-order segment at `seq` by declaring a gap up to the
 * lowest held or new byte (frees held bytes or makes the new one in order). */
static void make_room(struct mk_flow_table *t, struct mk_flow *f, enum mk_flow_dir dir,
                      uint32_t seq, uint32_t len)
{
    struct mk_tcp_stream *s = &f->stream[dir];
    uint32_t to = seq;

    if ((uint64_t)s->pending + len <= t->cfg.max_pending) {
        t->stats.tcp_reassembly_memcap++; /* the table's memcap, not this stream's cap */
    }
    if (s->segments != NULL && mk_seq_lt(s->segments->seq, seq)) {
        to = s->segments->seq;
    }
    skip_to(t, f, dir, to);
}

/* One segment's data [seq, seq+len) against the stream: retransmission,
 * overlap, in order or held. Loops instead of recursing as pieces resolve. */
static void add_data(struct mk_flow_table *t, struct mk_flow *f, enum mk_flow_dir dir, uint32_t seq,
                     const uint8_t *data, uint32_t len)
{
    struct mk_tcp_stream *s = &f->stream[dir];
    bool first = true;

    while (len > 0 && !s->closed && !s->depth_reached) {
        int64_t rel = (int32_t)(seq - s->next_seq);

        if (rel + (int64_t)len <= 0) {
            if (first) {
                t->stats.tcp_retransmissions++;
            }
            return;
        }
        if (rel < 0) {
            t->stats.tcp_overlaps += first;
            data += -rel;
            len -= (uint32_t)-rel;
            seq = s->next_seq;
            rel = 0;
        }
        first = false;
        if (rel == 0) {
            uint32_t n = take_in_order(t, f, dir, data, len);

            seq += n;
            data += n;
            len -= n;
        } else if (rel >= MK_FLOW_MAX_AHEAD) {
            t->stats.tcp_out_of_window++;
            return;
        } else if (fits(t, s, len)) {
            t->stats.tcp_out_of_order++;
            hold(t, s, seq, data, len);
            return;
        } else {
            make_room(t, f, dir, seq, len);
        }
    }
}

/* Trims data to what lies before a FIN already seen (nothing follows a FIN). */
static uint32_t clip_to_fin(const struct mk_tcp_stream *s, uint32_t seq, uint32_t len)
{
    if (!s->fin_seen) {
        return len;
    }
    if (!mk_seq_lt(seq, s->fin_seq)) {
        return 0;
    }
    return mk_seq_lt(s->fin_seq, seq + len) ? s->fin_seq - seq : len;
}

/* Held bytes at or past a FIN just seen can never be delivered: free them. */
static void drop_after_fin(struct mk_flow_table *t, struct mk_tcp_stream *s)
{
    struct mk_tcp_segment **pp = &s->segments;
    struct mk_tcp_segment *g;

    while ((g = *pp) != NULL) {
        if (!mk_seq_lt(g->seq, s->fin_seq)) {
            *pp = g->next;
            seg_free(t, s, g);
            continue;
        }
        if (mk_seq_lt(s->fin_seq, g->seq + g->len)) {
            uint32_t cut = g->seq + g->len - s->fin_seq;

            /* keep the allocation, account for the bytes still meant */
            g->len -= cut;
            s->pending -= cut;
            t->stats.memuse -= cut;
        }
        pp = &g->next;
    }
}

/* The peer acknowledged up to `ack`: bytes before it that never came are lost
 * to the capture, not to the connection, so deliver them as a gap. */
static void ack_gap(struct mk_flow_table *t, struct mk_flow *f, enum mk_flow_dir dir, uint32_t ack)
{
    struct mk_tcp_stream *s = &f->stream[dir];
    uint32_t target = ack;

    if (!s->has_isn || s->closed || s->depth_reached) {
        return;
    }
    if (s->fin_seen && mk_seq_lt(s->fin_seq, target)) {
        target = s->fin_seq; /* the ACK of the FIN itself is not a gap */
    }
    if (!mk_seq_lt(s->next_seq, target) || target - s->next_seq >= MK_FLOW_MAX_AHEAD) {
        return;
    }
    while (mk_seq_lt(s->next_seq, target) && !s->closed && !s->depth_reached) {
        const struct mk_tcp_segment *h = s->segments;

        skip_to(t, f, dir, h != NULL && mk_seq_lt(h->seq, target) ? h->seq : target);
    }
}

void mk_flow_stream_segment(struct mk_flow_table *t, struct mk_flow *f, enum mk_flow_dir dir,
                            const struct mk_packet *p)
{
    struct mk_tcp_stream *s = &f->stream[dir];
    bool syn = (p->tcp_flags & MK_FLOW_TH_SYN) != 0;
    uint32_t seq = p->tcp_seq + (syn ? 1u : 0u); /* the SYN takes one number */
    uint32_t len = p->payload != NULL ? p->payload_len : 0;

    if (!s->has_isn) {
        /* the SYN's number, or midstream the first segment seen */
        s->has_isn = true;
        s->isn = p->tcp_seq;
        s->next_seq = seq;
    }
    len = clip_to_fin(s, seq, len);
    if (len >= MK_FLOW_MAX_AHEAD) {
        len = 0; /* no real segment is this long */
    }
    if ((p->tcp_flags & MK_FLOW_TH_FIN) && !s->fin_seen) {
        s->fin_seen = true;
        s->fin_seq = seq + len;
        drop_after_fin(t, s);
    }
    add_data(t, f, dir, seq, p->payload, len);
    check_fin(t, s);
    if (p->tcp_flags & MK_FLOW_TH_ACK) {
        ack_gap(t, f, dir == MK_FLOW_TOSERVER ? MK_FLOW_TOCLIENT : MK_FLOW_TOSERVER, p->tcp_ack);
    }
}

void mk_flow_stream_flush(struct mk_flow_table *t, struct mk_flow *f, enum mk_flow_dir dir)
{
    struct mk_tcp_stream *s = &f->stream[dir];

    while (s->segments != NULL) {
        skip_to(t, f, dir, s->segments->seq);
    }
}
