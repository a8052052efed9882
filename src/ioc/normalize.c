/* ioc: canonical forms of indicator values (domains by UTS #46, URLs by RFC 3986
 * section 6, addresses and prefixes, hashes), type guessing and TLP names. Entry
 * points: mk_ioc_norm_domain(), mk_ioc_norm_url(), mk_ioc_parse_ip(). */
#include <arpa/inet.h>
#include <string.h>

#include <idn2.h>

#include "ioc/ioc_int.h"

/* ---- names ------------------------------------------------------------------ */

static const char *const type_names[MK_IOC_TYPE_COUNT] = {
    [MK_IOC_IPV4] = "ipv4",     [MK_IOC_IPV6] = "ipv6",       [MK_IOC_CIDR4] = "cidr4",
    [MK_IOC_CIDR6] = "cidr6",   [MK_IOC_IP_PORT] = "ip_port", [MK_IOC_DOMAIN] = "domain",
    [MK_IOC_URL] = "url",       [MK_IOC_MD5] = "md5",         [MK_IOC_SHA1] = "sha1",
    [MK_IOC_SHA256] = "sha256", [MK_IOC_SHA512] = "sha512",   [MK_IOC_JA3] = "ja3",
    [MK_IOC_JA4] = "ja4",       [MK_IOC_EMAIL] = "email",
};

const char *mk_ioc_type_name(enum mk_ioc_type t)
{
    if ((unsigned)t >= MK_IOC_TYPE_COUNT) {
        return "unknown";
    }
    return type_names[t];
}

static const char *const tlp_names[] = {
    [MK_TLP_UNSET] = "",
    [MK_TLP_CLEAR] = "TLP:CLEAR",
    [MK_TLP_GREEN] = "TLP:GREEN",
    [MK_TLP_AMBER] = "TLP:AMBER",
    [MK_TLP_AMBER_STRICT] = "TLP:AMBER+STRICT",
    [MK_TLP_RED] = "TLP:RED",
};

const char *mk_tlp_name(enum mk_tlp t)
{
    if ((unsigned)t >= MK_ARRAY_LEN(tlp_names)) {
        return "";
    }
    return tlp_names[t];
}

static bool ieq(const char *a, size_t n, const char *b)
{
    if (strlen(b) != n) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        char c = a[i];

        if (c >= 'A' && c <= 'Z') {
            c = (char)(c - 'A' + 'a');
        }
        if (c != b[i]) {
            return false;
        }
    }
    return true;
}

enum mk_tlp mk_tlp_parse(const char *s)
{
    static const struct {
        const char *name;
        enum mk_tlp tlp;
    } names[] = {
        {"clear", MK_TLP_CLEAR},
        {"white", MK_TLP_CLEAR},
        {"green", MK_TLP_GREEN},
        {"amber", MK_TLP_AMBER},
        {"amber+strict", MK_TLP_AMBER_STRICT},
        {"amber-strict", MK_TLP_AMBER_STRICT},
        {"amber_strict", MK_TLP_AMBER_STRICT},
        {"red", MK_TLP_RED},
    };

    size_t n;

    if (s == NULL) {
        return MK_TLP_UNSET;
    }
    while (*s == ' ') {
        s++;
    }
    if (ieq(s, strlen(s) < 4 ? strlen(s) : 4, "tlp:")) {
        s += 4;
    }
    n = strlen(s);
    while (n > 0 && s[n - 1] == ' ') {
        n--;
    }
    for (size_t i = 0; i < MK_ARRAY_LEN(names); i++) {
        if (ieq(s, n, names[i].name)) {
            return names[i].tlp;
        }
    }
    return MK_TLP_UNSET;
}

