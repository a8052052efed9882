/* base: the vocabulary every mekong module shares: status codes, error buffers,
 * slices, capped buffers, arenas, logging, time, UUIDs, UTF-8, hashes and the
 * streaming JSON writer. Depends on libc, OpenSSL libcrypto and xxhash only. */
#ifndef MK_BASE_H
#define MK_BASE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MK_MUST_CHECK   __attribute__((warn_unused_result))
#define MK_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define MK_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- status ---------------------------------------------------------------- */

enum mk_status {
    MK_OK = 0,
    MK_ENOMEM = -1,    /* allocation failed */
    MK_EINVAL = -2,    /* input is malformed */
    MK_ETRUNC = -3,    /* input ended early */
    MK_ELIMIT = -4,    /* a configured cap was hit */
    MK_EAGAIN = -5,    /* need more input */
    MK_ENOTFOUND = -6, /* no such item */
    MK_EIO = -7,       /* the operating system refused */
};

/* Static, human-readable name of a status ("invalid input", ...). */
const char *mk_status_str(enum mk_status st);

/* Detail for a human, filled by the callee and logged once by the caller
 * (like pcap's errbuf). `path` is a JSON pointer or field name, may be empty. */
struct mk_error {
    char msg[256];
    char path[256];
};

void mk_error_set(struct mk_error *err, const char *path, const char *fmt, ...) MK_PRINTF(3, 4);
void mk_error_clear(struct mk_error *err);

/* ---- slices ---------------------------------------------------------------- */

struct mk_slice {
    const uint8_t *ptr;
    size_t len;
};

#define MK_SLICE_LIT(s) ((struct mk_slice){(const uint8_t *)(s), sizeof(s) - 1})

struct mk_slice mk_slice_cstr(const char *s);
bool mk_slice_eq(struct mk_slice a, struct mk_slice b);
bool mk_slice_eq_cstr(struct mk_slice a, const char *s);
bool mk_slice_has_prefix(struct mk_slice a, const char *prefix);

/* ---- capped growable buffer (curl's dynbuf) -------------------------------- */

struct mk_buf {
    uint8_t *data; /* NUL-terminated once allocated (after the first append) */
    size_t len;
    size_t alloc;
    size_t max; /* appends beyond `max` bytes fail with MK_ELIMIT (max <= SIZE_MAX / 2) */
};

void mk_buf_init(struct mk_buf *b, size_t max);
void mk_buf_fini(struct mk_buf *b);
void mk_buf_reset(struct mk_buf *b); /* keeps the allocation */
MK_MUST_CHECK enum mk_status mk_buf_append(struct mk_buf *b, const void *p, size_t n);
MK_MUST_CHECK enum mk_status mk_buf_putc(struct mk_buf *b, char c);
MK_MUST_CHECK enum mk_status mk_buf_printf(struct mk_buf *b, const char *fmt, ...) MK_PRINTF(2, 3);

/* ---- arena ----------------------------------------------------------------- */

/* A bump allocator of chained blocks. Memory lives until mk_arena_reset() or
 * mk_arena_fini(); reset keeps the first block so steady-state use allocates
 * nothing. Total bytes handed out are capped by `max` (0 = unlimited). */
struct mk_arena_block;

struct mk_arena {
    struct mk_arena_block *head;
    size_t block_size;
    size_t max;
    size_t used; /* bytes handed out since the last reset */
    size_t peak; /* highest `used` ever seen */
};

void mk_arena_init(struct mk_arena *a, size_t block_size, size_t max);
void mk_arena_fini(struct mk_arena *a);
void mk_arena_reset(struct mk_arena *a);
/* 16-byte aligned; NULL when the cap is hit or malloc fails. */
void *mk_arena_alloc(struct mk_arena *a, size_t n);
/* Copies n bytes and appends a NUL. */
char *mk_arena_strndup(struct mk_arena *a, const void *p, size_t n);

/* ---- logging --------------------------------------------------------------- */

enum mk_log_level { MK_LOG_ERROR, MK_LOG_WARN, MK_LOG_INFO, MK_LOG_DEBUG };

