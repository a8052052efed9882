/* Strict UTF-8 validation (RFC 3629 section 4): the check yajl leaves out.
 * Entry points: mk_utf8_valid(), and mk_utf8_seq() for the JSON writer. */
#include "base/base.h"
#include "base/base_int.h"

bool mk_utf8_seq(const uint8_t *p, size_t n, size_t *len)
{
    uint8_t c = p[0];
    uint8_t lo = 0x80; /* allowed range of the next continuation byte */
    uint8_t hi = 0xbf;
    size_t need;
    size_t k = 1;

    if (c < 0x80) {
        *len = 1;
        return true;
    }
    if (c >= 0xc2 && c <= 0xdf) {
        need = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
        need = 3;
        lo = c == 0xe0 ? 0xa0 : 0x80; /* no overlong forms */
        hi = c == 0xed ? 0x9f : 0xbf; /* no surrogates */
    } else if (c >= 0xf0 && c <= 0xf4) {
        need = 4;
        lo = c == 0xf0 ? 0x90 : 0x80; /* no overlong forms */
        hi = c == 0xf4 ? 0x8f : 0xbf; /* nothing above U+10FFFF */
    } else {
        *len = 1; /* 80..C1 and F5..FF never start a sequence */
        return false;
    }
    while (k < need && k < n && p[k] >= lo && p[k] <= hi) {
        k++;
        lo = 0x80;
        hi = 0xbf;
    }
    *len = k;
    return k == need;
}

bool mk_utf8_valid(const uint8_t *p, size_t n, size_t *bad_off)
{
    size_t i = 0;

    while (i < n) {
        size_t k;

        /* ASCII fast path, eight bytes at a time. */
        while (i + 8 <= n) {
            uint64_t w;

            __builtin_memcpy(&w, p + i, 8);
            if ((w & 0x8080808080808080ull) != 0) {
                break;
            }
            i += 8;
        }
        if (i >= n) {
            break;
        }
        if (!mk_utf8_seq(p + i, n - i, &k)) {
            if (bad_off != NULL) {
                *bad_off = i;
            }
            return false;
        }
        i += k;
    }
    return true;
}
