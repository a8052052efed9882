/* ioc: indicator sets: what partners share, compiled into immutable flat
 * tables that answer at line rate: exact IPv4/IPv6 (and IP:port), CIDR
 * longest-prefix match, domains with parent-domain match, normalised URLs,
 * file hashes and JA3/JA4. Warning lists suppress known-benign hits. Sets are
 * loaded from plain lists, Maltrail trails, CSV and STIX 2.1 bundles, and are
 * swapped atomically under RCU (liburcu) without pausing lookups. */
#ifndef MK_IOC_H
#define MK_IOC_H

#include "base/base.h"
#include "stix/stix.h"

enum mk_ioc_type {
    MK_IOC_IPV4,  /* address (also what a /32 CIDR becomes) */
    MK_IOC_IPV6,  /* address (also /128) */
    MK_IOC_CIDR4, /* prefix, longest-prefix match */
    MK_IOC_CIDR6,
    MK_IOC_IP_PORT, /* address + port ("198.51.100.7:8080"): both must match */
    MK_IOC_DOMAIN,  /* matches the name and every name below it */
    MK_IOC_URL,     /* normalised "host[:port]/path[?query]", scheme-less */
    MK_IOC_MD5,
    MK_IOC_SHA1,
    MK_IOC_SHA256,
    MK_IOC_SHA512,
    MK_IOC_JA3, /* JA3 or JA3S MD5, lower-case hex */
    MK_IOC_JA4,
    MK_IOC_EMAIL,
    MK_IOC_TYPE_COUNT
};

const char *mk_ioc_type_name(enum mk_ioc_type t); /* "ipv4", "domain", ... */

enum mk_tlp {
    MK_TLP_UNSET = 0, /* no marking: the node's default applies (AMBER) */
    MK_TLP_CLEAR,
    MK_TLP_GREEN,
    MK_TLP_AMBER,
    MK_TLP_AMBER_STRICT,
    MK_TLP_RED,
};

const char *mk_tlp_name(enum mk_tlp t); /* "TLP:CLEAR", ..., "" for UNSET */
/* "TLP:AMBER+STRICT", "amber+strict", "white" (= CLEAR), ...; MK_TLP_UNSET if unknown. */
enum mk_tlp mk_tlp_parse(const char *s);
/* A STIX marking-definition id of TLP 1.0 or 2.0 (domain.md §3); UNSET if not one. */
enum mk_tlp mk_tlp_from_marking_id(const char *id);

/* ---- what an indicator carries -------------------------------------------- */

#define MK_IOC_CONFIDENCE_UNKNOWN 255

/* Attributes given when adding an indicator. Strings are copied (metadata
 * shared by many indicators is interned once per distinct value). */
struct mk_ioc_attrs {
    const char *stix_id;    /* "indicator--<uuid>" or NULL */
    const char *name;       /* short description, or NULL */
    const char *source;     /* organisation or feed name */
    const char *feed;       /* file or feed it came from */
    const char *labels;     /* comma-separated labels / indicator types, or NULL */
    const char *kill_chain; /* "kill_chain_name:phase_name,...", or NULL */
    enum mk_tlp tlp;
    uint8_t confidence;  /* 0..100, or MK_IOC_CONFIDENCE_UNKNOWN */
    int64_t valid_from;  /* seconds since the epoch; 0 = always */
    int64_t valid_until; /* 0 = open-ended */
    bool revoked;        /* revoked indicators are counted and never added */
    /* STIX pattern to evaluate before alerting when the key alone is not the
     * whole indicator (an AND, a qualifier, ...); NULL when the key is exact. */
    const char *pattern;
};

/* Metadata as interned in a set (shared by all indicators with the same). */
struct mk_ioc_meta {
    const char *source;
    const char *feed;
    const char *labels;
    const char *kill_chain;
    enum mk_tlp tlp;
};

/* One indicator that matched: views into the immutable set, valid while the
 * caller holds the set (see RCU below). */
struct mk_ioc_hit {
    uint32_t sid; /* stable signature id (same indicator => same sid across reloads) */
    enum mk_ioc_type type;
    const char *value;   /* the indicator's canonical value ("evil.example", "10.0.0.0/8") */
    const char *stix_id; /* or NULL */
    const char *name;    /* or NULL */
    const char *pattern; /* non-NULL: evaluate with mk_ioc_verify() before alerting */
    const struct mk_ioc_meta *meta;
    uint8_t confidence;
    int64_t valid_from;
    int64_t valid_until;
};

/* ---- building a set ------------------------------------------------------- */

