/* decode: Teredo (RFC 4380 section 5.1.1): IPv6 in UDP port 3544, optionally
 * after an authentication and/or an origin indication. Anything that is not
 * a well-formed IPv6 packet there is ordinary UDP (Teredo's own signalling). */
#include "decode/decode_int.h"

/* Authentication indication: 0x0001, id-len, au-len, client id, auth value,
 * nonce (8), confirmation (1). */
static bool skip_auth(struct mk_cur *cur)
{
    if (cur->n < 4 || mk_ld_u16be(cur->p) != 0x0001) {
        return true;
    }
    size_t len = 4 + (size_t)cur->p[2] + cur->p[3] + 9;
    return mk_rd_skip(cur, len);
}

/* Origin indication: 0x0000, obfuscated port (2), obfuscated address (4). */
static bool skip_origin(struct mk_cur *cur)
{
    if (cur->n < 2 || mk_ld_u16be(cur->p) != 0x0000) {
        return true;
    }
    return mk_rd_skip(cur, 8);
}

enum mk_status mk_dec_teredo(struct mk_dctx *c)
{
    struct mk_cur cur = c->cur;

    c->next = MK_L_DONE;
    if (!skip_auth(&cur) || !skip_origin(&cur)) {
        return mk_dec_event(c, MK_DECODE_TEREDO_TRUNCATED, MK_ETRUNC);
    }
    /* Suricata's test: an IPv6 header whose payload length fills the rest. */
    if (cur.n < 40 || cur.p[0] >> 4 != 6 || 40 + (size_t)mk_ld_u16be(cur.p + 4) != cur.n) {
        return MK_OK;
    }
    c->cur = cur;
    c->next = MK_L_IPV6;
    return mk_dec_push_tunnel(c, MK_TUNNEL_TEREDO);
}
