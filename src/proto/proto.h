/* proto: application-layer analyzers (DNS, HTTP/1.x, TLS, QUIC), detected by
 * content, each a const table of function pointers (struct mk_analyzer_ops);
 * JA3/JA3S/JA4 fingerprints; hashing of HTTP bodies. Analyzers report what
 * they decode through a sink of callbacks (struct mk_proto_sink) that the
 * sensor wires to EVE output and indicator matching. */
#ifndef MK_PROTO_H
#define MK_PROTO_H

#include "base/base.h"
#include "flow/flow.h"

enum mk_app_proto {
    MK_APP_UNKNOWN = 0, /* not decided yet */
    MK_APP_DNS,
    MK_APP_HTTP,
    MK_APP_TLS,
    MK_APP_QUIC,
    MK_APP_FAILED, /* no analyzer recognised the flow */
    MK_APP_COUNT
};

const char *mk_app_proto_name(enum mk_app_proto p); /* EVE app_proto: "dns", "http", ... */

/* ---- what analyzers report ---------------------------------------------- *
 * All strings are NUL-terminated and valid only during the sink call. Names
 * and header values are as on the wire (bytes that are not printable are
 * escaped by the EVE writer, not here). */

struct mk_dns_rr {
    const char *rrname; /* decompressed, without the trailing dot; "" for the root */
    uint16_t rrtype;
    uint16_t rrclass;
    uint32_t ttl;
    /* Presentation form of the data: an address for A/AAAA, a name for
     * CNAME/NS/PTR, "pref name" for MX, the text for TXT (strings joined),
     * "mname rname serial refresh retry expire minimum" for SOA,
     * "prio weight port target" for SRV, "prio target key=value..." for
     * HTTPS/SVCB; hex for other types. */
    const char *rdata;
};

struct mk_dns_msg {
    uint16_t id;
    uint16_t flags; /* the 16-bit flags word: QR, opcode, AA, TC, RD, RA, Z, AD, CD, rcode */
    bool is_response;
    uint8_t opcode;
    uint8_t rcode;
    const char *qname; /* the first question; "" when there is none */
    uint16_t qtype;
    uint16_t qclass;
    uint16_t n_questions;
    const struct mk_dns_rr *answers;
    size_t n_answers;
    const struct mk_dns_rr *authorities;
    size_t n_authorities;
    bool over_tcp;
};

/* Names for EVE: "A", "AAAA", ..., or NULL for an unknown type. */
const char *mk_dns_type_name(uint16_t rrtype);
const char *mk_dns_rcode_name(uint8_t rcode); /* "NOERROR", "NXDOMAIN", ... */

struct mk_http_header {
    const char *name;
    const char *value;
};

/* One request and (when it came) its response. */
struct mk_http_tx {
    uint64_t tx_id;
    const char *method;
    const char *uri;
    const char *protocol; /* "HTTP/1.1" */
    const char *hostname; /* Host header without the port; NULL when absent */
    int port;             /* Host header port, or -1 */
    const char *user_agent;
    const char *referer;
    const char *xff;          /* X-Forwarded-For */
    const char *content_type; /* of the response */
    const char *redirect;     /* Location */
    int status;               /* leading digits of the status text ("20x" -> 20), as Suricata */
    bool has_status;          /* a status line was seen; false: no response, status 0 */
    uint64_t request_body_len;
    uint64_t response_body_len;
    const struct mk_http_header *request_headers;
    size_t n_request_headers;
    const struct mk_http_header *response_headers;
    size_t n_response_headers;
};

/* A file carried by HTTP: a request or response body, hashed while it streams
 * (as Suricata's fileinfo). */
struct mk_file_info {
    uint64_t tx_id;
    enum mk_flow_dir dir;
    const char *filename; /* the URI's last path segment, or the URI */
    uint64_t size;
    bool truncated; /* size cap reached: the hashes cover the first bytes only */
    bool gaps;
    char md5[33];
    char sha1[41];
    char sha256[65];
};

struct mk_tls_cert {
    const char *subject; /* RFC 4514-ish one-line form, as Suricata prints */
    const char *issuer;
    const char *serial;      /* "0A:1B:..." upper-case colon-separated */
    const char *fingerprint; /* SHA-1 of the DER, "aa:bb:..." lower-case colon-separated */
    int64_t not_before;      /* seconds since the epoch */
    int64_t not_after;
};

/* What a TLS (or QUIC) handshake showed. Fields from a side not seen are NULL. */
struct mk_tls_info {
    const char *version; /* negotiated: "TLS 1.2", "TLS 1.3", ... (Suricata's names) */
    const char *sni;
    const char *client_alpns[8];
    size_t n_client_alpns;
    const char *server_alpn;
    const char *ja3_string;
    char ja3_hash[33];
    const char *ja3s_string;
    char ja3s_hash[33];
    char ja4[40]; /* "" when not computed */
    bool has_client_hello;
    bool has_server_hello;
    const struct mk_tls_cert *cert; /* the server's leaf certificate (TLS <= 1.2), or NULL */
};

/* The callbacks analyzers report through; `flow` is the caller's own flow. */
struct mk_proto_sink {
    void *ctx;
    void (*dns)(void *ctx, struct mk_flow *flow, enum mk_flow_dir dir, const struct mk_dns_msg *m);
    void (*http)(void *ctx, struct mk_flow *flow, const struct mk_http_tx *tx);
    void (*file)(void *ctx, struct mk_flow *flow, const struct mk_file_info *fi);
    /* once per handshake, when it is complete or the flow ends */
    void (*tls)(void *ctx, struct mk_flow *flow, const struct mk_tls_info *t);
    void (*quic)(void *ctx, struct mk_flow *flow, const struct mk_tls_info *t, uint32_t version);
    /* a malformed message: `event` names it ("dns.malformed", "http.line_too_long", ...) */
    void (*anomaly)(void *ctx, struct mk_flow *flow, const char *event);
};