/* Lines go to stderr as "mekong: level: message". The level threshold is
 * process-wide configuration set once at start-up by the command. */
void mk_log_set_level(enum mk_log_level level);
void mk_log(enum mk_log_level level, const char *fmt, ...) MK_PRINTF(2, 3);

/* ---- time ------------------------------------------------------------------ */

struct mk_time {
    int64_t sec;    /* seconds since 1970-01-01T00:00:00Z */
    uint32_t nsec;  /* 0..999999999 */
    uint8_t digits; /* fractional digits as written (0..9), for round trips */
};

/* RFC 3339 date-time (section 5.6), 'T' and 'Z' in either case. With `require_utc`,
 * only the "Z" offset is accepted, as STIX 2.1 requires. Fractions keep at most 9
 * digits (more are read and truncated). A leap second (:60, only at 23:59 UTC) is
 * accepted and folded into :59. MK_EINVAL on anything else. */
MK_MUST_CHECK enum mk_status mk_time_parse_rfc3339(const char *s, size_t n, bool require_utc,
                                                   struct mk_time *out);
/* -1, 0, 1 */
int mk_time_cmp(const struct mk_time *a, const struct mk_time *b);
/* Writes "YYYY-MM-DDTHH:MM:SS[.fff]Z" with t->digits fraction digits; needs 31 bytes. */
size_t mk_time_format(const struct mk_time *t, char out[32]);

/* ---- UUID (RFC 4122 / RFC 9562) --------------------------------------------- */

/* Parses the canonical 36-character lower- or upper-case form. */
MK_MUST_CHECK enum mk_status mk_uuid_parse(const char *s, size_t n, uint8_t out[16]);
void mk_uuid_format(const uint8_t u[16], char out[37]);
int mk_uuid_version(const uint8_t u[16]);
bool mk_uuid_is_rfc4122_variant(const uint8_t u[16]);
MK_MUST_CHECK enum mk_status mk_uuid_v4(uint8_t out[16]);
void mk_uuid_v5(const uint8_t ns[16], const void *name, size_t n, uint8_t out[16]);

/* ---- UTF-8 ----------------------------------------------------------------- */

/* Strict RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF.
 * On failure *bad_off (if not NULL) is the offset where the first invalid or
 * truncated sequence starts. */
bool mk_utf8_valid(const uint8_t *p, size_t n, size_t *bad_off);

/* ---- hashes ---------------------------------------------------------------- */

enum mk_hash_alg { MK_HASH_MD5, MK_HASH_SHA1, MK_HASH_SHA256, MK_HASH_COUNT };

/* The digest fetched once per process (OpenSSL EVP_MD, shared, never to be
 * freed by the caller): pass it to EVP_DigestInit_ex instead of EVP_md5() and
 * friends, which fetch again on every init. NULL if OpenSSL has no such digest. */
const struct evp_md_st *mk_hash_md(enum mk_hash_alg alg);
void mk_hash_md5(const void *p, size_t n, uint8_t out[16]);
void mk_hash_sha1(const void *p, size_t n, uint8_t out[20]);
void mk_hash_sha256(const void *p, size_t n, uint8_t out[32]);
/* HMAC-SHA256 (RFC 2104) with a key of at most 64 bytes (false otherwise or
 * when OpenSSL fails): HKDF for QUIC's Initial keys. */
MK_MUST_CHECK bool mk_hmac_sha256(const uint8_t *key, size_t klen, const uint8_t *msg, size_t mlen,
                                  uint8_t out[32]);
uint64_t mk_hash64(const void *p, size_t n, uint64_t seed); /* XXH3 */
/* Lower-case hex; out needs 2n+1 bytes. */
void mk_hex_encode(const uint8_t *p, size_t n, char *out);

/* ---- addresses as text ----------------------------------------------------- */

/* inet_ntop's text for 4 or 16 network-order bytes, NUL-terminated; returns its
 * length. Without sprintf: EVE prints two addresses per event. */
size_t mk_ipv4_format(const uint8_t b[4], char out[16]);
size_t mk_ipv6_format(const uint8_t b[16], char out[46]);

