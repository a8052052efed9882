/* Bump allocator: per-object and per-packet memory freed in one step. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

struct mk_arena_block {
    struct mk_arena_block *next;
    size_t size; /* usable bytes after the header */
    size_t off;
    _Alignas(16) uint8_t data[];
};

void mk_arena_init(struct mk_arena *a, size_t block_size, size_t max)
{
    a->head = NULL;
    a->block_size = block_size < 1024 ? 1024 : block_size;
    a->max = max;
    a->used = 0;
    a->peak = 0;
}

static void free_chain(struct mk_arena_block *b)
{
    while (b != NULL) {
        struct mk_arena_block *next = b->next;

        free(b);
        b = next;
    }
}

void mk_arena_fini(struct mk_arena *a)
{
    if (a == NULL) {
        return;
    }
    free_chain(a->head);
    a->head = NULL;
    a->used = 0;
}

void mk_arena_reset(struct mk_arena *a)
{
    struct mk_arena_block *last = a->head;

    /* Keep only the oldest block (the one at the chain's end), which has the
     * configured size, so a steady workload stops calling malloc. */
    if (last == NULL) {
        return;
    }
    while (last->next != NULL) {
        struct mk_arena_block *next = last->next;

        free(last);
        last = next;
    }
    last->off = 0;
    a->head = last;
    a->used = 0;
}

/* Bumps n bytes aligned to `align` (a power of two) off the head block, or
 * off a new block when it does not fit. Strings ask for alignment 1, so short
 * ones cost their length, not 16 bytes. */
static void *bump(struct mk_arena *a, size_t n, size_t align)
{
    struct mk_arena_block *b = a->head;
    size_t pad = b != NULL ? (align - (b->off & (align - 1))) & (align - 1) : 0;
    void *p;

    if (n == 0) {
        n = 1;
    }
    if (n > SIZE_MAX - 16 || (a->max != 0 && (n + pad > a->max || a->used > a->max - n - pad))) {
        return NULL;
    }
    if (b == NULL || b->size - b->off < n || b->size - b->off - n < pad) {
        size_t size = n > a->block_size ? n : a->block_size;

        if (size > SIZE_MAX - sizeof(*b)) {
            return NULL; /* header + size would wrap around */
        }
        b = malloc(sizeof(*b) + size);
        if (b == NULL) {
            return NULL;
        }
        b->size = size;
        b->off = 0;
        b->next = a->head;
        a->head = b;
        pad = 0; /* a block's data starts 16-byte aligned */
    }
    p = b->data + b->off + pad;
    b->off += pad + n;
    a->used += pad + n;
    if (a->used > a->peak) {
        a->peak = a->used;
    }
    return p;
}

void *mk_arena_alloc(struct mk_arena *a, size_t n)
{
    return bump(a, n, 16);
}

char *mk_arena_strndup(struct mk_arena *a, const void *p, size_t n)
{
    char *s = n < SIZE_MAX ? bump(a, n + 1, 1) : NULL;

    if (s == NULL) {
        return NULL;
    }
    if (n > 0) {
        memcpy(s, p, n);
    }
    s[n] = '\0';
    return s;
}
