/* Community ID v1 (github.com/corelight/community-id-spec): a flow hash every
 * tool computes alike. Entry points: mk_flow_community_id(), ..._tuple(). */
#include <string.h>

#include "flow/flow_int.h"

/* The spec's ICMP "port equivalents": a type with a reply type maps to it, so
 * request and reply order like the two ports of one conversation. -1: one-way. */
static int icmp4_counterpart(uint8_t type)
{
    switch (type) {
    case 8: /* echo (RFC 792) */
        return 0;
    case 0: /* echo reply */
        return 8;
    case 13: /* timestamp */
        return 14;
    case 14:
        return 13;
    case 15: /* information request */
        return 16;
    case 16:
        return 15;
    case 10: /* router solicitation (RFC 1256) */
        return 9;
    case 9: /* router advertisement, as pycommunityid maps it */
        return 10;
    case 17: /* address mask (RFC 950) */
        return 18;
    case 18:
        return 17;
    default:
        return -1;
    }
}

static int icmp6_counterpart(uint8_t type)
{
    switch (type) {
    case 128: /* echo request (RFC 4443) */
        return 129;
    case 129:
        return 128;
    case 133: /* router solicitation (RFC 4861) */
        return 134;
    case 134:
        return 133;
    case 135: /* neighbor solicitation */
        return 136;
    case 136:
        return 135;
    case 130: /* multicast listener query (RFC 2710) */
        return 131;
    case 131:
        return 130;
    case 139: /* node information query (RFC 4620) */
        return 140;
    case 140:
        return 139;
    case 144: /* home agent address discovery (RFC 6275) */
        return 145;
    case 145:
        return 144;
    default:
        return -1;
    }
}

static void base64_encode(const uint8_t *in, size_t n, char *out)
{
    static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t i = 0;

    for (; i + 2 < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];

        *out++ = tbl[v >> 18];
        *out++ = tbl[(v >> 12) & 63];
        *out++ = tbl[(v >> 6) & 63];
        *out++ = tbl[v & 63];
    }
    if (i < n) {
        uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < n ? (uint32_t)in[i + 1] << 8 : 0);

        *out++ = tbl[v >> 18];
        *out++ = tbl[(v >> 12) & 63];
        *out++ = (char)(i + 1 < n ? tbl[(v >> 6) & 63] : '=');
        *out++ = '=';
    }
    *out = '\0';
}

static bool has_ports(uint8_t proto)
{
    return proto == MK_FLOW_PROTO_TCP || proto == MK_FLOW_PROTO_UDP ||
           proto == MK_FLOW_PROTO_SCTP || proto == MK_FLOW_PROTO_ICMP ||
           proto == MK_FLOW_PROTO_ICMPV6;
}

void mk_flow_community_id_tuple(const struct mk_addr *src, const struct mk_addr *dst,
                                uint8_t ip_version, uint8_t proto, uint16_t sport, uint16_t dport,
                                uint16_t seed, char out[64])
{
    size_t alen = ip_version == 4 ? 4 : 16;
    size_t off = 16 - alen; /* IPv4 is stored as ::ffff:a.b.c.d */
    bool one_way = false;
    int cmp = memcmp(src->b + off, dst->b + off, alen);
    uint8_t buf[40];
    uint8_t digest[20];
    size_t n = 0;
    bool swap;

    if (proto == MK_FLOW_PROTO_ICMP || proto == MK_FLOW_PROTO_ICMPV6) {
        int peer = proto == MK_FLOW_PROTO_ICMP ? icmp4_counterpart((uint8_t)sport)
                                               : icmp6_counterpart((uint8_t)sport);

        one_way = peer < 0;
        dport = one_way ? dport : (uint16_t)peer;
    }
    /* the spec orders the endpoints so both directions hash alike */
    swap = !one_way && !(cmp < 0 || (cmp == 0 && sport < dport));
    buf[n++] = (uint8_t)(seed >> 8);
    buf[n++] = (uint8_t)seed;
    memcpy(buf + n, (swap ? dst : src)->b + off, alen);
    n += alen;
    memcpy(buf + n, (swap ? src : dst)->b + off, alen);
    n += alen;
    buf[n++] = proto;
    buf[n++] = 0; /* padding */
    if (has_ports(proto)) {
        uint16_t p1 = swap ? dport : sport;
        uint16_t p2 = swap ? sport : dport;

        buf[n++] = (uint8_t)(p1 >> 8);
        buf[n++] = (uint8_t)p1;
        buf[n++] = (uint8_t)(p2 >> 8);
        buf[n++] = (uint8_t)p2;
    }
    mk_hash_sha1(buf, n, digest);
    out[0] = '1';
    out[1] = ':';
    base64_encode(digest, sizeof(digest), out + 2);
}

void mk_flow_community_id(const struct mk_flow *f, uint16_t seed, char out[64])
{
    uint16_t sport = f->sport;
    uint16_t dport = f->dport;

    if (f->proto == MK_FLOW_PROTO_ICMP || f->proto == MK_FLOW_PROTO_ICMPV6) {
        sport = f->icmp_type[MK_FLOW_TOSERVER];
        dport = f->icmp_code[MK_FLOW_TOSERVER];
    }
    mk_flow_community_id_tuple(&f->src, &f->dst, f->ip_version, f->proto, sport, dport, seed, out);
}
