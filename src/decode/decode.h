/* decode: L2-L4 decoders that turn a captured frame into a packet view without
 * copying: link layers, VLAN/QinQ, MPLS, PPPoE, tunnels (GRE/ERSPAN, VXLAN,
 * GENEVE, IP-in-IP, Teredo), IPv4/IPv6 (+ fragment reassembly), TCP, UDP, ICMP.
 * Malformed input is a named event and a counter, never trusted, never a crash. */
#ifndef MK_DECODE_H
#define MK_DECODE_H

#include "base/base.h"

/* Link types, numbered as libpcap's DLT_ values (pcap/dlt.h). */
enum mk_linktype {
    MK_LINK_NULL = 0,     /* BSD loopback: 4-byte host-order family */
    MK_LINK_ETHERNET = 1, /* DLT_EN10MB */
    MK_LINK_PPP = 9,      /* DLT_PPP */
    MK_LINK_RAW = 12,     /* DLT_RAW on most platforms (14 on OpenBSD) */
    MK_LINK_RAW_ALT = 14, /* DLT_RAW on OpenBSD: accepted as RAW */
    MK_LINK_PPP_SERIAL = 50,
    MK_LINK_CHDLC = 104,        /* Cisco HDLC */
    MK_LINK_LOOP = 108,         /* OpenBSD loopback: 4-byte network-order family */
    MK_LINK_SLL = 113,          /* Linux cooked v1 */
    MK_LINK_RAW_LINKTYPE = 101, /* LINKTYPE_RAW as written in pcap files */
    MK_LINK_IPV4 = 228,
    MK_LINK_IPV6 = 229,
    MK_LINK_SLL2 = 276, /* Linux cooked v2 */
};

/* An IPv4 address is stored as ::ffff:a.b.c.d (RFC 4291 section 2.5.5.2) so
 * that one 16-byte comparison serves both families. */
struct mk_addr {
    uint8_t b[16];
};

bool mk_addr_is_v4(const struct mk_addr *a);
void mk_addr_from_v4(const uint8_t v4[4], struct mk_addr *out);
int mk_addr_cmp(const struct mk_addr *a, const struct mk_addr *b); /* memcmp order */
/* Text form ("192.0.2.1", "2001:db8::1"); out needs 46 bytes. */
size_t mk_addr_format(const struct mk_addr *a, char out[46]); /* returns strlen */
/* MK_EINVAL unless s is a dotted quad or an RFC 4291 section 2.2 text form. */
MK_MUST_CHECK enum mk_status mk_addr_parse(const char *s, struct mk_addr *out);

/* Encapsulations a packet came through, outermost first (EVE records them). */
enum mk_tunnel {
    MK_TUNNEL_NONE = 0,
    MK_TUNNEL_GRE,
    MK_TUNNEL_ERSPAN2,
    MK_TUNNEL_ERSPAN3,
    MK_TUNNEL_VXLAN,
    MK_TUNNEL_GENEVE,
    MK_TUNNEL_IPIP, /* IPv4/IPv6 in IPv4/IPv6 */
    MK_TUNNEL_TEREDO,
    MK_TUNNEL_PPPOE,
    MK_TUNNEL_MPLS,
};

const char *mk_tunnel_name(enum mk_tunnel t);

#define MK_DECODE_MAX_VLANS    3
#define MK_DECODE_MAX_TUNNELS  4
#define MK_DECODE_MAX_LAYERS   16 /* total nesting before decode.too_many_layers */
#define MK_DECODE_MAX_MPLS     8  /* labels in one stack, each also counts as a layer */
#define MK_DECODE_MAX_EXT_HDRS 8  /* IPv6 extension headers in one chain */
#define MK_DEFRAG_MAX_FRAGS                                                                        \
    256 /* fragments per datagram (a 64 KiB datagram at MTU 576 needs 120) */

