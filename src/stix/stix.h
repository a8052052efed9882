/* stix: STIX 2.1 for mekong: the JSON codec every module reads with, a streaming
 * bundle reader, the object model (type table, common properties, typed views),
 * validation of the specification's MUST rules, and STIX patterning (parse,
 * evaluate, extract prefilter keys). */
#ifndef MK_STIX_H
#define MK_STIX_H

#include <stdio.h>

#include "base/base.h"

/* ==== JSON values ===========================================================
 * The JSON codec of the project (clarifications.md: chosen once by measurement,
 * see bench/RESULTS.md): yajl's callback parser plus the checks it lacks (depth
 * cap, duplicate keys, strict UTF-8, size caps). Values live in a caller's arena
 * and are immutable; objects keep their members in input order so that unknown
 * properties and extensions survive a parse -> write round trip. */

enum mk_json_type {
    MK_JSON_NULL,
    MK_JSON_BOOL,
    MK_JSON_NUMBER,
    MK_JSON_STRING,
    MK_JSON_ARRAY,
    MK_JSON_OBJECT,
};

struct mk_json_member;

struct mk_json {
    uint8_t type; /* enum mk_json_type */
    bool boolean; /* MK_JSON_BOOL */
    uint32_t len; /* bytes of str (STRING, NUMBER), items (ARRAY), members (OBJECT) */

    union {
        const char *str; /* NUL-terminated; a string may also hold NULs (\u0000) */
        const struct mk_json *items;
        const struct mk_json_member *members;
    } u;
};

struct mk_json_member {
    const char *key; /* NUL-terminated */
    uint32_t key_len;
    struct mk_json value;
};

/* Caps on what an attacker-supplied document may make us hold. */
struct mk_json_limits {
    uint32_t max_depth;     /* nesting of arrays and objects */
    size_t max_string;      /* bytes of one string or key */
    size_t max_value_bytes; /* arena bytes for one value (one STIX object) */
};

#define MK_JSON_LIMITS_DEFAULT                                                                     \
    ((struct mk_json_limits){                                                                      \
        .max_depth = 64, .max_string = 16u << 20, .max_value_bytes = 256u << 20})

/* Parses one complete JSON text into `a`. Errors: MK_EINVAL (syntax, duplicate
 * key, bad UTF-8), MK_ELIMIT (a cap), MK_ENOMEM; err->msg names the byte offset. */
MK_MUST_CHECK enum mk_status mk_json_parse(const void *p, size_t n,
                                           const struct mk_json_limits *limits, struct mk_arena *a,
                                           const struct mk_json **out, struct mk_error *err);

/* Member lookup by key; NULL when absent or when obj is not an object. */
const struct mk_json *mk_json_get(const struct mk_json *obj, const char *key);
bool mk_json_is_str(const struct mk_json *v, const char *s);
/* True when v is a number written as an integer that fits in int64_t. */
bool mk_json_get_int(const struct mk_json *v, int64_t *out);
double mk_json_number(const struct mk_json *v);

/* Writes v through the JSON writer. With `sort_keys`, members of every object
 * are written in byte order of their keys (RFC 8785 order for ASCII keys);
 * otherwise in input order. Numbers keep the text they were read with. */
void mk_json_write(struct mk_jw *w, const struct mk_json *v, bool sort_keys);

/* ==== streaming reader ======================================================
 * Reads a bundle (streaming the elements of its "objects" array one at a time),
 * a single STIX object, or a top-level array of objects, from chunks of any size.
 * Each object is built in an arena that is reset after the callback returns, so
 * memory stays at about twice the largest object plus a constant however large
 * the input. */

enum mk_stix_doc_kind {
    MK_STIX_DOC_UNKNOWN,
    MK_STIX_DOC_BUNDLE, /* {"type": "bundle", "objects": [...]} */
    MK_STIX_DOC_OBJECT, /* one object */
    MK_STIX_DOC_ARRAY,  /* [obj, obj, ...] */
};

/* Called once per object; `index` counts from 0 in input order. The object
 * and everything in it are valid only during the call. Returning non-MK_OK
 * stops the reader with that status. */
