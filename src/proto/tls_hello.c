/* ClientHello / ServerHello parsing (RFC 8446 section 4.1.2-4.1.3, RFC 5246 section
 * 7.4.1) into struct mk_tls_hello: mk_tls_hello_parse(). Also version names and the
 * copy of a hello's strings that lets it outlive its packet. */
#include <string.h>

#include "proto/tls_int.h"

/* Appends v to a fixed array; false when it is full (the caller reports MK_ELIMIT). */
static bool push16(uint16_t *arr, size_t cap, size_t *n, uint16_t v)
{
    if (*n >= cap) {
        return false;
    }
    arr[(*n)++] = v;
    return true;
}

/* A list of u16 behind a length prefix of `prefix` bytes (1 or 2). */
static enum mk_status u16_list(struct tls_cur *c, int prefix, uint16_t *arr, size_t cap, size_t *n)
{
    struct tls_cur l;
    uint16_t len = 0;
    uint8_t len8 = 0;
    uint16_t v;
    enum mk_status st = MK_OK;

    if (prefix == 1) {
        if (!cur_u8(c, &len8)) {
            return MK_EINVAL;
        }
        len = len8;
    } else if (!cur_u16(c, &len)) {
        return MK_EINVAL;
    }
    if (len % 2 != 0 || !cur_take(c, len, &l)) {
        return MK_EINVAL;
    }
    *n = 0;
    while (cur_u16(&l, &v)) {
        if (!push16(arr, cap, n, v)) {
            st = MK_ELIMIT;
        }
    }
    return st;
}

/* RFC 6066 section 3: ServerNameList; the first host_name (type 0) is the SNI. */
static enum mk_status ext_sni(struct tls_cur c, struct mk_tls_hello *h)
{
    struct tls_cur list;
    struct tls_cur name;
    uint16_t len;
    uint8_t type;

    if (!h->is_client) {
        return MK_OK; /* the server's echo is empty */
    }
    if (!cur_u16(&c, &len) || !cur_take(&c, len, &list)) {
        return MK_EINVAL;
    }
    while (list.n > 0) {
        if (!cur_u8(&list, &type) || !cur_u16(&list, &len) || !cur_take(&list, len, &name)) {
            return MK_EINVAL;
        }
        if (type == 0 && h->sni.ptr == NULL) {
            h->sni = (struct mk_slice){name.p, name.n};
        }
    }
    return MK_OK;
}

/* RFC 7301 section 3.1: ProtocolNameList of non-empty 8-bit-length strings. */
static enum mk_status ext_alpn(struct tls_cur c, struct mk_tls_hello *h)
{
    struct tls_cur list;
    struct tls_cur name;
    uint16_t len;
    uint8_t l8;
    enum mk_status st = MK_OK;

    if (!cur_u16(&c, &len) || !cur_take(&c, len, &list)) {
        return MK_EINVAL;
    }
    h->n_alpns = 0;
    while (list.n > 0) {
        if (!cur_u8(&list, &l8) || !cur_take(&list, l8, &name)) {
            return MK_EINVAL;
        }
        if (h->n_alpns >= MK_ARRAY_LEN(h->alpns)) {
            st = MK_ELIMIT;
            continue;
        }
        h->alpns[h->n_alpns++] = (struct mk_slice){name.p, name.n};
    }
    return st;
}

/* RFC 8446 section 4.2.1: a list from the client, one selected value from the server. */
static enum mk_status ext_versions(struct tls_cur c, struct mk_tls_hello *h)
{
    uint16_t v;

    if (h->is_client) {
        return u16_list(&c, 1, h->supported_versions, MK_ARRAY_LEN(h->supported_versions),
                        &h->n_supported_versions);
    }
    if (!cur_u16(&c, &v)) {
        return MK_EINVAL;
    }
    h->supported_versions[0] = v;
    h->n_supported_versions = 1;
    return MK_OK;
}

static enum mk_status ext_point_formats(struct tls_cur c, struct mk_tls_hello *h)
{
    struct tls_cur l;
    uint8_t len;
    uint8_t v;
    enum mk_status st = MK_OK;

