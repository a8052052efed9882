/* X.509 leaf certificate fields for the TLS report (RFC 5280 section 4.1): a bounds-checked
 * DER walker over exactly the fields EVE reports (serial, issuer, subject, validity, the
 * SHA-1 fingerprint), printed byte for byte as OpenSSL's X509_NAME_print_ex() and
 * ASN1_TIME_to_tm() did before (Suricata's form). Entry point: mk_x509_parse(). */
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/objects.h>

#include "proto/tls_int.h"

/* ---- DER (X.690 section 8.1, 10.1) ---------------------------------------------- */

#define TAG_INTEGER  0x02u
#define TAG_OID      0x06u
#define TAG_UTCTIME  0x17u
#define TAG_GENTIME  0x18u
#define TAG_SEQUENCE 0x30u
#define TAG_SET      0x31u
#define TAG_VERSION  0xa0u /* [0] EXPLICIT Version */
#define TAG_BITSTR   0x03u

/* One TLV: its tag, its content, and the whole encoding. */
struct tlv {
    uint8_t tag;
    const uint8_t *val;
    size_t len;
    const uint8_t *raw; /* the header's first byte */
    size_t raw_len;
};

/* Reads the next TLV of c. Low tag numbers only (tag byte & 0x1f != 0x1f) and
 * definite lengths of at most 4 octets, as a certificate uses. */
static bool der_next(struct tls_cur *c, struct tlv *t)
{
    uint8_t l0;
    size_t len = 0;
    size_t hdr = 2;

    if (c->n < 2 || (c->p[0] & 0x1fu) == 0x1fu) {
        return false;
    }
    t->tag = c->p[0];
    l0 = c->p[1];
    if (l0 & 0x80u) {
        size_t k = l0 & 0x7fu;

        if (k == 0 || k > 4 || c->n - 2 < k) {
            return false; /* indefinite (BER) or too long */
        }
        for (size_t i = 0; i < k; i++) {
            len = len << 8 | c->p[2 + i];
        }
        hdr += k;
    } else {
        len = l0;
    }
    if (c->n - hdr < len) {
        return false;
    }
    t->raw = c->p;
    t->raw_len = hdr + len;
    t->val = c->p + hdr;
    t->len = len;
    c->p += t->raw_len;
    c->n -= t->raw_len;
    return true;
}

static bool der_expect(struct tls_cur *c, uint8_t tag, struct tlv *t)
{
    return der_next(c, t) && t->tag == tag;
}

/* As der_expect, ignoring the constructed bit: OpenSSL's name decoder (and so
 * d2i_X509) takes a Name, RDN or attribute with the bit clear, so this does too. */
static bool der_expect_any_form(struct tls_cur *c, uint8_t tag, struct tlv *t)
{
    return der_next(c, t) && (t->tag | 0x20u) == tag;
}

/* ---- names: X509_NAME_print_ex(XN_FLAG_SEP_CPLUS_SPC | XN_FLAG_FN_SN |
 *      ASN1_STRFLGS_UTF8_CONVERT), without escapes ---------------------------- */

/* Output into a fixed buffer; bytes past cap - 1 are dropped, as the BIO_read of
 * cap - 1 bytes did. */
struct out {
    char *p;
    size_t len;
    size_t cap;
};

static void out_put(struct out *o, const void *s, size_t n)
{
    size_t room;

    if (n == 0 || s == NULL || o->cap == 0) {
        return;
    }
    room = o->cap - 1 - o->len;

    if (n > room) {
        n = room;
    }
    memcpy(o->p + o->len, s, n);
    o->len += n;
}

