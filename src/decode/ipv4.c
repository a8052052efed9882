/* decode: IPv4 (RFC 791 section 3.1) with option validation and header
 * checksum, fragments to the defragmenter, and the IP protocol table shared
 * with IPv6 (mk_dec_ip_next). */
#include "decode/decode_int.h"

#define IPV4_MF     0x2000
#define IPV4_OFFSET 0x1fff

enum mk_status mk_dec_ip_next(struct mk_dctx *c, uint8_t proto)
{
    c->p->proto = proto;
    switch (proto) {
    case 6:
        c->next = c->is_hash_only ? MK_L_DONE : MK_L_TCP;
        return MK_OK;
    case 17:
        /* Needed by the hash too: VXLAN, GENEVE and Teredo ride on UDP. */
        c->next = MK_L_UDP;
        return MK_OK;
    case 1:
        c->next = c->is_hash_only ? MK_L_DONE : MK_L_ICMP4;
        return MK_OK;
    case 58:
        c->next = c->is_hash_only ? MK_L_DONE : MK_L_ICMP6;
        return MK_OK;
    case 47:
        c->next = MK_L_GRE;
        return MK_OK;
    case 4:  /* IPv4 in IP, RFC 2003 */
    case 41: /* IPv6 in IP, RFC 4213 section 3.5 */
        c->next = proto == 4 ? MK_L_IPV4 : MK_L_IPV6;
        return mk_dec_push_tunnel(c, MK_TUNNEL_IPIP);
    default:
        /* Other protocols (ESP, SCTP, IGMP, ...) are packets without a decoded
         * transport; only IANA-unassigned or reserved numbers are an event. */
        c->next = MK_L_DONE;
        c->p->payload = c->cur.p;
        c->p->payload_len = (uint32_t)c->cur.n;
        if (proto >= 143 && proto != 253 && proto != 254) {
            return mk_dec_event(c, MK_DECODE_UNKNOWN_L4, MK_OK);
        }
        return MK_OK;
    }
}

/* RFC 791 section 3.1 "Options": EOL and NOP are single bytes, every other
 * option has a length byte counting itself and the type. */
static bool options_valid(const uint8_t *o, size_t n)
{
    size_t i = 0;

    while (i < n) {
        if (o[i] == 0) {
            return true;
        }
        if (o[i] == 1) {
            i++;
            continue;
        }
        if (n - i < 2 || o[i + 1] < 2 || o[i + 1] > n - i) {
            return false;
        }
        i += o[i + 1];
    }
    return true;
}

/* RFC 1071 one's-complement sum; 0 when the header checksum is right. */
static uint16_t header_sum(const uint8_t *h, size_t n)
{
    uint32_t sum = 0;

    for (size_t i = 0; i + 1 < n; i += 2) {
        sum += mk_ld_u16be(h + i);
    }
    sum = (sum & 0xffff) + (sum >> 16);
    sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

static enum mk_status fragment(struct mk_dctx *c, const uint8_t *h, size_t hlen, size_t tot)
{
    struct mk_frag fr;

    c->is_fragment = true;
    c->p->is_fragment = true;
    c->next = MK_L_DONE;
    if (c->df == NULL || c->did_reassemble) {
        return MK_OK; /* the hash, or a fragment inside a reassembled datagram */
    }
    fr.hdr = h;
    fr.hdr_len = hlen;
    fr.nh_off = 0;
    fr.data = h + hlen;
    fr.data_len = tot - hlen;
    fr.id = mk_ld_u16be(h + 4);
    fr.off = (uint32_t)(mk_ld_u16be(h + 6) & IPV4_OFFSET) * 8;
    fr.version = 4;
    fr.proto = h[9];
    fr.more = (mk_ld_u16be(h + 6) & IPV4_MF) != 0;
    return mk_defrag_add(c, &fr);
}

enum mk_status mk_dec_ipv4(struct mk_dctx *c)
{
    const uint8_t *h = c->cur.p;
    size_t hlen;
    size_t tot;

    if (c->cur.n < 20) {
        return mk_dec_event(c, MK_DECODE_IPV4_TRUNCATED, MK_ETRUNC);
    }
    if (h[0] >> 4 != 4) {
        return mk_dec_event(c, MK_DECODE_IPV4_BAD_VERSION, MK_EINVAL);
    }
    hlen = (size_t)(h[0] & 0x0f) * 4;
    tot = mk_ld_u16be(h + 2);
    if (hlen < 20) {
        return mk_dec_event(c, MK_DECODE_IPV4_BAD_IHL, MK_EINVAL);
    }
    if (tot < hlen) {
        return mk_dec_event(c, MK_DECODE_IPV4_BAD_TOTAL_LEN, MK_EINVAL);
    }
    if (tot > c->cur.n) {
        return mk_dec_event(c, MK_DECODE_IPV4_TRUNCATED, MK_ETRUNC);
    }
    if (hlen > 20 && !options_valid(h + 20, hlen - 20)) {
        return mk_dec_event(c, MK_DECODE_IPV4_BAD_OPTIONS, MK_EINVAL);
    }
    mk_dec_ip_begin(c->p);
    c->p->ip_version = 4;
    c->p->ttl = h[8];
    mk_addr_from_v4(h + 12, &c->p->src);
    mk_addr_from_v4(h + 16, &c->p->dst);
    c->p->l3 = h;
    c->p->l3_len = (uint32_t)tot;
    if (c->is_hash_only) {
        c->cur.p = h + hlen;
        c->cur.n = tot - hlen;
        if ((mk_ld_u16be(h + 6) & (IPV4_MF | IPV4_OFFSET)) != 0) {
            c->next = MK_L_DONE;
            return MK_OK;
        }
        return mk_dec_ip_next(c, h[9]);
    }
    /* Counted and flagged, not dropped: see docs/internals/decode.md. */
    if (header_sum(h, hlen) != 0 && !c->p->is_reassembled) {
        c->p->has_bad_ip_checksum = true;
        (void)mk_dec_event(c, MK_DECODE_IPV4_BAD_CHECKSUM, MK_OK);
    }
    if ((mk_ld_u16be(h + 6) & (IPV4_MF | IPV4_OFFSET)) != 0) {
        return fragment(c, h, hlen, tot);
    }
    c->cur.p = h + hlen; /* drops Ethernet padding beyond the total length */
    c->cur.n = tot - hlen;
    return mk_dec_ip_next(c, h[9]);
}
