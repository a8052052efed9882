/* HTTP: records of a prefix byte (bit 7: direction, bits 0-6: length, 0 = a gap of
 * 100 bytes) and that many bytes, then the flow ends. Nothing may misbehave. */
#include "proto/http_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mk_arena a;
    struct mk_proto_ctx ctx = {.cfg = MK_PROTO_CONFIG_DEFAULT, .scratch = &a};
    void *st = mk_analyzer_http.state_new();

    ctx.cfg.max_header_bytes = 512; /* small caps, so the fuzzer reaches them */
    mk_arena_init(&a, 4096, 8u << 20);
    for (size_t i = 0, n; st != NULL && i < size; i += 1 + n) {
        enum mk_flow_dir dir = (data[i] & 0x80) != 0 ? MK_FLOW_TOCLIENT : MK_FLOW_TOSERVER;

        n = (data[i] & 0x7Fu) < size - i - 1 ? (data[i] & 0x7Fu) : size - i - 1;
        (void)mk_analyzer_http.probe(data + i + 1, n, dir, 80);
        mk_analyzer_http.parse(st, &ctx, NULL, dir, n > 0 ? data + i + 1 : NULL, n ? n : 100);
        mk_arena_reset(&a);
    }
    if (st != NULL) {
        mk_analyzer_http.flow_end(st, &ctx, NULL);
    }
    mk_analyzer_http.state_free(st);
    mk_arena_fini(&a);
    return 0;
}
