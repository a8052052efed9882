/* Plain indicator lists and Maltrail trails, one value per line:
 * mk_ioc_load_list() (and mk_ioc_load_list_stream() for in-memory input).
 * Format and Maltrail rules: docs/internals/ioc-loading.md. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ioc/load_int.h"

struct list {
    struct mk_ioc_load_ctx c;
    struct mk_ioc_attrs attrs;
    const struct mk_ioc_attrs *defaults;
    const char *path;
    bool maltrail;   /* the header names Maltrail: its URL/host rules apply */
    bool seen_value; /* header comments end at the first value */
    char feed[256];
    char name[128];
    char labels[64];
    char source[512];
};

static bool is_blank(int c)
{
    return c == ' ' || c == '\t' || c == '\v' || c == '\f';
}

/* "# Copyright ... Maltrail developers": switch to Maltrail rules and name the
 * feed "maltrail:<file stem>", the indicator by the family (the stem) and
 * label it with the trail's category (its folder: malware, suspicious, ...). */
static void start_maltrail(struct list *s)
{
    const char *slash = strrchr(s->path, '/');
    const char *base = slash != NULL ? slash + 1 : s->path;
    const char *dot = strrchr(base, '.');
    size_t stem = dot != NULL && dot != base ? (size_t)(dot - base) : strlen(base);

    s->maltrail = true;
    if (s->defaults == NULL || s->defaults->feed == NULL) {
        (void)snprintf(s->feed, sizeof(s->feed), "maltrail:%.*s", (int)stem, base);
        s->attrs.feed = s->feed;
    }
    if (s->attrs.name == NULL) {
        (void)snprintf(s->name, sizeof(s->name), "%.*s", (int)stem, base);
        s->attrs.name = s->name;
    }
    if (s->attrs.labels == NULL && slash != NULL) {
        const char *p = slash;

        while (p > s->path && p[-1] != '/') {
            p--;
        }
        if (p < slash) {
            (void)snprintf(s->labels, sizeof(s->labels), "%.*s", (int)(slash - p), p);
            s->attrs.labels = s->labels;
        }
    }
}

static bool has_word(const char *s, size_t n, const char *word)
{
    size_t w = strlen(word);

    for (size_t i = 0; i + w <= n; i++) {
        if (strncasecmp(s + i, word, w) == 0) {
            return true;
        }
    }
    return false;
}

/* A comment line: Maltrail's header and its "# Reference: URL" lines. */
static void comment(struct list *s, const char *text, size_t n)
{
    static const char ref[] = "Reference:";

    while (n > 0 && (*text == '#' || is_blank(*text))) {
        text++;
        n--;
    }
    if (!s->seen_value && !s->maltrail && has_word(text, n, "maltrail")) {
        start_maltrail(s);
    }
    if (s->attrs.source == NULL && n > sizeof(ref) - 1 &&
        strncasecmp(text, ref, sizeof(ref) - 1) == 0) {
        text += sizeof(ref) - 1;
        n -= sizeof(ref) - 1;
        while (n > 0 && is_blank(*text)) {
            text++;
            n--;
        }
        while (n > 0 && is_blank(text[n - 1])) {
            n--;
        }
        if (n > 0 && n < sizeof(s->source)) {
            memcpy(s->source, text, n);
            s->source[n] = '\0';
            s->attrs.source = s->source;
        }
    }
}

/* Maltrail: "http://1.2.3.4/" and "evil.example:443" are host trails (the scheme,
 * a bare trailing '/' and a domain's port are dropped, as Maltrail does);
 * "host/path" stays a URL, and "/path" is a URL on any host (the set indexes
 * those too). Returns false for an empty value. */
static bool maltrail_value(char **v, size_t *n)
{
    char *p = *v;
    char *sep = strstr(p, "://");
    char *slash;
    size_t host;

    if (sep != NULL && sep > p && memchr(p, '/', (size_t)(sep - p)) == NULL) {
        *n -= (size_t)(sep + 3 - p);
        p = sep + 3;
    }
    if (*n == 0) {
        return false;
    }
    if (*p == '/') {
        *v = p; /* a path trail: the request path on any host */
        return true;
    }
    slash = memchr(p, '/', *n);
    host = slash != NULL ? (size_t)(slash - p) : *n;
    if (strspn(p + host, "/") == *n - host) {
        char *colon = memchr(p, ':', host);

        p[host] = '\0';
        /* a domain's port is dropped; an IPv4 address keeps it (IP_PORT) */
        if (colon != NULL && strchr(colon + 1, ':') == NULL &&
            strspn(p, "0123456789.") != (size_t)(colon - p)) {
            *colon = '\0';
            host = (size_t)(colon - p);
        }
        *n = host;
    }
    *v = p;
    return true;
}