/* Decode events: each has a counter named "decode.<layer>.<what>". */
#define MK_DECODE_EVENTS(X)                                                                        \
    X(LINK_UNSUPPORTED, "decode.link.unsupported")                                                 \
    X(LINK_TRUNCATED, "decode.link.truncated")                                                     \
    X(ETH_TRUNCATED, "decode.ethernet.truncated")                                                  \
    X(ETH_UNKNOWN_TYPE, "decode.ethernet.unknown_ethertype")                                       \
    X(VLAN_TRUNCATED, "decode.vlan.truncated")                                                     \
    X(VLAN_TOO_MANY, "decode.vlan.too_many_layers")                                                \
    X(MPLS_TRUNCATED, "decode.mpls.truncated")                                                     \
    X(MPLS_UNKNOWN_PAYLOAD, "decode.mpls.unknown_payload")                                         \
    X(PPPOE_TRUNCATED, "decode.pppoe.truncated")                                                   \
    X(PPPOE_BAD_HEADER, "decode.pppoe.bad_header")                                                 \
    X(PPP_TRUNCATED, "decode.ppp.truncated")                                                       \
    X(PPP_UNKNOWN_PROTO, "decode.ppp.unknown_protocol")                                            \
    X(GRE_TRUNCATED, "decode.gre.truncated")                                                       \
    X(GRE_BAD_VERSION, "decode.gre.bad_version")                                                   \
    X(GRE_BAD_FLAGS, "decode.gre.bad_flags")                                                       \
    X(ERSPAN_TRUNCATED, "decode.erspan.truncated")                                                 \
    X(ERSPAN_BAD_VERSION, "decode.erspan.bad_version")                                             \
    X(VXLAN_TRUNCATED, "decode.vxlan.truncated")                                                   \
    X(GENEVE_TRUNCATED, "decode.geneve.truncated")                                                 \
    X(GENEVE_BAD_VERSION, "decode.geneve.bad_version")                                             \
    X(GENEVE_BAD_OPTIONS, "decode.geneve.bad_options")                                             \
    X(TEREDO_TRUNCATED, "decode.teredo.truncated")                                                 \
    X(TOO_MANY_LAYERS, "decode.too_many_layers")                                                   \
    X(IPV4_TRUNCATED, "decode.ipv4.truncated")                                                     \
    X(IPV4_BAD_VERSION, "decode.ipv4.bad_version")                                                 \
    X(IPV4_BAD_IHL, "decode.ipv4.bad_ihl")                                                         \
    X(IPV4_BAD_TOTAL_LEN, "decode.ipv4.bad_total_length")                                          \
    X(IPV4_BAD_OPTIONS, "decode.ipv4.bad_options")                                                 \
    X(IPV4_BAD_CHECKSUM, "decode.ipv4.bad_checksum")                                               \
    X(IPV6_TRUNCATED, "decode.ipv6.truncated")                                                     \
    X(IPV6_BAD_VERSION, "decode.ipv6.bad_version")                                                 \
    X(IPV6_BAD_PAYLOAD_LEN, "decode.ipv6.bad_payload_length")                                      \
    X(IPV6_BAD_EXT_HDR, "decode.ipv6.bad_extension_header")                                        \
    X(IPV6_TOO_MANY_EXT_HDRS, "decode.ipv6.too_many_extension_headers")                            \
    X(FRAG_OVERLAP, "decode.defrag.overlap")                                                       \
    X(FRAG_TOO_LARGE, "decode.defrag.too_large")                                                   \
    X(FRAG_BAD_LENGTH, "decode.defrag.bad_length")                                                 \
    X(FRAG_TOO_MANY, "decode.defrag.too_many_fragments")                                           \
    X(FRAG_MEMCAP, "decode.defrag.memcap")                                                         \
    X(FRAG_MAX_DATAGRAMS, "decode.defrag.max_datagrams")                                           \
    X(FRAG_TIMEOUT, "decode.defrag.timeout")                                                       \
    X(TCP_TRUNCATED, "decode.tcp.truncated")                                                       \
    X(TCP_BAD_HLEN, "decode.tcp.bad_header_length")                                                \
    X(TCP_BAD_OPTIONS, "decode.tcp.bad_options")                                                   \
    X(UDP_TRUNCATED, "decode.udp.truncated")                                                       \
    X(UDP_BAD_LEN, "decode.udp.bad_length")                                                        \
    X(ICMPV4_TRUNCATED, "decode.icmpv4.truncated")                                                 \
    X(ICMPV6_TRUNCATED, "decode.icmpv6.truncated")                                                 \
    X(UNKNOWN_L4, "decode.ip.unknown_protocol")

enum mk_decode_event {

#define MK_X(name, str) MK_DECODE_##name,
    MK_DECODE_EVENTS(MK_X)
#undef MK_X
        MK_DECODE_EVENT_COUNT
};

const char *mk_decode_event_name(enum mk_decode_event e);

/* The decoded view of one packet. Pointers point into the frame (or into the
 * defragmenter's buffer for a reassembled datagram, valid until the next
 * mk_decode_frame() on the same decoder) and live as long as it.
 * mk_decode_frame() sets only what the packet has, to keep the hot path free of
 * a per-packet memset: src, dst, ttl, l3 are valid when ip_version != 0; tcp_*
 * when proto is TCP and the transport was decoded (payload != NULL); icmp_* for
 * ICMP/ICMPv6; vlan[] up to n_vlans; tunnels[] up to n_tunnels; event when
 * has_event. Everything else is always set. */
struct mk_packet {
    const struct mk_frame *frame;
    int64_t ts_sec;
    uint32_t ts_nsec;

