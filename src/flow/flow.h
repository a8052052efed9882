/* flow: the bidirectional flow table (VLAN + 5-tuple), per-protocol and
 * per-state timeouts, a memory cap with eviction, per-direction counters, and
 * TCP stream reassembly that hands in-order bytes (and gaps) to the caller. One
 * table per worker thread: nothing here locks. */
#ifndef MK_FLOW_H
#define MK_FLOW_H

#include "base/base.h"
#include "decode/decode.h"

enum mk_flow_dir {
    MK_FLOW_TOSERVER = 0, /* from the side that opened the flow */
    MK_FLOW_TOCLIENT = 1,
};

enum mk_flow_end {
    MK_FLOW_END_TIMEOUT,  /* idle longer than its timeout */
    MK_FLOW_END_CLOSED,   /* TCP FIN both ways or RST, then the closed timeout */
    MK_FLOW_END_EVICTED,  /* the table was full (memcap); the oldest idle flow went */
    MK_FLOW_END_SHUTDOWN, /* end of input or a stop signal */
};

const char *mk_flow_end_name(enum mk_flow_end reason); /* "timeout", "closed", ... */

enum mk_tcp_state {
    MK_TCP_NONE,
    MK_TCP_SYN_SENT,
    MK_TCP_SYN_RECV,
    MK_TCP_ESTABLISHED,
    MK_TCP_FIN_WAIT, /* one side sent FIN */
    MK_TCP_CLOSED,   /* FIN both ways, or RST */
};

const char *mk_tcp_state_name(enum mk_tcp_state s); /* Suricata's names: "established", ... */

/* One direction of a TCP connection as the reassembler sees it. */
struct mk_tcp_stream {
    uint32_t isn;      /* initial sequence number (SYN's), or of the first segment seen */
    uint32_t next_seq; /* the next byte to deliver in order */
    bool has_isn;
    bool closed;                     /* FIN seen and delivered up to it */
    uint64_t delivered;              /* bytes delivered in order */
    uint64_t gap_bytes;              /* bytes skipped as gaps */
    uint32_t pending;                /* bytes held out of order */
    struct mk_tcp_segment *segments; /* out-of-order segments, sorted by seq (private) */
    /* private to reassembly */
    uint32_t fin_seq; /* sequence number of the FIN itself, once fin_seen */
    bool fin_seen;
    bool depth_reached; /* stream_depth bytes passed: nothing more is held or delivered */
};

/* The canonical key: the lower (address, port) endpoint first, so both
 * directions hash and compare alike. */
struct mk_flow_key {
    struct mk_addr lo;
    struct mk_addr hi;
    uint16_t lo_port;
    uint16_t hi_port;
    uint16_t vlan[2]; /* the outer two VLAN ids, 0 when absent */
    uint8_t proto;
    uint8_t pad[3];
};

struct mk_flow {
    /* private to the table; first, so that a hash chain walk reads one cache line */
    uint64_t hash; /* mk_hash64 of key: compared before the key in chain walks */
    struct mk_flow *hash_next;
    struct mk_flow_key key;
    uint32_t bucket;

    uint64_t flow_id;  /* 51-bit, stable for the flow's life (EVE flow_id) */
    int64_t first_sec; /* packet time of the first and the last packet */
    int64_t last_sec;
    uint64_t pkts[2]; /* indexed by enum mk_flow_dir */
    uint64_t bytes[2];
    struct mk_tcp_stream stream[2];

    /* Application layer, owned by the caller (the sensor): the flow table
     * calls app_free(app_state) when the flow ends, after the end callback. */
    void *app_state;
    void (*app_free)(void *app_state);

    struct mk_flow *lru_prev; /* private to the table */
    struct mk_flow *lru_next;

    uint32_t first_nsec;
    uint32_t last_nsec;
    uint32_t iface;
    uint32_t user_flags; /* free for the caller (e.g. alerted, logged) */
    enum mk_tcp_state tcp_state;
    enum mk_tunnel tunnels[MK_DECODE_MAX_TUNNELS];
    uint16_t sport; /* the client's port (who sent the first packet, or the SYN) */
    uint16_t dport;
    uint16_t app_proto;
    uint16_t vlan[MK_DECODE_MAX_VLANS];
    struct mk_addr src; /* the client: who sent the first packet (or the SYN) */
    struct mk_addr dst;
    uint8_t proto;
    uint8_t ip_version;
    uint8_t n_vlans;
    uint8_t n_tunnels;
    uint8_t tcp_flags[2]; /* OR of every TCP flag seen per direction */
    uint8_t icmp_type[2]; /* ICMP/ICMPv6: type and code of the first packet each way */
    uint8_t icmp_code[2];
    uint8_t lru_class; /* private: which timeout list the flow is on */
    bool in_use;       /* private */
};

struct mk_flow_config {
    size_t memcap;         /* flows + reassembly bytes, all together */
    uint32_t max_flows;    /* 0 = derived from memcap */
    uint32_t hash_buckets; /* 0 = derived from max_flows */
    size_t stream_depth;   /* bytes reassembled per direction; 0 = unlimited */
    uint32_t max_pending;  /* out-of-order bytes held per direction */
    /* timeouts in seconds of packet time */
    uint32_t tcp_new;
    uint32_t tcp_established;
    uint32_t tcp_closed;
    uint32_t udp_new;
    uint32_t udp_established;
    uint32_t icmp;
    uint32_t other;
    uint64_t flow_id_seed; /* mixed into flow_id; differs per sensor run */
};