/* UTF8_putc(): code points above U+10FFFF and surrogates are dropped. */
static void out_utf8(struct out *o, uint32_t c)
{
    uint8_t b[4];
    size_t n;

    if (c < 0x80u) {
        b[0] = (uint8_t)c;
        n = 1;
    } else if (c < 0x800u) {
        b[0] = (uint8_t)(0xc0u | c >> 6);
        b[1] = (uint8_t)(0x80u | (c & 0x3fu));
        n = 2;
    } else if (c < 0x10000u) {
        if (c >= 0xd800u && c <= 0xdfffu) {
            return;
        }
        b[0] = (uint8_t)(0xe0u | c >> 12);
        b[1] = (uint8_t)(0x80u | (c >> 6 & 0x3fu));
        b[2] = (uint8_t)(0x80u | (c & 0x3fu));
        n = 3;
    } else if (c < 0x110000u) {
        b[0] = (uint8_t)(0xf0u | c >> 18);
        b[1] = (uint8_t)(0x80u | (c >> 12 & 0x3fu));
        b[2] = (uint8_t)(0x80u | (c >> 6 & 0x3fu));
        b[3] = (uint8_t)(0x80u | (c & 0x3fu));
        n = 4;
    } else {
        return;
    }
    out_put(o, b, n);
}

/* Short names OpenSSL prints for the attribute types certificates use (OBJ_nid2sn);
 * the unit tests check each against OpenSSL. Other types ask OpenSSL itself. */
static const struct {
    uint8_t len;
    uint8_t der[10];
    const char *sn;
} attr_names[] = {
    {3, {0x55, 0x04, 0x03}, "CN"},
    {3, {0x55, 0x04, 0x06}, "C"},
    {3, {0x55, 0x04, 0x0a}, "O"},
    {3, {0x55, 0x04, 0x0b}, "OU"},
    {3, {0x55, 0x04, 0x08}, "ST"},
    {3, {0x55, 0x04, 0x07}, "L"},
    {3, {0x55, 0x04, 0x05}, "serialNumber"},
    {3, {0x55, 0x04, 0x09}, "street"},
    {3, {0x55, 0x04, 0x11}, "postalCode"},
    {3, {0x55, 0x04, 0x0f}, "businessCategory"},
    {3, {0x55, 0x04, 0x04}, "SN"},
    {3, {0x55, 0x04, 0x2a}, "GN"},
    {3, {0x55, 0x04, 0x0c}, "title"},
    {3, {0x55, 0x04, 0x61}, "organizationIdentifier"},
    {9, {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01}, "emailAddress"},
    {10, {0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x19}, "DC"},
    {10, {0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x01}, "UID"},
    {10, {0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x3c, 0x02, 0x01}, "jurisdictionL"},
};

/* The field name as do_name_ex() prints it: the short name, or the dotted OID
 * when OpenSSL has no name for it. False when the OID does not decode. */
static bool attr_name(const struct tlv *oid, struct out *o)
{
    char txt[80]; /* do_name_ex's objtmp */
    const unsigned char *p = oid->raw;
    ASN1_OBJECT *obj;
    int nid;
    bool ok = true;

    for (size_t i = 0; i < MK_ARRAY_LEN(attr_names); i++) {
        if (attr_names[i].len == oid->len && memcmp(attr_names[i].der, oid->val, oid->len) == 0) {
            out_put(o, attr_names[i].sn, strlen(attr_names[i].sn));
            return true;
        }
    }
    /* rare types: OpenSSL's own object table, so names stay identical */
    obj = d2i_ASN1_OBJECT(NULL, &p, (long)oid->raw_len);
    if (obj == NULL) {
        return false;
    }
    nid = OBJ_obj2nid(obj);
    if (nid == NID_undef) {
        ok = OBJ_obj2txt(txt, sizeof(txt), obj, 1) >= 0;
        out_put(o, txt, ok ? strlen(txt) : 0);
    } else {
        const char *sn = OBJ_nid2sn(nid);

        out_put(o, sn, sn != NULL ? strlen(sn) : 0);
    }
    ASN1_OBJECT_free(obj);
    return ok;
}

/* The string types d2i accepts as a name value (ASN1_PRINTABLE: B_ASN1_PRINTABLE,
 * ASN1_tag2bit()), and how many bytes a character takes (tag2nbyte): 0 for UTF-8
 * (copied as is), 2 for BMPString, 4 for UniversalString, 1 (Latin-1, converted
 * to UTF-8) for the others. -1: not a name value. */
