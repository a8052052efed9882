/* proto TLS/QUIC internals shared by tls.c, tls_hello.c, ja3.c, ja4.c, x509.c and
 * quic.c (and their tests): bounds-checked cursor reads, wire constants, the report
 * builder, certificate fields and the QUIC Initial key schedule. */
#ifndef MK_PROTO_TLS_INT_H
#define MK_PROTO_TLS_INT_H

#include "proto/proto.h"

/* ---- cursor over untrusted bytes: every read is bounds-checked ------------- */

struct tls_cur {
    const uint8_t *p;
    size_t n;
};

static inline bool cur_u8(struct tls_cur *c, uint8_t *v)
{
    if (c->n < 1) {
        return false;
    }
    *v = c->p[0];
    c->p++;
    c->n--;
    return true;
}

static inline bool cur_u16(struct tls_cur *c, uint16_t *v)
{
    if (c->n < 2) {
        return false;
    }
    *v = (uint16_t)((unsigned)c->p[0] << 8 | c->p[1]);
    c->p += 2;
    c->n -= 2;
    return true;
}

static inline bool cur_u24(struct tls_cur *c, uint32_t *v)
{
    if (c->n < 3) {
        return false;
    }
    *v = (uint32_t)c->p[0] << 16 | (uint32_t)c->p[1] << 8 | c->p[2];
    c->p += 3;
    c->n -= 3;
    return true;
}

/* Takes the next `len` bytes as a sub-cursor. */
static inline bool cur_take(struct tls_cur *c, size_t len, struct tls_cur *sub)
{
    if (c->n < len) {
        return false;
    }
    sub->p = c->p;
    sub->n = len;
    c->p += len;
    c->n -= len;
    return true;
}

/* ---- wire constants ---------------------------------------------------------- */

/* RFC 8446 section 5.1 / RFC 5246 section 6.2.1: record content types */
#define MK_TLS_CT_CCS       20u
#define MK_TLS_CT_ALERT     21u
#define MK_TLS_CT_HANDSHAKE 22u
#define MK_TLS_CT_APPDATA   23u

/* RFC 8446 section 4: handshake types */
#define MK_TLS_HS_CLIENT_HELLO      1u
#define MK_TLS_HS_SERVER_HELLO      2u
#define MK_TLS_HS_CERTIFICATE       11u
#define MK_TLS_HS_SERVER_KEY_EXCH   12u
#define MK_TLS_HS_SERVER_HELLO_DONE 14u

/* Extension code points (IANA TLS ExtensionType registry) */
#define MK_TLS_EXT_SNI                0x0000u /* RFC 6066 section 3 */
#define MK_TLS_EXT_SUPPORTED_GROUPS   0x000au /* RFC 8422 section 5.1.1 */
#define MK_TLS_EXT_EC_POINT_FORMATS   0x000bu /* RFC 8422 section 5.1.2 */
#define MK_TLS_EXT_SIG_ALGS           0x000du /* RFC 8446 section 4.2.3 */
#define MK_TLS_EXT_ALPN               0x0010u /* RFC 7301 section 3.1 */
#define MK_TLS_EXT_SUPPORTED_VERSIONS 0x002bu /* RFC 8446 section 4.2.1 */

#define MK_TLS_VERSION_13 0x0304u

/* RFC 8701: GREASE values are 0x?a?a with both bytes equal. */
#define MK_TLS_IS_GREASE(v) (((v)&0x0f0fu) == 0x0a0au && ((v) >> 8) == ((v)&0xffu))

/* RFC 8446 section 5.2: a protected record is at most 2^14 + 256 bytes; RFC 5246
 * section 6.2.3 allowed 2^14 + 2048. Anything longer is not TLS. */
#define MK_TLS_MAX_RECORD (16384u + 2048u)
/* Cap of one reassembled handshake message per direction (a larger one is skipped). */
#define MK_TLS_MAX_HANDSHAKE (64u << 10)
/* Cap of the strings built for a report (the JA3 string is the longest). */
#define MK_TLS_MAX_STRING (8u << 10)

/* ---- hellos and reports ------------------------------------------------------ */

/* Suricata's name of a protocol version ("TLS 1.2", "TLSv1", "TLS 1.3 draft-23", ...,
 * "UNDETERMINED"). Static storage. */
