/* flow private: the table's layout and the entry points its parts share
 * (table.c, tcp.c, reassembly.c). Included only by src/flow and its tests. */
#ifndef MK_FLOW_INT_H
#define MK_FLOW_INT_H

#include "flow/flow.h"

/* IP protocol numbers (IANA "Assigned Internet Protocol Numbers"). */
#define MK_FLOW_PROTO_ICMP   1
#define MK_FLOW_PROTO_TCP    6
#define MK_FLOW_PROTO_UDP    17
#define MK_FLOW_PROTO_ICMPV6 58
#define MK_FLOW_PROTO_SCTP   132

/* TCP header flag bits (RFC 9293 section 3.1). */
#define MK_FLOW_TH_FIN 0x01
#define MK_FLOW_TH_SYN 0x02
#define MK_FLOW_TH_RST 0x04
#define MK_FLOW_TH_ACK 0x10

/* flow_id is 51 bits so that it prints as a JSON integer any reader keeps exact. */
#define MK_FLOW_ID_MASK ((UINT64_C(1) << 51) - 1)

/* Segments further ahead than this are not believed (the largest scaled TCP
 * window, RFC 7323 section 2.3, is 2^30). */
#define MK_FLOW_MAX_AHEAD (UINT32_C(1) << 30)

/* Each list holds flows sharing one timeout, in order of last activity, so the
 * head is the next to time out (expiry and eviction look only at heads). */
enum mk_flow_lru {
    MK_FLOW_LRU_TCP_NEW,
    MK_FLOW_LRU_TCP_ESTABLISHED,
    MK_FLOW_LRU_TCP_CLOSED,
    MK_FLOW_LRU_UDP_NEW,
    MK_FLOW_LRU_UDP_ESTABLISHED,
    MK_FLOW_LRU_ICMP,
    MK_FLOW_LRU_OTHER,
    MK_FLOW_LRU_COUNT
};

/* One held out-of-order segment; the bytes follow the header. */
struct mk_tcp_segment {
    struct mk_tcp_segment *next;
    uint32_t seq;
    uint32_t len;
    uint8_t data[];
};

struct mk_flow_lru_list {
    struct mk_flow *head; /* least recently active */
    struct mk_flow *tail;
};

struct mk_flow_table {
    struct mk_flow_config cfg;
    mk_flow_end_fn on_end;
    mk_flow_stream_fn on_stream;
    void *ctx;

    struct mk_flow *pool; /* max_flows entries, handed out by `pool_used` then the free list */
    uint32_t pool_used;   /* entries touched so far (untouched pages stay unmapped) */
    struct mk_flow *free_list;
    struct mk_flow **buckets;
    uint32_t bucket_mask; /* buckets is a power of two */
    uint64_t hash_seed;
    uint64_t id_counter;
    uint32_t timeout[MK_FLOW_LRU_COUNT];
    struct mk_flow_lru_list lru[MK_FLOW_LRU_COUNT];
    struct mk_flow_stats stats;
};

/* Serial number arithmetic on 32-bit sequence numbers (RFC 1982 section 3.2). */
static inline bool mk_seq_lt(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) < 0;
}

static inline bool mk_seq_le(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) <= 0;
}

/* tcp.c: updates f->tcp_state for one packet travelling in `dir`. */
void mk_flow_tcp_update(struct mk_flow_table *t, struct mk_flow *f, enum mk_flow_dir dir,
                        const struct mk_packet *p);

/* reassembly.c: feeds one segment of direction `dir` (and its ACK of the other
 * direction) to the streams; calls t->on_stream for whatever becomes in order. */
void mk_flow_stream_segment(struct mk_flow_table *t, struct mk_flow *f, enum mk_flow_dir dir,
                            const struct mk_packet *p);

/* reassembly.c: delivers what is held (with gaps before it) and frees it. */
void mk_flow_stream_flush(struct mk_flow_table *t, struct mk_flow *f, enum mk_flow_dir dir);

/* The timeout list a flow belongs on in its current state. */
enum mk_flow_lru mk_flow_lru_class(const struct mk_flow *f);

#endif /* MK_FLOW_INT_H */