struct mk_proto_config {
    size_t max_header_bytes;  /* HTTP: request/response header block cap */
    size_t max_file_bytes;    /* bytes of a body hashed; beyond it the file is "truncated" */
    uint32_t max_dns_answers; /* answers reported per message */
};

#define MK_PROTO_CONFIG_DEFAULT                                                                    \
    ((struct mk_proto_config){                                                                     \
        .max_header_bytes = 64u << 10, .max_file_bytes = 16u << 20, .max_dns_answers = 64})

/* Per-worker context every analyzer call gets: configuration, the sink, and
 * a scratch arena reset by the caller after each call. */
struct mk_proto_ctx {
    struct mk_proto_config cfg;
    struct mk_proto_sink sink;
    struct mk_arena *scratch;
};

enum mk_probe_result {
    MK_PROBE_NO = 0,
    MK_PROBE_YES,
    MK_PROBE_MORE, /* cannot tell yet: give me more bytes */
};

#define MK_TRANSPORT_TCP 1u
#define MK_TRANSPORT_UDP 2u

/* One analyzer. State is per flow and owned by the caller between calls. */
struct mk_analyzer_ops {
    const char *name;
    enum mk_app_proto proto;
    unsigned transports; /* MK_TRANSPORT_* bits */
    /* Recognise the protocol from the first bytes of a direction (content,
     * not port). `port` is the server port, a hint only. */
    enum mk_probe_result (*probe)(const uint8_t *data, size_t len, enum mk_flow_dir dir,
                                  uint16_t port);
    void *(*state_new)(void);
    void (*state_free)(void *state);
    /* bytes a state typically holds (state_bytes, from state_new on) and may
     * add at most over a TCP stream (stream_bytes), so the caller can keep the
     * application state of all flows under a memcap before it exists */
    size_t state_bytes;
    size_t stream_bytes;
    /* Optional: the bytes `state` holds now (the struct and every buffer it
     * owns). States grow on demand (long lines, pipelining, reassembly) and
     * shrink when that is over, so a caller that charges a memcap calls it
     * after state_new and after each parse/gap to charge the difference. */
    size_t (*state_size)(const void *state);
    /* Optional: true once the analyzer will report nothing more for this flow,
     * neither from parse/gap nor from flow_end (e.g. TLS after the handshake
     * was reported: the rest is encrypted). The caller may then state_free()
     * the state at once and stop feeding the flow to it; flow_end need not be
     * called. NULL: the analyzer stays until the flow ends. */
    bool (*done)(const void *state);
    /* TCP: the next in-order stream bytes of one direction. UDP: one
     * datagram. May report through ctx->sink. */
    void (*parse)(void *state, struct mk_proto_ctx *ctx, struct mk_flow *flow, enum mk_flow_dir dir,
                  const uint8_t *data, size_t len);
    /* TCP only: `len` bytes of this direction are lost. */
    void (*gap)(void *state, struct mk_proto_ctx *ctx, struct mk_flow *flow, enum mk_flow_dir dir,
                size_t len);
    /* The flow ends: report what is pending (a request without response). */
    void (*flow_end)(void *state, struct mk_proto_ctx *ctx, struct mk_flow *flow);
};

extern const struct mk_analyzer_ops mk_analyzer_dns;
extern const struct mk_analyzer_ops mk_analyzer_http;
extern const struct mk_analyzer_ops mk_analyzer_tls;
extern const struct mk_analyzer_ops mk_analyzer_quic;

/* Every analyzer in probing order, NULL-terminated. */
extern const struct mk_analyzer_ops *const mk_analyzers[];

/* ---- fingerprints (usable alone, e.g. by tests and the indicator engine) -- */

/* A parsed ClientHello or ServerHello: views into the handshake bytes. */
struct mk_tls_hello {
    bool is_client;
    uint16_t legacy_version;
    uint16_t supported_versions[16]; /* client: offered; server: the selected one */
    size_t n_supported_versions;
    uint16_t ciphers[128]; /* client: offered; server: [0] is the chosen one */
    size_t n_ciphers;
    uint16_t extensions[64]; /* in wire order, GREASE included (filtered per method) */
    size_t n_extensions;
    uint16_t groups[32];
    size_t n_groups;
    uint8_t ec_point_formats[8];
    size_t n_ec_point_formats;
    uint16_t sig_algs[32];
    size_t n_sig_algs;
    struct mk_slice sni;
    struct mk_slice alpns[8];
    size_t n_alpns;
};

/* Parses a ClientHello or ServerHello handshake message body (after the
 * 4-byte handshake header). MK_EINVAL on malformed input. */
MK_MUST_CHECK enum mk_status mk_tls_hello_parse(const uint8_t *p, size_t n, bool is_client,
                                                struct mk_tls_hello *out);

/* JA3 / JA3S: the string (into `buf`, capped) and its MD5 in hex. */
MK_MUST_CHECK enum mk_status mk_ja3(const struct mk_tls_hello *h, struct mk_buf *buf,
                                    char hash[33]);
MK_MUST_CHECK enum mk_status mk_ja3s(const struct mk_tls_hello *h, struct mk_buf *buf,
                                     char hash[33]);
/* JA4 (FoxIO, BSD 3-Clause): 't' over TCP, 'q' over QUIC. */
void mk_ja4(const struct mk_tls_hello *h, bool quic, char out[40]);

#endif /* MK_PROTO_H */
