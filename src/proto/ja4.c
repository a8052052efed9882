/* JA4 TLS client fingerprint (FoxIO ja4 spec, technical_details/JA4.md, BSD 3-Clause):
 * mk_ja4(). Layout: a = proto, version, SNI, cipher count, extension count, ALPN;
 * b = sha256[:12] of the sorted cipher list; c = sha256[:12] of the sorted extension
 * list (without SNI and ALPN), then "_" and the signature algorithms in wire order. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/tls_int.h"

/* The JA4 fingerprint's 2-character version ("00" when unknown). */
static const char *ja4_version(uint16_t v)
{
    switch (v) {
    case 0x0304:
        return "13";
    case 0x0303:
        return "12";
    case 0x0302:
        return "11";
    case 0x0301:
        return "10";
    case 0x0300:
        return "s3";
    case 0x0002:
        return "s2";
    case 0xfeff:
        return "d1";
    case 0xfefd:
        return "d2";
    case 0xfefc:
        return "d3";
    default:
        return "00";
    }
}

static bool is_alnum(uint8_t c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* First and last character of the first ALPN value; when either byte is not
 * alphanumeric, the first and last character of its hex form; "00" without ALPN. */
static void ja4_alpn(const struct mk_tls_hello *h, char out[3])
{
    static const char hex[] = "0123456789abcdef";
    const uint8_t *p;
    size_t n;

    out[0] = '0';
    out[1] = '0';
    out[2] = '\0';
    if (h->n_alpns == 0 || h->alpns[0].len == 0) {
        return;
    }
    p = h->alpns[0].ptr;
    n = h->alpns[0].len;
    if (is_alnum(p[0]) && is_alnum(p[n - 1])) {
        out[0] = (char)p[0];
        out[1] = (char)p[n - 1];
    } else {
        out[0] = hex[p[0] >> 4];
        out[1] = hex[p[n - 1] & 0x0f];
    }
}

static int cmp_u16(const void *a, const void *b)
{
    uint16_t x = *(const uint16_t *)a;
    uint16_t y = *(const uint16_t *)b;

    return (x > y) - (x < y);
}

/* Copies the list without GREASE (and without SNI/ALPN when asked); the count. */
static size_t filter(const uint16_t *in, size_t n, bool drop_sni_alpn, uint16_t *out)
{
    size_t k = 0;

    for (size_t i = 0; i < n; i++) {
        if (MK_TLS_IS_GREASE(in[i])) {
            continue;
        }
        if (drop_sni_alpn && (in[i] == MK_TLS_EXT_SNI || in[i] == MK_TLS_EXT_ALPN)) {
            continue;
        }
        out[k++] = in[i];
    }
    return k;
}

/* "0a0b,0c0d" into out (5 bytes per entry); the length written. */
static size_t hex_list(const uint16_t *v, size_t n, char *out, size_t off)
{
    static const char hex[] = "0123456789abcdef";

    /* by hand: snprintf per entry was most of JA4's cost */
    for (size_t i = 0; i < n; i++) {
        if (i > 0) {
            out[off++] = ',';
        }
        out[off++] = hex[v[i] >> 12];
        out[off++] = hex[(v[i] >> 8) & 15];
        out[off++] = hex[(v[i] >> 4) & 15];
        out[off++] = hex[v[i] & 15];
    }
    out[off] = '\0';
    return off;
}

/* sha256 of the text, truncated to 12 hex characters; "000000000000" when empty. */
static void hash12(const char *s, size_t n, bool empty, char out[13])
{
    uint8_t d[32];
    char hex[65];

    if (empty) {
        memcpy(out, "000000000000", 13);
        return;
    }
    mk_hash_sha256(s, n, d);
    mk_hex_encode(d, sizeof(d), hex);
    memcpy(out, hex, 12);
    out[12] = '\0';
}

static bool has_ext(const struct mk_tls_hello *h, uint16_t type)
{
    for (size_t i = 0; i < h->n_extensions; i++) {
        if (h->extensions[i] == type) {
            return true;
        }
    }
    return false;
}

void mk_ja4(const struct mk_tls_hello *h, bool quic, char out[40])
{
    /* Longest text: every cipher, or every extension plus every signature algorithm. */
    char text[MK_ARRAY_LEN(h->ciphers) * 5 + 2];
    uint16_t list[MK_ARRAY_LEN(h->ciphers)];
    char b[13];
    char c[13];
    char alpn[3];
    size_t n_ext = filter(h->extensions, h->n_extensions, false, list);
    size_t n_ciphers = filter(h->ciphers, h->n_ciphers, false, list);
    size_t len;

    _Static_assert(MK_ARRAY_LEN(h->ciphers) >=
                       MK_ARRAY_LEN(h->extensions) + MK_ARRAY_LEN(h->sig_algs),
                   "list and text hold extensions plus signature algorithms");
    ja4_alpn(h, alpn);
    (void)snprintf(out, 40, "%c%s%c%02u%02u%s_", quic ? 'q' : 't',
                   ja4_version(mk_tls_hello_version(h)), has_ext(h, MK_TLS_EXT_SNI) ? 'd' : 'i',
                   (unsigned)(n_ciphers > 99 ? 99 : n_ciphers), (unsigned)(n_ext > 99 ? 99 : n_ext),
                   alpn);
    qsort(list, n_ciphers, sizeof(list[0]), cmp_u16);
    len = hex_list(list, n_ciphers, text, 0);
    hash12(text, len, n_ciphers == 0, b);

    n_ext = filter(h->extensions, h->n_extensions, true, list);
    qsort(list, n_ext, sizeof(list[0]), cmp_u16);
    len = hex_list(list, n_ext, text, 0);
    size_t n_sig = filter(h->sig_algs, h->n_sig_algs, false, list + n_ext);
    if (n_sig > 0) {
        text[len++] = '_';
        len = hex_list(list + n_ext, n_sig, text, len);
    }
    hash12(text, len, n_ext == 0, c);
    (void)snprintf(out + 11, 29, "%s_%s", b, c);
}