/* The value of a line: leading blanks and a trailing " # comment" dropped. */
static size_t line_value(char *line, size_t len, char **out)
{
    size_t i = 0;

    while (i < len && is_blank(line[i])) {
        i++;
    }
    *out = line + i;
    for (size_t j = i; j < len; j++) {
        if (line[j] == '#' && (j == i || is_blank(line[j - 1]))) {
            len = j;
            break;
        }
    }
    while (len > i && is_blank(line[len - 1])) {
        len--;
    }
    line[len] = '\0';
    return len - i;
}

static enum mk_status one_line(struct list *s, struct mk_ioc_lines *l)
{
    enum mk_ioc_type type;
    char *v;
    size_t n;

    if (l->too_long) {
        mk_ioc_load_invalid(&s->c, l->lineno, "line longer than %zu bytes", MK_IOC_LINE_MAX);
        return MK_OK;
    }
    v = l->line;
    while (is_blank(*v)) {
        v++;
    }
    if (*v == '#') {
        comment(s, v, l->len - (size_t)(v - l->line));
        return MK_OK;
    }
    n = line_value(l->line, l->len, &v);
    if (n == 0) {
        return MK_OK;
    }
    s->seen_value = true;
    if (l->has_nul || memchr(v, '\0', n) != NULL) {
        mk_ioc_load_invalid(&s->c, l->lineno, "NUL byte in the value");
        return MK_OK;
    }
    if (s->maltrail && !maltrail_value(&v, &n)) {
        return MK_OK;
    }
    if (mk_ioc_guess_type(v, n, &type) != MK_OK) {
        mk_ioc_load_invalid(&s->c, l->lineno, "'%.*s': not an indicator", (int)(n > 200 ? 200 : n),
                            v);
        return MK_OK;
    }
    return mk_ioc_load_add(&s->c, l->lineno, type, v, n, &s->attrs);
}

enum mk_status mk_ioc_load_list_stream(struct mk_ioc_builder *b, FILE *f, const char *name,
                                       const struct mk_ioc_attrs *defaults,
                                       struct mk_ioc_load_stats *stats, struct mk_error *err)
{
    static struct list zero;
    struct list *s = malloc(sizeof(*s));
    struct mk_ioc_lines l;
    enum mk_status st;

    if (s == NULL) {
        return MK_ENOMEM;
    }
    *s = zero;
    s->defaults = defaults;
    s->path = name;
    mk_ioc_load_ctx_init(&s->c, b, name, stats);
    mk_ioc_load_attrs(&s->attrs, defaults, name, NULL, s->feed, sizeof(s->feed));
    st = mk_ioc_lines_init(&l, f);
    while (st == MK_OK && mk_ioc_lines_next(&l)) {
        st = one_line(s, &l);
    }
    if (st == MK_OK && ferror(f)) {
        mk_error_set(err, name, "%s: read error", name);
        st = MK_EIO;
    } else if (st != MK_OK) {
        mk_error_set(err, name, "%s:%zu: %s", name, l.lineno, mk_status_str(st));
    }
    mk_ioc_lines_fini(&l);
    free(s);
    return st;
}

enum mk_status mk_ioc_load_list(struct mk_ioc_builder *b, const char *path,
                                const struct mk_ioc_attrs *defaults,
                                struct mk_ioc_load_stats *stats, struct mk_error *err)
{
    FILE *f = fopen(path, "rb");
    enum mk_status st;

    if (f == NULL) {
        mk_error_set(err, path, "%s: cannot open: %s", path, strerror(errno));
        return MK_EIO;
    }
    st = mk_ioc_load_list_stream(b, f, path, defaults, stats, err);
    (void)fclose(f);
    return st;
}
