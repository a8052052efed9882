/* decode: MPLS label stacks (RFC 3032 section 2.1), unicast and multicast.
 * Below the bottom of stack the payload is guessed from its first nibble
 * (IPv4, IPv6, or 0 = pseudowire control word then Ethernet, RFC 4385). */
#include "decode/decode_int.h"

#define MPLS_LABEL_IPV4_NULL 0 /* RFC 3032 section 2.1 reserved labels */
#define MPLS_LABEL_IPV6_NULL 2

enum mk_status mk_dec_mpls(struct mk_dctx *c)
{
    uint32_t entry = 0;
    unsigned n = 0;
    enum mk_status st;

    do {
        if (!mk_rd_u32be(&c->cur, &entry)) {
            return mk_dec_event(c, MK_DECODE_MPLS_TRUNCATED, MK_ETRUNC);
        }
        /* each label is a layer of nesting */
        if (++n > MK_DECODE_MAX_MPLS || c->layers + n > MK_DECODE_MAX_LAYERS) {
            return mk_dec_event(c, MK_DECODE_TOO_MANY_LAYERS, MK_ELIMIT);
        }
    } while ((entry & 0x100) == 0);
    c->layers = (uint8_t)(c->layers + n - 1);
    st = mk_dec_push_tunnel(c, MK_TUNNEL_MPLS);
    if (st != MK_OK) {
        return st;
    }
    if (entry >> 12 == MPLS_LABEL_IPV4_NULL) {
        c->next = MK_L_IPV4;
        return MK_OK;
    }
    if (entry >> 12 == MPLS_LABEL_IPV6_NULL) {
        c->next = MK_L_IPV6;
        return MK_OK;
    }
    if (c->cur.n < 1) {
        return mk_dec_event(c, MK_DECODE_MPLS_TRUNCATED, MK_ETRUNC);
    }
    if (mk_dec_ip_by_version(c)) {
        return MK_OK;
    }
    switch (c->cur.p[0] >> 4) {
    case 0: /* RFC 4385 section 3: the PW control word, then Ethernet */
        if (!mk_rd_skip(&c->cur, 4)) {
            return mk_dec_event(c, MK_DECODE_MPLS_TRUNCATED, MK_ETRUNC);
        }
        c->next = MK_L_ETH;
        return MK_OK;
    default:
        c->next = MK_L_DONE;
        return mk_dec_event(c, MK_DECODE_MPLS_UNKNOWN_PAYLOAD, MK_EINVAL);
    }
}
