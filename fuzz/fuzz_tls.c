/* TLS stream analyzer: the input is a stream in both directions, chunked by prefix
 * bytes (bit 7 = direction, low bits = chunk length); then flow end. */
#include "proto/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mk_arena a;
    struct mk_proto_ctx ctx = {.cfg = MK_PROTO_CONFIG_DEFAULT, .scratch = &a};
    void *st = mk_analyzer_tls.state_new();

    mk_arena_init(&a, 4096, 1u << 20);
    while (size > 0 && st != NULL) {
        size_t n = (size_t)(data[0] & 0x7f) * 13 + 1;
        enum mk_flow_dir dir = (data[0] & 0x80) ? MK_FLOW_TOCLIENT : MK_FLOW_TOSERVER;
        n = n < size - 1 ? n : size - 1;
        mk_analyzer_tls.parse(st, &ctx, NULL, dir, data + 1, n);
        data += n + 1;
        size -= n + 1;
        mk_arena_reset(&a);
    }
    if (st != NULL) {
        mk_analyzer_tls.flow_end(st, &ctx, NULL);
    }
    mk_analyzer_tls.state_free(st);
    mk_arena_fini(&a);
    return 0;
}
