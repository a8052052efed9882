/* decode: IEEE 802.1Q tags and stacked 802.1ad / QinQ (0x88a8, 0x9100), one tag
 * per call; ids recorded outermost first, capped at MK_DECODE_MAX_VLANS. */
#include "decode/decode_int.h"

enum mk_status mk_dec_vlan(struct mk_dctx *c)
{
    uint16_t tci;
    uint16_t type;

    /* IEEE 802.1Q-2018 section 9.6: TCI (PCP 3, DEI 1, VID 12), then the type. */
    if (!mk_rd_u16be(&c->cur, &tci) || !mk_rd_u16be(&c->cur, &type)) {
        return mk_dec_event(c, MK_DECODE_VLAN_TRUNCATED, MK_ETRUNC);
    }
    if (c->p->n_vlans >= MK_DECODE_MAX_VLANS) {
        return mk_dec_event(c, MK_DECODE_VLAN_TOO_MANY, MK_ELIMIT);
    }
    c->p->vlan[c->p->n_vlans++] = tci & 0x0fff;
    return mk_dec_ethertype(c, type);
}
