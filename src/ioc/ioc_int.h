/* ioc: private layout of an indicator set (flat tables over one string arena)
 * and the normalisers shared by the builder, the lookups and the tests. The
 * design and the memory budget are in docs/internals/ioc.md. */
#ifndef MK_IOC_INT_H
#define MK_IOC_INT_H

#include "ioc/ioc.h"

/* ---- limits ------------------------------------------------------------------ */

#define MK_IOC_DOMAIN_MAX  253  /* RFC 1035 2.3.4, without the trailing dot */
#define MK_IOC_URL_MAX     2048 /* canonical URL keys longer than this are refused */
#define MK_IOC_VALUE_MAX   320  /* hashes, JA3/JA4, e-mail (RFC 5321 4.5.3.1: 64@255) */
#define MK_IOC_ENTRIES_MAX (1u << 28)
#define MK_IOC_SID_BASE    1000000000u
#define MK_IOC_SID_SPAN    1000000000u

/* ---- normalisation (normalize.c) -----------------------------------------------
 * Each writes the canonical form of its input into `out` (NUL-terminated, at
 * most cap - 1 bytes), sets *out_len and returns MK_OK; MK_EINVAL when the
 * input does not parse, MK_ELIMIT when it does not fit. No allocation, except
 * that non-ASCII domain names go through libidn2 (which allocates internally). */

/* Lower-case A-labels, no trailing dot, labels 1..63 of [a-z0-9_-], at most
 * MK_IOC_DOMAIN_MAX bytes; U-labels are converted by UTS #46 (non-transitional).
 * A leading "*." is dropped. */
MK_MUST_CHECK enum mk_status mk_ioc_norm_domain(const char *in, size_t len, char *out, size_t cap,
                                                size_t *out_len);

/* Scheme-less "host[:port]/path[?query]" (see ioc.md "URLs"). `in` may carry a
 * scheme ("hxxp" too) and user info, which are dropped. A value that starts
 * with one '/' is a path on any host: "/path[?query]". */
MK_MUST_CHECK enum mk_status mk_ioc_norm_url(const char *in, size_t len, char *out, size_t cap,
                                             size_t *out_len);

/* The same for a request: host (Host header or SNI, may carry ":port"), port
 * (0 or less: none or the one in host) and the request target (origin form
 * "/p?q", or absolute "http://h/p" whose authority then wins over `host`). */
MK_MUST_CHECK enum mk_status mk_ioc_norm_request(const char *host, int port, const char *uri,
                                                 char *out, size_t cap, size_t *out_len);

/* Lower-case value for MD5, SHA-x, JA3 (hex of the right length), JA4 and e-mail. */
MK_MUST_CHECK enum mk_status mk_ioc_norm_value(enum mk_ioc_type type, const char *in, size_t len,
                                               char *out, size_t cap, size_t *out_len);

/* An address, CIDR or address:port in text. On success *type is IPV4, IPV6,
 * CIDR4, CIDR6 or IP_PORT (host bits cleared; /32 and /128 become addresses;
 * IPv4-mapped IPv6 becomes IPv4), `bin` holds the lookup key (mk_ioc_ip_key)
 * and `text` the canonical text. */
struct mk_ioc_ip {
    enum mk_ioc_type type;
    uint8_t bin[18];
    size_t bin_len;
    char text[56];
};

MK_MUST_CHECK enum mk_status mk_ioc_parse_ip(const char *in, size_t len, struct mk_ioc_ip *out);

/* Binary lookup keys: IPV4 a[4]; IPV6 a[16]; IP_PORT a[4 or 16] + port (big
 * endian); CIDR4/CIDR6 prefix length + masked a[4 or 16]. */
bool mk_ioc_is_binary_type(enum mk_ioc_type t);
/* Clears the bits of `a` (n bytes) after the first `plen`. */
void mk_ioc_mask(uint8_t *a, size_t n, unsigned plen);

/* ---- the set ------------------------------------------------------------------ */

/* One indicator: 20 bytes. Keys live in the arena once per distinct key; for
 * binary types the canonical text follows the binary key. Duplicates of one
 * key (several sources) are adjacent and share key_off. */
struct mk_ioc_entry {
    uint32_t key_off;
    uint32_t sid;
    uint32_t meta;  /* index into mk_ioc_set.metas */
    uint32_t extra; /* index + 1 into mk_ioc_set.extras; 0 = none */
    uint16_t key_len;
    uint8_t type;
    uint8_t confidence;
};

_Static_assert(sizeof(struct mk_ioc_entry) == 20, "entry record grew");

/* What only some indicators carry (STIX ones): 20 bytes. Offsets into the
 * arena, 0 = none (the arena starts with an empty string). Validity in
 * seconds since the epoch, clamped to 32 bits (until 2106); until 0 = open. */
struct mk_ioc_extra {
    uint32_t stix_id_off;
    uint32_t name_off;
    uint32_t pattern_off;
    uint32_t valid_from;
    uint32_t valid_until;
};

/* One hash table over the entries (the main set, or the warning list). Slots
 * are (tag << idx_bits) | (first entry of a key run + 1); 0 = empty. The main
 * table also has a register-blocked Bloom filter over its keys (~1 byte a key,
 * small enough to stay in cache): mk_ioc_bloom_bits(h) must all be set in word
 * mk_ioc_bloom_word(h, bloom_mask) for the key to be in the slots, so most
 * misses never touch the slot array. */