typedef enum mk_status (*mk_stix_object_fn)(void *ctx, const struct mk_json *obj, size_t index);

struct mk_stix_reader;

struct mk_stix_reader *mk_stix_reader_new(const struct mk_json_limits *limits, mk_stix_object_fn fn,
                                          void *ctx);
void mk_stix_reader_free(struct mk_stix_reader *r);
/* MK_OK to go on; any error is final for this reader (err says where). */
MK_MUST_CHECK enum mk_status mk_stix_reader_feed(struct mk_stix_reader *r, const void *p, size_t n,
                                                 struct mk_error *err);
MK_MUST_CHECK enum mk_status mk_stix_reader_finish(struct mk_stix_reader *r, struct mk_error *err);
enum mk_stix_doc_kind mk_stix_reader_kind(const struct mk_stix_reader *r);
/* A bundle's own members other than "objects" (type, id, custom ones), valid
 * after mk_stix_reader_finish() until the reader is freed; NULL otherwise. */
const struct mk_json *mk_stix_reader_envelope(const struct mk_stix_reader *r);
/* During the callbacks of a bundle: the members that came before "objects"
 * (usually type and id), so output can start before the input ends; or NULL. */
const struct mk_json *mk_stix_reader_envelope_head(const struct mk_stix_reader *r);
size_t mk_stix_reader_objects(const struct mk_stix_reader *r);
/* Largest arena use of one object, in bytes (for the memory figures). */
size_t mk_stix_reader_peak_object_bytes(const struct mk_stix_reader *r);

/* Feeds a whole stream in 64 KiB chunks and finishes. */
MK_MUST_CHECK enum mk_status mk_stix_reader_read_file(struct mk_stix_reader *r, FILE *f,
                                                      struct mk_error *err);

/* ==== object model ========================================================== */

enum mk_stix_type {
    MK_STIX_TYPE_UNKNOWN = 0, /* custom or future types: kept, validated generically */
    /* domain objects (SDO) */
    MK_STIX_ATTACK_PATTERN,
    MK_STIX_CAMPAIGN,
    MK_STIX_COURSE_OF_ACTION,
    MK_STIX_GROUPING,
    MK_STIX_IDENTITY,
    MK_STIX_INCIDENT,
    MK_STIX_INDICATOR,
    MK_STIX_INFRASTRUCTURE,
    MK_STIX_INTRUSION_SET,
    MK_STIX_LOCATION,
    MK_STIX_MALWARE,
    MK_STIX_MALWARE_ANALYSIS,
    MK_STIX_NOTE,
    MK_STIX_OBSERVED_DATA,
    MK_STIX_OPINION,
    MK_STIX_REPORT,
    MK_STIX_THREAT_ACTOR,
    MK_STIX_TOOL,
    MK_STIX_VULNERABILITY,
    /* relationship objects (SRO) */
    MK_STIX_RELATIONSHIP,
    MK_STIX_SIGHTING,
    /* cyber-observable objects (SCO) */
    MK_STIX_ARTIFACT,
    MK_STIX_AUTONOMOUS_SYSTEM,
    MK_STIX_DIRECTORY,
    MK_STIX_DOMAIN_NAME,
    MK_STIX_EMAIL_ADDR,
    MK_STIX_EMAIL_MESSAGE,
    MK_STIX_FILE,
    MK_STIX_IPV4_ADDR,
    MK_STIX_IPV6_ADDR,
    MK_STIX_MAC_ADDR,
    MK_STIX_MUTEX,
    MK_STIX_NETWORK_TRAFFIC,
    MK_STIX_PROCESS,
    MK_STIX_SOFTWARE,
    MK_STIX_URL,
    MK_STIX_USER_ACCOUNT,
    MK_STIX_WINDOWS_REGISTRY_KEY,
    MK_STIX_X509_CERTIFICATE,
    /* meta objects */
    MK_STIX_EXTENSION_DEFINITION,
    MK_STIX_LANGUAGE_CONTENT,
    MK_STIX_MARKING_DEFINITION,
    MK_STIX_BUNDLE,
    MK_STIX_TYPE_COUNT
};

