/* Log lines on stderr: "mekong: warning: ...". */
#include <stdio.h>

#include "base/base.h"

static enum mk_log_level threshold = MK_LOG_INFO;

void mk_log_set_level(enum mk_log_level level)
{
    threshold = level;
}

void mk_log(enum mk_log_level level, const char *fmt, ...)
{
    static const char *const names[] = {"error", "warning", "info", "debug"};
    char line[1024];
    va_list ap;

    if (level > threshold || (unsigned)level >= MK_ARRAY_LEN(names)) {
        return;
    }
    va_start(ap, fmt);
    (void)vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    (void)fprintf(stderr, "mekong: %s: %s\n", names[level], line);
}