static int value_width(uint8_t tag)
{
    switch (tag) {
    case 12: /* UTF8String */
        return 0;
    case 30: /* BMPString */
        return 2;
    case 28: /* UniversalString */
        return 4;
    case 3: /* BIT STRING, and the types OpenSSL accepts as "unknown" */
    case 7:
    case 8:
    case 9:
    case 11:
    case 13:
    case 14:
    case 15:
    case 18: /* NumericString */
    case 19: /* PrintableString */
    case 20: /* T61String */
    case 22: /* IA5String */
    case 29:
        return 1;
    default:
        return -1;
    }
}

/* do_buf(): false when a BMP or Universal string has a partial character, which
 * makes X509_NAME_print_ex fail (and the whole name print as ""). */
static bool value_print(const struct tlv *v, struct out *o)
{
    const uint8_t *p = v->val;
    size_t n = v->len;
    unsigned unused = 0;
    int width;

    if (v->tag == TAG_SEQUENCE) {
        /* V_ASN1_SEQUENCE keeps its whole encoding, printed as Latin-1 */
        p = v->raw;
        n = v->raw_len;
        width = 1;
    } else {
        width = value_width(v->tag);
    }
    if (v->tag == TAG_BITSTR) {
        /* the first content octet counts the unused bits of the last one, which
         * c2i clears (X.690 8.6.2) */
        unused = p[0];
        p++;
        n--;
    }
    if ((width == 2 && n % 2 != 0) || (width == 4 && n % 4 != 0)) {
        return false;
    }
    if (width == 0) {
        out_put(o, p, n);
        return true;
    }
    for (size_t i = 0; i < n; i += (size_t)width) {
        uint32_t c = p[i];

        if (width == 2) {
            c = (uint32_t)p[i] << 8 | p[i + 1];
        } else if (width == 4) {
            c = (uint32_t)p[i] << 24 | (uint32_t)p[i + 1] << 16 | (uint32_t)p[i + 2] << 8 |
                p[i + 3];
        } else if (i + 1 == n) {
            c &= 0xffu << unused;
        }
        out_utf8(o, c & 0xffffffffu);
    }
    return true;
}

/* Name ::= SEQUENCE OF RelativeDistinguishedName (SET OF AttributeTypeAndValue),
 * RFC 5280 section 4.1.2.4: "C=US, O=Let's Encrypt, CN=R3", wire order, " + "
 * inside a multi-valued RDN. MK_EINVAL when malformed (d2i_X509 failed then too). */
static enum mk_status name_line(const struct tlv *name, char *buf, size_t cap)
{
    struct tls_cur rdns = {name->val, name->len};
    struct out o = {buf, 0, cap};
    bool first = true;
    bool printable = true;
    struct tlv rdn;

    while (rdns.n > 0) {
        struct tls_cur atvs;
        bool first_in_rdn = true;

        if (!der_expect_any_form(&rdns, TAG_SET, &rdn)) {
            return MK_EINVAL;
        }
        atvs = (struct tls_cur){rdn.val, rdn.len};
        while (atvs.n > 0) {
            struct tlv atv;
            struct tlv oid;
            struct tlv val;
            struct tls_cur in;

            if (!der_expect_any_form(&atvs, TAG_SEQUENCE, &atv)) {
                return MK_EINVAL;
            }
            in = (struct tls_cur){atv.val, atv.len};
            if (!der_expect(&in, TAG_OID, &oid) || oid.len == 0 || !der_next(&in, &val) ||
                in.n != 0) {
                return MK_EINVAL;
            }
            if (!first) {
                out_put(&o, first_in_rdn ? ", " : " + ", first_in_rdn ? 2 : 3);
            }
            first = false;
            first_in_rdn = false;
            if (!attr_name(&oid, &o)) {
                return MK_EINVAL;
            }
            out_put(&o, "=", 1);
            if (val.tag != TAG_SEQUENCE &&
                ((val.tag & 0x20u) != 0 || value_width(val.tag) < 0 ||
                 (val.tag == TAG_BITSTR && (val.len == 0 || val.val[0] > 7)))) {
                return MK_EINVAL; /* a type or form d2i refuses in a name */
            }
            printable = value_print(&val, &o) && printable;
        }
    }
    o.len = printable ? o.len : 0;
    buf[o.len] = '\0';
    return MK_OK;
}