#define MK_FLOW_CONFIG_DEFAULT                                                                     \
    ((struct mk_flow_config){.memcap = 256u << 20,                                                 \
                             .stream_depth = 1u << 20,                                             \
                             .max_pending = 1u << 20,                                              \
                             .tcp_new = 60,                                                        \
                             .tcp_established = 600,                                               \
                             .tcp_closed = 10,                                                     \
                             .udp_new = 30,                                                        \
                             .udp_established = 300,                                               \
                             .icmp = 30,                                                           \
                             .other = 30})

struct mk_flow_stats {
    uint64_t created;
    uint64_t ended[4]; /* indexed by enum mk_flow_end */
    uint64_t active;
    uint64_t memuse; /* bytes in use now */
    uint64_t memcap_hits;
    uint64_t tcp_segments;
    uint64_t tcp_retransmissions; /* segments wholly before next_seq */
    uint64_t tcp_overlaps;        /* partly new, partly already delivered or held */
    uint64_t tcp_out_of_order;
    uint64_t tcp_gaps;
    uint64_t tcp_reassembly_memcap; /* held data pushed out as a gap for the memcap */
    uint64_t tcp_overlap_diff;      /* overlaps whose bytes differ from the first copy */
    uint64_t tcp_out_of_window;     /* segments 1 GiB or more ahead: ignored */
};

/* Called once per flow as it ends, before the table forgets it. Callbacks must
 * not call back into the table. */
typedef void (*mk_flow_end_fn)(void *ctx, struct mk_flow *f, enum mk_flow_end reason);

/* In-order TCP bytes of one direction. `data == NULL` means a gap of `len`
 * bytes that will never be filled (the analyzer must resynchronise or give up). */
typedef void (*mk_flow_stream_fn)(void *ctx, struct mk_flow *f, enum mk_flow_dir dir,
                                  const uint8_t *data, size_t len);

struct mk_flow_table;

struct mk_flow_table *mk_flow_table_new(const struct mk_flow_config *cfg, mk_flow_end_fn on_end,
                                        mk_flow_stream_fn on_stream, void *ctx);
/* Ends every flow with MK_FLOW_END_SHUTDOWN (callbacks run), then frees. */
void mk_flow_table_free(struct mk_flow_table *t);

/* Finds or creates the flow of a decoded packet and updates its counters,
 * times and TCP state; for TCP, also feeds the payload to reassembly, which
 * calls on_stream with whatever becomes deliverable in order. Returns NULL for
 * packets that have no flow (no IP layer) or when no flow can be had (memcap,
 * counted). *dir is the packet's direction within the flow. */
struct mk_flow *mk_flow_table_packet(struct mk_flow_table *t, const struct mk_packet *p,
                                     enum mk_flow_dir *dir);

/* The same in two steps, for a caller that decodes a few packets ahead (the
 * sensor's batches): every packet reads one flow at random from a table far
 * larger than the caches, and starting those loads a packet or two early
 * overlaps their latency with the work on the packets before.
 * mk_flow_lookup_begin hashes the packet's key and prefetches its hash bucket;
 * mk_flow_lookup_prefetch (later) prefetches the flow the bucket points to;
 * mk_flow_table_packet_at then does what mk_flow_table_packet does. Between
 * begin and _at the packet must not change; other packets may be processed. */
struct mk_flow_lookup {
    struct mk_flow_key key;
    uint64_t hash;
    bool has_flow; /* false: the packet has no flow (mk_flow_table_packet's NULL) */
};

void mk_flow_lookup_begin(const struct mk_flow_table *t, const struct mk_packet *p,
                          struct mk_flow_lookup *l);
void mk_flow_lookup_prefetch(const struct mk_flow_table *t, const struct mk_flow_lookup *l);
struct mk_flow *mk_flow_table_packet_at(struct mk_flow_table *t, const struct mk_packet *p,
                                        const struct mk_flow_lookup *l, enum mk_flow_dir *dir);

/* Ends flows idle past their timeout at packet time now_sec. Cheap when
 * nothing is due: call it for every packet or once a second. */
void mk_flow_table_expire(struct mk_flow_table *t, int64_t now_sec);

/* Ends every flow (MK_FLOW_END_SHUTDOWN), keeping the table usable. */
void mk_flow_table_flush(struct mk_flow_table *t);

const struct mk_flow_stats *mk_flow_table_stats(const struct mk_flow_table *t);

/* Community ID v1 (corelight/community-id-spec) of a flow: "1:base64(sha1)",
 * from the client's view (for ICMP, the client's first type and code). */
void mk_flow_community_id(const struct mk_flow *f, uint16_t seed, char out[64]);

/* The same from a bare tuple. `ip_version` 4 hashes the 4-byte form of the
 * ::ffff:a.b.c.d addresses. For ICMP (1) and ICMPv6 (58), sport is the type
 * and dport the code; TCP, UDP and SCTP hash their ports; other protocols none. */
void mk_flow_community_id_tuple(const struct mk_addr *src, const struct mk_addr *dst,
                                uint8_t ip_version, uint8_t proto, uint16_t sport, uint16_t dport,
                                uint16_t seed, char out[64]);

#endif /* MK_FLOW_H */
