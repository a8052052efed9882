/* Capped growable byte buffer: every append states what happens at the cap. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

void mk_buf_init(struct mk_buf *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->alloc = 0;
    /* Half the address space at most, so that max + 1 and doubling cannot wrap. */
    b->max = max > SIZE_MAX / 2 ? SIZE_MAX / 2 : max;
}

void mk_buf_fini(struct mk_buf *b)
{
    if (b == NULL) {
        return;
    }
    free(b->data);
    b->data = NULL;
    b->len = 0;
    b->alloc = 0;
}

void mk_buf_reset(struct mk_buf *b)
{
    b->len = 0;
    if (b->data != NULL) {
        b->data[0] = '\0';
    }
}

/* Makes room for n more bytes plus the trailing NUL. */
static enum mk_status reserve(struct mk_buf *b, size_t n)
{
    size_t need;
    size_t grow;
    uint8_t *p;

    if (n > b->max || b->len > b->max - n) {
        return MK_ELIMIT;
    }
    need = b->len + n + 1;
    if (need <= b->alloc) {
        return MK_OK;
    }
    grow = b->alloc < 64 ? 64 : b->alloc;
    while (grow < need) {
        grow *= 2;
    }
    if (grow > b->max + 1) {
        grow = b->max + 1;
    }
    p = realloc(b->data, grow);
    if (p == NULL) {
        return MK_ENOMEM;
    }
    b->data = p;
    b->alloc = grow;
    return MK_OK;
}

enum mk_status mk_buf_append(struct mk_buf *b, const void *p, size_t n)
{
    enum mk_status st = reserve(b, n);

    if (st != MK_OK) {
        return st;
    }
    if (n > 0) {
        memcpy(b->data + b->len, p, n);
    }
    b->len += n;
    b->data[b->len] = '\0';
    return MK_OK;
}

enum mk_status mk_buf_putc(struct mk_buf *b, char c)
{
    return mk_buf_append(b, &c, 1);
}

enum mk_status mk_buf_printf(struct mk_buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;
    enum mk_status st;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        return MK_EINVAL;
    }
    st = reserve(b, (size_t)n);
    if (st != MK_OK) {
        return st;
    }
    va_start(ap, fmt);
    (void)vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return MK_OK;
}
