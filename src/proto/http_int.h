/* HTTP/1.x analyzer internals (private to src/proto and its tests): fixed caps,
 * the streaming body hasher (filehash.c) and the probe. */
#ifndef MK_PROTO_HTTP_INT_H
#define MK_PROTO_HTTP_INT_H

#include "proto/proto.h"

/* Per flow the state holds two line buffers and MK_HTTP_MAX_PIPELINE
 * transactions of MK_HTTP_TX_STORE bytes each: about 50 KiB, allocated once. */
#define MK_HTTP_MAX_LINE     8192 /* request/status/header line; longer is cut, with an anomaly */
#define MK_HTTP_TX_STORE     8192 /* method, URI, version and stored headers of one transaction */
#define MK_HTTP_MAX_HEADERS  48   /* headers kept per side of a transaction; more are skipped */
#define MK_HTTP_MAX_PIPELINE 4    /* requests awaiting their response; more evict the oldest */

/* ---- streaming MD5 / SHA-1 / SHA-256 of a body (filehash.c) ---------------- */

struct evp_md_ctx_st;
struct evp_md_st;

struct mk_filehash {
    struct evp_md_ctx_st *ctx[3];  /* MD5, SHA-1, SHA-256 */
    const struct evp_md_st *md[3]; /* mk_hash_md(): shared, not owned */
    uint64_t size;                 /* body bytes seen (gaps included) */
    uint64_t hashed;               /* bytes that went into the digests */
    bool truncated;                /* stopped at the cap or at a gap */
    bool gaps;
    bool active; /* between start and finish */
};

/* Takes the process-wide digests and makes their contexts, once per flow direction.
 * MK_ENOMEM when OpenSSL refuses; mk_filehash_fini() cleans up either way. */
MK_MUST_CHECK enum mk_status mk_filehash_init(struct mk_filehash *fh);
void mk_filehash_fini(struct mk_filehash *fh);
/* A new body: resets the digests (no allocation). */
void mk_filehash_start(struct mk_filehash *fh);
/* Hashes at most the first max_bytes of the body; the rest is counted only. */
void mk_filehash_update(struct mk_filehash *fh, const uint8_t *p, size_t n, size_t max_bytes);
/* n bytes of the body were lost: hashing stops there (gaps, truncated). */
void mk_filehash_gap(struct mk_filehash *fh, uint64_t n);
/* Writes size, truncated, gaps and the hex digests into fi; inactive after. */
void mk_filehash_finish(struct mk_filehash *fh, struct mk_file_info *fi);

/* ---- probe ------------------------------------------------------------------ */

/* TOSERVER: a known method, SP, and (once the line is complete) " HTTP/1.x"
 * at its end or an HTTP/0.9 "GET /path". TOCLIENT: "HTTP/1.". */
enum mk_probe_result mk_http_probe(const uint8_t *data, size_t len, enum mk_flow_dir dir);

#endif /* MK_PROTO_HTTP_INT_H */