struct mk_ioc_tables {
    struct mk_ioc_entry *entries;
    size_t n_entries;
    uint32_t *slots;
    uint64_t *bloom;     /* NULL: no filter (the warning list) */
    uint32_t mask;       /* slot count - 1 */
    uint32_t bloom_mask; /* bloom word count - 1 */
    uint8_t idx_bits;
    uint64_t cidr4_lens;     /* bit L: some CIDR4 entry has prefix length L (0..31) */
    uint64_t cidr6_lens[2];  /* bit L of the 128: CIDR6 prefix lengths (0..127) */
    uint64_t domain_lens[4]; /* bit L: some domain key is L bytes long (1..253) */
    bool has_ip_port;
    bool has_path_url; /* some URL key is a path on any host ("/gate.php") */
};

struct mk_ioc_set {
    struct mk_ioc_tables main;
    struct mk_ioc_tables warn;
    struct mk_ioc_extra *extras;
    size_t n_extras;
    struct mk_ioc_meta *metas; /* metas[0] is the empty metadata */
    size_t n_metas;
    char *arena;
    size_t arena_len;
    size_t count_type[MK_IOC_TYPE_COUNT];
};

/* ---- builder <-> set ------------------------------------------------------------ */

/* An indicator as collected (builder.c), before sorting and deduplication. */
struct mk_ioc_bentry {
    uint64_t key_off; /* into the builder's key pool */
    uint32_t key_len; /* binary or text key; binary types: text follows */
    uint32_t text_len;
    uint32_t meta;
    uint32_t stix_id_off, name_off, pattern_off; /* into the string pool, 0 = none */
    uint32_t valid_from, valid_until;
    uint32_t seq;
    uint8_t type;
    uint8_t confidence;
};

/* A growable byte array with a cap (the builder's pools). */
struct mk_ioc_pool {
    char *data;
    size_t len;
    size_t alloc;
};

struct mk_ioc_bmeta {
    uint32_t source, feed, labels, kill_chain; /* string pool offsets */
    enum mk_tlp tlp;
};

/* A superset of the names libpsl can call a public suffix, so that most names
 * skip its DAFSA walk (builder.c). Built from the list libpsl's builtin data was
 * compiled from, only when that file's SHA-1 is the one libpsl records; else
 * not ready and every name goes to libpsl. Hashes (0 = empty slot) of the last
 * two labels of every rule, and of "*.tld" for one-label wildcard rules. */
struct mk_ioc_psl_filter {
    uint64_t *slots;
    size_t mask;
    bool ready;
    bool tried;
    bool has_idn; /* some rule has a non-ASCII label among its last two: names with an
                   * A-label there always go to libpsl */
};

struct mk_ioc_builder {
    int64_t now;
    struct mk_ioc_pool strings; /* interned strings, offset 0 = "" */
    uint32_t *str_slots;        /* intern table over `strings` (offset + 1) */
    size_t str_mask, n_strs;
    struct mk_ioc_pool keys;
    struct mk_ioc_bentry *ents, *warns;
    size_t n_ents, a_ents, n_warns, a_warns;
    struct mk_ioc_bmeta *metas;
    size_t n_metas, a_metas;
    uint32_t *meta_slots; /* intern table over metas (index + 1) */
    size_t meta_mask;
    uint32_t last_meta; /* the metadata interned last (loaders repeat it per line) */
    const void *psl;    /* psl_ctx_t */
    void *psl_owned;
    struct mk_ioc_psl_filter pslf;
    size_t psl_lazy; /* domains checked by libpsl alone before the filter is built */
    bool failed;     /* an allocation failed: finish returns NULL */
};

/* builder.c: whether libpsl calls the canonical domain `name` (NUL-terminated,
 * len bytes) a public suffix, through the filter once it is built. */
bool mk_ioc_builder_is_public_suffix(struct mk_ioc_builder *b, const char *name, size_t len);

/* set.c: compiles the collected entries; does not free the builder. */
struct mk_ioc_set *mk_ioc_set_build(struct mk_ioc_builder *b);
uint64_t mk_ioc_key_hash(enum mk_ioc_type type, const void *key, size_t len);

#define MK_IOC_BLOOM_BITS_PER_KEY 8 /* ~2 % false positives with 4 bits a key in one word */

static inline uint64_t mk_ioc_bloom_mix(uint64_t h)
{
    return h * 0x9e3779b97f4a7c15ull; /* the slots use h's low and top bits */
}

static inline size_t mk_ioc_bloom_word(uint64_t h, uint32_t bloom_mask)
{
    return (size_t)(mk_ioc_bloom_mix(h) >> 40) & bloom_mask;
}

static inline uint64_t mk_ioc_bloom_bits(uint64_t h)
{
    uint64_t g = mk_ioc_bloom_mix(h);

    return 1ull << (g & 63) | 1ull << ((g >> 6) & 63) | 1ull << ((g >> 12) & 63) |
           1ull << ((g >> 18) & 63);
}

/* lookup.c: index of the first entry of the run for (type, key), or -1. */
long mk_ioc_tables_find(const struct mk_ioc_tables *t, const char *arena, enum mk_ioc_type type,
                        const void *key, size_t len);

#endif /* MK_IOC_INT_H */
