/* JA3 and JA3S fingerprints (salesforce/ja3, BSD 3-Clause): mk_ja3(), mk_ja3s().
 * JA3 = "SSLVersion,Ciphers,Extensions,EllipticCurves,EllipticCurvePointFormats",
 * JA3S = "SSLVersion,Cipher,Extensions"; decimal values joined by '-', GREASE
 * (RFC 8701) removed, legacy_version as ja3 itself uses; then MD5 in lower-case hex. */
#include "proto/tls_int.h"

/* Appends v in decimal after an optional separator; by hand, since a JA3 string
 * has some 40 numbers and snprintf showed in the sensor's profile. */
static enum mk_status put_u16(struct mk_buf *b, char sep, uint16_t v)
{
    char text[8];
    size_t k = sizeof(text);

    do {
        text[--k] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    if (sep != '\0') {
        text[--k] = sep;
    }
    return mk_buf_append(b, text + k, sizeof(text) - k);
}

/* Appends "a-b-c" (GREASE skipped when asked) after a separating comma. */
static enum mk_status dash_list(struct mk_buf *b, const uint16_t *v, size_t n, bool skip_grease)
{
    bool first = true;
    enum mk_status st = mk_buf_putc(b, ',');

    for (size_t i = 0; i < n && st == MK_OK; i++) {
        if (skip_grease && MK_TLS_IS_GREASE(v[i])) {
            continue;
        }
        st = put_u16(b, first ? '\0' : '-', v[i]);
        first = false;
    }
    return st;
}

static void md5_hex(const struct mk_buf *b, char hash[33])
{
    uint8_t d[16];

    mk_hash_md5(b->data, b->len, d);
    mk_hex_encode(d, sizeof(d), hash);
}

MK_MUST_CHECK enum mk_status mk_ja3(const struct mk_tls_hello *h, struct mk_buf *buf, char hash[33])
{
    uint16_t pf[MK_ARRAY_LEN(h->ec_point_formats)];
    enum mk_status st;

    for (size_t i = 0; i < h->n_ec_point_formats; i++) {
        pf[i] = h->ec_point_formats[i];
    }
    hash[0] = '\0';
    mk_buf_reset(buf);
    st = mk_buf_printf(buf, "%u", (unsigned)h->legacy_version);
    if (st == MK_OK) {
        st = dash_list(buf, h->ciphers, h->n_ciphers, true);
    }
    if (st == MK_OK) {
        st = dash_list(buf, h->extensions, h->n_extensions, true);
    }
    if (st == MK_OK) {
        st = dash_list(buf, h->groups, h->n_groups, true);
    }
    if (st == MK_OK) {
        st = dash_list(buf, pf, h->n_ec_point_formats, false);
    }
    if (st == MK_OK) {
        md5_hex(buf, hash);
    }
    return st;
}

MK_MUST_CHECK enum mk_status mk_ja3s(const struct mk_tls_hello *h, struct mk_buf *buf,
                                     char hash[33])
{
    enum mk_status st;

    hash[0] = '\0';
    mk_buf_reset(buf);
    st = mk_buf_printf(buf, "%u,%u", (unsigned)h->legacy_version,
                       h->n_ciphers > 0 ? (unsigned)h->ciphers[0] : 0u);
    if (st == MK_OK) {
        st = dash_list(buf, h->extensions, h->n_extensions, true);
    }
    if (st == MK_OK) {
        md5_hex(buf, hash);
    }
    return st;
}
