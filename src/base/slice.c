/* Byte slices: comparisons on borrowed views. */
#include <string.h>

#include "base/base.h"

struct mk_slice mk_slice_cstr(const char *s)
{
    return (struct mk_slice){(const uint8_t *)s, strlen(s)};
}

bool mk_slice_eq(struct mk_slice a, struct mk_slice b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

bool mk_slice_eq_cstr(struct mk_slice a, const char *s)
{
    return mk_slice_eq(a, mk_slice_cstr(s));
}

bool mk_slice_has_prefix(struct mk_slice a, const char *prefix)
{
    size_t n = strlen(prefix);

    return a.len >= n && memcmp(a.ptr, prefix, n) == 0;
}
