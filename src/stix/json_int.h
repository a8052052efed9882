/* Private to src/stix: the DOM builder that turns yajl callbacks into mk_json
 * values, shared by mk_json_parse() (json.c) and the streaming reader (reader.c). */
#ifndef MK_STIX_JSON_INT_H
#define MK_STIX_JSON_INT_H

#include <yajl/yajl_parse.h>

#include "stix/stix.h"

/* A value waiting for its container to close: a member (key set) or an item. */
struct jb_entry {
    const char *key;
    uint32_t key_len;
    struct mk_json value;
};

/* An open array or object: its entries start at `first` on the entry stack. */
struct jb_frame {
    size_t first;
    bool is_object;
    const char *key; /* this container's key in its parent object */
    uint32_t key_len;
};

/* Called when a value completes at the depth the hook was armed for; returns
 * true when it took the value (the builder then drops it from the stack). */
typedef bool (*jb_value_hook)(void *ctx, const struct mk_json *v);

struct jb {
    struct mk_json_limits limits;
    struct mk_arena *arena;      /* where new values go; the reader switches it */
    struct mk_arena *home_arena; /* the arena given at init, restored after a stream */
    struct jb_entry *entries;
    size_t n_entries;
    size_t cap_entries;
    struct jb_frame frames[256];
    uint32_t depth;
    const char *pending_key; /* set by a map key, consumed by the next value */
    uint32_t pending_key_len;
    uint32_t *dup_slots; /* scratch table for duplicate-key checks */
    size_t dup_cap;
    struct mk_json root;
    bool has_root;
    /* failure detail for the caller; yajl only knows "client cancelled" */
    enum mk_status status;
    char why[160];
    /* streaming: values completing at hook_depth go to hook instead */
    uint32_t hook_depth; /* 0 = off */
    jb_value_hook hook;
    void *hook_ctx;
    /* observers for the reader: called on container starts */
    void (*on_open)(void *ctx, struct jb *b, bool is_object);
};

extern const yajl_callbacks mk_jb_callbacks;

void mk_jb_init(struct jb *b, const struct mk_json_limits *limits, struct mk_arena *arena);
void mk_jb_fini(struct jb *b);
/* Forgets any partial state (after a value was delivered or on error). */
void mk_jb_reset(struct jb *b);

/* Makes a yajl handle with the configuration every caller uses. */
yajl_handle mk_jb_yajl_new(struct jb *b);
/* Turns a yajl failure into a status and a message naming `at`, the 1-based
 * byte position where parsing stopped (the input's length for a premature end). */
enum mk_status mk_jb_fail(struct jb *b, yajl_handle h, const uint8_t *chunk, size_t chunk_len,
                          size_t at, struct mk_error *err);

#endif /* MK_STIX_JSON_INT_H */