/* ---- serial (RFC 5280 section 4.1.2.2) ------------------------------------------ */

/* Hex octets joined by ':' (as many as fit). */
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

/* The serial's DER content octets, sign padding included ("00:97:E6:..." as
 * Suricata). Empty or non-minimal INTEGERs were refused by d2i (X.690 8.3.2). */
static enum mk_status serial_hex(const struct tlv *t, char *out, size_t cap)
{
    const uint8_t *p = t->val;

    if (t->len == 0 || (t->len > 1 && ((p[0] == 0x00 && (p[1] & 0x80u) == 0) ||
                                       (p[0] == 0xff && (p[1] & 0x80u) != 0)))) {
        return MK_EINVAL;
    }
    colon_hex(p, t->len, true, out, cap);
    return MK_OK;
}

/* ---- validity (RFC 5280 section 4.1.2.5) ---------------------------------------- */

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

static bool is_digit(uint8_t c)
{
    return c >= '0' && c <= '9';
}

static bool is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Two digits at a[*o] within [lo, hi]. */
static bool two_digits(const uint8_t *a, size_t l, size_t *o, int lo, int hi, int *v)
{
    if (l - *o < 2 || !is_digit(a[*o]) || !is_digit(a[*o + 1])) {
        return false;
    }
    *v = (a[*o] - '0') * 10 + (a[*o + 1] - '0');
    *o += 2;
    return *v >= lo && *v <= hi;
}

struct civil {
    int64_t year;
    int f[5]; /* month, day, hour, minute, second */
};

/* The date fields of a time (OpenSSL ossl_asn1_time_to_tm, non-strict). */
static bool time_fields(const uint8_t *a, size_t l, bool utc, size_t *o, struct civil *t)
{
    static const int lo[5] = {1, 1, 0, 0, 0};
    static const int hi[5] = {12, 31, 23, 59, 59};
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int v;

    if (!two_digits(a, l, o, 0, 99, &v)) {
        return false;
    }
    t->year = utc ? (v < 50 ? 2000 + v : 1900 + v) : (int64_t)v * 100;
    if (!utc) {
        if (!two_digits(a, l, o, 0, 99, &v)) {
            return false;
        }
        t->year += v;
    }
    for (int i = 0; i < 5; i++) {
        /* the seconds may be left out before the zone */
        if (i == 4 && *o < l && (a[*o] == 'Z' || a[*o] == '+' || a[*o] == '-')) {
            break;
        }
        if (!two_digits(a, l, o, lo[i], hi[i], &t->f[i]) || *o == l) {
            return false;
        }
        if (i == 1 && t->f[1] > mdays[t->f[0] - 1] + (t->f[0] == 2 && is_leap(t->year))) {
            return false;
        }
    }
    return true;
}

/* UTCTime "YYMMDDHHMM[SS]" or GeneralizedTime "YYYYMMDDHHMM[SS[.f+]]", then "Z" or
 * "+hhmm"/"-hhmm" (applied): seconds since the epoch, 0 when it does not parse, as
 * ASN1_TIME_to_tm() failing gave before. */
