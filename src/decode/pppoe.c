/* decode: PPPoE session stage (RFC 2516 section 4) and the PPP protocol field
 * (RFC 1661 section 2, RFC 1662 section 3.1 address/control, protocol field
 * compression) as PPPoE, PPTP's GRE and the PPP link types carry it. */
#include "decode/decode_int.h"

#define PPP_IPV4 0x0021
#define PPP_IPV6 0x0057

enum mk_status mk_dec_pppoe(struct mk_dctx *c)
{
    const uint8_t *h = c->cur.p;
    size_t len;
    enum mk_status st;

    /* ver 1 / type 1, code 0 (session data), session id, length */
    if (c->cur.n < 6) {
        return mk_dec_event(c, MK_DECODE_PPPOE_TRUNCATED, MK_ETRUNC);
    }
    if (h[0] != 0x11 || h[1] != 0) {
        return mk_dec_event(c, MK_DECODE_PPPOE_BAD_HEADER, MK_EINVAL);
    }
    len = mk_ld_u16be(h + 4);
    if (len > c->cur.n - 6) {
        return mk_dec_event(c, MK_DECODE_PPPOE_TRUNCATED, MK_ETRUNC);
    }
    c->cur.p = h + 6;
    c->cur.n = len; /* drops Ethernet padding */
    st = mk_dec_push_tunnel(c, MK_TUNNEL_PPPOE);
    if (st != MK_OK) {
        return st;
    }
    c->next = MK_L_PPP;
    return MK_OK;
}

enum mk_status mk_dec_ppp(struct mk_dctx *c)
{
    uint16_t proto;

    /* Address 0xff and control 0x03 may be present (HDLC-like framing). */
    if (c->cur.n >= 2 && c->cur.p[0] == 0xff && c->cur.p[1] == 0x03) {
        c->cur.p += 2;
        c->cur.n -= 2;
    }
    if (c->cur.n < 1) {
        return mk_dec_event(c, MK_DECODE_PPP_TRUNCATED, MK_ETRUNC);
    }
    if (c->cur.p[0] & 1) { /* compressed: one odd byte */
        proto = c->cur.p[0];
        c->cur.p++;
        c->cur.n--;
    } else if (!mk_rd_u16be(&c->cur, &proto)) {
        return mk_dec_event(c, MK_DECODE_PPP_TRUNCATED, MK_ETRUNC);
    }
    c->next = MK_L_DONE;
    if (proto == PPP_IPV4) {
        c->next = MK_L_IPV4;
    } else if (proto == PPP_IPV6) {
        c->next = MK_L_IPV6;
    } else if (proto < 0x8000) {
        /* 0x8000 and up are control protocols (LCP, IPCP, ...): not anomalies */
        return mk_dec_event(c, MK_DECODE_PPP_UNKNOWN_PROTO, MK_OK);
    }
    return MK_OK;
}
