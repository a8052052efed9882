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

/* Dotted quad by hand: glibc's inet_ntop goes through sprintf, about 1000
 * instructions an address, and EVE prints two per event. */
static void format_v4(const uint8_t *b, char *out)
{
    size_t k = 0;

    for (int i = 0; i < 4; i++) {
        unsigned v = b[i];

        if (v >= 100) {
            out[k++] = (char)('0' + v / 100);
        }
        if (v >= 10) {
            out[k++] = (char)('0' + v / 10 % 10);
        }
        out[k++] = (char)('0' + v % 10);
        out[k++] = i < 3 ? '.' : '\0';
    }
}

void mk_addr_format(const struct mk_addr *a, char out[46])
{
    const char *r;

    if (mk_addr_is_v4(a)) {
        format_v4(a->b + 12, out);
        return;
    } else {
        r = inet_ntop(AF_INET6, a->b, out, 46);
    }
    if (r == NULL) {
        out[0] = '\0';
    }
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
