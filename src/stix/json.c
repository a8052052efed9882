/* The JSON codec: yajl's callback parser drives a DOM builder that adds what
 * yajl lacks (depth cap, duplicate-key rejection, strict UTF-8, size caps).
 * Entry points: mk_json_parse(), mk_json_get(), mk_json_write().
 * Why yajl and not a DOM library: bench/RESULTS.md ("JSON parser choice"). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stix/json_int.h"

#define MIN_ENTRIES    256
#define DUP_LINEAR_MAX 8 /* below this many members a pairwise check is cheaper */

/* ---- builder --------------------------------------------------------------- */

void mk_jb_init(struct jb *b, const struct mk_json_limits *limits, struct mk_arena *arena)
{
    memset(b, 0, sizeof(*b));
    b->limits = *limits;
    if (b->limits.max_depth == 0 || b->limits.max_depth >= MK_ARRAY_LEN(b->frames)) {
        b->limits.max_depth = MK_ARRAY_LEN(b->frames) - 1;
    }
    b->arena = arena;
    b->home_arena = arena;
}

void mk_jb_fini(struct jb *b)
{
    if (b == NULL) {
        return;
    }
    free(b->entries);
    free(b->dup_slots);
    b->entries = NULL;
    b->dup_slots = NULL;
}

void mk_jb_reset(struct jb *b)
{
    b->n_entries = 0;
    b->depth = 0;
    b->pending_key = NULL;
    b->has_root = false;
}

static int fail(struct jb *b, enum mk_status st, const char *why)
{
    b->status = st;
    (void)snprintf(b->why, sizeof(b->why), "%s", why);
    return 0; /* tells yajl to stop: yajl_status_client_canceled */
}

static void *alloc(struct jb *b, size_t n)
{
    void *p = mk_arena_alloc(b->arena, n);

    if (p == NULL) {
        (void)fail(b, MK_ELIMIT, "value larger than the size limit");
    }
    return p;
}

static bool push_entry(struct jb *b, const struct mk_json *v)
{
    struct jb_entry *e;

    if (b->n_entries == b->cap_entries) {
        size_t cap = b->cap_entries == 0 ? MIN_ENTRIES : b->cap_entries * 2;
        struct jb_entry *p;

        if (cap > b->limits.max_value_bytes / sizeof(*p) + MIN_ENTRIES) {
            return fail(b, MK_ELIMIT, "too many values in one object");
        }
        p = realloc(b->entries, cap * sizeof(*p));
        if (p == NULL) {
            return fail(b, MK_ENOMEM, "out of memory");
        }
        b->entries = p;
        b->cap_entries = cap;
    }
    e = &b->entries[b->n_entries++];
    e->key = b->pending_key;
    e->key_len = b->pending_key_len;
    e->value = *v;
    b->pending_key = NULL;
    return true;
}

/* A value is complete: hand it to the stream hook, the parent, or the root. */
static int add_value(struct jb *b, const struct mk_json *v)
{
    if (b->hook != NULL && b->depth == b->hook_depth) {
        b->pending_key = NULL;
        if (b->hook(b->hook_ctx, v)) {
            return b->status == MK_OK;
        }
    }
    if (b->depth == 0) {
        b->root = *v;
        b->has_root = true;
        return 1;
    }
    return push_entry(b, v);
}

static int on_null(void *ctx)
{
    struct mk_json v = {.type = MK_JSON_NULL};

    return add_value(ctx, &v);
}

static int on_boolean(void *ctx, int boolean)
{
    struct mk_json v = {.type = MK_JSON_BOOL, .boolean = boolean != 0};

    return add_value(ctx, &v);
}

static int on_number(void *ctx, const char *s, size_t n)
{
    struct jb *b = ctx;
    struct mk_json v = {.type = MK_JSON_NUMBER, .len = (uint32_t)n};

    if (n > 1024) {
        return fail(b, MK_ELIMIT, "number longer than 1024 characters");
    }
    v.u.str = mk_arena_strndup(b->arena, s, n);
    if (v.u.str == NULL) {
        return fail(b, MK_ELIMIT, "value larger than the size limit");
    }
    return add_value(b, &v);
}

