/* decode: ICMPv4 (RFC 792) and ICMPv6 (RFC 4443 section 2.1) headers: type,
 * code, and the message body as payload. Every message has at least 8 bytes. */
#include "decode/decode_int.h"

static enum mk_status icmp(struct mk_dctx *c, enum mk_decode_event trunc)
{
    if (c->cur.n < 8) {
        return mk_dec_event(c, trunc, MK_ETRUNC);
    }
    c->p->icmp_type = c->cur.p[0];
    c->p->icmp_code = c->cur.p[1];
    c->p->payload = c->cur.p + 8;
    c->p->payload_len = (uint32_t)(c->cur.n - 8);
    c->next = MK_L_DONE;
    return MK_OK;
}

enum mk_status mk_dec_icmp4(struct mk_dctx *c)
{
    return icmp(c, MK_DECODE_ICMPV4_TRUNCATED);
}

enum mk_status mk_dec_icmp6(struct mk_dctx *c)
{
    return icmp(c, MK_DECODE_ICMPV6_TRUNCATED);
}
