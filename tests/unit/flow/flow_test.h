/* Shared helpers of the flow unit tests: addresses and hand-filled packets
 * (the tests do not depend on the decoder's code), and a recording callback. */
#ifndef MK_FLOW_TEST_H
#define MK_FLOW_TEST_H

#include <arpa/inet.h>
#include <string.h>

#include "flow/flow_int.h"

/* ::ffff:a.b.c.d or an IPv6 address, parsed with inet_pton (not decode's code). */
static inline struct mk_addr addr_of(const char *s)
{
    struct mk_addr a;

    memset(&a, 0, sizeof(a));
    if (inet_pton(AF_INET, s, a.b + 12) == 1) {
        a.b[10] = 0xff;
        a.b[11] = 0xff;
    } else if (inet_pton(AF_INET6, s, a.b) != 1) {
        memset(&a, 0xee, sizeof(a));
    }
    return a;
}

static inline struct mk_packet pkt_of(const char *src, uint16_t sport, const char *dst,
                                      uint16_t dport, uint8_t proto, int64_t ts)
{
    struct mk_packet p;

    memset(&p, 0, sizeof(p));
    p.src = addr_of(src);
    p.dst = addr_of(dst);
    p.ip_version = strchr(src, ':') != NULL ? 6 : 4;
    p.sport = sport;
    p.dport = dport;
    p.proto = proto;
    p.ts_sec = ts;
    p.l3_len = 40;
    return p;
}

static inline struct mk_packet tcp_of(const char *src, uint16_t sport, const char *dst,
                                      uint16_t dport, uint8_t flags, uint32_t seq, uint32_t ack,
                                      const char *data)
{
    struct mk_packet p = pkt_of(src, sport, dst, dport, MK_FLOW_PROTO_TCP, 0);

    p.tcp_flags = flags;
    p.tcp_seq = seq;
    p.tcp_ack = ack;
    p.payload = (const uint8_t *)data;
    p.payload_len = data != NULL ? (uint32_t)strlen(data) : 0;
    p.l3_len = 40 + p.payload_len;
    return p;
}

/* What the callbacks saw: per direction the delivered text with '#' per gap
 * byte, and the end reasons in order. */
struct rec {
    char text[2][4096];
    size_t len[2];
    size_t gaps[2];
    int ends;
    enum mk_flow_end reasons[64];
    uint64_t end_ids[64];
};

static inline void rec_stream(void *ctx, struct mk_flow *f, enum mk_flow_dir dir,
                              const uint8_t *data, size_t len)
{
    struct rec *r = ctx;

    (void)f;
    for (size_t i = 0; i < len && r->len[dir] + 1 < sizeof(r->text[dir]); i++) {
        r->text[dir][r->len[dir]++] = data != NULL ? (char)data[i] : '#';
    }
    if (data == NULL) {
        r->gaps[dir]++;
    }
    r->text[dir][r->len[dir]] = '\0';
}

static inline void rec_end(void *ctx, struct mk_flow *f, enum mk_flow_end reason)
{
    struct rec *r = ctx;

    if (r->ends < 64) {
        r->reasons[r->ends] = reason;
        r->end_ids[r->ends] = f->flow_id;
    }
    r->ends++;
}

#define TH_FIN MK_FLOW_TH_FIN
#define TH_SYN MK_FLOW_TH_SYN
#define TH_RST MK_FLOW_TH_RST
#define TH_ACK MK_FLOW_TH_ACK

#endif /* MK_FLOW_TEST_H */
