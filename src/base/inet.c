/* IP addresses as text, by hand: glibc's inet_ntop goes through sprintf (one
 * call per IPv4 address, per IPv6 group), about 1,000-2,500 instructions an
 * address; EVE prints two per event and DNS answers more (bench/RESULTS.md).
 * The output is byte-for-byte inet_ntop's, which tests/unit/base/test_inet.c
 * checks on random and edge-case addresses. Entry points: mk_ipv4_format,
 * mk_ipv6_format. */
#include <string.h>

#include "base/base.h"

size_t mk_ipv4_format(const uint8_t b[4], char out[16])
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
        if (i < 3) {
            out[k++] = '.';
        }
    }
    out[k] = '\0';
    return k;
}

static size_t put_group(unsigned v, char *out)
{
    static const char hex[] = "0123456789abcdef";
    size_t k = 0;

    for (int shift = 12; shift >= 0; shift -= 4) {
        unsigned nib = (v >> shift) & 15;

        if (nib != 0 || k > 0 || shift == 0) {
            out[k++] = hex[nib];
        }
    }
    return k;
}

/* RFC 5952 text as glibc writes it: lower-case groups without leading zeros,
 * the first longest run of two or more zero groups as "::", and the last 32 bits
 * dotted for IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible (::a.b.c.d with
 * a non-zero seventh group; ::2 stays ::2) addresses. */
size_t mk_ipv6_format(const uint8_t b[16], char out[46])
{
    unsigned g[8];
    int best = -1;
    int best_len = 0;
    size_t k = 0;

    for (size_t i = 0; i < 8; i++) {
        g[i] = (unsigned)b[2 * i] << 8 | b[2 * i + 1];
    }
    for (int i = 0, run = -1; i < 8; i++) {
        if (g[i] != 0) {
            run = -1;
            continue;
        }
        if (run < 0) {
            run = i;
        }
        if (i - run + 1 > best_len) {
            best = run;
            best_len = i - run + 1;
        }
    }
    if (best_len < 2) {
        best = -1;
    }
    if (best == 0 && (best_len == 6 || (best_len == 5 && g[5] == 0xffff))) {
        memcpy(out, best_len == 5 ? "::ffff:" : "::", best_len == 5 ? 7 : 2);
        k = best_len == 5 ? 7 : 2;
        return k + mk_ipv4_format(b + 12, out + k);
    }
    for (int i = 0; i < 8; i++) {
        if (i == best) {
            out[k++] = ':';
            i += best_len - 1;
            if (i == 7) {
                out[k++] = ':';
            }
            continue;
        }
        if (i > 0) {
            out[k++] = ':';
        }
        k += put_group(g[i], out + k);
    }
    out[k] = '\0';
    return k;
}