enum mk_stix_kind {
    MK_STIX_KIND_CUSTOM, /* not in the specification */
    MK_STIX_KIND_SDO,
    MK_STIX_KIND_SRO,
    MK_STIX_KIND_SCO,
    MK_STIX_KIND_META,
    MK_STIX_KIND_BUNDLE,
};

enum mk_stix_type mk_stix_type_from_name(const char *name, size_t n);
const char *mk_stix_type_name(enum mk_stix_type t); /* NULL for UNKNOWN */
enum mk_stix_kind mk_stix_type_kind(enum mk_stix_type t);

/* The properties shared by most objects, read without copying (views into the
 * object's arena). Absent strings have ptr == NULL. */
struct mk_stix_common {
    enum mk_stix_type type;
    struct mk_slice type_name;
    struct mk_slice id;
    struct mk_slice spec_version;
    struct mk_slice created_by_ref;
    struct mk_time created;
    struct mk_time modified;
    bool has_created;
    bool has_modified;
    bool revoked;
    int confidence;                            /* 0..100, or -1 when absent */
    const struct mk_json *labels;              /* array or NULL */
    const struct mk_json *object_marking_refs; /* array or NULL */
    const struct mk_json *external_references; /* array or NULL */
};

/* Never fails: missing or mistyped properties are left empty (validation is
 * mk_stix_validate_object's job). */
void mk_stix_common_read(const struct mk_json *obj, struct mk_stix_common *out);

/* An indicator's properties that matching needs. */
struct mk_stix_indicator {
    struct mk_stix_common common;
    struct mk_slice name;
    struct mk_slice pattern;
    struct mk_slice pattern_type; /* "stix", "snort", ... */
    struct mk_time valid_from;
    struct mk_time valid_until;
    bool has_valid_until;
    const struct mk_json *kill_chain_phases; /* array or NULL */
    const struct mk_json *indicator_types;   /* array or NULL */
};

/* MK_EINVAL when obj is not an indicator with a pattern and valid_from. */
MK_MUST_CHECK enum mk_status mk_stix_indicator_read(const struct mk_json *obj,
                                                    struct mk_stix_indicator *out);

/* The STIX 2.1 namespace for deterministic SCO ids (section 2.9). */
extern const uint8_t mk_stix_sco_namespace[16];

/* ==== validation ============================================================
 * The specification's MUST rules are errors; SHOULD rules are warnings
 * (clarifications.md, following stix2-validator's musts/shoulds split). Each
 * finding names the object id and a JSON pointer into the object. */

enum mk_stix_severity {
    MK_STIX_ERROR,
    MK_STIX_WARNING,
};

struct mk_stix_diag {
    enum mk_stix_severity severity;
    const char *id;   /* the object's id, or "(no id)" */
    const char *path; /* JSON pointer, "" for the object itself */
    const char *msg;
};

typedef void (*mk_stix_diag_fn)(void *ctx, const struct mk_stix_diag *d);

struct mk_stix_validator {
    mk_stix_diag_fn fn; /* may be NULL: only count */
    void *ctx;
    size_t errors; /* totals since init */
    size_t warnings;
    bool strict;             /* --strict: report SHOULD findings as errors (false after init) */
    struct mk_arena scratch; /* patterns parsed while validating; reset per object */
};

void mk_stix_validator_init(struct mk_stix_validator *v, mk_stix_diag_fn fn, void *ctx);
void mk_stix_validator_fini(struct mk_stix_validator *v);
/* Checks one object; returns the number of errors found in it (with `strict`,
 * warnings count as errors). The diag strings are valid only during fn. */
size_t mk_stix_validate_object(struct mk_stix_validator *v, const struct mk_json *obj);
/* Checks a bundle's envelope (type, id, no spec_version requirement). */
size_t mk_stix_validate_bundle_envelope(struct mk_stix_validator *v, const struct mk_json *env);

/* ==== patterning ============================================================
 * STIX 2.1 patterning (part 9 of the specification): the full grammar into an
 * AST, evaluation against observed data, and extraction of prefilter keys. */

struct mk_stix_pattern; /* AST, owned by the arena it was parsed into */

/* Parses a pattern. On MK_EINVAL err->msg says what was expected and where
 * ("column 17: expected ']' ..."). MK_ELIMIT when nesting passes 64 levels. */
