/* libFuzzer harness for STIX patterns: a parsed pattern must format to text that
 * parses and formats to the same text again; extraction must not fail. */
#include <stdlib.h>
#include <string.h>

#include "stix/stix.h"

static void touch_key(void *ctx, const struct mk_stix_key *key)
{
    *(size_t *)ctx += key->n_terms + strlen(key->terms[0].value);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mk_arena a;
    struct mk_buf b[2];
    const struct mk_stix_pattern *p[2];
    size_t n = 0;

    mk_arena_init(&a, 4096, 64u << 20);
    mk_buf_init(&b[0], 1u << 20);
    mk_buf_init(&b[1], 1u << 20);
    if (mk_stix_pattern_parse(&a, (const char *)data, size, &p[0], NULL) == MK_OK &&
        mk_stix_pattern_format(p[0], &b[0]) == MK_OK) {
        if (mk_stix_pattern_parse(&a, (const char *)b[0].data, b[0].len, &p[1], NULL) != MK_OK ||
            mk_stix_pattern_format(p[1], &b[1]) != MK_OK || b[0].len != b[1].len ||
            memcmp(b[0].data, b[1].data, b[0].len) != 0) {
            abort();
        }
        (void)mk_stix_pattern_extract(p[0], touch_key, &n);
    }
    mk_buf_fini(&b[1]);
    mk_buf_fini(&b[0]);
    mk_arena_fini(&a);
    return 0;
}
