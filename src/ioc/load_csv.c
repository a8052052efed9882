/* CSV indicator files (RFC 4180) with a header row and a column map:
 * mk_ioc_load_csv() (and mk_ioc_load_csv_stream()). The map syntax and the
 * type-column table are in docs/internals/ioc-loading.md. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ioc/load_int.h"

#define MAX_COLS 256

enum field {
    F_VALUE,
    F_TYPE,
    F_SOURCE,
    F_CONFIDENCE,
    F_TLP,
    F_VALID_FROM,
    F_VALID_UNTIL,
    F_NAME,
    F_LABELS,
    F_STIX_ID,
    F_FEED,
    F_KILL_CHAIN,
    F_COUNT
};

static const char *const field_names[F_COUNT] = {
    "value",       "type", "source", "confidence", "tlp",  "valid_from",
    "valid_until", "name", "labels", "stix_id",    "feed", "kill_chain",
};

/* One RFC 4180 record: NUL-terminated fields in one capped buffer. */
struct record {
    char *buf; /* MK_IOC_LINE_MAX + 1 */
    size_t len;
    size_t off[MAX_COLS];
    size_t n_fields;
    size_t line; /* line where the record starts */
    size_t next_line;
    bool too_long; /* more than MK_IOC_LINE_MAX bytes */
    bool too_wide; /* more than MAX_COLS fields */
    bool has_nul;
};

struct csv {
    struct mk_ioc_load_ctx c;
    struct mk_ioc_attrs defaults;
    int col[F_COUNT]; /* column index of each field, -1 = not mapped */
    struct record r;
    char feed[256];
};

static void put(struct record *r, int c)
{
    if (r->len == MK_IOC_LINE_MAX) {
        r->too_long = true;
        return;
    }
    r->has_nul |= c == '\0';
    r->buf[r->len++] = (char)c;
}

static void end_field(struct record *r)
{
    if (r->len == MK_IOC_LINE_MAX) {
        r->too_long = true;
    } else {
        r->buf[r->len++] = '\0';
    }
    if (r->n_fields == MAX_COLS) {
        r->too_wide = true;
        return;
    }
    r->n_fields++;
    if (r->n_fields < MAX_COLS) {
        r->off[r->n_fields] = r->len;
    }
}

#define CONSUMED (-2)

/* A character inside quotes: stored, or at a quote either "" (one quote) or
 * the closing quote, after which the next character is returned to be read as
 * unquoted. CONSUMED when there is nothing more to do with it. */
static int in_quotes(FILE *f, struct record *r, int c, bool *quoted)
{
    int d;

    if (c != '"') {
        r->next_line += c == '\n';
        put(r, c);
        return CONSUMED;
    }
    d = getc_unlocked(f);
    if (d == '"') {
        put(r, '"');
        return CONSUMED;
    }
    *quoted = false;
    return d;
}

/* Reads one record (RFC 4180 section 2: quoted fields may hold ',', '"' as
 * "" and line breaks; CRLF or LF ends a record). Lenient where the RFC is
 * silent: text after a closing quote is kept, a bare quote inside an
 * unquoted field is data. False at end of input. */
static bool read_record(FILE *f, struct record *r)
{
    bool quoted = false;
    bool at_start = true;
    bool any = false;
    int c;

    r->len = 0;
    r->n_fields = 0;
    r->off[0] = 0;
    r->too_long = r->too_wide = r->has_nul = false;
    r->line = ++r->next_line;
    while ((c = getc_unlocked(f)) != EOF) {
        any = true;
        if (quoted && (c = in_quotes(f, r, c, &quoted)) == CONSUMED) {
            continue;
        }
        if (c == EOF || c == '\n') {
            break;
        }
        if (c == '"' && at_start) {
            quoted = true;
            at_start = false;
        } else if (c == ',') {
            end_field(r);
            at_start = true;
        } else if (c != '\r') {
            put(r, c);
            at_start = false;
        }
    }
    if (!any) {
        return false;
    }
    end_field(r);
    return true;
}