enum mk_tlp mk_tlp_from_marking_id(const char *id)
{
    /* STIX 2.1 section 7.2.1.4 (TLP 1.0) and the OASIS TLP 2.0 extension. */
    static const struct {
        const char *uuid;
        enum mk_tlp tlp;
    } ids[] = {
        {"613f2e26-407d-48c7-9eca-b8e91df99dc9", MK_TLP_CLEAR},
        {"34098fce-860f-48ae-8e50-ebd3cc5e41da", MK_TLP_GREEN},
        {"f88d31f6-486f-44da-b317-01333bde0b82", MK_TLP_AMBER},
        {"5e57c739-391a-4eb3-b6be-7d15ca92d5ed", MK_TLP_RED},
        {"94868c89-83c2-464b-929b-a1a8aa3c8487", MK_TLP_CLEAR},
        {"bab4a63c-aed9-4cf5-a766-dfca5abac2bb", MK_TLP_GREEN},
        {"55d920b0-5e8b-4f79-9ee9-91f868d9b421", MK_TLP_AMBER},
        {"939a9414-2ddd-4d32-a0cd-375ea402b003", MK_TLP_AMBER_STRICT},
        {"e828b379-4e03-4974-9ac4-e53a884c97c1", MK_TLP_RED},
    };

    static const char prefix[] = "marking-definition--";

    if (id == NULL || strncmp(id, prefix, sizeof(prefix) - 1) != 0) {
        return MK_TLP_UNSET;
    }
    id += sizeof(prefix) - 1;
    for (size_t i = 0; i < MK_ARRAY_LEN(ids); i++) {
        if (strcmp(id, ids[i].uuid) == 0) {
            return ids[i].tlp;
        }
    }
    return MK_TLP_UNSET;
}

/* ---- character classes -------------------------------------------------------- */

