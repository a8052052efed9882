/* ioc loaders' private helpers (load_*.c, verify.c and their tests): stream
 * entry points for the fuzz harnesses, a capped line reader, and the shared
 * "add one value and count what happened" step. */
#ifndef MK_IOC_LOAD_INT_H
#define MK_IOC_LOAD_INT_H

#include <stdio.h>

#include "ioc/ioc.h"

/* Lines longer than this (without the newline) are counted invalid and skipped
 * without being held in memory. */
#define MK_IOC_LINE_MAX ((size_t)64 * 1024)
/* Invalid lines or objects logged per file; the rest are only counted. */
#define MK_IOC_LOG_MAX 5

/* One file being loaded: where lines come from and how results are counted. */
struct mk_ioc_load_ctx {
    struct mk_ioc_builder *b;
    const char *name; /* file name for messages ("trails/amadey.txt") */
    struct mk_ioc_load_stats *stats;
    size_t logged; /* invalid entries logged so far */
    int64_t now;   /* wall clock at load start: what is already expired */
};

/* Capped line reader over a FILE: bounded memory whatever the input. */
struct mk_ioc_lines {
    FILE *f;
    char *line; /* MK_IOC_LINE_MAX + 1 bytes, NUL-terminated after a read */
    size_t len;
    size_t lineno;
    bool too_long; /* the current line passed the cap (its text is dropped) */
    bool has_nul;  /* the current line holds a NUL byte */
};

MK_MUST_CHECK enum mk_status mk_ioc_lines_init(struct mk_ioc_lines *l, FILE *f);
void mk_ioc_lines_fini(struct mk_ioc_lines *l);
/* Reads the next line without its "\n" / "\r\n". False at end of input. */
bool mk_ioc_lines_next(struct mk_ioc_lines *l);

void mk_ioc_load_ctx_init(struct mk_ioc_load_ctx *c, struct mk_ioc_builder *b, const char *name,
                          struct mk_ioc_load_stats *stats);
/* Counts one invalid entry and logs it while under MK_IOC_LOG_MAX per file. */
void mk_ioc_load_invalid(struct mk_ioc_load_ctx *c, size_t lineno, const char *fmt, ...)
    MK_PRINTF(3, 4);
/* Adds one value: counts added / revoked / expired / public_suffix / invalid.
 * Only MK_ENOMEM is returned as an error (it is fatal for the load). */
MK_MUST_CHECK enum mk_status mk_ioc_load_add(struct mk_ioc_load_ctx *c, size_t lineno,
                                             enum mk_ioc_type type, const char *value, size_t len,
                                             const struct mk_ioc_attrs *attrs);
/* Defaults for a file: a copy of `defaults` (or none), feed taken from the
 * file name when unset; `feed_buf` holds the derived name. */
void mk_ioc_load_attrs(struct mk_ioc_attrs *out, const struct mk_ioc_attrs *defaults,
                       const char *path, const char *feed_prefix, char *feed_buf, size_t feed_cap);

/* The loaders on an open stream (fuzz harnesses use fmemopen); `name` is
 * the file name used for the feed and messages. */
MK_MUST_CHECK enum mk_status mk_ioc_load_list_stream(struct mk_ioc_builder *b, FILE *f,
                                                     const char *name,
                                                     const struct mk_ioc_attrs *defaults,
                                                     struct mk_ioc_load_stats *stats,
                                                     struct mk_error *err);
MK_MUST_CHECK enum mk_status mk_ioc_load_csv_stream(struct mk_ioc_builder *b, FILE *f,
                                                    const char *name, const char *map,
                                                    const struct mk_ioc_attrs *defaults,
                                                    struct mk_ioc_load_stats *stats,
                                                    struct mk_error *err);

#endif /* MK_IOC_LOAD_INT_H */