struct mk_ioc_load_stats {
    uint64_t added;
    uint64_t duplicates;    /* same type and value as an earlier one: merged */
    uint64_t invalid;       /* lines or objects that could not be parsed */
    uint64_t revoked;       /* revoked or withdrawn: not added */
    uint64_t expired;       /* valid_until already past at load time: not added */
    uint64_t public_suffix; /* a domain that is a public suffix (com.cn): refused */
    uint64_t on_demand;     /* STIX patterns with no indexable term */
    uint64_t warnings;      /* warning-list entries */
};

struct mk_ioc_builder;

/* `now` (seconds) decides what is already expired. */
struct mk_ioc_builder *mk_ioc_builder_new(int64_t now);
void mk_ioc_builder_free(struct mk_ioc_builder *b);

/* Adds one indicator of `type` with a textual value (normalised here:
 * IDNA/lower-case domains, URL normalisation, hex case, CIDR host bits).
 * MK_EINVAL (err says why) for values that do not parse; MK_ELIMIT for a
 * domain that is a public suffix (it would match a whole country). */
MK_MUST_CHECK enum mk_status mk_ioc_builder_add(struct mk_ioc_builder *b, enum mk_ioc_type type,
                                                const char *value, size_t len,
                                                const struct mk_ioc_attrs *attrs,
                                                struct mk_error *err);

/* Adds a value to the warning list: hits on it are suppressed and counted. */
MK_MUST_CHECK enum mk_status mk_ioc_builder_add_warning(struct mk_ioc_builder *b,
                                                        enum mk_ioc_type type, const char *value,
                                                        size_t len, struct mk_error *err);

/* Adds the built-in warning list: private, loopback, link-local, CGNAT,
 * documentation-free special ranges of RFC 6890 (not the documentation
 * ranges, which test data uses), multicast and broadcast. */
MK_MUST_CHECK enum mk_status mk_ioc_builder_add_default_warnings(struct mk_ioc_builder *b);

/* Loaders. Each reads one file; lines/objects that fail are counted in stats
 * and logged (at most a few lines per file), never fatal. MK_EIO when the file
 * cannot be read. `defaults` supplies source/TLP/confidence for formats that
 * carry none (NULL = feed name from the file name, TLP unset). */
MK_MUST_CHECK enum mk_status mk_ioc_load_list(struct mk_ioc_builder *b, const char *path,
                                              const struct mk_ioc_attrs *defaults,
                                              struct mk_ioc_load_stats *stats,
                                              struct mk_error *err);

/* CSV with a header row; `map` names the columns: "value=indicator,type=kind,
 * source=org,confidence=score,tlp=tlp,valid_until=expires" (only value is
 * required; without a type column the type is guessed from each value). */
MK_MUST_CHECK enum mk_status mk_ioc_load_csv(struct mk_ioc_builder *b, const char *path,
                                             const char *map, const struct mk_ioc_attrs *defaults,
                                             struct mk_ioc_load_stats *stats, struct mk_error *err);

/* STIX 2.1 bundle (streamed): every indicator with pattern_type "stix"; its
 * prefilter keys (mk_stix_pattern_extract) become entries that carry the
 * pattern for verification unless the pattern is exactly that one key. */
MK_MUST_CHECK enum mk_status mk_ioc_load_stix(struct mk_ioc_builder *b, const char *path,
                                              const struct mk_ioc_attrs *defaults,
                                              struct mk_ioc_load_stats *stats,
                                              struct mk_error *err);

/* Chooses the loader by content: a JSON object/array -> STIX, a CSV header
 * with commas -> CSV (value column guessed), otherwise a list (plain or
 * Maltrail). */
MK_MUST_CHECK enum mk_status mk_ioc_load_file(struct mk_ioc_builder *b, const char *path,
                                              const struct mk_ioc_attrs *defaults,
                                              struct mk_ioc_load_stats *stats,
                                              struct mk_error *err);

/* Guesses the type of a bare value: "1.2.3.4" IPV4, "1.2.3.0/24" CIDR4,
 * "1.2.3.4:80" IP_PORT, 32/40/64/128 hex digits MD5/SHA1/SHA256/SHA512,
 * "t13d..." JA4, contains '/' URL, contains '@' EMAIL, else DOMAIN. */
MK_MUST_CHECK enum mk_status mk_ioc_guess_type(const char *value, size_t len,
                                               enum mk_ioc_type *out);

struct mk_ioc_set; /* immutable once built */