const char *mk_tls_version_name(uint16_t v);

/* True when a ServerHello with this version field has the TLS 1.3 draft layout
 * (drafts before 22: no session id echo, no compression method): 0x7fNN, or
 * 0x0304 itself, which only drafts before 16 put there. */
bool mk_tls_server_hello_is_draft(uint16_t legacy_version);

/* The version a hello stands for: the server's selected supported_versions entry,
 * the client's highest non-GREASE offered one, else legacy_version. */
uint16_t mk_tls_hello_version(const struct mk_tls_hello *h);

/* Certificate fields as Suricata prints them; fixed storage so a flow can keep them. */
struct mk_x509_fields {
    char subject[512];
    char issuer[512];
    char serial[128];     /* truncated beyond 42 octets */
    char fingerprint[60]; /* 20 octets as "aa:bb:..." */
    int64_t not_before;
    int64_t not_after;
};

/* The leaf (first) certificate of a TLS <= 1.2 Certificate message body (RFC 5246
 * section 7.4.2). MK_EINVAL when malformed, MK_ENOTFOUND when the list is empty. */
MK_MUST_CHECK enum mk_status mk_tls_cert_leaf(const uint8_t *body, size_t n, struct mk_slice *der);

/* Decodes a DER X.509 certificate (OpenSSL d2i_X509). MK_EINVAL when it does not parse. */
MK_MUST_CHECK enum mk_status mk_x509_parse(const uint8_t *der, size_t n,
                                           struct mk_x509_fields *out);

/* Fills `out` from the hellos seen (either may be NULL): version, SNI, ALPNs, JA3,
 * JA3S and JA4; strings live in `a`, `tmp` is scratch (capped by its max).
 * MK_ENOMEM when the arena is exhausted, MK_ELIMIT when a string hits tmp's cap. */
MK_MUST_CHECK enum mk_status mk_tls_info_build(const struct mk_tls_hello *ch,
                                               const struct mk_tls_hello *sh, bool quic,
                                               struct mk_arena *a, struct mk_buf *tmp,
                                               struct mk_tls_info *out);

/* Both hellos of a handshake with the strings they point at: TLS and QUIC
 * allocate it at the first hello and free it once the handshake is reported. */
struct mk_tls_hellos {
    struct mk_tls_hello ch;
    struct mk_tls_hello sh;
    char ch_pool[512]; /* SNI and ALPN strings of the hellos (mk_tls_hello_detach) */
    char sh_pool[128];
};

/* Copies the SNI and ALPN bytes a hello points at into `pool` (NUL-separated,
 * truncated to fit) and re-points the slices there, so the hello outlives its packet. */
void mk_tls_hello_detach(struct mk_tls_hello *h, char *pool, size_t pool_len);

/* ---- QUIC Initial protection (RFC 9001 section 5) ---------------------------- */

#define MK_QUIC_V1      0x00000001u /* RFC 9000 */
#define MK_QUIC_V2      0x6b3343cfu /* RFC 9369 */
#define MK_QUIC_DRAFT29 0xff00001du
#define MK_QUIC_MAX_CID 20u /* RFC 9000 section 17.2 */

struct mk_quic_keys {
    uint8_t key[16];
    uint8_t iv[12];
    uint8_t hp[16];
};

/* Initial keys of one side from the client's first Destination Connection ID
 * (RFC 9001 section 5.2; RFC 9369 section 3.3.1 for v2). MK_EINVAL for an unknown
 * version or a CID longer than 20 bytes. */
MK_MUST_CHECK enum mk_status mk_quic_initial_keys(uint32_t version, const uint8_t *dcid,
                                                  size_t dcid_len, bool server,
                                                  struct mk_quic_keys *out);

/* Runs the Initial frame parser (CRYPTO reassembly, hellos, report) on an already
 * decrypted payload of `dir`; `state` is mk_analyzer_quic's. For fuzzing and tests,
 * which reach the frame code this way without sealing packets. */
void mk_quic_frames_feed(void *state, struct mk_proto_ctx *ctx, struct mk_flow *flow,
                         enum mk_flow_dir dir, const uint8_t *p, size_t n);

#endif /* MK_PROTO_TLS_INT_H */