/* Copies a decoded string after the checks yajl leaves out. */
static const char *take_string(struct jb *b, const unsigned char *s, size_t n)
{
    size_t bad = 0;
    char *copy;

    if (n > b->limits.max_string || n > UINT32_MAX) {
        (void)fail(b, MK_ELIMIT, "string longer than the size limit");
        return NULL;
    }
    if (!mk_utf8_valid(s, n, &bad)) {
        char why[96];

        (void)snprintf(why, sizeof(why), "invalid UTF-8 at byte %zu of a string", bad);
        (void)fail(b, MK_EINVAL, why);
        return NULL;
    }
    copy = mk_arena_strndup(b->arena, s, n);
    if (copy == NULL) {
        (void)fail(b, MK_ELIMIT, "value larger than the size limit");
    }
    return copy;
}

static int on_string(void *ctx, const unsigned char *s, size_t n)
{
    struct jb *b = ctx;
    struct mk_json v = {.type = MK_JSON_STRING, .len = (uint32_t)n};

    v.u.str = take_string(b, s, n);
    return v.u.str != NULL && add_value(b, &v);
}

static int on_map_key(void *ctx, const unsigned char *s, size_t n)
{
    struct jb *b = ctx;

    b->pending_key = take_string(b, s, n);
    b->pending_key_len = (uint32_t)n;
    return b->pending_key != NULL;
}

static int open_container(struct jb *b, bool is_object)
{
    struct jb_frame *f;

    if (b->on_open != NULL) {
        b->on_open(b->hook_ctx, b, is_object);
    }
    if (b->depth >= b->limits.max_depth) {
        return fail(b, MK_ELIMIT, "nesting deeper than the depth limit");
    }
    f = &b->frames[b->depth++];
    f->first = b->n_entries;
    f->is_object = is_object;
    f->key = b->pending_key;
    f->key_len = b->pending_key_len;
    b->pending_key = NULL;
    return 1;
}

static int on_start_map(void *ctx)
{
    return open_container(ctx, true);
}

static int on_start_array(void *ctx)
{
    return open_container(ctx, false);
}

static bool key_eq(const struct jb_entry *a, const struct jb_entry *c)
{
    return a->key_len == c->key_len && memcmp(a->key, c->key, a->key_len) == 0;
}

/* Index of a member whose key repeats an earlier one, or -1: pairwise. */
static long find_duplicate_small(const struct jb_entry *m, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        for (size_t j = 0; j < i; j++) {
            if (key_eq(&m[i], &m[j])) {
                return (long)i;
            }
        }
    }
    return -1;
}

/* The same through an open-addressing table of member indices; -2 when the
 * table cannot be allocated. */
static long find_duplicate(struct jb *b, const struct jb_entry *m, size_t n)
{
    size_t cap = 16;

    if (n <= DUP_LINEAR_MAX) {
        return find_duplicate_small(m, n);
    }
    while (cap < 2 * n) {
        cap *= 2;
    }
    if (cap > b->dup_cap) {
        uint32_t *p = realloc(b->dup_slots, cap * sizeof(*p));

        if (p == NULL) {
            return -2;
        }
        b->dup_slots = p;
        b->dup_cap = cap;
    }
    memset(b->dup_slots, 0xff, cap * sizeof(uint32_t));
    for (size_t i = 0; i < n; i++) {
        size_t h = (size_t)mk_hash64(m[i].key, m[i].key_len, 0) & (cap - 1);

        while (b->dup_slots[h] != UINT32_MAX && !key_eq(&m[b->dup_slots[h]], &m[i])) {
            h = (h + 1) & (cap - 1);
        }
        if (b->dup_slots[h] != UINT32_MAX) {
            return (long)i;
        }
        b->dup_slots[h] = (uint32_t)i;
    }
    return -1;
}

static int close_object(struct jb *b, struct jb_frame *f, struct mk_json *v)
{
    size_t n = b->n_entries - f->first;
    /* an empty object before any entry exists has no entry stack yet */
    const struct jb_entry *src = n > 0 ? &b->entries[f->first] : NULL;
    struct mk_json_member *m = NULL;
    long dup = n > 0 ? find_duplicate(b, src, n) : -1;

    if (dup == -2) {
        return fail(b, MK_ENOMEM, "out of memory");
    }
    if (dup >= 0) {
        char why[160];

        (void)snprintf(why, sizeof(why), "duplicate key \"%.100s\"", src[dup].key);
        return fail(b, MK_EINVAL, why);
    }
    if (n > 0 && (m = alloc(b, n * sizeof(*m))) == NULL) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        m[i].key = src[i].key;
        m[i].key_len = src[i].key_len;
        m[i].value = src[i].value;
    }
    v->type = MK_JSON_OBJECT;
    v->len = (uint32_t)n;
    v->u.members = m;
    return 1;
}

