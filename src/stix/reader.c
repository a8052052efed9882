/* Streaming STIX reader: a bundle's "objects" array is delivered one object at
 * a time, each built in an arena that is reset afterwards, so a 100 MB bundle
 * is read in memory of about twice its largest object. Entry: mk_stix_reader_*. */
#include <stdlib.h>
#include <string.h>

#include "stix/json_int.h"

#define CHUNK_SIZE (64u << 10)

struct mk_stix_reader {
    struct jb builder;
    yajl_handle yajl;
    struct mk_arena env_arena;    /* the bundle's own members, or a lone object */
    struct mk_arena object_arena; /* one streamed object at a time */
    mk_stix_object_fn fn;
    void *ctx;
    enum mk_stix_doc_kind kind;
    size_t offset; /* bytes fed so far */
    size_t objects;
    size_t peak_object;
    enum mk_status cb_status;
    const struct mk_json *envelope;
    const struct mk_json *envelope_head; /* members before "objects" */
    bool failed;
};

static bool deliver(void *ctx, const struct mk_json *v)
{
    struct mk_stix_reader *r = ctx;
    enum mk_status st = r->fn(r->ctx, v, r->objects++);

    if (r->object_arena.used > r->peak_object) {
        r->peak_object = r->object_arena.used;
    }
    mk_arena_reset(&r->object_arena);
    if (st != MK_OK) {
        r->cb_status = st;
        r->builder.status = st;
        (void)snprintf(r->builder.why, sizeof(r->builder.why), "stopped by the caller: %s",
                       mk_status_str(st));
    }
    return true;
}

/* Keeps the bundle members seen before "objects" (type, id) so a writer can
 * emit them ahead of the streamed objects. */
static void snapshot_head(struct mk_stix_reader *r, const struct jb *b)
{
    size_t n = b->n_entries - b->frames[0].first;
    struct mk_json *head = mk_arena_alloc(&r->env_arena, sizeof(*head));
    struct mk_json_member *m = n > 0 ? mk_arena_alloc(&r->env_arena, n * sizeof(*m)) : NULL;

    if (head == NULL || (n > 0 && m == NULL)) {
        return; /* the head is a convenience; the full envelope comes at the end */
    }
    for (size_t i = 0; i < n; i++) {
        const struct jb_entry *e = &b->entries[b->frames[0].first + i];

        m[i] = (struct mk_json_member){.key = e->key, .key_len = e->key_len, .value = e->value};
    }
    *head = (struct mk_json){.type = MK_JSON_OBJECT, .len = (uint32_t)n, .u.members = m};
    r->envelope_head = head;
}

/* Decides, as each container opens, whether it is the stream of objects. */
static void on_open(void *ctx, struct jb *b, bool is_object)
{
    struct mk_stix_reader *r = ctx;

    if (b->depth == 0) {
        r->kind = is_object ? MK_STIX_DOC_OBJECT : MK_STIX_DOC_ARRAY;
        if (!is_object) {
            b->hook = deliver;
            b->hook_depth = 1;
            b->arena = &r->object_arena;
        }
        return;
    }
    if (b->depth == 1 && r->kind != MK_STIX_DOC_ARRAY && !is_object && b->hook == NULL &&
        b->pending_key != NULL && strcmp(b->pending_key, "objects") == 0) {
        /* A top-level "objects" array: this is a bundle (checked at the end). */
        r->kind = MK_STIX_DOC_BUNDLE;
        snapshot_head(r, b);
        b->hook = deliver;
        b->hook_depth = 2;
        b->arena = &r->object_arena;
    }
}

struct mk_stix_reader *mk_stix_reader_new(const struct mk_json_limits *limits, mk_stix_object_fn fn,
                                          void *ctx)
{
    struct mk_stix_reader *r = calloc(1, sizeof(*r));
    const struct mk_json_limits *lim = limits != NULL ? limits : &MK_JSON_LIMITS_DEFAULT;

    if (r == NULL) {
        return NULL;
    }
    mk_arena_init(&r->env_arena, 16u << 10, lim->max_value_bytes);
    mk_arena_init(&r->object_arena, 256u << 10, lim->max_value_bytes);
    mk_jb_init(&r->builder, lim, &r->env_arena);
    r->builder.on_open = on_open;
    r->builder.hook_ctx = r;
    r->fn = fn;
    r->ctx = ctx;
    r->yajl = mk_jb_yajl_new(&r->builder);
    if (r->yajl == NULL) {
        mk_stix_reader_free(r);
        return NULL;
    }
    return r;
}

