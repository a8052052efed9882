/* Shared steps of the indicator loaders: the capped line reader, default
 * attributes per file, and mk_ioc_load_add() which adds a value and counts
 * what happened to it. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ioc/load_int.h"

enum mk_status mk_ioc_lines_init(struct mk_ioc_lines *l, FILE *f)
{
    memset(l, 0, sizeof(*l));
    l->f = f;
    l->line = malloc(MK_IOC_LINE_MAX + 1);
    return l->line != NULL ? MK_OK : MK_ENOMEM;
}

void mk_ioc_lines_fini(struct mk_ioc_lines *l)
{
    if (l == NULL) {
        return;
    }
    free(l->line);
    l->line = NULL;
}

bool mk_ioc_lines_next(struct mk_ioc_lines *l)
{
    int c = EOF;
    bool any = false;

    l->len = 0;
    l->too_long = false;
    l->has_nul = false;
    while ((c = getc_unlocked(l->f)) != EOF) {
        any = true;
        if (c == '\n') {
            break;
        }
        if (l->len == MK_IOC_LINE_MAX) {
            l->too_long = true; /* keep reading to the newline, keep nothing */
            continue;
        }
        l->has_nul |= c == '\0';
        l->line[l->len++] = (char)c;
    }
    if (!any) {
        return false;
    }
    if (l->len > 0 && l->line[l->len - 1] == '\r') {
        l->len--;
    }
    l->line[l->len] = '\0';
    l->lineno++;
    return true;
}

void mk_ioc_load_ctx_init(struct mk_ioc_load_ctx *c, struct mk_ioc_builder *b, const char *name,
                          struct mk_ioc_load_stats *stats)
{
    memset(c, 0, sizeof(*c));
    c->b = b;
    c->name = name;
    c->stats = stats;
    c->now = (int64_t)time(NULL);
}

void mk_ioc_load_invalid(struct mk_ioc_load_ctx *c, size_t lineno, const char *fmt, ...)
{
    char msg[300];
    va_list ap;

    c->stats->invalid++;
    if (c->logged >= MK_IOC_LOG_MAX) {
        return;
    }
    c->logged++;
    va_start(ap, fmt);
    (void)vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    mk_log(MK_LOG_WARN, "%s:%zu: %s%s", c->name, lineno, msg,
           c->logged == MK_IOC_LOG_MAX ? " (further invalid entries are only counted)" : "");
}

enum mk_status mk_ioc_load_add(struct mk_ioc_load_ctx *c, size_t lineno, enum mk_ioc_type type,
                               const char *value, size_t len, const struct mk_ioc_attrs *attrs)
{
    struct mk_error err;
    enum mk_status st;

    if (attrs->revoked) {
        c->stats->revoked++;
        return MK_OK;
    }
    if (attrs->valid_until != 0 && attrs->valid_until <= c->now) {
        c->stats->expired++;
        return MK_OK;
    }
    mk_error_clear(&err);
    st = mk_ioc_builder_add(c->b, type, value, len, attrs, &err);
    switch (st) {
    case MK_OK:
        c->stats->added++;
        return MK_OK;
    case MK_ENOMEM:
        return st;
    case MK_ELIMIT:
        c->stats->public_suffix++;
        if (c->logged < MK_IOC_LOG_MAX) {
            c->logged++;
            mk_log(MK_LOG_WARN, "%s:%zu: %.*s: refused: %s", c->name, lineno,
                   (int)(len > 200 ? 200 : len), value,
                   err.msg[0] != '\0' ? err.msg : "a public suffix");
        }
        return MK_OK;
    default:
        mk_ioc_load_invalid(c, lineno, "%s '%.*s': %s", mk_ioc_type_name(type),
                            (int)(len > 200 ? 200 : len), value,
                            err.msg[0] != '\0' ? err.msg : mk_status_str(st));
        return MK_OK;
    }
}

void mk_ioc_load_attrs(struct mk_ioc_attrs *out, const struct mk_ioc_attrs *defaults,
                       const char *path, const char *feed_prefix, char *feed_buf, size_t feed_cap)
{
    const char *base = strrchr(path, '/');
    size_t n;

    if (defaults != NULL) {
        *out = *defaults;
    } else {
        memset(out, 0, sizeof(*out));
        out->confidence = MK_IOC_CONFIDENCE_UNKNOWN;
    }
    if (out->feed != NULL) {
        return;
    }
    base = base != NULL ? base + 1 : path;
    n = strlen(base);
    if (feed_prefix != NULL) {
        /* "maltrail:amadey": the file's stem names the family */
        const char *dot = strrchr(base, '.');

        n = dot != NULL && dot != base ? (size_t)(dot - base) : n;
        (void)snprintf(feed_buf, feed_cap, "%s%.*s", feed_prefix, (int)n, base);
    } else {
        (void)snprintf(feed_buf, feed_cap, "%.*s", (int)n, base);
    }
    out->feed = feed_buf;
}
