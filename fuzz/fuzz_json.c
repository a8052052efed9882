/* JSON codec: parse; a parsed value must write and re-parse to the same text. */
#include <string.h>

#include "stix/stix.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mk_arena a;
    struct mk_error err;
    const struct mk_json *v;
    const struct mk_json *again;
    struct mk_buf b1;
    struct mk_buf b2;
    struct mk_jw w;

    mk_arena_init(&a, 4096, 64u << 20);
    mk_buf_init(&b1, 64u << 20);
    mk_buf_init(&b2, 64u << 20);
    if (mk_json_parse(data, size, NULL, &a, &v, &err) == MK_OK) {
        mk_jw_init(&w, &b1, 0);
        mk_json_write(&w, v, true);
        if (mk_jw_status(&w) != MK_OK ||
            mk_json_parse(b1.data, b1.len, NULL, &a, &again, &err) != MK_OK) {
            __builtin_trap();
        }
        mk_jw_init(&w, &b2, 0);
        mk_json_write(&w, again, true);
        if (b1.len != b2.len || memcmp(b1.data, b2.data, b1.len) != 0) {
            __builtin_trap();
        }
    }
    mk_buf_fini(&b1);
    mk_buf_fini(&b2);
    mk_arena_fini(&a);
    return 0;
}
