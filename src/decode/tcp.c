/* decode: TCP header (RFC 9293 section 3.1) and its options (section 3.2):
 * ports, sequence numbers, flags, window; malformed options are an event. */
#include "decode/decode_int.h"

/* Known option kinds must have their RFC length; any option must fit. */
static bool options_valid(const uint8_t *o, size_t n)
{
    size_t i = 0;

    while (i < n) {
        uint8_t kind = o[i];
        uint8_t len;

        if (kind == 0) {
            return true;
        }
        if (kind == 1) {
            i++;
            continue;
        }
        if (n - i < 2) {
            return false;
        }
        len = o[i + 1];
        if (len < 2 || len > n - i) {
            return false;
        }
        if ((kind == 2 && len != 4) || (kind == 3 && len != 3) || (kind == 4 && len != 2) ||
            (kind == 8 && len != 10)) {
            return false; /* MSS, window scale (RFC 7323), SACK-permitted, timestamps */
        }
        i += len;
    }
    return true;
}

enum mk_status mk_dec_tcp(struct mk_dctx *c)
{
    const uint8_t *h = c->cur.p;
    size_t hlen;
    struct mk_packet *p = c->p;

    if (c->cur.n < 20) {
        return mk_dec_event(c, MK_DECODE_TCP_TRUNCATED, MK_ETRUNC);
    }
    hlen = (size_t)(h[12] >> 4) * 4;
    if (hlen < 20) {
        return mk_dec_event(c, MK_DECODE_TCP_BAD_HLEN, MK_EINVAL);
    }
    if (hlen > c->cur.n) {
        return mk_dec_event(c, MK_DECODE_TCP_TRUNCATED, MK_ETRUNC);
    }
    p->sport = mk_ld_u16be(h);
    p->dport = mk_ld_u16be(h + 2);
    p->tcp_seq = mk_ld_u32be(h + 4);
    p->tcp_ack = mk_ld_u32be(h + 8);
    p->tcp_flags = h[13];
    p->tcp_window = mk_ld_u16be(h + 14);
    p->payload = h + hlen;
    p->payload_len = (uint32_t)(c->cur.n - hlen);
    c->next = MK_L_DONE;
    /* Hosts ignore what they cannot parse, so the segment still counts. */
    if (hlen > 20 && !options_valid(h + 20, hlen - 20)) {
        return mk_dec_event(c, MK_DECODE_TCP_BAD_OPTIONS, MK_OK);
    }
    return MK_OK;
}
