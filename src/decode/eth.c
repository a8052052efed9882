/* decode: Ethernet II / IEEE 802.3 (mk_dec_eth) and the ethertype table every
 * encapsulation shares (mk_dec_ethertype). */
#include "decode/decode_int.h"

/* IEEE 802.3 clause 3.2.6: values below 0x0600 are a length (LLC follows). */
#define ETH_MIN_TYPE 0x0600

enum mk_status mk_dec_ethertype(struct mk_dctx *c, uint16_t type)
{
    switch (type) {
    case 0x0800:
        c->next = MK_L_IPV4;
        return MK_OK;
    case 0x86dd:
        c->next = MK_L_IPV6;
        return MK_OK;
    case 0x8100: /* IEEE 802.1Q */
    case 0x88a8: /* IEEE 802.1ad service tag */
    case 0x9100: /* pre-standard QinQ */
        c->ethertype = type;
        c->next = MK_L_VLAN;
        return MK_OK;
    case 0x8847: /* MPLS unicast, RFC 3032 section 5 */
    case 0x8848: /* MPLS multicast, RFC 5332 */
        c->next = MK_L_MPLS;
        return MK_OK;
    case 0x8864: /* PPPoE session, RFC 2516 section 4 */
        c->next = MK_L_PPPOE;
        return MK_OK;
    case 0x6558: /* transparent Ethernet bridging (GRE, GENEVE) */
        c->next = MK_L_ETH;
        return MK_OK;
    case 0x0806: /* ARP */
    case 0x8035: /* RARP */
    case 0x8863: /* PPPoE discovery */
    case 0x888e: /* 802.1X */
    case 0x88cc: /* LLDP */
    case 0x8809: /* slow protocols (LACP) */
    case 0x88f7: /* PTP */
    case 0x8137: /* IPX */
    case 0x9000: /* loopback test */
        /* Well-known, not IP: a packet without an IP layer, not an anomaly. */
        c->next = MK_L_DONE;
        return MK_OK;
    default:
        c->next = MK_L_DONE;
        if (type < ETH_MIN_TYPE) {
            return MK_OK; /* 802.3 + LLC (STP, CDP, ...) */
        }
        return mk_dec_event(c, MK_DECODE_ETH_UNKNOWN_TYPE, MK_OK);
    }
}

enum mk_status mk_dec_eth(struct mk_dctx *c)
{
    uint16_t type;

    /* dst(6) src(6) type(2) */
    if (c->cur.n < 14) {
        return mk_dec_event(c, MK_DECODE_ETH_TRUNCATED, MK_ETRUNC);
    }
    type = mk_ld_u16be(c->cur.p + 12);
    c->cur.p += 14;
    c->cur.n -= 14;
    return mk_dec_ethertype(c, type);
}
