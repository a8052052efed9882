/* Indicator normalisers on arbitrary bytes: domain, URL, request, address and
 * type guessing must never crash, and a canonical form must be a fixed point. */
#include <stdlib.h>
#include <string.h>

#include "ioc/ioc_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char a[MK_IOC_URL_MAX + 1], b[MK_IOC_URL_MAX + 1], z[MK_IOC_URL_MAX + 1];
    const char *in = (const char *)data;
    size_t n, m, k = size < sizeof(z) - 1 ? size : sizeof(z) - 1;
    struct mk_ioc_ip ip;
    enum mk_ioc_type t;

    if ((mk_ioc_norm_domain(in, size, a, sizeof(a), &n) == MK_OK &&
         (mk_ioc_norm_domain(a, n, b, sizeof(b), &m) != MK_OK || m != n || memcmp(a, b, n))) ||
        (mk_ioc_norm_url(in, size, a, sizeof(a), &n) == MK_OK &&
         (mk_ioc_norm_url(a, n, b, sizeof(b), &m) != MK_OK || m != n || memcmp(a, b, n)))) {
        abort(); /* a canonical form that is not a fixed point */
    }
    memcpy(z, in, k);
    z[k] = '\0'; /* the request API takes C strings */
    m = (mk_ioc_norm_request(z, (int)k * 31, strchr(z, '/'), a, sizeof(a), &n) == MK_OK) +
        (mk_ioc_parse_ip(in, size, &ip) == MK_OK) + (mk_ioc_guess_type(in, size, &t) == MK_OK);
    m += mk_ioc_norm_value((enum mk_ioc_type)(k % 14), in, size, a, sizeof(a), &n) == MK_OK;
    return m > 4 ? -1 : 0;
}