static int close_array(struct jb *b, struct jb_frame *f, struct mk_json *v)
{
    size_t n = b->n_entries - f->first;
    struct mk_json *items = NULL;

    if (n > 0 && (items = alloc(b, n * sizeof(*items))) == NULL) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        items[i] = b->entries[f->first + i].value;
    }
    v->type = MK_JSON_ARRAY;
    v->len = (uint32_t)n;
    v->u.items = items;
    return 1;
}

static int close_container(struct jb *b)
{
    struct jb_frame *f = &b->frames[b->depth - 1];
    struct mk_json v = {0};
    bool was_stream = b->hook != NULL && b->depth == b->hook_depth;

    if (!(f->is_object ? close_object(b, f, &v) : close_array(b, f, &v))) {
        return 0;
    }
    b->n_entries = f->first;
    b->depth--;
    b->pending_key = f->key;
    b->pending_key_len = f->key_len;
    if (was_stream) {
        /* The streamed container itself is not kept: its items went to the hook. */
        b->hook = NULL;
        b->hook_depth = 0;
        b->pending_key = NULL;
        b->arena = b->home_arena;
        if (b->depth == 0) {
            b->root = v; /* a top-level array: its (now empty) shell */
            b->has_root = true;
        }
        return 1;
    }
    return add_value(b, &v);
}

static int on_end(void *ctx)
{
    return close_container(ctx);
}

const yajl_callbacks mk_jb_callbacks = {
    .yajl_null = on_null,
    .yajl_boolean = on_boolean,
    .yajl_number = on_number,
    .yajl_string = on_string,
    .yajl_start_map = on_start_map,
    .yajl_map_key = on_map_key,
    .yajl_end_map = on_end,
    .yajl_start_array = on_start_array,
    .yajl_end_array = on_end,
};

yajl_handle mk_jb_yajl_new(struct jb *b)
{
    yajl_handle h = yajl_alloc(&mk_jb_callbacks, NULL, b);

    if (h != NULL) {
        /* Strings are checked by take_string() after decoding, strictly, so
         * yajl's own laxer check would only cost a second pass. */
        (void)yajl_config(h, yajl_dont_validate_strings, 1);
    }
    return h;
}

enum mk_status mk_jb_fail(struct jb *b, yajl_handle h, const uint8_t *chunk, size_t chunk_len,
                          size_t at, struct mk_error *err)
{
    enum mk_status st = b->status;

    if (st == MK_OK) {
        unsigned char *msg = yajl_get_error(h, 0, chunk, chunk_len);
        char *nl;

        st = MK_EINVAL;
        (void)snprintf(b->why, sizeof(b->why), "%s", msg != NULL ? (char *)msg : "syntax error");
        nl = strchr(b->why, '\n');
        if (nl != NULL) {
            *nl = '\0';
        }
        yajl_free_error(h, msg);
    }
    mk_error_set(err, "", "JSON error at byte %zu: %s", at, b->why);
    return st;
}

/* ---- whole documents ------------------------------------------------------- */

enum mk_status mk_json_parse(const void *p, size_t n, const struct mk_json_limits *limits,
                             struct mk_arena *a, const struct mk_json **out, struct mk_error *err)
{
    struct jb b;
    yajl_handle h;
    enum mk_status st = MK_OK;
    struct mk_json *root;

    *out = NULL;
    mk_jb_init(&b, limits != NULL ? limits : &MK_JSON_LIMITS_DEFAULT, a);
    h = mk_jb_yajl_new(&b);
    if (h == NULL) {
        mk_jb_fini(&b);
        return MK_ENOMEM;
    }
    if (yajl_parse(h, p, n) != yajl_status_ok) {
        st = mk_jb_fail(&b, h, p, n, yajl_get_bytes_consumed(h), err);
        goto out;
    }
    if (yajl_complete_parse(h) != yajl_status_ok) {
        st = mk_jb_fail(&b, h, NULL, 0, n, err);
        goto out;
    }
    root = mk_arena_alloc(a, sizeof(*root));
    if (root == NULL) {
        st = MK_ENOMEM;
        goto out;
    }
    *root = b.root;
    *out = root;
out:
    yajl_free(h);
    mk_jb_fini(&b);
    return st;
}

/* ---- access ---------------------------------------------------------------- */