/* ---- frames ---------------------------------------------------------------- */

/* One captured frame as capture hands it to decode (borrowed bytes). It lives
 * in base because both modules speak it and neither may use the other. */
struct mk_frame {
    int64_t ts_sec;
    uint32_t ts_nsec;
    uint32_t caplen;  /* bytes present in data */
    uint32_t wirelen; /* bytes on the wire */
    int linktype;     /* libpcap DLT_ value (decode.h: enum mk_linktype) */
    uint32_t iface;   /* index into the sensor's list of inputs */
    const uint8_t *data;
};

/* ---- streaming JSON writer ------------------------------------------------- */

#define MK_JW_MAX_DEPTH 128

/* Writes RFC 8259 JSON into a capped mk_buf. Commas and indentation (`indent`
 * spaces per level, 0 = compact) are the writer's business; the caller only says
 * what comes next. Strings are escaped (control characters, '"', '\\'; each
 * maximal invalid UTF-8 subpart becomes one U+FFFD). Errors are sticky, the first
 * one wins: MK_ELIMIT at the buffer's cap or when nesting would reach
 * MK_JW_MAX_DEPTH, MK_EINVAL for a close without an open. Check mk_jw_status()
 * once at the end. */
struct mk_jw {
    struct mk_buf *out;
    int depth;
    int indent; /* 0 = compact */
    enum mk_status status;
    bool after_key;
    bool has_items[MK_JW_MAX_DEPTH];
};

void mk_jw_init(struct mk_jw *w, struct mk_buf *out, int indent);
void mk_jw_obj_open(struct mk_jw *w);
void mk_jw_obj_close(struct mk_jw *w);
void mk_jw_arr_open(struct mk_jw *w);
void mk_jw_arr_close(struct mk_jw *w);
void mk_jw_key(struct mk_jw *w, const char *key, size_t n);
void mk_jw_key_cstr(struct mk_jw *w, const char *key);
void mk_jw_str(struct mk_jw *w, const char *s, size_t n);
void mk_jw_str_cstr(struct mk_jw *w, const char *s);

/* Keys known when compiling, for writers that print the same keys millions of
 * times (EVE): MK_JW_LIT("src_ip") holds ,"src_ip": so one copy writes the
 * separator and the key, with no length count and no escaping scan. The key
 * must need no escaping (a plain ASCII name). */
struct mk_jw_lit {
    const char *text; /* ,"key": */
    size_t len;
};

#define MK_JW_LIT_INIT(key)                                                                        \
    {                                                                                              \
        ",\"" key "\":", sizeof(",\"" key "\":") - 1                                               \
    }
#define MK_JW_LIT(key) ((struct mk_jw_lit)MK_JW_LIT_INIT(key))
void mk_jw_key_lit(struct mk_jw *w, struct mk_jw_lit key);
/* A string value that needs no escaping because mekong made it (printable
 * ASCII without '"' or '\\': timestamps, addresses, hex, names from its own
 * tables). Never for bytes from the network. Debug builds check it (an invalid
 * one sets MK_EINVAL); release builds trust it. */
void mk_jw_str_plain(struct mk_jw *w, const char *s, size_t n);
/* A literal key and its value in one call (one room check, one append), the
 * same output as mk_jw_key_lit followed by mk_jw_uint or mk_jw_str_plain. */
void mk_jw_kv_uint(struct mk_jw *w, struct mk_jw_lit key, uint64_t v);
void mk_jw_kv_plain(struct mk_jw *w, struct mk_jw_lit key, const char *s, size_t n);
void mk_jw_raw_number(struct mk_jw *w, const char *s, size_t n); /* already valid JSON */
void mk_jw_int(struct mk_jw *w, int64_t v);
void mk_jw_uint(struct mk_jw *w, uint64_t v);
void mk_jw_double(struct mk_jw *w, double v);
void mk_jw_bool(struct mk_jw *w, bool v);
void mk_jw_null(struct mk_jw *w);
MK_MUST_CHECK enum mk_status mk_jw_status(const struct mk_jw *w);

#endif /* MK_BASE_H */
