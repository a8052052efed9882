/* mk_ioc_load_file(): picks the loader from the first bytes of the file
 * (JSON -> STIX, a first value line with commas -> CSV, else a list). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ioc/load_int.h"

#define SNIFF_BYTES 4096

enum format { FMT_LIST, FMT_CSV, FMT_STIX };

static size_t skip_blanks(const char *p, size_t i, size_t n)
{
    while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n')) {
        i++;
    }
    return i;
}

/* A comma in p[i, end) before any " #" comment. */
static bool has_comma(const char *p, size_t i, size_t end)
{
    for (size_t j = i; j < end; j++) {
        if (p[j] == ',') {
            return true;
        }
        if (p[j] == '#' && j > i && (p[j - 1] == ' ' || p[j - 1] == '\t')) {
            return false;
        }
    }
    return false;
}

/* A JSON object, or an array whose first item is an object ("[2001:db8::1]:443"
 * in a list also starts with '['). Otherwise the first line that is neither
 * blank nor a comment decides: a comma before any " #" comment means CSV. */
static enum format sniff(const char *p, size_t n)
{
    size_t i = 0;

    if (n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) {
        i = 3;
    }
    i = skip_blanks(p, i, n);
    if (i < n && p[i] == '{') {
        return FMT_STIX;
    }
    if (i < n && p[i] == '[') {
        size_t j = skip_blanks(p, i + 1, n);

        if (j < n && (p[j] == '{' || p[j] == ']')) {
            return FMT_STIX;
        }
    }
    while (i < n) {
        const char *nl = memchr(p + i, '\n', n - i);
        size_t end = nl != NULL ? (size_t)(nl - p) : n;

        if (p[i] != '#') {
            return has_comma(p, i, end) ? FMT_CSV : FMT_LIST;
        }
        i = skip_blanks(p, end, n);
    }
    return FMT_LIST;
}

enum mk_status mk_ioc_load_file(struct mk_ioc_builder *b, const char *path,
                                const struct mk_ioc_attrs *defaults,
                                struct mk_ioc_load_stats *stats, struct mk_error *err)
{
    char head[SNIFF_BYTES];
    FILE *f = fopen(path, "rb");
    size_t n;
    enum format fmt;

    if (f == NULL) {
        mk_error_set(err, path, "%s: cannot open: %s", path, strerror(errno));
        return MK_EIO;
    }
    n = fread(head, 1, sizeof(head), f);
    if (ferror(f)) {
        mk_error_set(err, path, "%s: read error", path);
        (void)fclose(f);
        return MK_EIO;
    }
    (void)fclose(f);
    fmt = sniff(head, n);
    switch (fmt) {
    case FMT_STIX:
        return mk_ioc_load_stix(b, path, defaults, stats, err);
    case FMT_CSV:
        return mk_ioc_load_csv(b, path, NULL, defaults, stats, err);
    default:
        return mk_ioc_load_list(b, path, defaults, stats, err);
    }
}