void mk_stix_reader_free(struct mk_stix_reader *r)
{
    if (r == NULL) {
        return;
    }
    if (r->yajl != NULL) {
        yajl_free(r->yajl);
    }
    mk_jb_fini(&r->builder);
    mk_arena_fini(&r->env_arena);
    mk_arena_fini(&r->object_arena);
    free(r);
}

enum mk_status mk_stix_reader_feed(struct mk_stix_reader *r, const void *p, size_t n,
                                   struct mk_error *err)
{
    enum mk_status st;

    if (r->failed) {
        mk_error_set(err, "", "reader already failed");
        return MK_EINVAL;
    }
    if (yajl_parse(r->yajl, p, n) != yajl_status_ok) {
        r->failed = true;
        st = mk_jb_fail(&r->builder, r->yajl, p, n, r->offset + yajl_get_bytes_consumed(r->yajl),
                        err);
        return r->cb_status != MK_OK ? r->cb_status : st;
    }
    r->offset += n;
    return MK_OK;
}

/* The lone object of a non-bundle document, or the end of a bundle. */
static enum mk_status finish_document(struct mk_stix_reader *r, struct mk_error *err)
{
    const struct mk_json *root = &r->builder.root;
    const struct mk_json *type = mk_json_get(root, "type");
    struct mk_json *env;

    if (r->kind == MK_STIX_DOC_ARRAY) {
        return MK_OK;
    }
    if (r->kind == MK_STIX_DOC_OBJECT && !mk_json_is_str(type, "bundle")) {
        r->objects++;
        return r->fn(r->ctx, root, 0);
    }
    if (!mk_json_is_str(type, "bundle")) {
        mk_error_set(err, "/type",
                     "a top-level object with an \"objects\" array must be a "
                     "bundle");
        return MK_EINVAL;
    }
    /* A bundle (possibly with no "objects" at all): keep its envelope. */
    r->kind = MK_STIX_DOC_BUNDLE;
    env = mk_arena_alloc(&r->env_arena, sizeof(*env));
    if (env == NULL) {
        return MK_ENOMEM;
    }
    *env = *root;
    r->envelope = env;
    return MK_OK;
}

enum mk_status mk_stix_reader_finish(struct mk_stix_reader *r, struct mk_error *err)
{
    if (r->failed) {
        mk_error_set(err, "", "reader already failed");
        return MK_EINVAL;
    }
    r->failed = true; /* a reader finishes once */
    if (yajl_complete_parse(r->yajl) != yajl_status_ok) {
        enum mk_status st = mk_jb_fail(&r->builder, r->yajl, NULL, 0, r->offset, err);

        return r->cb_status != MK_OK ? r->cb_status : st;
    }
    if (!r->builder.has_root) {
        mk_error_set(err, "", "no JSON value in the input");
        return MK_EINVAL;
    }
    if (r->builder.root.type != MK_JSON_OBJECT && r->builder.root.type != MK_JSON_ARRAY) {
        mk_error_set(err, "", "expected a STIX object, a bundle or an array of objects");
        return MK_EINVAL;
    }
    return finish_document(r, err);
}

enum mk_stix_doc_kind mk_stix_reader_kind(const struct mk_stix_reader *r)
{
    return r->kind;
}

const struct mk_json *mk_stix_reader_envelope(const struct mk_stix_reader *r)
{
    return r->envelope;
}

const struct mk_json *mk_stix_reader_envelope_head(const struct mk_stix_reader *r)
{
    return r->envelope_head;
}

size_t mk_stix_reader_objects(const struct mk_stix_reader *r)
{
    return r->objects;
}

size_t mk_stix_reader_peak_object_bytes(const struct mk_stix_reader *r)
{
    return r->peak_object > r->env_arena.peak ? r->peak_object : r->env_arena.peak;
}

enum mk_status mk_stix_reader_read_file(struct mk_stix_reader *r, FILE *f, struct mk_error *err)
{
    uint8_t *buf = malloc(CHUNK_SIZE);
    enum mk_status st = MK_OK;
    size_t n;

    if (buf == NULL) {
        return MK_ENOMEM;
    }
    while ((n = fread(buf, 1, CHUNK_SIZE, f)) > 0) {
        st = mk_stix_reader_feed(r, buf, n, err);
        if (st != MK_OK) {
            goto out;
        }
    }
    if (ferror(f)) {
        mk_error_set(err, "", "read error");
        st = MK_EIO;
        goto out;
    }
    st = mk_stix_reader_finish(r, err);
out:
    free(buf);
    return st;
}
