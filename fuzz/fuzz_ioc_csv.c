/* libFuzzer harness for CSV indicator files (load_csv.c) on an in-memory file,
 * without a column map and with one; only the map or memory may end a load. */
#include <stdio.h>
#include <stdlib.h>

#include "ioc/load_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mk_ioc_builder *b = mk_ioc_builder_new(1700000000);

    mk_log_set_level(MK_LOG_ERROR);
    for (size_t i = 0; i < 2 && b != NULL && size > 0; i++) {
        struct mk_ioc_load_stats st = {0};
        FILE *f = fmemopen((void *)data, size, "rb");
        enum mk_status rc = MK_OK;

        if (f != NULL) {
            rc = mk_ioc_load_csv_stream(b, f, "f.csv", i ? "value=value,type=type" : NULL, NULL,
                                        &st, NULL);
            (void)fclose(f);
        }
        if (rc != MK_OK && rc != MK_EINVAL && rc != MK_ENOMEM) {
            abort();
        }
    }
    mk_ioc_set_free(mk_ioc_builder_finish(b));
    return 0;
}