static const char *cell(const struct csv *s, enum field fld)
{
    int i = s->col[fld];

    if (i < 0 || (size_t)i >= s->r.n_fields) {
        return NULL;
    }
    return s->r.buf + s->r.off[i];
}

static const char *trim(char *p)
{
    size_t n;

    while (*p == ' ' || *p == '\t') {
        p++;
    }
    n = strlen(p);
    while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t')) {
        p[--n] = '\0';
    }
    return p;
}

static int header_index(const struct record *r, const char *name, size_t n)
{
    for (size_t i = 0; i < r->n_fields && i < MAX_COLS; i++) {
        const char *h = trim(r->buf + r->off[i]);

        if (strlen(h) == n && strncasecmp(h, name, n) == 0) {
            return (int)i;
        }
    }
    return -1;
}

static int field_index(const char *name, size_t n)
{
    for (int i = 0; i < F_COUNT; i++) {
        if (strlen(field_names[i]) == n && strncmp(field_names[i], name, n) == 0) {
            return i;
        }
    }
    return -1;
}

/* "value=indicator,type=kind,...": field=column pairs against the header. */
static enum mk_status parse_map(struct csv *s, const char *map, struct mk_error *err)
{
    const char *p = map;

    while (*p != '\0') {
        const char *end = strchr(p, ',');
        const char *eq;
        size_t n = end != NULL ? (size_t)(end - p) : strlen(p);
        int fld;
        int col;

        eq = memchr(p, '=', n);
        if (eq == NULL || eq == p || eq + 1 == p + n) {
            mk_error_set(err, "map", "column map: expected field=column, found '%.*s'", (int)n, p);
            return MK_EINVAL;
        }
        fld = field_index(p, (size_t)(eq - p));
        if (fld < 0) {
            mk_error_set(err, "map",
                         "column map: unknown field '%.*s' (known: value, type, source, "
                         "confidence, tlp, valid_from, valid_until, name, labels, stix_id, feed, "
                         "kill_chain)",
                         (int)(eq - p), p);
            return MK_EINVAL;
        }
        col = header_index(&s->r, eq + 1, n - (size_t)(eq + 1 - p));
        if (col < 0) {
            mk_error_set(err, "map", "column map: no column '%.*s' in the header",
                         (int)(n - (size_t)(eq + 1 - p)), eq + 1);
            return MK_EINVAL;
        }
        s->col[fld] = col;
        p = end != NULL ? end + 1 : p + n;
    }
    if (s->col[F_VALUE] < 0) {
        mk_error_set(err, "map", "column map: 'value=<column>' is required");
        return MK_EINVAL;
    }
    return MK_OK;
}

/* No map: header names equal to a field name are taken as that field; the
 * value column may also be called indicator, ioc, observable, or else it is
 * the first column. */
static void guess_map(struct csv *s)
{
    static const char *const value_names[] = {"value", "indicator", "ioc", "observable"};

    for (int i = 0; i < F_COUNT; i++) {
        s->col[i] = header_index(&s->r, field_names[i], strlen(field_names[i]));
    }
    for (size_t i = 0; i < MK_ARRAY_LEN(value_names) && s->col[F_VALUE] < 0; i++) {
        s->col[F_VALUE] = header_index(&s->r, value_names[i], strlen(value_names[i]));
    }
    if (s->col[F_VALUE] < 0) {
        s->col[F_VALUE] = 0;
    }
}

/* ---- the type column ----------------------------------------------------------- */

enum kind {
    K_GUESS, /* the value decides (any type) */
    K_IP,    /* an address or CIDR, either family (ip:port too) */
    K_FIXED, /* exactly `type` */
    K_PAIR,  /* MISP "a|b" composite: see `part` */
};

struct type_row {
    const char *name;
    enum kind kind;
    enum mk_ioc_type type;
    int part; /* K_PAIR: 0 = left only, 1 = right only, 2 = both, 3 = ip|port */
};

