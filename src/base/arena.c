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

#define ALIGN16(n) (((n) + 15u) & ~(size_t)15u)

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

void *mk_arena_alloc(struct mk_arena *a, size_t n)
{
    struct mk_arena_block *b = a->head;
    size_t need = ALIGN16(n == 0 ? 1 : n);
    void *p;

    if (need < n || (a->max != 0 && (need > a->max || a->used > a->max - need))) {
        return NULL;
    }
    if (b == NULL || b->size - b->off < need) {
        size_t size = need > a->block_size ? need : a->block_size;

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
    }
    p = b->data + b->off;
    b->off += need;
    a->used += need;
    if (a->used > a->peak) {
        a->peak = a->used;
    }
    return p;
}

char *mk_arena_strndup(struct mk_arena *a, const void *p, size_t n)
{
    char *s = n < SIZE_MAX ? mk_arena_alloc(a, n + 1) : NULL;

    if (s == NULL) {
        return NULL;
    }
    if (n > 0) {
        memcpy(s, p, n);
    }
    s[n] = '\0';
    return s;
}