/* Compiles the builder into a set (the builder is consumed and freed). */
struct mk_ioc_set *mk_ioc_builder_finish(struct mk_ioc_builder *b);
void mk_ioc_set_free(struct mk_ioc_set *s);
size_t mk_ioc_set_count(const struct mk_ioc_set *s);
size_t mk_ioc_set_count_type(const struct mk_ioc_set *s, enum mk_ioc_type t);
/* Resident bytes of the whole set (tables, strings, metadata). */
size_t mk_ioc_set_memory(const struct mk_ioc_set *s);

/* ---- lookups ---------------------------------------------------------------
 * Each writes up to `max` hits into `out` and returns how many. Indicators not
 * valid at `now` (before valid_from, after valid_until) never hit. A value on
 * the warning list returns 0 and bumps *suppressed. No allocation. */

/* addr: 16 bytes, IPv4 as ::ffff:a.b.c.d. Exact address, address:port, and the
 * longest CIDR prefix that contains it. */
size_t mk_ioc_match_ip(const struct mk_ioc_set *s, const uint8_t addr[16], uint16_t port,
                       int64_t now, struct mk_ioc_hit *out, size_t max, uint64_t *suppressed);
/* name as seen on the wire (any case, trailing dot allowed, U-labels allowed). */
size_t mk_ioc_match_domain(const struct mk_ioc_set *s, const char *name, size_t len, int64_t now,
                           struct mk_ioc_hit *out, size_t max, uint64_t *suppressed);
/* host (Host header or SNI) and the request target ("/path?q" or absolute). */
size_t mk_ioc_match_url(const struct mk_ioc_set *s, const char *host, int port, const char *uri,
                        int64_t now, struct mk_ioc_hit *out, size_t max, uint64_t *suppressed);
/* MD5/SHA1/SHA256/SHA512/JA3/JA4/EMAIL: the value as text (any hex case). */
size_t mk_ioc_match_value(const struct mk_ioc_set *s, enum mk_ioc_type type, const char *value,
                          size_t len, int64_t now, struct mk_ioc_hit *out, size_t max,
                          uint64_t *suppressed);

/* ---- verification of STIX patterns ------------------------------------------ */

/* What the sensor observed, as a STIX observation would describe it. Any
 * field may be absent (NULL / 0). */
struct mk_ioc_observation {
    int64_t ts_sec;
    const uint8_t *src_ip; /* 16 bytes, IPv4-mapped */
    const uint8_t *dst_ip;
    uint16_t src_port;
    uint16_t dst_port;
    const char *protocol; /* "tcp", "udp" */
    const char *domain;   /* DNS query name, HTTP host or SNI */
    const char *url;      /* "http://host/path" */
    const char *md5;
    const char *sha1;
    const char *sha256;
    const char *ja3;
    const char *ja4;
};

/* Per-worker state for verification: a scratch arena and the bounded history
 * of observations that temporal patterns (WITHIN, REPEATS, FOLLOWEDBY,
 * START/STOP) are evaluated against. */
struct mk_ioc_verifier;

struct mk_ioc_verifier *mk_ioc_verifier_new(void);
void mk_ioc_verifier_free(struct mk_ioc_verifier *v);

/* True when the hit's pattern holds for this observation (and the history of
 * earlier observations that proposed the same indicator). Hits without a
 * pattern are true. */
bool mk_ioc_verify(struct mk_ioc_verifier *v, const struct mk_ioc_hit *hit,
                   const struct mk_ioc_observation *obs);

/* ---- atomic reload (RCU) ------------------------------------------------------
 * The current set is published with rcu_assign_pointer; readers (worker
 * threads registered with liburcu's QSBR flavour) see either the old or the
 * new set, never a mix, and the old one is freed after every reader passed a
 * quiescent state. */

struct mk_ioc_handle;

struct mk_ioc_handle *mk_ioc_handle_new(struct mk_ioc_set *initial); /* takes the set */
/* Frees the current set; no reader may still use it. */
void mk_ioc_handle_free(struct mk_ioc_handle *h);
/* Publishes `next` (taken), waits for readers, frees the previous set. Must
 * be called from a thread that is NOT registered as a reader. */
void mk_ioc_handle_publish(struct mk_ioc_handle *h, struct mk_ioc_set *next);

/* Reader side, for worker threads. */
void mk_ioc_reader_register(void);
void mk_ioc_reader_unregister(void);
/* The current set; valid until the caller's next mk_ioc_reader_quiescent(). */
const struct mk_ioc_set *mk_ioc_handle_get(const struct mk_ioc_handle *h);
/* Says "I hold no set now" (call between packets or batches, and when idle). */
void mk_ioc_reader_quiescent(void);
void mk_ioc_reader_offline(void); /* before blocking for long */
void mk_ioc_reader_online(void);

#endif /* MK_IOC_H */
