/* Streaming JSON writer (RFC 8259) for EVE and STIX output: no DOM, no library,
 * correct escaping. Entry points: mk_jw_init(), mk_jw_obj_open() ... */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "base/base_int.h"

void mk_jw_init(struct mk_jw *w, struct mk_buf *out, int indent)
{
    memset(w, 0, sizeof(*w));
    w->out = out;
    w->indent = indent;
}

/* Where n more bytes can go in the current allocation (the fast path of put,
 * whose caller then advances out->len), or NULL. The allocation never exceeds
 * the cap + 1, so room in it is room under the cap. */
static uint8_t *room(const struct mk_jw *w, size_t n)
{
    const struct mk_buf *b = w->out;

    return w->status == MK_OK && b->data != NULL && n < b->alloc - b->len ? b->data + b->len : NULL;
}

/* Counts n bytes written at room()'s pointer; the buffer stays NUL-terminated. */
static void advance(struct mk_jw *w, size_t n)
{
    w->out->len += n;
    w->out->data[w->out->len] = '\0';
}

static void put(struct mk_jw *w, const void *p, size_t n)
{
    uint8_t *d = room(w, n);

    if (d != NULL) { /* the fast path: no growth, no cap to check */
        memcpy(d, p, n);
        advance(w, n);
        return;
    }
    if (w->status == MK_OK) {
        w->status = mk_buf_append(w->out, p, n);
    }
}

static void newline(struct mk_jw *w)
{
    static const char spaces[] = "                                ";

    if (w->indent == 0) {
        return;
    }
    put(w, "\n", 1);
    for (int left = w->depth * w->indent; left > 0;) {
        int n = left > 32 ? 32 : left;

        put(w, spaces, (size_t)n);
        left -= n;
    }
}

/* Emits the separator a new value needs at the current position. */
static void before_value(struct mk_jw *w)
{
    if (w->after_key) {
        w->after_key = false;
        return;
    }
    if (w->depth > 0) {
        if (w->has_items[w->depth]) {
            put(w, ",", 1);
        }
        w->has_items[w->depth] = true;
        newline(w);
    }
}

/* Sets a sticky error unless an earlier one is already recorded. */
static void fail(struct mk_jw *w, enum mk_status st)
{
    if (w->status == MK_OK) {
        w->status = st;
    }
}

static void open_container(struct mk_jw *w, char c)
{
    before_value(w);
    put(w, &c, 1);
    if (w->depth + 1 >= MK_JW_MAX_DEPTH) {
        fail(w, MK_ELIMIT);
        return;
    }
    w->depth++;
    w->has_items[w->depth] = false;
}

static void close_container(struct mk_jw *w, char c)
{
    bool had = w->has_items[w->depth];

    if (w->depth == 0) {
        fail(w, MK_EINVAL); /* more closes than opens: a caller's bug */
        return;
    }
    w->depth--;
    if (had) {
        newline(w);
    }
    put(w, &c, 1);
}

void mk_jw_obj_open(struct mk_jw *w)
{
    open_container(w, '{');
}

void mk_jw_obj_close(struct mk_jw *w)
{
    close_container(w, '}');
}

void mk_jw_arr_open(struct mk_jw *w)
{
    open_container(w, '[');
}

void mk_jw_arr_close(struct mk_jw *w)
{
    close_container(w, ']');
}

/* The JSON escape of an ASCII byte that needs one ('"', '\\', C0 controls). */
static size_t escape_ascii(uint8_t c, char esc[6])
{
    static const char hex[] = "0123456789abcdef";

    esc[0] = '\\';
    switch (c) {
    case '"':
    case '\\':
        esc[1] = (char)c;
        return 2;
    case '\n':
        esc[1] = 'n';
        return 2;
    case '\r':
        esc[1] = 'r';
        return 2;
    case '\t':
        esc[1] = 't';
        return 2;
    default:
        esc[1] = 'u';
        esc[2] = '0';
        esc[3] = '0';
        esc[4] = hex[c >> 4];
        esc[5] = hex[c & 15];
        return 6;
    }
}

/* Writes s as a JSON string. Bytes that need no escape are copied in runs; each
 * maximal subpart of an invalid UTF-8 sequence becomes one U+FFFD, as Unicode
 * recommends, so valid characters next to a bad byte survive. */
