/* TCP reassembly of one flow from 6-byte records (dir | flags << 1, seq u16, len, ack u16): bytes
 * come out as sent at their sequence numbers, no more than sent, and memory returns to zero. */
#include "flow/flow.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t at(uint32_t q) /* the byte every segment carries at sequence number q */
{
    return (uint8_t)((q * 2654435761u) >> 24);
}

static void on_stream(void *ctx, struct mk_flow *f, enum mk_flow_dir d, const uint8_t *p, size_t n)
{
    for (size_t k = 0; p != NULL && k < n; k++) { /* next_seq already counts these n bytes */
        if (p[k] != at(f->stream[d].next_seq - (uint32_t)(n - k))) {
            __builtin_trap();
        }
    }
    *(uint64_t *)ctx += p != NULL ? n : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mk_flow_config cfg = MK_FLOW_CONFIG_DEFAULT;
    uint64_t got = 0, sent = 0;
    uint8_t buf[256];
    struct mk_flow_table *t;

    cfg.stream_depth = 0; /* a depth cut would break the next_seq arithmetic in on_stream */
    cfg.max_pending = size > 0 ? data[0] * 8u : 0;
    cfg.memcap = sizeof(struct mk_flow) + (size > 1 ? data[1] * 16u : 0);
    t = mk_flow_table_new(&cfg, NULL, on_stream, &got);
    for (size_t i = 2; i + 6 <= size; i += 6) {
        const uint8_t *r = data + i;
        uint32_t dn = r[0] & 1, isn[2] = {0xfffff000u, 0x7ffffff0u};
        struct mk_packet p = {.ip_version = 4, .proto = 6, .tcp_flags = r[0] >> 1, .payload = buf};
        enum mk_flow_dir dir;

        p.src.b[15] = (uint8_t)(p.sport = (uint16_t)(1 + dn));
        p.dst.b[15] = (uint8_t)(p.dport = (uint16_t)(2 - dn));
        p.tcp_seq = isn[dn] + (uint32_t)(r[1] << 8 | r[2]);
        p.tcp_ack = isn[!dn] + (uint32_t)(r[4] << 8 | r[5]);
        for (p.payload_len = 0; p.payload_len < r[3]; p.payload_len++) {
            buf[p.payload_len] = at(p.tcp_seq + ((p.tcp_flags & 2) ? 1 : 0) + p.payload_len);
        }
        sent += p.payload_len;
        (void)mk_flow_table_packet(t, &p, &dir);
    }
    mk_flow_table_flush(t);
    if (mk_flow_table_stats(t)->memuse != 0 || got > sent) {
        __builtin_trap();
    }
    mk_flow_table_free(t);
    return 0;
}