/* Type names of common feeds and MISP attribute types (case-insensitive). */
static const struct type_row type_rows[] = {
    {"ip", K_IP, 0, 0},
    {"ipv4", K_IP, 0, 0},
    {"ipv6", K_IP, 0, 0},
    {"ip-dst", K_IP, 0, 0},
    {"ip-src", K_IP, 0, 0},
    {"ipv4-addr", K_IP, 0, 0},
    {"ipv6-addr", K_IP, 0, 0},
    {"cidr", K_IP, 0, 0},
    {"ip:port", K_IP, 0, 0},
    {"ip-dst|port", K_PAIR, MK_IOC_IP_PORT, 3},
    {"ip-src|port", K_PAIR, MK_IOC_IP_PORT, 3},
    {"domain", K_FIXED, MK_IOC_DOMAIN, 0},
    {"hostname", K_FIXED, MK_IOC_DOMAIN, 0},
    {"domain-name", K_FIXED, MK_IOC_DOMAIN, 0},
    {"fqdn", K_FIXED, MK_IOC_DOMAIN, 0},
    {"domain|ip", K_PAIR, MK_IOC_DOMAIN, 2},
    {"hostname|port", K_PAIR, MK_IOC_DOMAIN, 0},
    {"url", K_FIXED, MK_IOC_URL, 0},
    {"uri", K_FIXED, MK_IOC_URL, 0},
    {"link", K_FIXED, MK_IOC_URL, 0},
    {"md5", K_FIXED, MK_IOC_MD5, 0},
    {"sha1", K_FIXED, MK_IOC_SHA1, 0},
    {"sha256", K_FIXED, MK_IOC_SHA256, 0},
    {"sha512", K_FIXED, MK_IOC_SHA512, 0},
    {"filename|md5", K_PAIR, MK_IOC_MD5, 1},
    {"filename|sha1", K_PAIR, MK_IOC_SHA1, 1},
    {"filename|sha256", K_PAIR, MK_IOC_SHA256, 1},
    {"filename|sha512", K_PAIR, MK_IOC_SHA512, 1},
    {"ja3", K_FIXED, MK_IOC_JA3, 0},
    {"ja3s", K_FIXED, MK_IOC_JA3, 0},
    {"ja3-fingerprint-md5", K_FIXED, MK_IOC_JA3, 0},
    {"jarm-fingerprint", K_GUESS, 0, -1}, /* placeholder: unsupported (part -1) */
    {"ja4", K_FIXED, MK_IOC_JA4, 0},
    {"ja4-fingerprint", K_FIXED, MK_IOC_JA4, 0},
    {"email", K_FIXED, MK_IOC_EMAIL, 0},
    {"email-src", K_FIXED, MK_IOC_EMAIL, 0},
    {"email-dst", K_FIXED, MK_IOC_EMAIL, 0},
    {"email-addr", K_FIXED, MK_IOC_EMAIL, 0},
};

static const struct type_row *type_row(const char *name)
{
    for (size_t i = 0; i < MK_ARRAY_LEN(type_rows); i++) {
        if (strcasecmp(type_rows[i].name, name) == 0) {
            return type_rows[i].part < 0 ? NULL : &type_rows[i];
        }
    }
    return NULL;
}

static bool is_ip_type(enum mk_ioc_type t)
{
    return t == MK_IOC_IPV4 || t == MK_IOC_IPV6 || t == MK_IOC_CIDR4 || t == MK_IOC_CIDR6 ||
           t == MK_IOC_IP_PORT;
}

static enum mk_status add_guessed(struct csv *s, const char *v, const struct mk_ioc_attrs *a,
                                  bool ip_only)
{
    enum mk_ioc_type t;

    if (mk_ioc_guess_type(v, strlen(v), &t) != MK_OK || (ip_only && !is_ip_type(t))) {
        mk_ioc_load_invalid(&s->c, s->r.line, "'%.200s': not %s", v,
                            ip_only ? "an IP address" : "an indicator");
        return MK_OK;
    }
    return mk_ioc_load_add(&s->c, s->r.line, t, v, strlen(v), a);
}

