/* decode internals: the bounds-checked cursor every layer reads wire bytes
 * through, the per-frame decode context, and one entry point per layer file.
 * Private to src/decode/ and its tests. */
#ifndef MK_DECODE_INT_H
#define MK_DECODE_INT_H

#include <string.h>

#include "decode/decode.h"

/* ---- cursor: every read is bounds checked; nothing casts packet bytes ---- */

struct mk_cur {
    const uint8_t *p;
    size_t n; /* bytes left */
};

static inline bool mk_rd_u8(struct mk_cur *c, uint8_t *v)
{
    if (c->n < 1) {
        return false;
    }
    *v = c->p[0];
    c->p++;
    c->n--;
    return true;
}

static inline bool mk_rd_u16be(struct mk_cur *c, uint16_t *v)
{
    if (c->n < 2) {
        return false;
    }
    *v = (uint16_t)((unsigned)c->p[0] << 8 | c->p[1]);
    c->p += 2;
    c->n -= 2;
    return true;
}

static inline bool mk_rd_u32be(struct mk_cur *c, uint32_t *v)
{
    if (c->n < 4) {
        return false;
    }
    *v = (uint32_t)c->p[0] << 24 | (uint32_t)c->p[1] << 16 | (uint32_t)c->p[2] << 8 | c->p[3];
    c->p += 4;
    c->n -= 4;
    return true;
}

static inline bool mk_rd_skip(struct mk_cur *c, size_t k)
{
    if (c->n < k) {
        return false;
    }
    c->p += k;
    c->n -= k;
    return true;
}

static inline bool mk_rd_bytes(struct mk_cur *c, void *out, size_t k)
{
    if (c->n < k) {
        return false;
    }
    memcpy(out, c->p, k);
    c->p += k;
    c->n -= k;
    return true;
}

