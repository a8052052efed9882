/* HTTP/1.x analyzer internals (private to src/proto and its tests): fixed caps,
 * the streaming body hasher (filehash.c) and the probe. */
#ifndef MK_PROTO_HTTP_INT_H
#define MK_PROTO_HTTP_INT_H

#include "proto/proto.h"

/* Per flow the state holds a line buffer per direction and up to
 * MK_HTTP_MAX_PIPELINE transactions with a string store each. All of them grow
 * on demand (doubling) up to the caps below and shrink back when the long
 * lines, big header blocks or pipelined requests are over: an idle keep-alive
 * flow holds about 2 KiB, the worst case is still about 50 KiB. */
#define MK_HTTP_MAX_LINE     8192 /* request/status/header line; longer is cut, with an anomaly */
#define MK_HTTP_TX_STORE     8192 /* method, URI, version and stored headers of one transaction */
#define MK_HTTP_MAX_HEADERS  48   /* headers kept per side of a transaction; more are skipped */
#define MK_HTTP_MAX_PIPELINE 4    /* requests awaiting their response; more evict the oldest */
#define MK_HTTP_LINE_MIN     256  /* first size of a line buffer */
#define MK_HTTP_LINE_KEEP    1024 /* a line buffer grown beyond this is freed after its block */
#define MK_HTTP_STORE_MIN    256  /* first size of a transaction's store */
#define MK_HTTP_STORE_KEEP   2048 /* a store grown beyond this is freed with its transaction */

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

/* Prepares a flow direction's hasher; the digest contexts are made by the
 * first mk_filehash_start() (most directions never carry a body), so this
 * does not allocate and returns MK_OK. mk_filehash_fini() cleans up. */
MK_MUST_CHECK enum mk_status mk_filehash_init(struct mk_filehash *fh);
void mk_filehash_fini(struct mk_filehash *fh);
/* A new body: resets the digests; the first one takes the process-wide
 * digests and makes the contexts (when OpenSSL refuses, the file is reported
 * truncated, without hashes), later ones do not allocate. */
void mk_filehash_start(struct mk_filehash *fh);
/* Heap bytes the contexts hold (an estimate of OpenSSL's allocations), 0 before
 * the first body. */
size_t mk_filehash_bytes(const struct mk_filehash *fh);
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