MK_MUST_CHECK enum mk_status mk_stix_pattern_parse(struct mk_arena *a, const char *s, size_t n,
                                                   const struct mk_stix_pattern **out,
                                                   struct mk_error *err);

/* Writes the pattern back in a normalised form (single spaces, explicit
 * parentheses where precedence needs them). */
MK_MUST_CHECK enum mk_status mk_stix_pattern_format(const struct mk_stix_pattern *p,
                                                    struct mk_buf *out);

/* One observation: an observed-data object's window and count, and the
 * cyber-observables it refers to. `_ref` properties are resolved among
 * `objects` by "id", or by the key of a STIX 2.0-style "objects" dictionary. */
struct mk_stix_observation {
    struct mk_time first_observed;
    struct mk_time last_observed;
    uint32_t number_observed;
    const struct mk_json *const *objects; /* SCOs */
    const char *const *keys;              /* dictionary keys, or NULL */
    size_t n_objects;
};

/* True when the observations (any order) satisfy the pattern, including its
 * observation operators and qualifiers (AND, OR, FOLLOWEDBY, WITHIN, REPEATS,
 * START/STOP); semantics in docs/internals/pattern.md. MATCHES is POSIX ERE.
 * The search over sets of observations is bounded (1024 candidates per
 * sub-expression, 2^24 steps, 64 MiB scratch): past a bound a match may be
 * missed, never invented. Allocates scratch memory of its own; no side effects. */
bool mk_stix_pattern_match(const struct mk_stix_pattern *p, const struct mk_stix_observation *obs,
                           size_t n_obs);

/* What a fast matcher can index. */
enum mk_stix_key_kind {
    MK_STIX_KEY_IPV4,     /* value: address or CIDR */
    MK_STIX_KEY_IPV6,     /* value: address or CIDR */
    MK_STIX_KEY_DOMAIN,   /* domain-name:value */
    MK_STIX_KEY_URL,      /* url:value */
    MK_STIX_KEY_EMAIL,    /* email-addr:value */
    MK_STIX_KEY_HASH_MD5, /* file:hashes.MD5 ... (lower-case hex) */
    MK_STIX_KEY_HASH_SHA1,
    MK_STIX_KEY_HASH_SHA256,
    MK_STIX_KEY_HASH_SHA512,
    MK_STIX_KEY_JA3, /* JA3 MD5, lower-case hex */
    MK_STIX_KEY_JA4,
    MK_STIX_KEY_PORT, /* network-traffic src_port/dst_port, decimal */
};

enum mk_stix_key_role {
    MK_STIX_ROLE_ANY, /* the value itself, e.g. ipv4-addr:value */
    MK_STIX_ROLE_SRC, /* network-traffic:src_ref... / src_port */
    MK_STIX_ROLE_DST, /* network-traffic:dst_ref... / dst_port */
};

struct mk_stix_key_term {
    enum mk_stix_key_kind kind;
    enum mk_stix_key_role role;
    bool is_cidr;      /* from ISSUBSET, or a value with a '/' prefix length */
    const char *value; /* as written in the pattern, unescaped; arena-owned */
};

#define MK_STIX_KEY_MAX_TERMS 4

/* One prefilter key: all its terms must hold on one object (a compound key for
 * an AND of equalities, e.g. dst_ref.value and dst_port). */
struct mk_stix_key {
    size_t n_terms;
    struct mk_stix_key_term terms[MK_STIX_KEY_MAX_TERMS];
};

typedef void (*mk_stix_key_fn)(void *ctx, const struct mk_stix_key *key);

/* Calls fn once per prefilter key: one per disjunct of an OR. Returns the
 * number of keys; 0 means the pattern has no indexable term (or more than
 * 16384 keys) and can only be evaluated on demand; fn is then never called.
 * A key only proposes the indicator: the caller must still evaluate the whole
 * pattern (mk_stix_pattern_match) before alerting. The key struct is valid
 * during the call; term values live in the pattern's arena. */
size_t mk_stix_pattern_extract(const struct mk_stix_pattern *p, mk_stix_key_fn fn, void *ctx);

#endif /* MK_STIX_H */
