/* Status codes and error buffers: mk_status_str(), mk_error_set(). */
#include <stdio.h>
#include <string.h>

#include "base/base.h"

const char *mk_status_str(enum mk_status st)
{
    switch (st) {
    case MK_OK:
        return "ok";
    case MK_ENOMEM:
        return "out of memory";
    case MK_EINVAL:
        return "invalid input";
    case MK_ETRUNC:
        return "truncated input";
    case MK_ELIMIT:
        return "limit exceeded";
    case MK_EAGAIN:
        return "need more input";
    case MK_ENOTFOUND:
        return "not found";
    case MK_EIO:
        return "I/O error";
    }
    return "unknown status";
}

void mk_error_clear(struct mk_error *err)
{
    if (err == NULL) {
        return;
    }
    err->msg[0] = '\0';
    err->path[0] = '\0';
}

void mk_error_set(struct mk_error *err, const char *path, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL) {
        return;
    }
    (void)snprintf(err->path, sizeof(err->path), "%s", path != NULL ? path : "");
    va_start(ap, fmt);
    (void)vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
}
