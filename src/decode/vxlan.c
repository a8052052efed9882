/* decode: VXLAN (RFC 7348 section 5): an 8-byte header with the I flag, then
 * an inner Ethernet frame. Without the I flag the datagram stays plain UDP. */
#include "decode/decode_int.h"

#define VXLAN_FLAG_I 0x08

enum mk_status mk_dec_vxlan(struct mk_dctx *c)
{
    if (c->cur.n < 8) {
        return mk_dec_event(c, MK_DECODE_VXLAN_TRUNCATED, MK_ETRUNC);
    }
    if ((c->cur.p[0] & VXLAN_FLAG_I) == 0) {
        c->next = MK_L_DONE;
        return MK_OK;
    }
    c->cur.p += 8;
    c->cur.n -= 8;
    c->next = MK_L_ETH;
    return mk_dec_push_tunnel(c, MK_TUNNEL_VXLAN);
}
