/* STIX patterning AST (private to src/stix and its tests): built by pattern.c,
 * walked by pattern_eval.c (mk_stix_pattern_match) and pattern_extract.c. */
#ifndef MK_STIX_PATTERN_INT_H
#define MK_STIX_PATTERN_INT_H

#include "stix/stix.h"

/* Nesting cap: brackets and parentheses open at one point, and also the height
 * of the AST (observation plus comparison nodes), so every recursive walk of a
 * parsed pattern is bounded by it. AND/OR/FOLLOWEDBY chains are n-ary nodes, so
 * a long flat chain costs one level. */
#define MK_PAT_MAX_DEPTH 64
/* Components of one object path (type:a.b[*].c has three). */
#define MK_PAT_MAX_STEPS 64

enum mk_pat_lit_type {
    MK_PAT_LIT_INT,
    MK_PAT_LIT_FLOAT,
    MK_PAT_LIT_STR,
    MK_PAT_LIT_BOOL,
    MK_PAT_LIT_TS,  /* t'...' */
    MK_PAT_LIT_HEX, /* h'...' */
    MK_PAT_LIT_BIN, /* b'...' (base64) */
};

struct mk_pat_lit {
    uint8_t type; /* enum mk_pat_lit_type */
    bool boolean;
    int64_t i;
    double f;          /* INT and FLOAT */
    struct mk_time ts; /* TS */
    const char *str;   /* STR: unescaped; HEX, BIN: decoded bytes (NUL-terminated) */
    size_t len;
    const char *text; /* INT, FLOAT, TS, BIN: as written, without quotes or '+' */
    size_t text_len;
    const char *key;  /* prefilter value (hashes lower-cased), NULL when not indexable */
    uint8_t key_kind; /* enum mk_stix_key_kind of `key` */
};

enum mk_pat_step_kind {
    MK_PAT_STEP_KEY,   /* .name or .'quoted name' */
    MK_PAT_STEP_INDEX, /* [n] */
    MK_PAT_STEP_ANY,   /* [*] */
};

struct mk_pat_step {
    uint8_t kind; /* enum mk_pat_step_kind */
    int64_t index;
    const char *key; /* NUL-terminated */
    size_t key_len;
};

struct mk_pat_path {
    const char *type; /* object type, NUL-terminated */
    size_t type_len;
    const struct mk_pat_step *steps; /* steps[0] is the first property */
    size_t n_steps;
};

enum mk_pat_op {
    MK_PAT_EQ,
    MK_PAT_NE,
    MK_PAT_GT,
    MK_PAT_LT,
    MK_PAT_GE,
    MK_PAT_LE,
    MK_PAT_IN,
    MK_PAT_LIKE,
    MK_PAT_MATCHES,
    MK_PAT_ISSUBSET,
    MK_PAT_ISSUPERSET,
    MK_PAT_EXISTS,
};

/* How a comparison feeds the prefilter (set by the parser, pattern_extract.c). */
enum mk_pat_key_class {
    MK_PAT_KEY_NONE,   /* not indexable */
    MK_PAT_KEY_STRONG, /* a key on its own */
    MK_PAT_KEY_WEAK,   /* a port: only a term of a compound key */
};

enum mk_pat_cmp_kind {
    MK_PAT_CMP_TEST,
    MK_PAT_CMP_AND,
    MK_PAT_CMP_OR,
};

struct mk_pat_cmp {
    uint8_t kind;   /* enum mk_pat_cmp_kind */
    uint8_t height; /* 1 for a test */
    struct mk_pat_cmp *next;
    /* AND, OR: n >= 2 children linked through `next` */
    struct mk_pat_cmp *first;
    size_t n;
    /* TEST */
    uint8_t op; /* enum mk_pat_op */
    bool negated;
    bool is_hash; /* a hashes.* value: compared case-insensitively */
    struct mk_pat_path path;
    struct mk_pat_lit *lits; /* 1, or the members of an IN set (may be 0) */
    size_t n_lits;
    size_t test_no;    /* 0.. in pattern order */
    uint8_t key_class; /* enum mk_pat_key_class; the kinds are in lits[].key_kind */
    uint8_t key_role;  /* enum mk_stix_key_role */
};

enum mk_pat_obs_kind {
    MK_PAT_OBS_LEAF, /* [ comparison expression ] */
    MK_PAT_OBS_AND,
    MK_PAT_OBS_OR,
    MK_PAT_OBS_FOLLOWEDBY,
    MK_PAT_OBS_WITHIN, /* qualifiers: `first` is the operand */
    MK_PAT_OBS_REPEATS,
    MK_PAT_OBS_STARTSTOP,
};

struct mk_pat_obs {
    uint8_t kind;
    uint8_t height;
    struct mk_pat_obs *next;
    struct mk_pat_obs *first;
    size_t n;
    struct mk_pat_cmp *cmp;   /* LEAF */
    struct mk_pat_lit within; /* WITHIN: the number as written */
    int64_t within_sec;
    uint32_t within_nsec;
    uint32_t repeats;
    struct mk_pat_lit start; /* STARTSTOP */
    struct mk_pat_lit stop;
};

struct mk_stix_pattern {
    struct mk_pat_obs *root;
    size_t n_tests;
};

/* Fills t's key_* fields and the `key` form of its literals. MK_ENOMEM only. */
MK_MUST_CHECK enum mk_status mk_stix_pattern_classify(struct mk_arena *a, struct mk_pat_cmp *t);

#endif /* MK_STIX_PATTERN_INT_H */
