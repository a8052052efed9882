/* X.509 leaf certificate fields for the TLS report (RFC 5280 section 4.1), decoded by
 * OpenSSL d2i_X509 and printed as Suricata's EVE does: mk_x509_parse(). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/x509.h>

#include "proto/tls_int.h"

/* "C=US, O=Let's Encrypt, CN=R3": short names, ", " between RDNs, in certificate order,
 * UTF-8 as is (the EVE writer escapes what JSON needs). */
static void name_line(const X509_NAME *name, char *out, size_t cap)
{
    const unsigned long flags = XN_FLAG_SEP_CPLUS_SPC | XN_FLAG_FN_SN | ASN1_STRFLGS_UTF8_CONVERT;
    BIO *bio = BIO_new(BIO_s_mem());
    int n = 0;

    out[0] = '\0';
    if (bio == NULL) {
        return;
    }
    if (X509_NAME_print_ex(bio, name, 0, flags) >= 0) {
        n = BIO_read(bio, out, (int)cap - 1);
    }
    out[n > 0 ? n : 0] = '\0';
    BIO_free(bio);
}

/* Upper-case hex octets joined by ':' (as many as fit). */
static void colon_hex(const uint8_t *p, size_t n, bool upper, char *out, size_t cap)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    size_t k = 0;

    out[0] = '\0';
    for (size_t i = 0; i < n && k + 3 < cap; i++) {
        if (i > 0) {
            out[k++] = ':';
        }
        out[k++] = digits[p[i] >> 4];
        out[k++] = digits[p[i] & 0x0f];
    }
    out[k] = '\0';
}

/* The serial's DER content octets, sign padding included ("00:97:E6:..." as Suricata). */
static void serial_hex(const ASN1_INTEGER *serial, char *out, size_t cap)
{
    unsigned char *der = NULL;
    int n = i2d_ASN1_INTEGER(serial, &der);
    size_t off = 2;

    out[0] = '\0';
    if (n < 2 || der == NULL) {
        OPENSSL_free(der);
        return;
    }
    /* tag, then a short (< 0x80) or long (0x8N + N octets) length */
    if (der[1] & 0x80) {
        off += der[1] & 0x7fu;
    }
    if (off <= (size_t)n) {
        colon_hex(der + off, (size_t)n - off, true, out, cap);
    }
    OPENSSL_free(der);
}

/* Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static int64_t epoch_seconds(const ASN1_TIME *t)
{
    struct tm tm;

    memset(&tm, 0, sizeof(tm));
    if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1) {
        return 0;
    }
    int64_t days =
        days_from_civil((int64_t)tm.tm_year + 1900, (unsigned)tm.tm_mon + 1, (unsigned)tm.tm_mday);
    return days * 86400 + (int64_t)tm.tm_hour * 3600 + (int64_t)tm.tm_min * 60 + tm.tm_sec;
}

MK_MUST_CHECK enum mk_status mk_x509_parse(const uint8_t *der, size_t n, struct mk_x509_fields *out)
{
    const unsigned char *p = der;
    uint8_t sha1[20];
    X509 *x;

    memset(out, 0, sizeof(*out));
    if (n == 0 || n > (size_t)INT32_MAX) {
        return MK_EINVAL;
    }
    x = d2i_X509(NULL, &p, (long)n);
    if (x == NULL) {
        return MK_EINVAL;
    }
    name_line(X509_get_subject_name(x), out->subject, sizeof(out->subject));
    name_line(X509_get_issuer_name(x), out->issuer, sizeof(out->issuer));
    serial_hex(X509_get0_serialNumber(x), out->serial, sizeof(out->serial));
    mk_hash_sha1(der, (size_t)(p - der), sha1); /* the certificate's own bytes only */
    colon_hex(sha1, sizeof(sha1), false, out->fingerprint, sizeof(out->fingerprint));
    out->not_before = epoch_seconds(X509_get0_notBefore(x));
    out->not_after = epoch_seconds(X509_get0_notAfter(x));
    X509_free(x);
    return MK_OK;
}