#define ONES  0x0101010101010101ull
#define HIGHS 0x8080808080808080ull

/* True when one of the 8 bytes in x needs a look: a control character,
 * '"', '\\' or non-ASCII (SWAR: Hacker's Delight's "has byte less than"). */
static bool word_special(uint64_t x)
{
    uint64_t quote = x ^ (ONES * '"');
    uint64_t slash = x ^ (ONES * '\\');
    uint64_t hit = ((x - ONES * 0x20) | (quote - ONES) | (slash - ONES)) & ~x & HIGHS;

    return (hit | (x & HIGHS)) != 0;
}

/* Bytes from p[i] on that need no escape, skipped 8 at a time. */
static size_t skip_plain(const uint8_t *p, size_t i, size_t n)
{
    while (i + 8 <= n) {
        uint64_t x;

        memcpy(&x, p + i, 8);
        if (word_special(x)) {
            break;
        }
        i += 8;
    }
    return i;
}

/* True when none of the n bytes needs escaping. */
static bool skip_plain_all(const char *s, size_t n)
{
    const uint8_t *p = (const uint8_t *)s;
    size_t i = skip_plain(p, 0, n);

    for (; i < n; i++) {
        if (p[i] < 0x20 || p[i] >= 0x80 || p[i] == '"' || p[i] == '\\') {
            return false;
        }
    }
    return true;
}

/* "s" in one append when there is room (the common case). */
static void put_quoted(struct mk_jw *w, const char *s, size_t n)
{
    uint8_t *d = room(w, n + 2);

    if (d != NULL) {
        d[0] = '"';
        memcpy(d + 1, s, n);
        d[n + 1] = '"';
        advance(w, n + 2);
        return;
    }
    put(w, "\"", 1);
    put(w, s, n);
    put(w, "\"", 1);
}

static void put_escaped(struct mk_jw *w, const char *s, size_t n)
{
    const uint8_t *p = (const uint8_t *)s;
    size_t run = 0; /* start of the pending run of bytes that need no escape */
    size_t i = 0;

    if (skip_plain_all(s, n)) {
        put_quoted(w, s, n); /* most strings: nothing to escape */
        return;
    }
    put(w, "\"", 1);
    while (i < n) {
        uint8_t c;
        char esc[6];
        size_t len;

        i = skip_plain(p, i, n);
        if (i >= n) {
            break;
        }
        c = p[i];
        if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0x80) {
            bool ok = mk_utf8_seq(p + i, n - i, &len);

            if (ok) {
                i += len;
                continue;
            }
            put(w, p + run, i - run);
            put(w, "\xef\xbf\xbd", 3);
        } else {
            put(w, p + run, i - run);
            put(w, esc, escape_ascii(c, esc));
            len = 1;
        }
        i += len;
        run = i;
    }
    put(w, p + run, n - run);
    put(w, "\"", 1);
}

void mk_jw_key(struct mk_jw *w, const char *key, size_t n)
{
    char quick[72];

    /* the common case, a short plain key in compact output: ,"key": in one
     * append (EVE writes some 30 keys a line) */
    if (w->indent == 0 && n <= 64 && !w->after_key && w->depth > 0 && skip_plain_all(key, n)) {
        size_t k = 0;

        if (w->has_items[w->depth]) {
            quick[k++] = ',';
        }
        w->has_items[w->depth] = true;
        quick[k++] = '"';
        memcpy(quick + k, key, n);
        k += n;
        quick[k++] = '"';
        quick[k++] = ':';
        put(w, quick, k);
        w->after_key = true;
        return;
    }
    before_value(w);
    put_escaped(w, key, n);
    put(w, w->indent != 0 ? ": " : ":", w->indent != 0 ? 2 : 1);
    w->after_key = true;
}

void mk_jw_key_cstr(struct mk_jw *w, const char *key)
{
    mk_jw_key(w, key, strlen(key));
}

/* Decimal digits of v, written backwards from end; returns the first. A hand
 * loop: snprintf was a visible share of EVE output time. */
