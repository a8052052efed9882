/* decode: IPv6 (RFC 8200 section 3) and its extension header chain (section
 * 4: hop-by-hop, routing, fragment, destination options; AH per RFC 4302
 * section 2), capped at MK_DECODE_MAX_EXT_HDRS; fragments go to defrag. */
#include "decode/decode_int.h"

enum {
    NH_HOPOPTS = 0,
    NH_ROUTING = 43,
    NH_FRAGMENT = 44,
    NH_AH = 51,
    NH_NONE = 59,
    NH_DSTOPTS = 60,
    NH_MOBILITY = 135,
};

/* RFC 8200 section 4.2: Pad1 is one byte, every other option is type,
 * length, data; the options fill the header exactly. */
static bool options_valid(const uint8_t *o, size_t n)
{
    size_t i = 0;

    while (i < n) {
        if (o[i] == 0) {
            i++;
            continue;
        }
        if (n - i < 2 || (size_t)o[i + 1] + 2 > n - i) {
            return false;
        }
        i += (size_t)o[i + 1] + 2;
    }
    return true;
}

struct chain {
    size_t off;    /* of the current extension header from the IPv6 header */
    size_t nh_off; /* of the next-header byte naming it */
    uint8_t nh;
};

static enum mk_status fragment(struct mk_dctx *c, const uint8_t *h, size_t tot,
                               const struct chain *ch)
{
    struct mk_frag fr;
    const uint8_t *fh = h + ch->off;
    uint16_t offm = mk_ld_u16be(fh + 2);

    /* RFC 6946: offset 0 without M is an atomic fragment, a whole datagram. */
    if ((offm & 0xfff9) == 0) {
        c->cur.p = fh + 8;
        c->cur.n = tot - ch->off - 8;
        return mk_dec_ip_next(c, fh[0]);
    }
    c->is_fragment = true;
    c->p->is_fragment = true;
    c->next = MK_L_DONE;
    if (c->df == NULL || c->did_reassemble) {
        return MK_OK;
    }
    fr.hdr = h;
    fr.hdr_len = ch->off;
    fr.nh_off = ch->nh_off;
    fr.data = fh + 8;
    fr.data_len = tot - ch->off - 8;
    fr.id = mk_ld_u32be(fh + 4);
    fr.off = offm & 0xfff8u;
    fr.version = 6;
    fr.proto = fh[0];
    fr.more = (offm & 1) != 0;
    return mk_defrag_add(c, &fr);
}

/* Length of the extension header at h (h has `left` bytes), 0 if malformed. */
static size_t ext_len(struct mk_dctx *c, uint8_t nh, const uint8_t *h, size_t left)
{
    size_t len;

    if (left < 8) {
        return 0;
    }
    len = nh == NH_AH ? ((size_t)h[1] + 2) * 4 : ((size_t)h[1] + 1) * 8;
    if (len > left) {
        return 0;
    }
    if ((nh == NH_HOPOPTS || nh == NH_DSTOPTS) && !c->is_hash_only &&
        !options_valid(h + 2, len - 2)) {
        return 0;
    }
    return len;
}

static enum mk_status walk_chain(struct mk_dctx *c, const uint8_t *h, size_t tot)
{
    struct chain ch = {.off = 40, .nh_off = 6, .nh = h[6]};

    for (unsigned k = 0;; k++) {
        size_t len;

        switch (ch.nh) {
        case NH_HOPOPTS:
            if (k != 0) { /* RFC 8200 section 4.1: only right after the header */
                return mk_dec_event(c, MK_DECODE_IPV6_BAD_EXT_HDR, MK_EINVAL);
            }
            break;
        case NH_ROUTING:
        case NH_DSTOPTS:
        case NH_AH:
        case NH_MOBILITY:
            break;
        case NH_FRAGMENT:
            if (tot - ch.off < 8) {
                return mk_dec_event(c, MK_DECODE_IPV6_TRUNCATED, MK_ETRUNC);
            }
            return fragment(c, h, tot, &ch);
        case NH_NONE:
            c->p->proto = NH_NONE;
            c->next = MK_L_DONE;
            return MK_OK;
        default:
            c->cur.p = h + ch.off;
            c->cur.n = tot - ch.off;
            return mk_dec_ip_next(c, ch.nh);
        }
        if (k >= MK_DECODE_MAX_EXT_HDRS) {
            return mk_dec_event(c, MK_DECODE_IPV6_TOO_MANY_EXT_HDRS, MK_ELIMIT);
        }
        len = ext_len(c, ch.nh, h + ch.off, tot - ch.off);
        if (len == 0) {
            return mk_dec_event(c, MK_DECODE_IPV6_BAD_EXT_HDR, MK_EINVAL);
        }
        ch.nh_off = ch.off;
        ch.nh = h[ch.off];
        ch.off += len;
    }
}

enum mk_status mk_dec_ipv6(struct mk_dctx *c)
{
    const uint8_t *h = c->cur.p;
    size_t tot;

    if (c->cur.n < 40) {
        return mk_dec_event(c, MK_DECODE_IPV6_TRUNCATED, MK_ETRUNC);
    }
    if (h[0] >> 4 != 6) {
        return mk_dec_event(c, MK_DECODE_IPV6_BAD_VERSION, MK_EINVAL);
    }
    tot = 40 + (size_t)mk_ld_u16be(h + 4);
    /* Payload length 0 means a jumbogram (RFC 2675), which no link we read can
     * carry: treated as malformed unless nothing follows. */
    if (tot == 40 && h[6] != NH_NONE) {
        return mk_dec_event(c, MK_DECODE_IPV6_BAD_PAYLOAD_LEN, MK_EINVAL);
    }
    if (tot > c->cur.n) {
        return mk_dec_event(c, MK_DECODE_IPV6_TRUNCATED, MK_ETRUNC);
    }
    mk_dec_ip_begin(c->p);
    c->p->ip_version = 6;
    c->p->ttl = h[7];
    memcpy(c->p->src.b, h + 8, 16);
    memcpy(c->p->dst.b, h + 24, 16);
    c->p->l3 = h;
    c->p->l3_len = (uint32_t)tot;
    return walk_chain(c, h, tot);
}