/* MISP composites "left|right". */
static enum mk_status add_pair(struct csv *s, const struct type_row *row, char *v,
                               const struct mk_ioc_attrs *a)
{
    char *bar = strchr(v, '|');
    char buf[128];
    enum mk_status st;

    if (bar == NULL) {
        mk_ioc_load_invalid(&s->c, s->r.line, "'%.200s': %s needs 'a|b'", v, row->name);
        return MK_OK;
    }
    *bar = '\0';
    switch (row->part) {
    case 0:
        return mk_ioc_load_add(&s->c, s->r.line, row->type, v, strlen(v), a);
    case 1:
        return mk_ioc_load_add(&s->c, s->r.line, row->type, bar + 1, strlen(bar + 1), a);
    case 2:
        st = mk_ioc_load_add(&s->c, s->r.line, row->type, v, strlen(v), a);
        return st == MK_OK ? add_guessed(s, bar + 1, a, true) : st;
    default: /* ip|port -> "ip:port" or "[v6]:port" */
        (void)snprintf(buf, sizeof(buf), strchr(v, ':') != NULL ? "[%s]:%s" : "%s:%s", v, bar + 1);
        return mk_ioc_load_add(&s->c, s->r.line, row->type, buf, strlen(buf), a);
    }
}

/* ---- one record ------------------------------------------------------------------ */

static bool parse_int(const char *s, int64_t *out)
{
    char *end;
    long long v;

    errno = 0;
    v = strtoll(s, &end, 10);
    if (end == s || *end != '\0' || errno != 0) {
        return false;
    }
    *out = v;
    return true;
}

/* RFC 3339, a bare date "YYYY-MM-DD", or integer seconds since the epoch. */
static bool parse_when(const char *s, int64_t *out)
{
    struct mk_time t;
    char buf[40];

    if (*s == '\0') {
        return false;
    }
    if (parse_int(s, out)) {
        return true;
    }
    if (strlen(s) == 10) {
        (void)snprintf(buf, sizeof(buf), "%sT00:00:00Z", s);
        s = buf;
    }
    if (mk_time_parse_rfc3339(s, strlen(s), false, &t) != MK_OK) {
        return false;
    }
    *out = t.sec;
    return true;
}

static void record_attrs(struct csv *s, struct mk_ioc_attrs *a)
{
    const char *v;
    int64_t n;

    *a = s->defaults;
    if ((v = cell(s, F_SOURCE)) != NULL && *(v = trim((char *)v)) != '\0') {
        a->source = v;
    }
    if ((v = cell(s, F_NAME)) != NULL && *v != '\0') {
        a->name = v;
    }
    if ((v = cell(s, F_LABELS)) != NULL && *v != '\0') {
        a->labels = v;
    }
    if ((v = cell(s, F_KILL_CHAIN)) != NULL && *v != '\0') {
        a->kill_chain = v;
    }
    if ((v = cell(s, F_FEED)) != NULL && *v != '\0') {
        a->feed = v;
    }
    if ((v = cell(s, F_STIX_ID)) != NULL && *(v = trim((char *)v)) != '\0') {
        a->stix_id = v;
    }
    if ((v = cell(s, F_CONFIDENCE)) != NULL && parse_int(trim((char *)v), &n) && n >= 0 &&
        n <= 100) {
        a->confidence = (uint8_t)n;
    }
    if ((v = cell(s, F_TLP)) != NULL && mk_tlp_parse(trim((char *)v)) != MK_TLP_UNSET) {
        a->tlp = mk_tlp_parse(v);
    }
    if ((v = cell(s, F_VALID_FROM)) != NULL && parse_when(trim((char *)v), &n)) {
        a->valid_from = n;
    }
    if ((v = cell(s, F_VALID_UNTIL)) != NULL && parse_when(trim((char *)v), &n)) {
        a->valid_until = n;
    }
}

static enum mk_status one_record(struct csv *s)
{
    struct mk_ioc_attrs a;
    const struct type_row *row = NULL;
    const char *type = cell(s, F_TYPE);
    char *v = (char *)cell(s, F_VALUE);