static char lower(char c)
{
    static const char az[] = "abcdefghijklmnopqrstuvwxyz";

    if (c >= 'A' && c <= 'Z') {
        return az[c - 'A'];
    }
    return c;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c = lower(c);
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    return -1;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* RFC 3986 2.3 */
static bool is_unreserved(unsigned char c)
{
    return is_alpha((char)c) || is_digit((char)c) || c == '-' || c == '.' || c == '_' || c == '~';
}

/* memrchr() is a GNU extension. */
static const char *last_of(const char *s, int c, size_t n)
{
    while (n > 0) {
        n--;
        if (s[n] == (char)c) {
            return s + n;
        }
    }
    return NULL;
}

/* ---- domains ------------------------------------------------------------------- */

/* Lower-cases and checks an ASCII name (no trailing dot): labels 1..63 bytes of
 * letters, digits, '-' and '_' (seen in real malware names, allowed by DNS). */
static enum mk_status domain_ascii(const char *in, size_t len, char *out, size_t cap,
                                   size_t *out_len)
{
    size_t label = 0;

    if (len == 0) {
        return MK_EINVAL;
    }
    if (len > MK_IOC_DOMAIN_MAX || len >= cap) {
        return MK_ELIMIT;
    }
    for (size_t i = 0; i < len; i++) {
        char c = lower(in[i]);

        if (c == '.') {
            if (label == 0) {
                return MK_EINVAL;
            }
            label = 0;
        } else if ((c >= 'a' && c <= 'z') || is_digit(c) || c == '-' || c == '_') {
            if (++label > 63) {
                return MK_EINVAL;
            }
        } else {
            return MK_EINVAL;
        }
        out[i] = c;
    }
    if (label == 0) {
        return MK_EINVAL;
    }
    out[len] = '\0';
    *out_len = len;
    return MK_OK;
}

/* UTS #46 non-transitional processing of a name with non-ASCII bytes. */
static enum mk_status domain_idna(const char *in, size_t len, char *out, size_t cap,
                                  size_t *out_len)
{
    char buf[4 * MK_IOC_DOMAIN_MAX + 4];
    char *ascii = NULL;
    enum mk_status st;
    size_t n;

    if (len >= sizeof(buf)) {
        return MK_ELIMIT;
    }
    if (memchr(in, '\0', len) != NULL) {
        return MK_EINVAL;
    }
    memcpy(buf, in, len);
    buf[len] = '\0';
    if (idn2_to_ascii_8z(buf, &ascii, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT) != IDN2_OK) {
        return MK_EINVAL;
    }
    n = strlen(ascii);
    if (n > 0 && ascii[n - 1] == '.') {
        n--; /* U+3002 and friends map to a dot */
    }
    st = domain_ascii(ascii, n, out, cap, out_len);
    idn2_free(ascii);
    return st;
}

enum mk_status mk_ioc_norm_domain(const char *in, size_t len, char *out, size_t cap,
                                  size_t *out_len)
{
    if (len >= 2 && in[0] == '*' && in[1] == '.') {
        in += 2;
        len -= 2;
    }
    if (len > 0 && in[len - 1] == '.') {
        len--;
    }
    for (size_t i = 0; i < len; i++) {
        if ((unsigned char)in[i] >= 0x80) {
            return domain_idna(in, len, out, cap, out_len);
        }
    }
    return domain_ascii(in, len, out, cap, out_len);
}

/* ---- addresses ------------------------------------------------------------------ */

bool mk_ioc_is_binary_type(enum mk_ioc_type t)
{
    return t == MK_IOC_IPV4 || t == MK_IOC_IPV6 || t == MK_IOC_CIDR4 || t == MK_IOC_CIDR6 ||
           t == MK_IOC_IP_PORT;
}

void mk_ioc_mask(uint8_t *a, size_t n, unsigned plen)
{
    for (size_t i = 0; i < n; i++) {
        unsigned bits = plen > 8 * i ? plen - 8 * (unsigned)i : 0;

        if (bits < 8) {
            a[i] &= (uint8_t)(0xff00u >> bits);
        }
    }
}

static bool parse_uint(const char *s, size_t n, unsigned max, unsigned *out)
{
    unsigned v = 0;

    if (n == 0 || n > 5 || (n > 1 && s[0] == '0')) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (!is_digit(s[i])) {
            return false;
        }
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    if (v > max) {
        return false;
    }
    *out = v;
    return true;
}

static const uint8_t v4_mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

/* Dotted-quad IPv4 exactly as glibc's inet_pton(AF_INET) takes it (four decimal
 * octets <= 255, no leading zeros, nothing else), without its copy and call. */
static bool parse_v4(const char *s, size_t n, uint8_t a[4])
{
    unsigned octets = 0;
    unsigned v = 0;
    bool digit = false;

    for (size_t i = 0; i < n; i++) {
        char c = s[i];

        if (is_digit(c)) {
            if (digit && v == 0) {
                return false; /* leading zero */
            }
            v = v * 10 + (unsigned)(c - '0');
            if (v > 255) {
                return false;
            }
            if (!digit && ++octets > 4) {
                return false;
            }
            digit = true;
        } else if (c == '.' && digit && octets < 4) {
            a[octets - 1] = (uint8_t)v;
            v = 0;
            digit = false;
        } else {
            return false;
        }
    }
    if (octets < 4 || !digit) {
        return false;
    }
    a[3] = (uint8_t)v;
    return true;
}

/* Address text (no brackets) into 4 or 16 bytes; a mapped IPv6 comes back as 4. */
static bool parse_addr(const char *s, size_t n, uint8_t a[16], size_t *alen)
{
    char buf[64];
    const char *nul = memchr(s, '\0', n);

    if (nul != NULL) {
        n = (size_t)(nul - s); /* inet_pton stopped there */
    }
    if (n == 0 || n >= sizeof(buf)) {
        return false;
    }
    if (parse_v4(s, n, a)) {
        *alen = 4;
        return true;
    }
    memcpy(buf, s, n);
    buf[n] = '\0';
    if (inet_pton(AF_INET6, buf, a) == 1) {
        if (memcmp(a, v4_mapped, 12) == 0) {
            memmove(a, a + 12, 4);
            *alen = 4;
        } else {
            *alen = 16;
        }
        return true;
    }
    return false;
}

/* Decimal digits of v at p; returns the count. */
static size_t put_dec(char *p, unsigned v)
{
    char t[10];
    size_t n = 0;

    do {
        t[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    for (size_t i = 0; i < n; i++) {
        p[i] = t[n - 1 - i];
    }
    return n;
}

/* An address as inet_ntop writes it (base's formatters, no sprintf). out
 * holds at least 46 bytes; returns the length. */
static size_t format_addr(const uint8_t *a, size_t alen, char out[46])
{
    return alen == 4 ? mk_ipv4_format(a, out) : mk_ipv6_format(a, out);
}

static enum mk_status parse_ip_port(const char *in, size_t len, struct mk_ioc_ip *out)
{
    const char *colon;
    const char *host = in;
    size_t hlen;
    unsigned port;
    uint8_t a[16];
    size_t alen;
    size_t n;

    if (in[0] == '[') {
        const char *close = memchr(in, ']', len);

        if (close == NULL || close + 1 >= in + len || close[1] != ':') {
            return MK_EINVAL;
        }
        host = in + 1;
        hlen = (size_t)(close - host);
        colon = close + 1;
    } else {
        colon = memchr(in, ':', len);
        if (colon == NULL || memchr(colon + 1, ':', len - (size_t)(colon + 1 - in)) != NULL) {
            return MK_EINVAL;
        }
        hlen = (size_t)(colon - in);
    }
    if (!parse_addr(host, hlen, a, &alen) || (in[0] != '[' && alen != 4) ||
        !parse_uint(colon + 1, len - (size_t)(colon + 1 - in), 65535, &port) || port == 0) {
        return MK_EINVAL;
    }
    out->type = MK_IOC_IP_PORT;
    memcpy(out->bin, a, alen);
    out->bin[alen] = (uint8_t)(port >> 8);
    out->bin[alen + 1] = (uint8_t)port;
    out->bin_len = alen + 2;
    n = 0;
    if (alen == 16) {
        out->text[n++] = '[';
    }
    n += format_addr(a, alen, out->text + n);
    if (alen == 16) {
        out->text[n++] = ']';
    }
    out->text[n++] = ':';
    n += put_dec(out->text + n, port);
    out->text[n] = '\0';
    return MK_OK;
}

/* Byte classes for guessing: a hex digit (counted), a byte of an address,
 * prefix or address:port ([0-9A-Fa-f.:/[]]), a byte no value may hold (C0
 * controls, space, DEL). One table lookup a byte. */
enum { GUESS_HEX = 1, GUESS_IP = 2, GUESS_BAD = 4 };

static const uint8_t guess_class[256] = {
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 2, 0, 0, 0, 0, 0,
    0, 3, 3, 3, 3, 3, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 2, 0, 0,
    0, 3, 3, 3, 3, 3, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

/* Whether in[0..len) (up to a NUL, where inet_pton stops) has only the
 * characters of an address, prefix or address:port; most domains do not. */
static bool ip_chars_only(const char *in, size_t len)
{
    for (size_t i = 0; i < len && in[i] != '\0'; i++) {
        if ((guess_class[(unsigned char)in[i]] & GUESS_IP) == 0) {
            return false;
        }
    }
    return true;
}

enum mk_status mk_ioc_parse_ip(const char *in, size_t len, struct mk_ioc_ip *out)
{
    const char *slash;
    uint8_t a[16];
    size_t alen;
    unsigned plen;
    size_t n;

    if (len == 0 || len >= 64 || !ip_chars_only(in, len)) {
        return MK_EINVAL;
    }
    slash = memchr(in, '/', len);
    if (slash == NULL) {
        if (in[0] == '[' || (memchr(in, '.', len) != NULL && memchr(in, ':', len) != NULL &&
                             memchr(in, ':', len) == last_of(in, ':', len))) {
            return parse_ip_port(in, len, out);
        }
        if (!parse_addr(in, len, a, &alen)) {
            return MK_EINVAL;
        }
        plen = (unsigned)alen * 8;
    } else {
        n = (size_t)(slash - in);
        if (!parse_addr(in, n, a, &alen)) {
            return MK_EINVAL;
        }
        if (!parse_uint(slash + 1, len - n - 1, 128, &plen)) {
            return MK_EINVAL;
        }
        if (alen == 4 && memchr(in, ':', n) != NULL) {
            /* ::ffff:a.b.c.d/len: the IPv4 part of the prefix */
            if (plen < 96) {
                return MK_EINVAL;
            }
            plen -= 96;
        }
        if (plen > alen * 8) {
            return MK_EINVAL;
        }
    }
    mk_ioc_mask(a, alen, plen);
    n = format_addr(a, alen, out->text);
    if (plen == alen * 8) {
        out->type = alen == 4 ? MK_IOC_IPV4 : MK_IOC_IPV6;
        memcpy(out->bin, a, alen);
        out->bin_len = alen;
    } else {
        out->type = alen == 4 ? MK_IOC_CIDR4 : MK_IOC_CIDR6;
        out->bin[0] = (uint8_t)plen;
        memcpy(out->bin + 1, a, alen);
        out->bin_len = alen + 1;
        out->text[n++] = '/';
        n += put_dec(out->text + n, plen);
        out->text[n] = '\0';
    }
    return MK_OK;
}

/* ---- URLs (RFC 3986) --------------------------------------------------------------- */

struct wr {
    char *p;
    size_t len, cap;
    bool full;
};

static void put(struct wr *w, char c)
{
    if (w->len + 1 >= w->cap) {
        w->full = true;
        return;
    }
    w->p[w->len++] = c;
}

static void put_n(struct wr *w, const char *s, size_t n)
{
    if (w->len + n >= w->cap) {
        w->full = true;
        return;
    }
    memcpy(w->p + w->len, s, n);
    w->len += n;
}

static void put_pct(struct wr *w, unsigned char c)
{
    static const char hex[] = "0123456789ABCDEF";

    put(w, '%');
    put(w, hex[c >> 4]);
    put(w, hex[c & 15]);
}

/* Host (bracketed IPv6, IPv4 or a name) and port (0 = none; 80 and 443 dropped). */
static enum mk_status put_authority(struct wr *w, const char *h, size_t n, unsigned port)
{
    char buf[MK_IOC_DOMAIN_MAX + 1];
    uint8_t a[16];
    size_t alen;
    size_t dlen;

    if (n > 0 && h[0] == '[') {
        if (n < 3 || h[n - 1] != ']' || !parse_addr(h + 1, n - 2, a, &alen)) {
            return MK_EINVAL;
        }
        format_addr(a, alen, buf);
        if (alen == 16) {
            put(w, '[');
        }
        put_n(w, buf, strlen(buf));
        if (alen == 16) {
            put(w, ']');
        }
    } else if (n > 0 && is_digit(h[n - 1]) && parse_addr(h, n, a, &alen) && alen == 4) {
        format_addr(a, alen, buf);
        put_n(w, buf, strlen(buf));
    } else {
        enum mk_status st = mk_ioc_norm_domain(h, n, buf, sizeof(buf), &dlen);

        if (st != MK_OK) {
            return st;
        }
        put_n(w, buf, dlen);
    }
    if (port != 0 && port != 80 && port != 443) {
        char pb[8];

        pb[0] = ':';
        put_n(w, pb, 1 + put_dec(pb + 1, port));
    }
    return w->full ? MK_ELIMIT : MK_OK;
}

/* Splits "host[:port]" (host may be "[v6]") and writes it. */
static enum mk_status put_hostport(struct wr *w, const char *a, size_t n, int port_arg)
{
    const char *at = last_of(a, '@', n);
    const char *colon;
    const char *close;
    size_t hlen = n;
    unsigned port = port_arg > 0 && port_arg <= 65535 ? (unsigned)port_arg : 0;

    if (at != NULL) { /* user info is not part of what is matched */
        n -= (size_t)(at + 1 - a);
        a = at + 1;
        hlen = n;
    }
    colon = last_of(a, ':', n);
    close = last_of(a, ']', n);
    if (colon != NULL && (a[0] != '[' || (close != NULL && colon > close))) {
        size_t plen = n - (size_t)(colon + 1 - a);

        hlen = (size_t)(colon - a);
        if (plen > 0) {
            unsigned p;

            if (!parse_uint(colon + 1, plen, 65535, &p)) {
                return MK_EINVAL;
            }
            port = p;
        }
    }
    if (hlen == 0) {
        return MK_EINVAL;
    }
    return put_authority(w, a, hlen, port);
}

/* Percent-encoding normalisation (RFC 3986 6.2.2.2) of path or query bytes. */
static void put_pchars(struct wr *w, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
            unsigned char v = (unsigned char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));

            if (is_unreserved(v)) {
                put(w, (char)v);
            } else {
                put_pct(w, v);
            }
            i += 2;
        } else if (c <= 0x20 || c >= 0x7f || c == '%') {
            put_pct(w, c); /* a stray '%' becomes %25, so the result is a fixed point */
        } else {
            put(w, (char)c);
        }
    }
}

/* Drops the last segment of what was written since `start` (RFC 3986 5.2.4 C). */
static void pop_segment(struct wr *w, size_t start)
{
    while (w->len > start && w->p[w->len - 1] != '/') {
        w->len--;
    }
    if (w->len > start) {
        w->len--;
    }
}

/* RFC 3986 5.2.4 over the normalised path p[0..n), appended to w. */
static void put_path(struct wr *w, const char *p, size_t n)
{
    size_t start = w->len;
    size_t i = 0;

    while (i < n) {
        const char *s = p + i;
        size_t rest = n - i;

        if (rest >= 3 && memcmp(s, "../", 3) == 0) {
            i += 3;
        } else if ((rest >= 2 && memcmp(s, "./", 2) == 0) ||
                   (rest >= 3 && memcmp(s, "/./", 3) == 0)) {
            i += 2; /* "/./x" leaves "/x" */
        } else if (rest == 2 && memcmp(s, "/.", 2) == 0) {
            put(w, '/');
            break;
        } else if (rest >= 4 && memcmp(s, "/../", 4) == 0) {
            pop_segment(w, start);
            i += 3;
        } else if (rest == 3 && memcmp(s, "/..", 3) == 0) {
            pop_segment(w, start);
            put(w, '/');
            break;
        } else if ((rest == 1 && s[0] == '.') || (rest == 2 && memcmp(s, "..", 2) == 0)) {
            break;
        } else {
            size_t k = 1;

            while (k < rest && s[k] != '/') {
                k++;
            }
            put_n(w, s, k);
            i += k;
        }
    }
    if (w->len == start) {
        put(w, '/');
    }
}

/* Path and query of a target (fragment dropped): "/a/../b?q" -> "/b?q". */
static enum mk_status put_target(struct wr *w, const char *t, size_t n)
{
    char buf[MK_IOC_URL_MAX + 1];
    struct wr pw = {.p = buf, .cap = sizeof(buf)};
    const char *hash = memchr(t, '#', n);
    const char *q;
    size_t plen;

    if (hash != NULL) {
        n = (size_t)(hash - t);
    }
    q = memchr(t, '?', n);
    plen = q != NULL ? (size_t)(q - t) : n;
    if (plen == 0 || t[0] != '/') {
        put(&pw, '/');
    }
    put_pchars(&pw, t, plen);
    if (pw.full) {
        return MK_ELIMIT;
    }
    put_path(w, buf, pw.len);
    if (q != NULL && n - plen > 1) {
        put(w, '?');
        put_pchars(w, q + 1, n - plen - 1);
    }
    if (w->full) {
        return MK_ELIMIT;
    }
    w->p[w->len] = '\0';
    return MK_OK;
}

/* Length of a "scheme://" prefix (RFC 3986 3.1), 0 if none. */
static size_t scheme_len(const char *s, size_t n)
{
    size_t i = 0;

    if (n == 0 || !is_alpha(s[0])) {
        return 0;
    }
    while (i < n &&
           (is_alpha(s[i]) || is_digit(s[i]) || s[i] == '+' || s[i] == '-' || s[i] == '.')) {
        i++;
    }
    if (i + 3 <= n && memcmp(s + i, "://", 3) == 0) {
        return i + 3;
    }
    return 0;
}

// NOLINTNEXTLINE(readability-non-const-parameter): written through w.p
static enum mk_status norm_url(const char *in, size_t len, char *out, size_t cap, size_t *out_len)
{
    struct wr w = {.p = out, .cap = cap < MK_IOC_URL_MAX + 1 ? cap : MK_IOC_URL_MAX + 1};
    size_t a = 0;
    size_t s;
    enum mk_status st;

    while (len > 0 && (in[0] == ' ' || in[0] == '\t')) {
        in++;
        len--;
    }
    while (len > 0 && (in[len - 1] == ' ' || in[len - 1] == '\t' || in[len - 1] == '\r' ||
                       in[len - 1] == '\n')) {
        len--;
    }
    if (cap == 0) {
        return MK_ELIMIT;
    }
    s = scheme_len(in, len);
    in += s;
    len -= s;
    while (a < len && in[a] != '/' && in[a] != '?' && in[a] != '#') {
        a++;
    }
    if (s == 0 && a == 0 && len > 0 && in[0] == '/') {
        st = MK_OK; /* "/path": any host (Maltrail's path trails) */
    } else {
        st = put_hostport(&w, in, a, 0);
    }
    if (st == MK_OK) {
        st = put_target(&w, in + a, len - a);
    }
    if (st == MK_OK) {
        *out_len = w.len;
    }
    return st;
}

enum mk_status mk_ioc_norm_url(const char *in, size_t len, char *out, size_t cap, size_t *out_len)
{
    return norm_url(in, len, out, cap, out_len);
}

enum mk_status mk_ioc_norm_request(const char *host, int port, const char *uri, char *out,
                                   size_t cap, size_t *out_len)
{
    struct wr w = {.p = out, .cap = cap < MK_IOC_URL_MAX + 1 ? cap : MK_IOC_URL_MAX + 1};
    size_t ulen = uri != NULL ? strlen(uri) : 0;
    size_t s = scheme_len(uri != NULL ? uri : "", ulen);
    enum mk_status st;

    if (s > 0) { /* absolute form (a proxy request): its authority wins */
        return norm_url(uri, ulen, out, cap, out_len);
    }
    if (host == NULL || cap == 0) {
        return MK_EINVAL;
    }
    st = put_hostport(&w, host, strlen(host), port);
    if (st == MK_OK) {
        st = put_target(&w, uri != NULL ? uri : "/", ulen);
    }
    if (st == MK_OK) {
        *out_len = w.len;
    }
    return st;
}

/* ---- hashes, fingerprints, e-mail ------------------------------------------------------ */

static size_t hex_len(enum mk_ioc_type t)
{
    switch (t) {
    case MK_IOC_MD5:
    case MK_IOC_JA3:
        return 32;
    case MK_IOC_SHA1:
        return 40;
    case MK_IOC_SHA256:
        return 64;
    case MK_IOC_SHA512:
        return 128;
    default:
        return 0;
    }
}

static enum mk_status norm_email(const char *in, size_t len, char *out, size_t cap, size_t *out_len)
{
    const char *at = last_of(in, '@', len);
    size_t local;
    size_t dlen;
    enum mk_status st;

    if (at == NULL || at == in || len >= cap || len > MK_IOC_VALUE_MAX) {
        return at == NULL || at == in ? MK_EINVAL : MK_ELIMIT;
    }
    local = (size_t)(at - in);
    for (size_t i = 0; i < local; i++) {
        unsigned char c = (unsigned char)in[i];

        if (c <= 0x20 || c == 0x7f || c == '@') {
            return MK_EINVAL;
        }
        out[i] = lower((char)c);
    }
    out[local] = '@';
    st = mk_ioc_norm_domain(at + 1, len - local - 1, out + local + 1, cap - local - 1, &dlen);
    if (st == MK_OK) {
        *out_len = local + 1 + dlen;
    }
    return st;
}

enum mk_status mk_ioc_norm_value(enum mk_ioc_type type, const char *in, size_t len, char *out,
                                 size_t cap, size_t *out_len)
{
    size_t want = hex_len(type);

    if (type == MK_IOC_EMAIL) {
        return norm_email(in, len, out, cap, out_len);
    }
    if (type != MK_IOC_JA4 && want == 0) {
        return MK_EINVAL;
    }
    if ((want != 0 && len != want) || len == 0) {
        return MK_EINVAL;
    }
    if (len >= cap || len > MK_IOC_VALUE_MAX) {
        return MK_ELIMIT;
    }
    for (size_t i = 0; i < len; i++) {
        char c = lower(in[i]);

        if (want != 0 ? hexval(c) < 0 : !(hexval(c) >= 0 || is_alpha(c) || c == '_' || c == ',')) {
            return MK_EINVAL;
        }
        out[i] = c;
    }
    out[len] = '\0';
    *out_len = len;
    return MK_OK;
}

/* ---- guessing ------------------------------------------------------------------------- */

/* JA4 (FoxIO, BSD-3): [tqd] version(2) [di] ciphers(2) extensions(2) alpn(2) _hex12_hex12. */
static bool looks_ja4(const char *s, size_t n)
{
    if (n != 36 || (s[0] != 't' && s[0] != 'q' && s[0] != 'd') || s[10] != '_' || s[23] != '_') {
        return false;
    }
    if ((s[3] != 'd' && s[3] != 'i') || !is_digit(s[4]) || !is_digit(s[5]) || !is_digit(s[6]) ||
        !is_digit(s[7])) {
        return false;
    }
    for (size_t i = 11; i < n; i++) {
        if (i != 23 && hexval(s[i]) < 0) {
            return false;
        }
    }
    return true;
}

enum mk_status mk_ioc_guess_type(const char *value, size_t len, enum mk_ioc_type *out)
{
    struct mk_ioc_ip ip;
    size_t hex = 0;
    unsigned any = 0;          /* union of the bytes' classes */
    unsigned every = GUESS_IP; /* and their intersection */

    if (value == NULL || len == 0) {
        return MK_EINVAL;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned k = guess_class[(unsigned char)value[i]];

        hex += k & GUESS_HEX;
        any |= k;
        every &= k;
    }
    if ((any & GUESS_BAD) != 0) {
        return MK_EINVAL;
    }
    /* most values are names: only a value of address characters can be one */
    if ((every & GUESS_IP) != 0 && mk_ioc_parse_ip(value, len, &ip) == MK_OK) {
        *out = ip.type;
        return MK_OK;
    }
    if (hex == len && (len == 32 || len == 40 || len == 64 || len == 128)) {
        *out = len == 32   ? MK_IOC_MD5
               : len == 40 ? MK_IOC_SHA1
               : len == 64 ? MK_IOC_SHA256
                           : MK_IOC_SHA512;
        return MK_OK;
    }
    if (looks_ja4(value, len)) {
        *out = MK_IOC_JA4;
    } else if (memchr(value, '/', len) != NULL) {
        *out = MK_IOC_URL;
    } else if (memchr(value, '@', len) != NULL) {
        *out = MK_IOC_EMAIL;
    } else {
        *out = MK_IOC_DOMAIN;
    }
    return MK_OK;
}
