/* decode: UDP (RFC 768), and the UDP ports that carry tunnels: VXLAN 4789
 * (RFC 7348 section 5), GENEVE 6081 (RFC 8926 section 3.3), Teredo 3544
 * (RFC 4380 section 5.1.1). */
#include "decode/decode_int.h"

#define PORT_VXLAN  4789
#define PORT_GENEVE 6081
#define PORT_TEREDO 3544

enum mk_status mk_dec_udp(struct mk_dctx *c)
{
    const uint8_t *h = c->cur.p;
    size_t ulen;
    struct mk_packet *p = c->p;

    if (c->cur.n < 8) {
        return mk_dec_event(c, MK_DECODE_UDP_TRUNCATED, MK_ETRUNC);
    }
    ulen = mk_ld_u16be(h + 4);
    if (ulen < 8) {
        return mk_dec_event(c, MK_DECODE_UDP_BAD_LEN, MK_EINVAL);
    }
    if (ulen > c->cur.n) {
        return mk_dec_event(c, MK_DECODE_UDP_TRUNCATED, MK_ETRUNC);
    }
    p->proto = 17;
    p->sport = mk_ld_u16be(h);
    p->dport = mk_ld_u16be(h + 2);
    p->payload = h + 8;
    p->payload_len = (uint32_t)(ulen - 8);
    c->cur.p = h + 8;
    c->cur.n = ulen - 8;
    /* Tunnels are told by the destination port, as Suricata does; each
     * tunnel decoder falls back to plain UDP when the header does not fit. */
    if (p->dport == PORT_VXLAN) {
        c->next = MK_L_VXLAN;
    } else if (p->dport == PORT_GENEVE) {
        c->next = MK_L_GENEVE;
    } else if (p->dport == PORT_TEREDO || p->sport == PORT_TEREDO) {
        c->next = MK_L_TEREDO;
    } else {
        c->next = MK_L_DONE;
    }
    return MK_OK;
}