    if (!cur_u8(&c, &len) || !cur_take(&c, len, &l)) {
        return MK_EINVAL;
    }
    h->n_ec_point_formats = 0;
    while (cur_u8(&l, &v)) {
        if (h->n_ec_point_formats >= MK_ARRAY_LEN(h->ec_point_formats)) {
            st = MK_ELIMIT;
            continue;
        }
        h->ec_point_formats[h->n_ec_point_formats++] = v;
    }
    return st;
}

static enum mk_status one_ext(uint16_t type, struct tls_cur body, struct mk_tls_hello *h)
{
    switch (type) {
    case MK_TLS_EXT_SNI:
        return ext_sni(body, h);
    case MK_TLS_EXT_ALPN:
        return ext_alpn(body, h);
    case MK_TLS_EXT_SUPPORTED_VERSIONS:
        return ext_versions(body, h);
    case MK_TLS_EXT_SUPPORTED_GROUPS:
        return u16_list(&body, 2, h->groups, MK_ARRAY_LEN(h->groups), &h->n_groups);
    case MK_TLS_EXT_SIG_ALGS:
        return u16_list(&body, 2, h->sig_algs, MK_ARRAY_LEN(h->sig_algs), &h->n_sig_algs);
    case MK_TLS_EXT_EC_POINT_FORMATS:
        return ext_point_formats(body, h);
    default:
        return MK_OK;
    }
}

/* Extensions block (RFC 8446 section 4.2). A malformed extension body is an error;
 * a list longer than its array keeps its first entries and ends in MK_ELIMIT. */
static enum mk_status extensions(struct tls_cur *c, struct mk_tls_hello *h)
{
    struct tls_cur all;
    struct tls_cur body;
    uint16_t len;
    uint16_t type;
    enum mk_status st = MK_OK;
    enum mk_status est;

    if (c->n == 0) {
        return MK_OK; /* RFC 5246 section 7.4.1.2: extensions may be absent */
    }
    if (!cur_u16(c, &len) || !cur_take(c, len, &all)) {
        return MK_EINVAL;
    }
    while (all.n > 0) {
        if (!cur_u16(&all, &type) || !cur_u16(&all, &len) || !cur_take(&all, len, &body)) {
            return MK_EINVAL;
        }
        if (!push16(h->extensions, MK_ARRAY_LEN(h->extensions), &h->n_extensions, type)) {
            st = MK_ELIMIT;
        }
        est = one_ext(type, body, h);
        if (est == MK_EINVAL) {
            return est;
        }
        if (est != MK_OK) {
            st = est;
        }
    }
    return st;
}

MK_MUST_CHECK enum mk_status mk_tls_hello_parse(const uint8_t *p, size_t n, bool is_client,
                                                struct mk_tls_hello *out)
{
    struct tls_cur c = {p, n};
    struct tls_cur skip;
    uint8_t len8;
    uint16_t cipher;
    enum mk_status st = MK_OK;

    memset(out, 0, sizeof(*out));
    out->is_client = is_client;
    /* legacy_version, random[32] */
    if (!cur_u16(&c, &out->legacy_version) || !cur_take(&c, 32, &skip)) {
        return MK_EINVAL;
    }
    if (!is_client && mk_tls_server_hello_is_draft(out->legacy_version)) {
        /* TLS 1.3 drafts before 22 (draft-ietf-tls-tls13-21 section 4.1.3): the
         * ServerHello is version, random, cipher_suite, extensions, without
         * legacy_session_id_echo and legacy_compression_method; their version
         * field is 0x7fNN, or 0x0304 before draft 16. Suricata parses them alike. */
        if (!cur_u16(&c, &cipher)) {
            return MK_EINVAL;
        }
        out->ciphers[0] = cipher;
        out->n_ciphers = 1;
        return extensions(&c, out);
    }
    /* legacy_session_id<0..32> */
    if (!cur_u8(&c, &len8) || len8 > 32 || !cur_take(&c, len8, &skip)) {
        return MK_EINVAL;
    }
    if (is_client) {
        st = u16_list(&c, 2, out->ciphers, MK_ARRAY_LEN(out->ciphers), &out->n_ciphers);
        if (st == MK_EINVAL || !cur_u8(&c, &len8) || len8 == 0 || !cur_take(&c, len8, &skip)) {
            return MK_EINVAL;
        }
    } else {
        if (!cur_u16(&c, &cipher) || !cur_u8(&c, &len8)) {
            return MK_EINVAL;
        }
        out->ciphers[0] = cipher;
        out->n_ciphers = 1;
    }
    enum mk_status est = extensions(&c, out);
    if (est != MK_OK) {
        st = est;
    }
    return st;
}

