/* Streaming STIX reader + validator, fed in two chunks split by the first byte. */
#include "stix/stix.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void ignore(void *ctx, const struct mk_stix_diag *d)
{
    (void)ctx;
    if (d->id == NULL || d->path == NULL || d->msg == NULL) {
        __builtin_trap();
    }
}

static enum mk_status check(void *ctx, const struct mk_json *obj, size_t index)
{
    (void)index;
    (void)mk_stix_validate_object(ctx, obj);
    return MK_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mk_stix_validator v;
    struct mk_error err;
    struct mk_stix_reader *r;
    size_t split = size > 0 ? data[0] % (size + 1) : 0;

    mk_stix_validator_init(&v, ignore, NULL);
    r = mk_stix_reader_new(NULL, check, &v);
    if (r != NULL && mk_stix_reader_feed(r, data, split, &err) == MK_OK &&
        mk_stix_reader_feed(r, data + split, size - split, &err) == MK_OK &&
        mk_stix_reader_finish(r, &err) == MK_OK && mk_stix_reader_envelope(r) != NULL) {
        (void)mk_stix_validate_bundle_envelope(&v, mk_stix_reader_envelope(r));
    }
    mk_stix_reader_free(r);
    mk_stix_validator_fini(&v);
    return 0;
}
