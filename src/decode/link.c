/* decode: link-layer headers, one per libpcap DLT (tcpdump.org/linktypes.html):
 * BSD loopback, Linux cooked v1/v2, raw IP, PPP, Cisco HDLC. mk_dec_link()
 * consumes the link header and names the first layer. */
#include "decode/decode_int.h"

/* Address families a BSD loopback header may carry (Linux, the BSDs, Darwin). */
#define AF_INET_ALL 2

static bool is_inet6_family(uint32_t fam)
{
    return fam == 10 || fam == 24 || fam == 28 || fam == 30;
}

/* DLT_NULL is in the capturing host's order, DLT_LOOP in network order; both
 * happen in the wild with the "wrong" one, and a family fits in 16 bits. */
static enum mk_status link_null(struct mk_dctx *c)
{
    uint32_t fam;

    if (!mk_rd_u32be(&c->cur, &fam)) {
        return mk_dec_event(c, MK_DECODE_LINK_TRUNCATED, MK_ETRUNC);
    }
    if (fam > 0xffff) {
        fam = __builtin_bswap32(fam);
    }
    if (fam == AF_INET_ALL) {
        c->next = MK_L_IPV4;
    } else if (is_inet6_family(fam)) {
        c->next = MK_L_IPV6;
    } else {
        return mk_dec_event(c, MK_DECODE_LINK_UNSUPPORTED, MK_OK);
    }
    return MK_OK;
}

/* Linux cooked v1: 16 bytes, protocol last (pcap-linktype(7) LINKTYPE_LINUX_SLL). */
static enum mk_status link_sll(struct mk_dctx *c)
{
    uint16_t hatype;
    uint16_t proto;

    if (c->cur.n < 16) {
        return mk_dec_event(c, MK_DECODE_LINK_TRUNCATED, MK_ETRUNC);
    }
    hatype = mk_ld_u16be(c->cur.p + 2);
    proto = mk_ld_u16be(c->cur.p + 14);
    (void)mk_rd_skip(&c->cur, 16);
    if (hatype == 824) { /* ARPHRD_NETLINK: not a network packet */
        return MK_OK;
    }
    return mk_dec_ethertype(c, proto);
}

/* Linux cooked v2: 20 bytes, protocol first (LINKTYPE_LINUX_SLL2). */
static enum mk_status link_sll2(struct mk_dctx *c)
{
    uint16_t proto;
    uint16_t hatype;

    if (c->cur.n < 20) {
        return mk_dec_event(c, MK_DECODE_LINK_TRUNCATED, MK_ETRUNC);
    }
    proto = mk_ld_u16be(c->cur.p);
    hatype = mk_ld_u16be(c->cur.p + 8);
    (void)mk_rd_skip(&c->cur, 20);
    if (hatype == 824) {
        return MK_OK;
    }
    return mk_dec_ethertype(c, proto);
}

/* Raw IP: the version nibble says which. */
static enum mk_status link_raw(struct mk_dctx *c)
{
    if (c->cur.n < 1) {
        return mk_dec_event(c, MK_DECODE_LINK_TRUNCATED, MK_ETRUNC);
    }
    return mk_dec_ip_by_version(c) ? MK_OK : mk_dec_event(c, MK_DECODE_IPV4_BAD_VERSION, MK_EINVAL);
}

/* Cisco HDLC: address (0x0f unicast, 0x8f broadcast), control 0, ethertype. */
static enum mk_status link_chdlc(struct mk_dctx *c)
{
    if (c->cur.n < 4) {
        return mk_dec_event(c, MK_DECODE_LINK_TRUNCATED, MK_ETRUNC);
    }
    if ((c->cur.p[0] != 0x0f && c->cur.p[0] != 0x8f) || c->cur.p[1] != 0) {
        return mk_dec_event(c, MK_DECODE_LINK_UNSUPPORTED, MK_EINVAL);
    }
    uint16_t proto = mk_ld_u16be(c->cur.p + 2);
    (void)mk_rd_skip(&c->cur, 4);
    return mk_dec_ethertype(c, proto);
}

enum mk_status mk_dec_link(struct mk_dctx *c, int linktype)
{
    switch (linktype) {
    case MK_LINK_ETHERNET:
        c->next = MK_L_ETH;
        return MK_OK;
    case MK_LINK_NULL:
    case MK_LINK_LOOP:
        return link_null(c);
    case MK_LINK_SLL:
        return link_sll(c);
    case MK_LINK_SLL2:
        return link_sll2(c);
    case MK_LINK_RAW:
    case MK_LINK_RAW_ALT:
    case MK_LINK_RAW_LINKTYPE:
        return link_raw(c);
    case MK_LINK_IPV4:
        c->next = MK_L_IPV4;
        return MK_OK;
    case MK_LINK_IPV6:
        c->next = MK_L_IPV6;
        return MK_OK;
    case MK_LINK_PPP:
    case MK_LINK_PPP_SERIAL:
        c->next = MK_L_PPP;
        return MK_OK;
    case MK_LINK_CHDLC:
        return link_chdlc(c);
    default:
        return mk_dec_event(c, MK_DECODE_LINK_UNSUPPORTED, MK_EINVAL);
    }
}
