/* decode: byte 0 picks the link type, byte 1 the frame count (1..3); the rest
 * is split into frames fed to one decoder with a small defrag memcap. */
#include "decode/decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int links[] = {1, 0, 9, 12, 14, 50, 101, 104, 108, 113, 228, 229, 276};
    struct mk_defrag_config cfg = {.memcap = 4096, .timeout_sec = 1, .max_datagrams = 4};
    struct mk_decoder *d = mk_decoder_new(&cfg);
    struct mk_packet p;
    size_t n = size < 2 ? 1 : (size_t)data[1] % 3 + 1;
    size_t rest = size < 2 ? 0 : size - 2;

    for (size_t i = 0; i < n && d != NULL; i++) {
        size_t len = i + 1 == n ? rest - i * (rest / n) : rest / n;
        struct mk_frame f = {.ts_sec = (int64_t)i,
                             .caplen = (uint32_t)len,
                             .wirelen = (uint32_t)len,
                             .linktype = links[size > 0 ? data[0] % 13 : 0],
                             .data = data + 2 + i * (rest / n)};

        if (mk_decode_frame(d, &f, &p) == MK_OK && p.payload != NULL &&
            p.payload_len > 65535 + 40) {
            __builtin_trap();
        }
        (void)mk_decode_dispatch_hash(&f);
    }
    mk_decoder_free(d);
    return 0;
}
