/* libFuzzer harness for indicator lists and Maltrail trails (load_list.c) on
 * an in-memory file: every line is counted exactly once, the set builds. */
#include <stdio.h>
#include <stdlib.h>

#include "ioc/load_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mk_ioc_builder *b = mk_ioc_builder_new(1700000000);
    struct mk_ioc_load_stats st = {0};
    FILE *f = size > 0 ? fmemopen((void *)data, size, "rb") : NULL;

    mk_log_set_level(MK_LOG_ERROR);
    if (b != NULL && f != NULL &&
        mk_ioc_load_list_stream(b, f, "trails/malware/fuzz.txt", NULL, &st, NULL) == MK_OK &&
        st.added + st.invalid + st.public_suffix + st.expired + st.revoked > size) {
        abort(); /* more entries than bytes */
    }
    if (f != NULL) {
        (void)fclose(f);
    }
    mk_ioc_set_free(mk_ioc_builder_finish(b));
    return 0;
}