const struct mk_json *mk_json_get(const struct mk_json *obj, const char *key)
{
    size_t n;

    if (obj == NULL || obj->type != MK_JSON_OBJECT) {
        return NULL;
    }
    n = strlen(key);
    for (uint32_t i = 0; i < obj->len; i++) {
        const struct mk_json_member *m = &obj->u.members[i];

        if (m->key_len == n && memcmp(m->key, key, n) == 0) {
            return &m->value;
        }
    }
    return NULL;
}

bool mk_json_is_str(const struct mk_json *v, const char *s)
{
    size_t n = strlen(s);

    return v != NULL && v->type == MK_JSON_STRING && v->len == n && memcmp(v->u.str, s, n) == 0;
}

bool mk_json_get_int(const struct mk_json *v, int64_t *out)
{
    char *end = NULL;
    long long x;

    if (v == NULL || v->type != MK_JSON_NUMBER || strpbrk(v->u.str, ".eE") != NULL) {
        return false;
    }
    errno = 0;
    x = strtoll(v->u.str, &end, 10);
    if (errno != 0 || end != v->u.str + v->len) {
        return false;
    }
    *out = x;
    return true;
}

double mk_json_number(const struct mk_json *v)
{
    if (v == NULL || v->type != MK_JSON_NUMBER) {
        return 0.0;
    }
    return strtod(v->u.str, NULL);
}

/* ---- writing --------------------------------------------------------------- */

static int member_cmp(const void *pa, const void *pb)
{
    const struct mk_json_member *a = *(const struct mk_json_member *const *)pa;
    const struct mk_json_member *b = *(const struct mk_json_member *const *)pb;
    size_t n = a->key_len < b->key_len ? a->key_len : b->key_len;
    int c = memcmp(a->key, b->key, n);

    if (c != 0) {
        return c;
    }
    return a->key_len < b->key_len ? -1 : a->key_len > b->key_len;
}

// NOLINTNEXTLINE(misc-no-recursion)
static void write_value(struct mk_jw *w, const struct mk_json *v, bool sort_keys, int depth);

/* Recursion: see write_value. */
// NOLINTNEXTLINE(misc-no-recursion)
static void write_object(struct mk_jw *w, const struct mk_json *v, bool sort_keys, int depth)
{
    const struct mk_json_member *small[64];
    const struct mk_json_member **order = small;

    if (sort_keys && v->len > MK_ARRAY_LEN(small)) {
        order = malloc(v->len * sizeof(*order));
        if (order == NULL) {
            w->status = MK_ENOMEM;
            return;
        }
    }
    for (uint32_t i = 0; i < v->len; i++) {
        order[i] = &v->u.members[i];
    }
    if (sort_keys) {
        qsort(order, v->len, sizeof(*order), member_cmp);
    }
    mk_jw_obj_open(w);
    for (uint32_t i = 0; i < v->len; i++) {
        mk_jw_key(w, order[i]->key, order[i]->key_len);
        write_value(w, &order[i]->value, sort_keys, depth + 1);
    }
    mk_jw_obj_close(w);
    if (order != small) {
        free(order);
    }
}

/* Recursion is capped: depth stops at MK_JW_MAX_DEPTH (checked on entry), and
 * parsed values are no deeper than mk_json_limits.max_depth anyway. */
// NOLINTNEXTLINE(misc-no-recursion)
static void write_value(struct mk_jw *w, const struct mk_json *v, bool sort_keys, int depth)
{
    if (depth >= MK_JW_MAX_DEPTH) {
        w->status = MK_ELIMIT;
        return;
    }
    switch ((enum mk_json_type)v->type) {
    case MK_JSON_NULL:
        mk_jw_null(w);
        break;
    case MK_JSON_BOOL:
        mk_jw_bool(w, v->boolean);
        break;
    case MK_JSON_NUMBER:
        mk_jw_raw_number(w, v->u.str, v->len);
        break;
    case MK_JSON_STRING:
        mk_jw_str(w, v->u.str, v->len);
        break;
    case MK_JSON_ARRAY:
        mk_jw_arr_open(w);
        for (uint32_t i = 0; i < v->len; i++) {
            write_value(w, &v->u.items[i], sort_keys, depth + 1);
        }
        mk_jw_arr_close(w);
        break;
    case MK_JSON_OBJECT:
        write_object(w, v, sort_keys, depth);
        break;
    }
}

void mk_json_write(struct mk_jw *w, const struct mk_json *v, bool sort_keys)
{
    write_value(w, v, sort_keys, 0);
}