static int64_t time_seconds(const struct tlv *t)
{
    const uint8_t *a = t->val;
    size_t l = t->len;
    size_t o = 0;
    bool utc = t->tag == TAG_UTCTIME;
    struct civil c = {0};
    int64_t s;
    int hh;
    int mm;

    if (l < (utc ? 11u : 13u) || !time_fields(a, l, utc, &o, &c)) {
        return 0;
    }
    if (!utc && a[o] == '.') {
        size_t d = ++o;

        while (o < l && is_digit(a[o])) {
            o++;
        }
        if (o == d || o == l) {
            return 0;
        }
    }
    s = days_from_civil(c.year, (unsigned)c.f[0], (unsigned)c.f[1]) * 86400 +
        (int64_t)c.f[2] * 3600 + (int64_t)c.f[3] * 60 + c.f[4];
    if (a[o] == 'Z') {
        return o + 1 == l ? s : 0;
    }
    if ((a[o] != '+' && a[o] != '-') || o + 5 != l) {
        return 0;
    }
    o++;
    if (!two_digits(a, l, &o, 0, 12, &hh) || !two_digits(a, l, &o, 0, 59, &mm)) {
        return 0;
    }
    /* local time minus its offset is UTC */
    int64_t off = (int64_t)hh * 3600 + (int64_t)mm * 60;

    return a[o - 5] == '+' ? s - off : s + off;
}

/* ---- the certificate ------------------------------------------------------------- */

MK_MUST_CHECK enum mk_status mk_x509_parse(const uint8_t *der, size_t n, struct mk_x509_fields *out)
{
    struct tls_cur all = {der, n};
    struct tls_cur c;
    struct tls_cur tbs;
    struct tls_cur val;
    struct tlv cert;
    struct tlv t;
    struct tlv serial;
    struct tlv issuer;
    struct tlv subject;
    struct tlv nb;
    struct tlv na;
    struct tlv spki;
    uint8_t sha1[20];
    enum mk_status st;

    memset(out, 0, sizeof(*out));
    /* Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue } */
    if (!der_expect(&all, TAG_SEQUENCE, &cert)) {
        return MK_EINVAL;
    }
    c = (struct tls_cur){cert.val, cert.len};
    if (!der_expect(&c, TAG_SEQUENCE, &t)) {
        return MK_EINVAL;
    }
    tbs = (struct tls_cur){t.val, t.len};
    if (!der_expect(&c, TAG_SEQUENCE, &t) || !der_expect(&c, TAG_BITSTR, &t) || c.n != 0) {
        return MK_EINVAL;
    }
    /* TBSCertificate: [0] version, serial, signature, issuer, validity, subject, ... */
    if (tbs.n > 0 && tbs.p[0] == TAG_VERSION && !der_next(&tbs, &t)) {
        return MK_EINVAL;
    }
    if (!der_expect(&tbs, TAG_INTEGER, &serial) || !der_expect(&tbs, TAG_SEQUENCE, &t) ||
        !der_expect_any_form(&tbs, TAG_SEQUENCE, &issuer) || !der_expect(&tbs, TAG_SEQUENCE, &t) ||
        !der_expect_any_form(&tbs, TAG_SEQUENCE, &subject) ||
        !der_expect(&tbs, TAG_SEQUENCE, &spki)) {
        return MK_EINVAL; /* spki: checked for presence only */
    }
    val = (struct tls_cur){t.val, t.len};
    if (!der_next(&val, &nb) || !der_next(&val, &na) || val.n != 0 ||
        (nb.tag != TAG_UTCTIME && nb.tag != TAG_GENTIME) ||
        (na.tag != TAG_UTCTIME && na.tag != TAG_GENTIME)) {
        return MK_EINVAL;
    }
    st = serial_hex(&serial, out->serial, sizeof(out->serial));
    if (st == MK_OK) {
        st = name_line(&subject, out->subject, sizeof(out->subject));
    }
    if (st == MK_OK) {
        st = name_line(&issuer, out->issuer, sizeof(out->issuer));
    }
    if (st != MK_OK) {
        memset(out, 0, sizeof(*out));
        return st;
    }
    out->not_before = time_seconds(&nb);
    out->not_after = time_seconds(&na);
    mk_hash_sha1(cert.raw, cert.raw_len, sha1); /* the certificate's own bytes only */
    colon_hex(sha1, sizeof(sha1), false, out->fingerprint, sizeof(out->fingerprint));
    return MK_OK;
}