/* Unchecked big-endian loads for callers that checked the length already. */
static inline uint16_t mk_ld_u16be(const uint8_t *p)
{
    return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static inline uint32_t mk_ld_u32be(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* ---- decode context ------------------------------------------------------ */

/* The next layer to decode. Layers do not call each other: each consumes its
 * header and names the next one, and mk_decode_frame() loops, so nesting is
 * bounded by MK_DECODE_MAX_LAYERS without recursion. */
enum mk_layer {
    MK_L_DONE = 0,
    MK_L_ETH,
    MK_L_VLAN,
    MK_L_MPLS,
    MK_L_PPPOE,
    MK_L_PPP, /* a PPP protocol field (PPPoE, PPTP GRE, PPP links) */
    MK_L_IPV4,
    MK_L_IPV6,
    MK_L_GRE,
    MK_L_ERSPAN2,
    MK_L_ERSPAN3,
    MK_L_VXLAN,
    MK_L_GENEVE,
    MK_L_TEREDO,
    MK_L_TCP,
    MK_L_UDP,
    MK_L_ICMP4,
    MK_L_ICMP6,
};

struct mk_defrag;

struct mk_dctx {
    struct mk_packet *p;
    struct mk_defrag *df;       /* NULL: fragments are not reassembled (dispatch hash) */
    struct mk_decode_stats *st; /* NULL: nothing is counted (dispatch hash) */
    struct mk_cur cur;          /* bytes of the next layer */
    enum mk_layer next;
    uint16_t ethertype; /* of the VLAN tag being decoded (its TPID) */
    uint8_t layers;
    bool is_hash_only;   /* stop after the innermost IP header's addresses */
    bool did_reassemble; /* one reassembly per frame: inner fragments stay fragments */
    bool is_fragment;
};

/* Raises an event: counted every time, remembered in the packet if first. */
static inline enum mk_status mk_dec_event(struct mk_dctx *c, enum mk_decode_event e,
                                          enum mk_status st)
{
    if (!c->p->has_event) {
        c->p->has_event = true;
        c->p->event = e;
    }
    if (c->st != NULL) {
        c->st->events[e]++;
    }
    return st;
}

/* Records an encapsulation; MK_ELIMIT past MK_DECODE_MAX_TUNNELS. */
static inline enum mk_status mk_dec_push_tunnel(struct mk_dctx *c, enum mk_tunnel t)
{
    if (c->p->n_tunnels >= MK_DECODE_MAX_TUNNELS) {
        return mk_dec_event(c, MK_DECODE_TOO_MANY_LAYERS, MK_ELIMIT);
    }
    c->p->tunnels[c->p->n_tunnels++] = t;
    return MK_OK;
}

/* IP with nothing before it to name the version (raw IP links, MPLS): the
 * first nibble does. False, with c->next untouched, when it is neither 4 nor 6;
 * the caller has checked that a byte is there. */
static inline bool mk_dec_ip_by_version(struct mk_dctx *c)
{
    switch (c->cur.p[0] >> 4) {
    case 4:
        c->next = MK_L_IPV4;
        return true;
    case 6:
        c->next = MK_L_IPV6;
        return true;
    default:
        return false;
    }
}

/* What the transport layer fills in, cleared for a new packet. */
static inline void mk_dec_clear_transport(struct mk_packet *p)
{
    p->proto = 0;
    p->sport = 0;
    p->dport = 0;
    p->tcp_flags = 0;
    p->payload = NULL;
    p->payload_len = 0;
}

/* An inner IP header starts a new packet: forget the outer transport. */
static inline void mk_dec_ip_begin(struct mk_packet *p)
{
    if (p->ip_version != 0) {
        mk_dec_clear_transport(p);
    }
}

/* Linktype -> first layer (link.c). */
enum mk_status mk_dec_link(struct mk_dctx *c, int linktype);
/* Names the layer for an ethertype (eth.c); unknown ones end quietly or with
 * decode.ethernet.unknown_ethertype. */
enum mk_status mk_dec_ethertype(struct mk_dctx *c, uint16_t type);

enum mk_status mk_dec_eth(struct mk_dctx *c);
enum mk_status mk_dec_vlan(struct mk_dctx *c);
enum mk_status mk_dec_mpls(struct mk_dctx *c);
enum mk_status mk_dec_pppoe(struct mk_dctx *c);
enum mk_status mk_dec_ppp(struct mk_dctx *c);
enum mk_status mk_dec_ipv4(struct mk_dctx *c);
enum mk_status mk_dec_ipv6(struct mk_dctx *c);
enum mk_status mk_dec_gre(struct mk_dctx *c);
enum mk_status mk_dec_erspan2(struct mk_dctx *c);
enum mk_status mk_dec_erspan3(struct mk_dctx *c);
enum mk_status mk_dec_vxlan(struct mk_dctx *c);
enum mk_status mk_dec_geneve(struct mk_dctx *c);
enum mk_status mk_dec_teredo(struct mk_dctx *c);
enum mk_status mk_dec_tcp(struct mk_dctx *c);
enum mk_status mk_dec_udp(struct mk_dctx *c);
enum mk_status mk_dec_icmp4(struct mk_dctx *c);
enum mk_status mk_dec_icmp6(struct mk_dctx *c);

/* Names the layer for an IP protocol number (ipv4.c); shared by IPv6. */
enum mk_status mk_dec_ip_next(struct mk_dctx *c, uint8_t proto);

/* ---- defragmentation (defrag.c) ------------------------------------------ */

/* One fragment as the IP layer hands it over. */
struct mk_frag {
    const uint8_t *hdr; /* unfragmentable part: IPv4 header, or IPv6 header + */
    size_t hdr_len;     /* extension headers before the fragment header */
    size_t nh_off;      /* IPv6: offset in hdr of the next-header byte naming 44 */
    const uint8_t *data;
    size_t data_len;
    uint32_t id;
    uint32_t off; /* bytes */
    uint8_t version;
    uint8_t proto; /* IPv4 protocol / IPv6 next header after the fragment header */
    bool more;
};

MK_MUST_CHECK enum mk_status mk_defrag_new(const struct mk_defrag_config *cfg,
                                           struct mk_defrag **out);
void mk_defrag_free(struct mk_defrag *df);
/* MK_EAGAIN: kept (or dropped with an event). MK_OK: the datagram is complete
 * and decoding goes on with it: c->cur is the reassembled IP datagram (in the
 * defragmenter's buffer, valid until the next call), c->next its IP layer, and
 * the packet is marked reassembled. */
enum mk_status mk_defrag_add(struct mk_dctx *c, const struct mk_frag *fr);
void mk_defrag_expire(struct mk_defrag *df, int64_t now_sec, struct mk_decode_stats *st);
size_t mk_defrag_held_bytes(const struct mk_defrag *df);
uint32_t mk_defrag_datagrams(const struct mk_defrag *df);

#endif /* MK_DECODE_INT_H */