bool mk_tls_server_hello_is_draft(uint16_t legacy_version)
{
    return legacy_version == MK_TLS_VERSION_13 || (legacy_version >> 8) == 0x7f;
}

const char *mk_tls_version_name(uint16_t v)
{
    static const char *const drafts[] = {
        "TLS 1.3 draft-16", "TLS 1.3 draft-17", "TLS 1.3 draft-18", "TLS 1.3 draft-19",
        "TLS 1.3 draft-20", "TLS 1.3 draft-21", "TLS 1.3 draft-22", "TLS 1.3 draft-23",
        "TLS 1.3 draft-24", "TLS 1.3 draft-25", "TLS 1.3 draft-26", "TLS 1.3 draft-27",
        "TLS 1.3 draft-28",
    };

    switch (v) {
    case 0x0002:
        return "SSLv2";
    case 0x0300:
        return "SSLv3";
    case 0x0301:
        return "TLSv1";
    case 0x0302:
        return "TLS 1.1";
    case 0x0303:
        return "TLS 1.2";
    case 0x0304:
        return "TLS 1.3";
    default:
        break;
    }
    /* TLS 1.3 drafts were 0x7fNN (draft NN); Suricata names those before 16 as one. */
    if ((v >> 8) == 0x7f) {
        unsigned d = v & 0xffu;
        if (d < 16) {
            return "TLS 1.3 draft-<16";
        }
        if (d - 16 < MK_ARRAY_LEN(drafts)) {
            return drafts[d - 16];
        }
    }
    return "UNDETERMINED";
}

/* Orders versions: a TLS 1.3 draft (0x7fNN) ranks between TLS 1.2 and TLS 1.3. */
static uint32_t version_rank(uint16_t v)
{
    if ((v >> 8) == 0x7f) {
        return 0x030300u + (v & 0xffu);
    }
    return (uint32_t)v << 8;
}

uint16_t mk_tls_hello_version(const struct mk_tls_hello *h)
{
    uint16_t best = 0;

    for (size_t i = 0; i < h->n_supported_versions; i++) {
        uint16_t v = h->supported_versions[i];
        if (!MK_TLS_IS_GREASE(v) && (best == 0 || version_rank(v) > version_rank(best))) {
            best = v;
        }
    }
    return best != 0 ? best : h->legacy_version;
}

/* Copies one slice into the pool; an empty slice when it does not fit. */
static struct mk_slice detach_one(struct mk_slice s, char *pool, size_t pool_len, size_t *used)
{
    char *dst;

    if (s.ptr == NULL || s.len + 1 > pool_len - *used) {
        return (struct mk_slice){NULL, 0};
    }
    dst = pool + *used;
    memcpy(dst, s.ptr, s.len);
    dst[s.len] = '\0';
    *used += s.len + 1;
    return (struct mk_slice){(const uint8_t *)dst, s.len};
}

void mk_tls_hello_detach(struct mk_tls_hello *h, char *pool, size_t pool_len)
{
    size_t used = 0;
    size_t n = 0;

    h->sni = detach_one(h->sni, pool, pool_len, &used);
    for (size_t i = 0; i < h->n_alpns; i++) {
        struct mk_slice s = detach_one(h->alpns[i], pool, pool_len, &used);
        if (s.ptr != NULL) {
            h->alpns[n++] = s;
        }
    }
    h->n_alpns = n;
}