    uint16_t vlan[MK_DECODE_MAX_VLANS]; /* outermost first; 12-bit ids */
    uint8_t n_vlans;
    uint8_t n_tunnels;
    enum mk_tunnel tunnels[MK_DECODE_MAX_TUNNELS];

    /* innermost IP layer */
    uint8_t ip_version; /* 4, 6, or 0 when the packet has no IP layer */
    uint8_t ttl;        /* or IPv6 hop limit */
    bool is_fragment;   /* a fragment still waiting for reassembly */
    bool is_reassembled;
    uint16_t frag_frames;     /* reassembled: how many fragment frames it was made of */
    uint32_t frag_wire_len;   /* reassembled: their wire lengths added up */
    bool has_bad_ip_checksum; /* IPv4 header checksum wrong: decoded, and flagged */
    struct mk_addr src;
    struct mk_addr dst;
    const uint8_t *l3;
    uint32_t l3_len; /* header + payload, per the IP length field */

    /* transport */
    uint8_t proto; /* IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP, IPPROTO_ICMPV6, ... */
    uint16_t sport;
    uint16_t dport;
    uint8_t tcp_flags;
    uint32_t tcp_seq;
    uint32_t tcp_ack;
    uint16_t tcp_window;
    uint8_t icmp_type;
    uint8_t icmp_code;
    const uint8_t *payload; /* L4 payload; NULL when no transport was decoded */
    uint32_t payload_len;

    enum mk_decode_event event; /* the first event this packet raised */
    bool has_event;
};

/* Counters of one decoder (one per worker; the sensor adds them up). */
struct mk_decode_stats {
    uint64_t packets;
    uint64_t bytes;
    uint64_t ipv4;
    uint64_t ipv6;
    uint64_t tcp;
    uint64_t udp;
    uint64_t icmp;
    uint64_t vlan;
    uint64_t tunnelled;
    uint64_t fragments;
    uint64_t reassembled;
    uint64_t events[MK_DECODE_EVENT_COUNT];
};

struct mk_defrag_config {
    size_t memcap;        /* bytes held for incomplete datagrams, all together */
    uint32_t timeout_sec; /* an incomplete datagram is dropped after this */
    uint32_t max_datagrams;

    enum {
        MK_DEFRAG_POLICY_FIRST, /* earlier bytes win on overlap (BSD-like) */
        MK_DEFRAG_POLICY_LAST,  /* later bytes win */
        MK_DEFRAG_POLICY_LINUX, /* Linux: later wins except at the same offset */
    } policy;
};

#define MK_DEFRAG_CONFIG_DEFAULT                                                                   \
    ((struct mk_defrag_config){.memcap = 32u << 20,                                                \
                               .timeout_sec = 60,                                                  \
                               .max_datagrams = 65536,                                             \
                               .policy = MK_DEFRAG_POLICY_LINUX})

struct mk_decoder; /* one per worker: stats and the defragmenter */

/* NULL when out of memory; defrag NULL = MK_DEFRAG_CONFIG_DEFAULT. Holds one
 * 64 KiB reassembly buffer besides the memcap. */
struct mk_decoder *mk_decoder_new(const struct mk_defrag_config *defrag);
void mk_decoder_free(struct mk_decoder *d);
const struct mk_decode_stats *mk_decoder_stats(const struct mk_decoder *d);

/* Decodes one frame. MK_OK: `out` is a packet to process (possibly a
 * reassembled datagram, out->is_reassembled, or a packet without IP such as
 * ARP: ip_version 0). MK_OK may carry an event for input that is well formed
 * but unsupported (unknown ethertype or IP protocol, bad IPv4 checksum, bad TCP
 * options: hosts accept those too). MK_EAGAIN: a fragment was kept for
 * reassembly (or dropped by a defrag cap, out->has_event); nothing to process
 * yet. MK_EINVAL / MK_ETRUNC: malformed; MK_ELIMIT: a nesting cap was hit; the
 * event is counted and out->event says which. Never allocates except inside
 * the defragmenter's memcap. */
MK_MUST_CHECK enum mk_status mk_decode_frame(struct mk_decoder *d, const struct mk_frame *f,
                                             struct mk_packet *out);

/* Drops incomplete datagrams older than the timeout (call about once a second
 * of packet time). */
void mk_decoder_expire(struct mk_decoder *d, int64_t now_sec);

/* The dispatch hash: symmetric in the two endpoints, over the innermost IP
 * addresses and VLAN ids only (not ports), so both directions of a flow and
 * every fragment of a datagram reach the same worker. Decodes only as far as
 * the innermost IP header; 0 for packets without one. */
uint32_t mk_decode_dispatch_hash(const struct mk_frame *f);

#endif /* MK_DECODE_H */
