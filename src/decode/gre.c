/* decode: GRE (RFC 2784 section 2 with RFC 2890 key and sequence; version 1 is
 * PPTP's enhanced GRE, RFC 2637 section 4.1) and the ERSPAN headers it carries
 * (draft-foschiano-erspan-03: type I and II on 0x88be, type III on 0x22eb). */
#include "decode/decode_int.h"

#define GRE_C       0x8000
#define GRE_R       0x4000
#define GRE_K       0x2000
#define GRE_S       0x1000
#define GRE_SSR     0x0800
#define GRE_RECUR   0x0400 /* top bit of recursion control: bits 1-5 of RFC 2784 */
#define GRE_A       0x0080
#define GRE_VERSION 0x0007

#define ETH_ERSPAN2 0x88be
#define ETH_ERSPAN3 0x22eb
#define PPP_IN_GRE  0x880b

static enum mk_status gre_v0(struct mk_dctx *c, uint16_t flags, uint16_t proto)
{
    size_t extra = 0;
    enum mk_tunnel t = MK_TUNNEL_GRE;

    /* RFC 2784 section 2.5.1: bits 1-5 other than K and S (RFC 2890) mean an
     * RFC 1701 source-routed header we do not accept. */
    if (flags & (GRE_R | GRE_SSR | GRE_RECUR)) {
        return mk_dec_event(c, MK_DECODE_GRE_BAD_FLAGS, MK_EINVAL);
    }
    extra += (flags & GRE_C) ? 4 : 0;
    extra += (flags & GRE_K) ? 4 : 0;
    extra += (flags & GRE_S) ? 4 : 0;
    if (!mk_rd_skip(&c->cur, extra)) {
        return mk_dec_event(c, MK_DECODE_GRE_TRUNCATED, MK_ETRUNC);
    }
    if (proto == ETH_ERSPAN2) {
        /* type I has no sequence number and no ERSPAN header */
        t = (flags & GRE_S) ? MK_TUNNEL_ERSPAN2 : MK_TUNNEL_GRE;
        c->next = (flags & GRE_S) ? MK_L_ERSPAN2 : MK_L_ETH;
    } else if (proto == ETH_ERSPAN3) {
        t = MK_TUNNEL_ERSPAN3;
        c->next = MK_L_ERSPAN3;
    } else {
        enum mk_status st = mk_dec_ethertype(c, proto);

        if (st != MK_OK) {
            return st;
        }
    }
    return mk_dec_push_tunnel(c, t);
}

/* RFC 2637 section 4.1: K set (payload length, call id), optional S and A. */
static enum mk_status gre_v1(struct mk_dctx *c, uint16_t flags, uint16_t proto)
{
    size_t extra = 4;

    if (proto != PPP_IN_GRE || (flags & (GRE_C | GRE_R | GRE_SSR)) || !(flags & GRE_K)) {
        return mk_dec_event(c, MK_DECODE_GRE_BAD_FLAGS, MK_EINVAL);
    }
    extra += (flags & GRE_S) ? 4 : 0;
    extra += (flags & GRE_A) ? 4 : 0;
    if (!mk_rd_skip(&c->cur, extra)) {
        return mk_dec_event(c, MK_DECODE_GRE_TRUNCATED, MK_ETRUNC);
    }
    if (c->cur.n == 0) { /* an acknowledgement without payload */
        c->next = MK_L_DONE;
        return MK_OK;
    }
    c->next = MK_L_PPP;
    return mk_dec_push_tunnel(c, MK_TUNNEL_GRE);
}

enum mk_status mk_dec_gre(struct mk_dctx *c)
{
    uint16_t flags;
    uint16_t proto;

    /* The GRE header itself is the payload of the outer IP packet. */
    c->p->payload = c->cur.p;
    c->p->payload_len = (uint32_t)c->cur.n;
    if (!mk_rd_u16be(&c->cur, &flags) || !mk_rd_u16be(&c->cur, &proto)) {
        return mk_dec_event(c, MK_DECODE_GRE_TRUNCATED, MK_ETRUNC);
    }
    switch (flags & GRE_VERSION) {
    case 0:
        return gre_v0(c, flags, proto);
    case 1:
        return gre_v1(c, flags, proto);
    default:
        return mk_dec_event(c, MK_DECODE_GRE_BAD_VERSION, MK_EINVAL);
    }
}

/* Type II (section 4.1): ver 1, VLAN, CoS/En/T, session id; reserved, index. */
enum mk_status mk_dec_erspan2(struct mk_dctx *c)
{
    if (c->cur.n < 8) {
        return mk_dec_event(c, MK_DECODE_ERSPAN_TRUNCATED, MK_ETRUNC);
    }
    if (c->cur.p[0] >> 4 != 1) {
        return mk_dec_event(c, MK_DECODE_ERSPAN_BAD_VERSION, MK_EINVAL);
    }
    c->cur.p += 8;
    c->cur.n -= 8;
    c->next = MK_L_ETH;
    return MK_OK;
}

/* Type III (section 4.2): ver 2, 12 bytes, and an 8-byte platform-specific
 * subheader when O is set; frame type 0 is Ethernet, 2 is an IP packet. */
enum mk_status mk_dec_erspan3(struct mk_dctx *c)
{
    const uint8_t *h = c->cur.p;
    size_t len = 12;
    uint8_t ft;

    if (c->cur.n < 12) {
        return mk_dec_event(c, MK_DECODE_ERSPAN_TRUNCATED, MK_ETRUNC);
    }
    if (h[0] >> 4 != 2) {
        return mk_dec_event(c, MK_DECODE_ERSPAN_BAD_VERSION, MK_EINVAL);
    }
    len += (h[11] & 1) ? 8 : 0;
    ft = (uint8_t)((h[10] >> 2) & 0x1f);
    if (!mk_rd_skip(&c->cur, len)) {
        return mk_dec_event(c, MK_DECODE_ERSPAN_TRUNCATED, MK_ETRUNC);
    }
    if (ft == 0) {
        c->next = MK_L_ETH;
    } else if (ft == 2 && c->cur.n > 0) {
        c->next = c->cur.p[0] >> 4 == 6 ? MK_L_IPV6 : MK_L_IPV4;
    } else {
        c->next = MK_L_DONE;
    }
    return MK_OK;
}
