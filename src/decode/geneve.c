/* decode: GENEVE (RFC 8926 section 3.4): version 0, options of 4-byte words
 * (each a class/type/length TLV, section 3.5), then the inner protocol named
 * by an ethertype (0x6558 = Ethernet). */
#include "decode/decode_int.h"

static bool options_valid(const uint8_t *o, size_t n)
{
    size_t i = 0;

    while (i < n) {
        size_t len;

        if (n - i < 4) {
            return false;
        }
        len = 4 + (size_t)(o[i + 3] & 0x1f) * 4;
        if (len > n - i) {
            return false;
        }
        i += len;
    }
    return true;
}

enum mk_status mk_dec_geneve(struct mk_dctx *c)
{
    const uint8_t *h = c->cur.p;
    size_t optlen;
    uint16_t proto;
    enum mk_status st;

    if (c->cur.n < 8) {
        return mk_dec_event(c, MK_DECODE_GENEVE_TRUNCATED, MK_ETRUNC);
    }
    if (h[0] >> 6 != 0) {
        return mk_dec_event(c, MK_DECODE_GENEVE_BAD_VERSION, MK_EINVAL);
    }
    optlen = (size_t)(h[0] & 0x3f) * 4;
    proto = mk_ld_u16be(h + 2);
    if (8 + optlen > c->cur.n) {
        return mk_dec_event(c, MK_DECODE_GENEVE_TRUNCATED, MK_ETRUNC);
    }
    if (!options_valid(h + 8, optlen)) {
        return mk_dec_event(c, MK_DECODE_GENEVE_BAD_OPTIONS, MK_EINVAL);
    }
    c->cur.p += 8 + optlen;
    c->cur.n -= 8 + optlen;
    st = mk_dec_push_tunnel(c, MK_TUNNEL_GENEVE);
    if (st != MK_OK) {
        return st;
    }
    return mk_dec_ethertype(c, proto);
}
