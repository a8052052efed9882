/* QUIC: byte 0 bit 0 = decrypted frames, else datagrams split at byte 1 * 8. */
#include "proto/tls_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mk_arena a;
    struct mk_proto_ctx ctx = {.cfg = MK_PROTO_CONFIG_DEFAULT, .scratch = &a};
    void *st = mk_analyzer_quic.state_new();

    mk_arena_init(&a, 8192, 1u << 20);
    if (st != NULL && size > 2) {
        size_t cut = (size_t)data[1] * 8 < size - 2 ? (size_t)data[1] * 8 : size - 2;
        if (data[0] & 1) {
            mk_quic_frames_feed(st, &ctx, NULL, (data[0] & 2) ? MK_FLOW_TOCLIENT : MK_FLOW_TOSERVER,
                                data + 2, size - 2);
        } else {
            (void)mk_analyzer_quic.probe(data + 2, size - 2, MK_FLOW_TOSERVER, 443);
            mk_analyzer_quic.parse(st, &ctx, NULL, MK_FLOW_TOSERVER, data + 2, cut);
            mk_analyzer_quic.parse(st, &ctx, NULL, MK_FLOW_TOCLIENT, data + 2 + cut,
                                   size - 2 - cut);
        }
        mk_analyzer_quic.flow_end(st, &ctx, NULL);
    }
    mk_analyzer_quic.state_free(st);
    mk_arena_fini(&a);
    return 0;
}