static char *format_u64(uint64_t v, char *end)
{
    char *p = end;

    do {
        *--p = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    return p;
}

static bool compact_member(const struct mk_jw *w)
{
    return w->indent == 0 && !w->after_key && w->depth > 0;
}

/* Appends `key` (with its comma unless first) for a compact member into d;
 * returns the bytes written. The caller checked compact_member and room. */
static size_t member_key(struct mk_jw *w, uint8_t *d, struct mk_jw_lit key)
{
    size_t first = !w->has_items[w->depth];

    w->has_items[w->depth] = true;
    memcpy(d, key.text + first, key.len - first);
    return key.len - first;
}

void mk_jw_kv_uint(struct mk_jw *w, struct mk_jw_lit key, uint64_t v)
{
    char num[24];
    char *end = num + sizeof(num);
    char *p = format_u64(v, end);
    size_t n = (size_t)(end - p);
    uint8_t *d;

    if (compact_member(w) && (d = room(w, key.len + n)) != NULL) {
        size_t k = member_key(w, d, key);

        memcpy(d + k, p, n);
        advance(w, k + n);
        return;
    }
    mk_jw_key_lit(w, key);
    mk_jw_raw_number(w, p, n);
}

void mk_jw_kv_plain(struct mk_jw *w, struct mk_jw_lit key, const char *s, size_t n)
{
    uint8_t *d;

#ifndef NDEBUG
    if (!skip_plain_all(s, n)) {
        fail(w, MK_EINVAL); /* a caller's bug: this text needed escaping */
        return;
    }
#endif
    if (compact_member(w) && (d = room(w, key.len + n + 2)) != NULL) {
        size_t k = member_key(w, d, key);

        d[k] = '"';
        memcpy(d + k + 1, s, n);
        d[k + 1 + n] = '"';
        advance(w, k + n + 2);
        return;
    }
    mk_jw_key_lit(w, key);
    mk_jw_str_plain(w, s, n);
}

void mk_jw_key_lit(struct mk_jw *w, struct mk_jw_lit key)
{
    if (compact_member(w)) {
        bool first = !w->has_items[w->depth];

        w->has_items[w->depth] = true;
        put(w, key.text + first, key.len - first);
        w->after_key = true;
        return;
    }
    mk_jw_key(w, key.text + 2, key.len - 4); /* indented output, or a misuse */
}

void mk_jw_str_plain(struct mk_jw *w, const char *s, size_t n)
{
#ifndef NDEBUG
    if (!skip_plain_all(s, n)) {
        fail(w, MK_EINVAL); /* a caller's bug: this text needed escaping */
        return;
    }
#endif
    before_value(w);
    put_quoted(w, s, n);
}

void mk_jw_str(struct mk_jw *w, const char *s, size_t n)
{
    before_value(w);
    put_escaped(w, s, n);
}

void mk_jw_str_cstr(struct mk_jw *w, const char *s)
{
    mk_jw_str(w, s, strlen(s));
}

void mk_jw_raw_number(struct mk_jw *w, const char *s, size_t n)
{
    before_value(w);
    put(w, s, n);
}

void mk_jw_int(struct mk_jw *w, int64_t v)
{
    char buf[24];
    char *end = buf + sizeof(buf);
    /* the magnitude as unsigned: -INT64_MIN does not fit in int64_t */
    uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    char *p = format_u64(mag, end);

    if (v < 0) {
        *--p = '-';
    }
    mk_jw_raw_number(w, p, (size_t)(end - p));
}

void mk_jw_uint(struct mk_jw *w, uint64_t v)
{
    char buf[24];
    char *end = buf + sizeof(buf);
    char *p = format_u64(v, end);

    mk_jw_raw_number(w, p, (size_t)(end - p));
}

void mk_jw_double(struct mk_jw *w, double v)
{
    char buf[32];
    int n;

    if (!isfinite(v)) {
        mk_jw_null(w); /* JSON has no NaN or infinity */
        return;
    }
    /* Shortest of %.15g and %.17g that reads back as the same double. */
    n = snprintf(buf, sizeof(buf), "%.15g", v);
    if (strtod(buf, NULL) != v) {
        n = snprintf(buf, sizeof(buf), "%.17g", v);
    }
    mk_jw_raw_number(w, buf, (size_t)n);
}

void mk_jw_bool(struct mk_jw *w, bool v)
{
    before_value(w);
    put(w, v ? "true" : "false", v ? 4 : 5);
}

void mk_jw_null(struct mk_jw *w)
{
    before_value(w);
    put(w, "null", 4);
}

enum mk_status mk_jw_status(const struct mk_jw *w)
{
    return w->status;
}