    if (s->r.too_long || s->r.too_wide || s->r.has_nul) {
        mk_ioc_load_invalid(&s->c, s->r.line, "record %s",
                            s->r.too_long   ? "longer than the line cap"
                            : s->r.too_wide ? "has too many columns"
                                            : "holds a NUL byte");
        return MK_OK;
    }
    if (s->r.n_fields == 1 && s->r.buf[0] == '\0') {
        return MK_OK; /* blank line */
    }
    if (v == NULL || *(v = (char *)trim(v)) == '\0') {
        mk_ioc_load_invalid(&s->c, s->r.line, "no value");
        return MK_OK;
    }
    if (type != NULL && *(type = trim((char *)type)) != '\0' && (row = type_row(type)) == NULL) {
        mk_ioc_load_invalid(&s->c, s->r.line, "unsupported type '%.64s'", type);
        return MK_OK;
    }
    record_attrs(s, &a);
    if (row == NULL || row->kind == K_GUESS) {
        return add_guessed(s, v, &a, false);
    }
    switch (row->kind) {
    case K_IP:
        return add_guessed(s, v, &a, true);
    case K_PAIR:
        return add_pair(s, row, v, &a);
    default:
        return mk_ioc_load_add(&s->c, s->r.line, row->type, v, strlen(v), &a);
    }
}

static enum mk_status read_header(struct csv *s, FILE *f, const char *map, struct mk_error *err)
{
    int c = getc_unlocked(f);

    /* a UTF-8 byte-order mark before the header (spreadsheet exports) */
    if (c == 0xEF) {
        if (getc_unlocked(f) != 0xBB || getc_unlocked(f) != 0xBF) {
            mk_error_set(err, s->c.name, "%s: not a CSV file (bad byte-order mark)", s->c.name);
            return MK_EINVAL;
        }
    } else if (c != EOF) {
        (void)ungetc(c, f);
    }
    if (!read_record(f, &s->r)) {
        return MK_OK; /* empty file: nothing to load */
    }
    if (s->r.too_long || s->r.too_wide) {
        mk_error_set(err, s->c.name, "%s: header row too long or too wide", s->c.name);
        return MK_EINVAL;
    }
    for (int i = 0; i < F_COUNT; i++) {
        s->col[i] = -1;
    }
    if (map == NULL || *map == '\0') {
        guess_map(s);
        return MK_OK;
    }
    return parse_map(s, map, err);
}

enum mk_status mk_ioc_load_csv_stream(struct mk_ioc_builder *b, FILE *f, const char *name,
                                      const char *map, const struct mk_ioc_attrs *defaults,
                                      struct mk_ioc_load_stats *stats, struct mk_error *err)
{
    struct csv *s = calloc(1, sizeof(*s));
    enum mk_status st = MK_ENOMEM;

    if (s == NULL || (s->r.buf = malloc(MK_IOC_LINE_MAX + 1)) == NULL) {
        goto out;
    }
    mk_ioc_load_ctx_init(&s->c, b, name, stats);
    mk_ioc_load_attrs(&s->defaults, defaults, name, NULL, s->feed, sizeof(s->feed));
    st = read_header(s, f, map, err);
    while (st == MK_OK && read_record(f, &s->r)) {
        st = one_record(s);
    }
    if (st == MK_OK && ferror(f)) {
        mk_error_set(err, name, "%s: read error", name);
        st = MK_EIO;
    } else if (st == MK_ENOMEM) {
        mk_error_set(err, name, "%s:%zu: out of memory", name, s->r.line);
    }
out:
    if (s != NULL) {
        free(s->r.buf);
    }
    free(s);
    return st;
}

enum mk_status mk_ioc_load_csv(struct mk_ioc_builder *b, const char *path, const char *map,
                               const struct mk_ioc_attrs *defaults, struct mk_ioc_load_stats *stats,
                               struct mk_error *err)
{
    FILE *f = fopen(path, "rb");
    enum mk_status st;

    if (f == NULL) {
        mk_error_set(err, path, "%s: cannot open: %s", path, strerror(errno));
        return MK_EIO;
    }
    st = mk_ioc_load_csv_stream(b, f, path, map, defaults, stats, err);
    (void)fclose(f);
    return st;
}
