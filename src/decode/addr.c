/* decode: struct mk_addr helpers. IPv4 lives as ::ffff:a.b.c.d (RFC 4291
 * section 2.5.5.2) so one 16-byte compare serves both families. */
#include <arpa/inet.h>
#include <string.h>

#include "decode/decode.h"

static const uint8_t v4_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

bool mk_addr_is_v4(const struct mk_addr *a)
{
    return memcmp(a->b, v4_prefix, sizeof(v4_prefix)) == 0;
}

void mk_addr_from_v4(const uint8_t v4[4], struct mk_addr *out)
{
    memcpy(out->b, v4_prefix, sizeof(v4_prefix));
    memcpy(out->b + 12, v4, 4);
}

int mk_addr_cmp(const struct mk_addr *a, const struct mk_addr *b)
{
    return memcmp(a->b, b->b, sizeof(a->b));
}

/* base's formatters: inet_ntop's text without its sprintf calls. */
size_t mk_addr_format(const struct mk_addr *a, char out[46])
{
    return mk_addr_is_v4(a) ? mk_ipv4_format(a->b + 12, out) : mk_ipv6_format(a->b, out);
}

enum mk_status mk_addr_parse(const char *s, struct mk_addr *out)
{
    uint8_t v4[4];

    if (inet_pton(AF_INET, s, v4) == 1) {
        mk_addr_from_v4(v4, out);
        return MK_OK;
    }
    if (inet_pton(AF_INET6, s, out->b) == 1) {
        return MK_OK;
    }
    return MK_EINVAL;
}
