/* STIX 2.1 patterning (specification part 9, grammar STIXPattern.g4): lexer and
 * recursive-descent parser into the AST of pattern_int.h (mk_stix_pattern_parse),
 * and the normalised writer (mk_stix_pattern_format). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stix/pattern_int.h"

enum tok_kind {
    T_EOF,
    T_LBRACK,
    T_RBRACK,
    T_LPAREN,
    T_RPAREN,
    T_COLON,
    T_DOT,
    T_COMMA,
    T_STAR,
    T_EQ,
    T_NE,
    T_LT,
    T_LE,
    T_GT,
    T_GE,
    T_IDENT,
    T_STR,
    T_INT,
    T_FLOAT,
    T_TS,
    T_HEX,
    T_BIN,
    T_BOOL,
    /* keywords: upper case only, as the grammar spells them */
    T_AND,
    T_OR,
    T_NOT,
    T_FOLLOWEDBY,
    T_LIKE,
    T_MATCHES,
    T_ISSUPERSET,
    T_ISSUBSET,
    T_EXISTS,
    T_LAST,
    T_IN,
    T_START,
    T_STOP,
    T_SECONDS,
    T_WITHIN,
    T_REPEATS,
    T_TIMES,
};

static const struct {
    const char *word;
    enum tok_kind kind;
} keywords[] = {
    {"AND", T_AND},
    {"OR", T_OR},
    {"NOT", T_NOT},
    {"FOLLOWEDBY", T_FOLLOWEDBY},
    {"LIKE", T_LIKE},
    {"MATCHES", T_MATCHES},
    {"ISSUPERSET", T_ISSUPERSET},
    {"ISSUBSET", T_ISSUBSET},
    {"EXISTS", T_EXISTS},
    {"LAST", T_LAST},
    {"IN", T_IN},
    {"START", T_START},
    {"STOP", T_STOP},
    {"SECONDS", T_SECONDS},
    {"WITHIN", T_WITHIN},
    {"REPEATS", T_REPEATS},
    {"TIMES", T_TIMES},
    {"true", T_BOOL},
    {"false", T_BOOL},
};

struct tok {
    enum tok_kind kind;
    size_t off; /* byte offset of the token in the pattern */
    size_t len;
    bool has_hyphen; /* T_IDENT */
};

struct parser {
    struct mk_arena *a;
    const char *s;
    size_t n;
    size_t pos;
    struct tok tok;
    int depth;
    size_t n_tests;
    struct mk_error *err;
};

/* ---- errors ---------------------------------------------------------------- */

static void tok_text(const struct parser *p, char *out, size_t cap)
{
    size_t n = p->tok.len < 24 ? p->tok.len : 24;
    size_t j = 0;

    if (p->tok.kind == T_EOF) {
        (void)snprintf(out, cap, "end of pattern");
        return;
    }
    out[j++] = '\'';
    for (size_t i = 0; i < n && j + 5 < cap; i++) {
        char c = p->s[p->tok.off + i];

        out[j++] = c;
        if ((unsigned char)c < 0x20 || (unsigned char)c >= 0x7f) {
            out[j - 1] = '?';
        }
    }
    if (n < p->tok.len && j + 5 < cap) {
        memcpy(out + j, "...", 3);
        j += 3;
    }
    out[j++] = '\'';
    out[j] = '\0';
}

/* "column N: expected WHAT, found 'TOKEN'" for the current token. */
static enum mk_status expected(struct parser *p, const char *what)
{
    char found[40];

    tok_text(p, found, sizeof(found));
    mk_error_set(p->err, "pattern", "column %zu: expected %s, found %s", p->tok.off + 1, what,
                 found);
    return MK_EINVAL;
}

static enum mk_status fail_at(struct parser *p, size_t off, const char *what)
{
    mk_error_set(p->err, "pattern", "column %zu: %s", off + 1, what);
    return MK_EINVAL;
}

static enum mk_status too_deep(struct parser *p)
{
    mk_error_set(p->err, "pattern", "column %zu: nesting deeper than %d levels", p->tok.off + 1,
                 MK_PAT_MAX_DEPTH);
    return MK_ELIMIT;
}

/* ---- lexer ----------------------------------------------------------------- */

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_ident_start(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_ident_char(char c)
{
    return is_ident_start(c) || is_digit(c);
}

static bool is_hex(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool is_b64(char c)
{
    return (is_ident_char(c) && c != '_') || c == '+' || c == '/';
}

/* Skips blanks and the grammar's comments; MK_EINVAL on an unclosed comment. */
static enum mk_status skip_space(struct parser *p)
{
    while (p->pos < p->n) {
        char c = p->s[p->pos];

        if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f') {
            p->pos++;
        } else if (c == '/' && p->pos + 1 < p->n && p->s[p->pos + 1] == '/') {
            while (p->pos < p->n && p->s[p->pos] != '\n' && p->s[p->pos] != '\r') {
                p->pos++;
            }
        } else if (c == '/' && p->pos + 1 < p->n && p->s[p->pos + 1] == '*') {
            size_t start = p->pos;

            p->pos += 2;
            while (p->pos + 1 < p->n && !(p->s[p->pos] == '*' && p->s[p->pos + 1] == '/')) {
                p->pos++;
            }
            if (p->pos + 1 >= p->n) {
                return fail_at(p, start, "unterminated comment");
            }
            p->pos += 2;
        } else {
            break;
        }
    }
    return MK_OK;
}

/* Finds the closing quote of a quoted literal opening at `q` (the quote). */
static enum mk_status scan_quoted(struct parser *p, size_t q, size_t *end)
{
    size_t i = q + 1;

    while (i < p->n && p->s[i] != '\'') {
        if (p->s[i] == '\\') {
            if (i + 1 >= p->n || (p->s[i + 1] != '\'' && p->s[i + 1] != '\\')) {
                return fail_at(p, i, "only \\' and \\\\ escapes are allowed in a string");
            }
            i++;
        }
        i++;
    }
    if (i >= p->n) {
        return fail_at(p, q, "unterminated string literal");
    }
    *end = i + 1;
    return MK_OK;
}

static enum mk_status scan_hex(struct parser *p, size_t start, size_t end)
{
    size_t n = end - start - 3;

    for (size_t i = start + 2; i + 1 < end; i++) {
        if (!is_hex(p->s[i])) {
            return fail_at(p, i, "invalid hex digit in h'' literal");
        }
    }
    return n % 2 == 0 ? MK_OK : fail_at(p, start, "odd number of hex digits in h'' literal");
}

/* Section 9.2: "Line feeds in the base64 encoded data MUST be supported and
 * ignored", so LF (and the CR of a CRLF) do not count towards the groups of 4. */
static bool is_b64_break(char c)
{
    return c == '\n' || c == '\r';
}

static enum mk_status scan_b64(struct parser *p, size_t start, size_t end)
{
    size_t n = end - start - 3;
    const char *b = p->s + start + 2;
    size_t chars = 0;
    size_t pad = 0;

    for (size_t i = 0; i < n; i++) {
        chars += !is_b64_break(b[i]);
    }
    if (chars == 0 || chars % 4 != 0) {
        return fail_at(p, start, "base64 in b'' literal must be a non-empty multiple of 4 chars");
    }
    for (size_t i = 0, k = 0; i < n; i++) {
        if (is_b64_break(b[i])) {
            continue;
        }
        if (b[i] == '=' && k >= chars - 2) {
            pad++;
        } else if (!is_b64(b[i]) || pad > 0) {
            return fail_at(p, start + 2 + i, "invalid base64 character in b'' literal");
        }
        k++;
    }
    return MK_OK;
}

static enum mk_status lex_number(struct parser *p, size_t start)
{
    size_t i = start;
    size_t digits_at;

    if (p->s[i] == '+' || p->s[i] == '-') {
        i++;
    }
    digits_at = i;
    while (i < p->n && is_digit(p->s[i])) {
        i++;
    }
    p->tok.kind = T_INT;
    if (i < p->n && p->s[i] == '.') {
        size_t frac = ++i;

        while (i < p->n && is_digit(p->s[i])) {
            i++;
        }
        if (i == frac) {
            return fail_at(p, start, "a number needs digits after '.'");
        }
        p->tok.kind = T_FLOAT;
    } else if (i == digits_at) {
        return fail_at(p, start, "expected digits after the sign");
    } else if (p->s[digits_at] == '0' && i - digits_at > 1) {
        return fail_at(p, start, "an integer cannot have leading zeros");
    }
    p->pos = i;
    return MK_OK;
}

static enum mk_status lex_ident(struct parser *p, size_t start)
{
    size_t i = start;

    p->tok.has_hyphen = false;
    while (i < p->n && (is_ident_char(p->s[i]) || p->s[i] == '-')) {
        p->tok.has_hyphen |= p->s[i] == '-';
        i++;
    }
    p->pos = i;
    p->tok.kind = T_IDENT;
    for (size_t k = 0; k < MK_ARRAY_LEN(keywords); k++) {
        if (strlen(keywords[k].word) == i - start &&
            memcmp(keywords[k].word, p->s + start, i - start) == 0) {
            p->tok.kind = keywords[k].kind;
        }
    }
    return MK_OK;
}

/* t'', h'' and b'' literals: the prefix letter touches the quote. */
static enum mk_status lex_prefixed(struct parser *p, size_t start)
{
    size_t end;
    char c = p->s[start];
    enum mk_status st = scan_quoted(p, start + 1, &end);

    if (st != MK_OK) {
        return st;
    }
    p->pos = end;
    if (c == 'h') {
        p->tok.kind = T_HEX;
        return scan_hex(p, start, end);
    }
    if (c == 'b') {
        p->tok.kind = T_BIN;
        return scan_b64(p, start, end);
    }
    p->tok.kind = T_TS;
    return MK_OK;
}

static enum mk_status lex_punct(struct parser *p, size_t start)
{
    static const struct {
        const char *text;
        enum tok_kind kind;
    } punct[] = {
        {"==", T_EQ},    {"!=", T_NE},    {"<>", T_NE},    {"<=", T_LE},
        {">=", T_GE},    {"=", T_EQ},     {"<", T_LT},     {">", T_GT},
        {"[", T_LBRACK}, {"]", T_RBRACK}, {"(", T_LPAREN}, {")", T_RPAREN},
        {":", T_COLON},  {".", T_DOT},    {",", T_COMMA},  {"*", T_STAR},
    };

    for (size_t k = 0; k < MK_ARRAY_LEN(punct); k++) {
        size_t len = strlen(punct[k].text);

        if (p->n - start >= len && memcmp(p->s + start, punct[k].text, len) == 0) {
            p->tok.kind = punct[k].kind;
            p->pos = start + len;
            return MK_OK;
        }
    }
    return fail_at(p, start, "unexpected character");
}

static enum mk_status next_tok(struct parser *p)
{
    enum mk_status st = skip_space(p);
    size_t start;
    char c;

    if (st != MK_OK) {
        return st;
    }
    start = p->pos;
    p->tok.off = start;
    p->tok.len = 0;
    if (start >= p->n) {
        p->tok.kind = T_EOF;
        return MK_OK;
    }
    c = p->s[start];
    if ((c == 't' || c == 'h' || c == 'b') && start + 1 < p->n && p->s[start + 1] == '\'') {
        st = lex_prefixed(p, start);
    } else if (c == '\'') {
        p->tok.kind = T_STR;
        st = scan_quoted(p, start, &p->pos);
    } else if (is_ident_start(c)) {
        st = lex_ident(p, start);
    } else if (is_digit(c) || ((c == '-' || c == '+' || c == '.') && start + 1 < p->n &&
                               (is_digit(p->s[start + 1]) || p->s[start + 1] == '.'))) {
        st = lex_number(p, start);
    } else {
        st = lex_punct(p, start);
    }
    p->tok.len = p->pos - start;
    return st;
}

static bool at(const struct parser *p, enum tok_kind k)
{
    return p->tok.kind == k;
}

/* Consumes a token of kind k, or fails with "expected WHAT". */
static enum mk_status want(struct parser *p, enum tok_kind k, const char *what)
{
    return at(p, k) ? next_tok(p) : expected(p, what);
}

/* ---- literals -------------------------------------------------------------- */

static enum mk_status unescape(struct parser *p, size_t off, size_t len, struct mk_pat_lit *l)
{
    char *d = mk_arena_alloc(p->a, len + 1);
    size_t j = 0;

    if (d == NULL) {
        return MK_ENOMEM;
    }
    for (size_t i = 0; i < len; i++) {
        char c = p->s[off + i];

        if (c == '\\') {
            c = p->s[off + ++i]; /* the lexer checked it is ' or \ */
        }
        d[j++] = c;
    }
    d[j] = '\0';
    l->str = d;
    l->len = j;
    return MK_OK;
}

static int hex_val(char c)
{
    if (is_digit(c)) {
        return c - '0';
    }
    return (c | 0x20) - 'a' + 10;
}

static int b64_val(char c)
{
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }
    if (is_digit(c)) {
        return c - '0' + 52;
    }
    return c == '+' ? 62 : 63;
}

static enum mk_status decode_hex(struct parser *p, const char *h, size_t n, struct mk_pat_lit *l)
{
    uint8_t *d = mk_arena_alloc(p->a, n / 2 + 1);

    if (d == NULL) {
        return MK_ENOMEM;
    }
    for (size_t i = 0; i + 1 < n; i += 2) {
        d[i / 2] = (uint8_t)(hex_val(h[i]) << 4 | hex_val(h[i + 1]));
    }
    d[n / 2] = 0;
    l->str = (const char *)d;
    l->len = n / 2;
    return MK_OK;
}

/* b holds whole groups of 4 once the line breaks are skipped (scan_b64). */
static enum mk_status decode_b64(struct parser *p, const char *b, size_t n, struct mk_pat_lit *l)
{
    uint8_t *d = mk_arena_alloc(p->a, n / 4 * 3 + 1);
    size_t j = 0;
    size_t i = 0;

    if (d == NULL) {
        return MK_ENOMEM;
    }
    while (i < n) {
        uint32_t v = 0;
        int got = 0;
        int k = 0;

        for (; k < 4 && i < n; i++) {
            if (is_b64_break(b[i])) {
                continue;
            }
            v <<= 6;
            if (b[i] != '=') {
                v |= (uint32_t)b64_val(b[i]);
                got++;
            }
            k++;
        }
        if (k < 4) {
            break; /* only line breaks were left */
        }
        for (k = 0; k < got - 1; k++) {
            d[j++] = (uint8_t)(v >> (16 - 8 * k));
        }
    }
    d[j] = 0;
    l->str = (const char *)d;
    l->len = j;
    return MK_OK;
}

/* Decimal integer or float text (sign included) into l->i / l->f. */
static enum mk_status number_value(struct parser *p, struct mk_pat_lit *l)
{
    const char *t = p->s + p->tok.off;
    size_t n = p->tok.len;
    char buf[64];
    char *end = NULL;
    bool neg = t[0] == '-';
    size_t i = (t[0] == '-' || t[0] == '+') ? 1 : 0;

    l->text = t + (t[0] == '+');
    l->text_len = n - (t[0] == '+');
    if (p->tok.kind == T_INT) {
        uint64_t v = 0;

        for (; i < n; i++) {
            if (v > (UINT64_C(1) << 63) / 10) {
                return fail_at(p, p->tok.off, "integer out of range");
            }
            v = v * 10 + (uint64_t)(t[i] - '0');
        }
        if (v > (uint64_t)INT64_MAX + (neg ? 1u : 0u)) {
            return fail_at(p, p->tok.off, "integer out of range");
        }
        l->i = neg ? (int64_t)(0 - v) : (int64_t)v;
        l->f = (double)l->i;
        return MK_OK;
    }
    if (n >= sizeof(buf)) {
        return fail_at(p, p->tok.off, "number too long");
    }
    memcpy(buf, t, n);
    buf[n] = '\0';
    l->f = strtod(buf, &end);
    return MK_OK;
}

static enum mk_status timestamp_value(struct parser *p, struct mk_pat_lit *l)
{
    const char *t = p->s + p->tok.off + 2;
    size_t n = p->tok.len - 3;

    /* The grammar's shape (upper-case T and Z only) before the calendar checks. */
    if (n < 20 || t[10] != 'T' || t[n - 1] != 'Z' ||
        mk_time_parse_rfc3339(t, n, true, &l->ts) != MK_OK) {
        return fail_at(p, p->tok.off, "invalid timestamp: expected t'YYYY-MM-DDThh:mm:ss[.s+]Z'");
    }
    l->text = t;
    l->text_len = n;
    return MK_OK;
}

static enum mk_status parse_literal(struct parser *p, struct mk_pat_lit *l)
{
    enum mk_status st = MK_OK;
    size_t off = p->tok.off;

    memset(l, 0, sizeof(*l));
    switch (p->tok.kind) {
    case T_INT:
    case T_FLOAT:
        l->type = p->tok.kind == T_INT ? MK_PAT_LIT_INT : MK_PAT_LIT_FLOAT;
        st = number_value(p, l);
        break;
    case T_STR:
        l->type = MK_PAT_LIT_STR;
        st = unescape(p, off + 1, p->tok.len - 2, l);
        break;
    case T_BOOL:
        l->type = MK_PAT_LIT_BOOL;
        l->boolean = p->s[off] == 't';
        break;
    case T_TS:
        l->type = MK_PAT_LIT_TS;
        st = timestamp_value(p, l);
        break;
    case T_HEX:
        l->type = MK_PAT_LIT_HEX;
        st = decode_hex(p, p->s + off + 2, p->tok.len - 3, l);
        break;
    case T_BIN:
        l->type = MK_PAT_LIT_BIN;
        l->text = p->s + off + 2;
        l->text_len = p->tok.len - 3;
        st = decode_b64(p, l->text, l->text_len, l);
        break;
    default:
        return expected(p, "a literal");
    }
    return st != MK_OK ? st : next_tok(p);
}

/* IN's ( lit, lit, ... ); an empty set is allowed by the grammar. */
static enum mk_status parse_set(struct parser *p, struct mk_pat_cmp *t)
{
    struct mk_pat_lit *v = NULL;
    size_t n = 0;
    size_t cap = 0;
    enum mk_status st = want(p, T_LPAREN, "'(' to open the IN set");

    while (st == MK_OK && !at(p, T_RPAREN)) {
        if (n > 0 && (st = want(p, T_COMMA, "',' or ')' in the IN set")) != MK_OK) {
            break;
        }
        if (n == cap) {
            struct mk_pat_lit *nv;

            cap = cap == 0 ? 4 : cap * 2;
            nv = mk_arena_alloc(p->a, cap * sizeof(*nv));
            if (nv == NULL) {
                return MK_ENOMEM;
            }
            if (n > 0) {
                memcpy(nv, v, n * sizeof(*nv));
            }
            v = nv;
        }
        if (at(p, T_RPAREN) || at(p, T_COMMA)) {
            return expected(p, "a literal in the IN set");
        }
        st = parse_literal(p, &v[n++]);
    }
    t->lits = v;
    t->n_lits = n;
    return st != MK_OK ? st : next_tok(p);
}

/* ---- object paths ---------------------------------------------------------- */

static enum mk_status path_key(struct parser *p, struct mk_pat_step *s)
{
    struct mk_pat_lit l;
    enum mk_status st;

    s->kind = MK_PAT_STEP_KEY;
    if (at(p, T_STR)) {
        if ((st = unescape(p, p->tok.off + 1, p->tok.len - 2, &l)) != MK_OK) {
            return st;
        }
        s->key = l.str;
        s->key_len = l.len;
        return next_tok(p);
    }
    if (!at(p, T_IDENT)) {
        return expected(p, "a property name");
    }
    if (p->tok.has_hyphen) {
        return fail_at(p, p->tok.off, "a property name with '-' must be quoted ('name-x')");
    }
    s->key = mk_arena_strndup(p->a, p->s + p->tok.off, p->tok.len);
    s->key_len = p->tok.len;
    return s->key == NULL ? MK_ENOMEM : next_tok(p);
}

static enum mk_status path_index(struct parser *p, struct mk_pat_step *s)
{
    struct mk_pat_lit l;
    enum mk_status st = next_tok(p); /* '[' */

    if (st != MK_OK) {
        return st;
    }
    if (at(p, T_STAR)) {
        s->kind = MK_PAT_STEP_ANY;
        st = next_tok(p);
    } else if (at(p, T_INT)) {
        s->kind = MK_PAT_STEP_INDEX;
        st = parse_literal(p, &l);
        s->index = l.i;
    } else {
        return expected(p, "an integer or '*' as list index");
    }
    return st != MK_OK ? st : want(p, T_RBRACK, "']' to close the list index");
}

static enum mk_status parse_path(struct parser *p, struct mk_pat_path *path)
{
    struct mk_pat_step steps[MK_PAT_MAX_STEPS];
    struct mk_pat_step *copy;
    size_t n = 0;
    enum mk_status st;

    if (!at(p, T_IDENT)) {
        return expected(p, "an object path such as file:name");
    }
    path->type = mk_arena_strndup(p->a, p->s + p->tok.off, p->tok.len);
    path->type_len = p->tok.len;
    if (path->type == NULL) {
        return MK_ENOMEM;
    }
    memset(steps, 0, sizeof(steps[0]));
    if ((st = next_tok(p)) != MK_OK ||
        (st = want(p, T_COLON, "':' after the object type")) != MK_OK ||
        (st = path_key(p, &steps[n++])) != MK_OK) {
        return st;
    }
    while (at(p, T_DOT) || at(p, T_LBRACK)) {
        if (n == MK_PAT_MAX_STEPS) {
            return too_deep(p);
        }
        memset(&steps[n], 0, sizeof(steps[n]));
        if (at(p, T_LBRACK)) {
            st = path_index(p, &steps[n]);
        } else if ((st = next_tok(p)) == MK_OK) {
            st = path_key(p, &steps[n]);
        }
        if (st != MK_OK) {
            return st;
        }
        n++;
    }
    copy = mk_arena_alloc(p->a, n * sizeof(*copy));
    if (copy == NULL) {
        return MK_ENOMEM;
    }
    memcpy(copy, steps, n * sizeof(*copy));
    path->steps = copy;
    path->n_steps = n;
    return MK_OK;
}

/* ---- comparison expressions ------------------------------------------------ */

static enum mk_status parse_cmp_level(struct parser *p, int level, struct mk_pat_cmp **out);

static const struct {
    enum tok_kind tok;
    enum mk_pat_op op;
} ops[] = {
    {T_EQ, MK_PAT_EQ},
    {T_NE, MK_PAT_NE},
    {T_GT, MK_PAT_GT},
    {T_LT, MK_PAT_LT},
    {T_GE, MK_PAT_GE},
    {T_LE, MK_PAT_LE},
    {T_IN, MK_PAT_IN},
    {T_LIKE, MK_PAT_LIKE},
    {T_MATCHES, MK_PAT_MATCHES},
    {T_ISSUBSET, MK_PAT_ISSUBSET},
    {T_ISSUPERSET, MK_PAT_ISSUPERSET},
};

/* The operand the grammar allows after op. */
static enum mk_status parse_operand(struct parser *p, struct mk_pat_cmp *t)
{
    struct mk_pat_lit *l;

    if (t->op == MK_PAT_IN) {
        return parse_set(p, t);
    }
    l = mk_arena_alloc(p->a, sizeof(*l));
    if (l == NULL) {
        return MK_ENOMEM;
    }
    t->lits = l;
    t->n_lits = 1;
    if (t->op >= MK_PAT_LIKE && !at(p, T_STR)) {
        return expected(p, "a string literal");
    }
    if (t->op >= MK_PAT_GT && t->op <= MK_PAT_LE && at(p, T_BOOL)) {
        return expected(p, "an orderable literal (number, string, timestamp, binary or hex)");
    }
    return parse_literal(p, l);
}

static bool is_hash_path(const struct mk_pat_path *path)
{
    return path->n_steps == 2 && strcmp(path->steps[0].key, "hashes") == 0 &&
           path->steps[1].kind == MK_PAT_STEP_KEY;
}

static enum mk_status parse_test(struct parser *p, struct mk_pat_cmp *t)
{
    enum mk_status st;

    t->kind = MK_PAT_CMP_TEST;
    t->height = 1;
    t->test_no = p->n_tests++;
    if (at(p, T_NOT) || at(p, T_EXISTS)) {
        t->negated = at(p, T_NOT);
        if (t->negated && ((st = next_tok(p)) != MK_OK || !at(p, T_EXISTS))) {
            return st != MK_OK ? st : expected(p, "EXISTS after NOT");
        }
        t->op = MK_PAT_EXISTS;
        return (st = next_tok(p)) != MK_OK ? st : parse_path(p, &t->path);
    }
    if ((st = parse_path(p, &t->path)) != MK_OK) {
        return st;
    }
    t->is_hash = is_hash_path(&t->path);
    if (at(p, T_NOT)) {
        t->negated = true;
        if ((st = next_tok(p)) != MK_OK) {
            return st;
        }
    }
    for (size_t k = 0; k < MK_ARRAY_LEN(ops); k++) {
        if (at(p, ops[k].tok)) {
            t->op = ops[k].op;
            if ((st = next_tok(p)) != MK_OK || (st = parse_operand(p, t)) != MK_OK) {
                return st;
            }
            return mk_stix_pattern_classify(p->a, t);
        }
    }
    return expected(p, "a comparison operator (=, !=, <, >, <=, >=, IN, LIKE, MATCHES, "
                       "ISSUBSET, ISSUPERSET)");
}

/* propTest: a test or a parenthesised comparison expression. */
// NOLINTNEXTLINE(misc-no-recursion): parentheses capped at MK_PAT_MAX_DEPTH (64)
static enum mk_status parse_cmp_primary(struct parser *p, struct mk_pat_cmp **out)
{
    enum mk_status st;
    struct mk_pat_cmp *t;

    if (at(p, T_LPAREN)) {
        if (++p->depth > MK_PAT_MAX_DEPTH) {
            return too_deep(p);
        }
        if ((st = next_tok(p)) != MK_OK || (st = parse_cmp_level(p, 0, out)) != MK_OK) {
            return st;
        }
        p->depth--;
        return want(p, T_RPAREN, "')' to close the parenthesised comparison expression");
    }
    t = mk_arena_alloc(p->a, sizeof(*t));
    if (t == NULL) {
        return MK_ENOMEM;
    }
    memset(t, 0, sizeof(*t));
    *out = t;
    return parse_test(p, t);
}

/* Appends child to an n-ary node, keeping the height cap. */
static enum mk_status cmp_append(struct parser *p, struct mk_pat_cmp *node,
                                 struct mk_pat_cmp **tail, struct mk_pat_cmp *child)
{
    *tail = child;
    node->n++;
    if (child->height + 1 > node->height) {
        node->height = (uint8_t)(child->height + 1);
    }
    return node->height > MK_PAT_MAX_DEPTH ? too_deep(p) : MK_OK;
}

/* level 0: OR, level 1: AND (binds tighter), level 2: propTest. Recursion:
 * parentheses are capped at MK_PAT_MAX_DEPTH (64) levels in parse_cmp_primary. */
// NOLINTNEXTLINE(misc-no-recursion): parentheses capped at MK_PAT_MAX_DEPTH (64)
static enum mk_status parse_cmp_level(struct parser *p, int level, struct mk_pat_cmp **out)
{
    enum tok_kind op = level == 0 ? T_OR : T_AND;
    struct mk_pat_cmp *prev = NULL;
    struct mk_pat_cmp *node;
    enum mk_status st;

    if (level == 2) {
        return parse_cmp_primary(p, out);
    }
    if ((st = parse_cmp_level(p, level + 1, &prev)) != MK_OK || !at(p, op)) {
        *out = prev;
        return st;
    }
    node = mk_arena_alloc(p->a, sizeof(*node));
    if (node == NULL) {
        return MK_ENOMEM;
    }
    memset(node, 0, sizeof(*node));
    node->kind = level == 0 ? MK_PAT_CMP_OR : MK_PAT_CMP_AND;
    *out = node;
    st = cmp_append(p, node, &node->first, prev);
    while (st == MK_OK && at(p, op)) {
        struct mk_pat_cmp *child = NULL;

        if ((st = next_tok(p)) != MK_OK || (st = parse_cmp_level(p, level + 1, &child)) != MK_OK) {
            break;
        }
        st = cmp_append(p, node, &prev->next, child);
        prev = child;
    }
    return st;
}

/* ---- observation expressions ----------------------------------------------- */

static enum mk_status parse_obs_level(struct parser *p, int level, struct mk_pat_obs **out);

static struct mk_pat_obs *obs_new(struct parser *p, enum mk_pat_obs_kind kind)
{
    struct mk_pat_obs *o = mk_arena_alloc(p->a, sizeof(*o));

    if (o != NULL) {
        memset(o, 0, sizeof(*o));
        o->kind = (uint8_t)kind;
    }
    return o;
}

static enum mk_status parse_within(struct parser *p, struct mk_pat_obs *q)
{
    enum mk_status st;
    const char *t = p->s + p->tok.off;
    size_t n = p->tok.len;
    size_t i = 0;
    uint32_t scale = 100000000;

    if ((!at(p, T_INT) && !at(p, T_FLOAT)) || t[0] == '-') {
        return expected(p, "a positive number of seconds after WITHIN");
    }
    i = t[0] == '+';
    for (; i < n && t[i] != '.' && q->within_sec < INT64_MAX / 100; i++) {
        q->within_sec = q->within_sec * 10 + (t[i] - '0');
    }
    if (i < n && t[i] != '.') {
        return fail_at(p, p->tok.off, "WITHIN value out of range");
    }
    for (i++; i < n && scale > 0; i++, scale /= 10) {
        q->within_nsec += (uint32_t)(t[i] - '0') * scale;
    }
    if (q->within_sec == 0 && q->within_nsec == 0) {
        return fail_at(p, p->tok.off, "WITHIN needs a positive number of seconds");
    }
    if ((st = parse_literal(p, &q->within)) != MK_OK) {
        return st;
    }
    return want(p, T_SECONDS, "SECONDS after the WITHIN value");
}

static enum mk_status parse_repeats(struct parser *p, struct mk_pat_obs *q)
{
    enum mk_status st;
    struct mk_pat_lit l;
    size_t off = p->tok.off;

    if (!at(p, T_INT) || p->s[off] == '-') {
        return expected(p, "a positive integer after REPEATS");
    }
    if ((st = parse_literal(p, &l)) != MK_OK) {
        return st;
    }
    if (l.i < 1 || l.i > UINT32_MAX) {
        return fail_at(p, off, "REPEATS needs an integer from 1 to 4294967295");
    }
    q->repeats = (uint32_t)l.i;
    return want(p, T_TIMES, "TIMES after the REPEATS count");
}

static enum mk_status parse_startstop(struct parser *p, struct mk_pat_obs *q)
{
    enum mk_status st;
    size_t off;

    if (!at(p, T_TS)) {
        return expected(p, "a timestamp t'...' after START");
    }
    if ((st = parse_literal(p, &q->start)) != MK_OK ||
        (st = want(p, T_STOP, "STOP after the START timestamp")) != MK_OK) {
        return st;
    }
    off = p->tok.off;
    if (!at(p, T_TS)) {
        return expected(p, "a timestamp t'...' after STOP");
    }
    if ((st = parse_literal(p, &q->stop)) != MK_OK) {
        return st;
    }
    return mk_time_cmp(&q->start.ts, &q->stop.ts) < 0
               ? MK_OK
               : fail_at(p, off, "the STOP timestamp must be later than START");
}

/* Wraps *node in each qualifier that follows it. */
/* Section 9.5.1: "An Observation Expression MUST NOT have more than one Qualifier
 * of a particular type", so each kind may follow a ']' or ')' once; a qualifier on a
 * parenthesised expression is on another expression than those inside it. */
static enum mk_status parse_qualifiers(struct parser *p, struct mk_pat_obs **node)
{
    enum mk_status st = MK_OK;
    unsigned seen = 0;

    while (st == MK_OK && (at(p, T_WITHIN) || at(p, T_REPEATS) || at(p, T_START))) {
        enum tok_kind k = p->tok.kind;
        unsigned bit = k == T_WITHIN ? 1u : k == T_REPEATS ? 2u : 4u;

        if (seen & bit) {
            return fail_at(p, p->tok.off,
                           k == T_WITHIN    ? "a second WITHIN on the same observation expression"
                           : k == T_REPEATS ? "a second REPEATS on the same observation expression"
                                            : "a second START/STOP on the same observation "
                                              "expression");
        }
        seen |= bit;
        struct mk_pat_obs *q = obs_new(p, k == T_WITHIN    ? MK_PAT_OBS_WITHIN
                                          : k == T_REPEATS ? MK_PAT_OBS_REPEATS
                                                           : MK_PAT_OBS_STARTSTOP);

        if (q == NULL) {
            return MK_ENOMEM;
        }
        q->first = *node;
        q->n = 1;
        q->height = (uint8_t)((*node)->height + 1);
        if (q->height > MK_PAT_MAX_DEPTH) {
            return too_deep(p);
        }
        if ((st = next_tok(p)) != MK_OK) {
            return st;
        }
        st = k == T_WITHIN    ? parse_within(p, q)
             : k == T_REPEATS ? parse_repeats(p, q)
                              : parse_startstop(p, q);
        *node = q;
    }
    return st;
}

/* [ comparison ] or ( observation expressions ), then qualifiers. */
// NOLINTNEXTLINE(misc-no-recursion): parentheses capped at MK_PAT_MAX_DEPTH (64)
static enum mk_status parse_obs_primary(struct parser *p, struct mk_pat_obs **out)
{
    enum mk_status st;
    bool bracket = at(p, T_LBRACK);

    if (!bracket && !at(p, T_LPAREN)) {
        return expected(p, "'[' or '(' to start an observation expression");
    }
    if (++p->depth > MK_PAT_MAX_DEPTH) {
        return too_deep(p);
    }
    if ((st = next_tok(p)) != MK_OK) {
        return st;
    }
    if (bracket) {
        struct mk_pat_obs *leaf = obs_new(p, MK_PAT_OBS_LEAF);

        if (leaf == NULL) {
            return MK_ENOMEM;
        }
        if ((st = parse_cmp_level(p, 0, &leaf->cmp)) != MK_OK ||
            (st = want(p, T_RBRACK, "']' to close observation expression")) != MK_OK) {
            return st;
        }
        leaf->height = (uint8_t)(leaf->cmp->height + 1);
        *out = leaf;
    } else if ((st = parse_obs_level(p, 0, out)) != MK_OK ||
               (st = want(p, T_RPAREN, "')' to close the parenthesised observation expression")) !=
                   MK_OK) {
        return st;
    }
    p->depth--;
    return parse_qualifiers(p, out);
}

static enum mk_status obs_append(struct parser *p, struct mk_pat_obs *node,
                                 struct mk_pat_obs **tail, struct mk_pat_obs *child)
{
    *tail = child;
    node->n++;
    if (child->height + 1 > node->height) {
        node->height = (uint8_t)(child->height + 1);
    }
    return node->height > MK_PAT_MAX_DEPTH ? too_deep(p) : MK_OK;
}

/* level 0: FOLLOWEDBY (loosest), 1: OR, 2: AND, 3: primary. Recursion:
 * parentheses are capped at MK_PAT_MAX_DEPTH (64) levels in parse_obs_primary. */
// NOLINTNEXTLINE(misc-no-recursion): parentheses capped at MK_PAT_MAX_DEPTH (64)
static enum mk_status parse_obs_level(struct parser *p, int level, struct mk_pat_obs **out)
{
    static const enum tok_kind op_tok[] = {T_FOLLOWEDBY, T_OR, T_AND};

    static const enum mk_pat_obs_kind op_kind[] = {MK_PAT_OBS_FOLLOWEDBY, MK_PAT_OBS_OR,
                                                   MK_PAT_OBS_AND};
    struct mk_pat_obs *prev = NULL;
    struct mk_pat_obs *node;
    enum mk_status st;

    if (level == 3) {
        return parse_obs_primary(p, out);
    }
    if ((st = parse_obs_level(p, level + 1, &prev)) != MK_OK || !at(p, op_tok[level])) {
        *out = prev;
        return st;
    }
    if ((node = obs_new(p, op_kind[level])) == NULL) {
        return MK_ENOMEM;
    }
    *out = node;
    st = obs_append(p, node, &node->first, prev);
    while (st == MK_OK && at(p, op_tok[level])) {
        struct mk_pat_obs *child = NULL;

        if ((st = next_tok(p)) != MK_OK || (st = parse_obs_level(p, level + 1, &child)) != MK_OK) {
            break;
        }
        st = obs_append(p, node, &prev->next, child);
        prev = child;
    }
    return st;
}

enum mk_status mk_stix_pattern_parse(struct mk_arena *a, const char *s, size_t n,
                                     const struct mk_stix_pattern **out, struct mk_error *err)
{
    struct parser p = {.a = a, .s = s, .n = n, .err = err};
    struct mk_stix_pattern *pat;
    enum mk_status st;

    *out = NULL;
    pat = mk_arena_alloc(a, sizeof(*pat));
    if (pat == NULL) {
        return MK_ENOMEM;
    }
    if ((st = next_tok(&p)) != MK_OK || (st = parse_obs_level(&p, 0, &pat->root)) != MK_OK) {
        return st;
    }
    if (!at(&p, T_EOF)) {
        return expected(&p, "AND, OR, FOLLOWEDBY, a qualifier or the end of the pattern");
    }
    pat->n_tests = p.n_tests;
    *out = pat;
    return MK_OK;
}

/* ---- format ---------------------------------------------------------------- */

struct fmt {
    struct mk_buf *b;
    enum mk_status st;
};

static void put(struct fmt *f, const char *s, size_t n)
{
    if (f->st == MK_OK) {
        f->st = mk_buf_append(f->b, s, n);
    }
}

static void put_str(struct fmt *f, const char *s)
{
    put(f, s, strlen(s));
}

/* A name that lexes back as a bare identifier (not a keyword or boolean). */
static bool is_plain_name(const char *s, size_t n)
{
    if (n == 0 || !is_ident_start(s[0])) {
        return false;
    }
    for (size_t i = 1; i < n; i++) {
        if (!is_ident_char(s[i])) {
            return false;
        }
    }
    for (size_t k = 0; k < MK_ARRAY_LEN(keywords); k++) {
        if (strlen(keywords[k].word) == n && memcmp(keywords[k].word, s, n) == 0) {
            return false;
        }
    }
    return true;
}

static void put_quoted(struct fmt *f, char prefix, const char *s, size_t n)
{
    if (prefix != 0) {
        put(f, &prefix, 1);
    }
    put(f, "'", 1);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\'' || s[i] == '\\') {
            put(f, "\\", 1);
        }
        put(f, s + i, 1);
    }
    put(f, "'", 1);
}

static void put_path(struct fmt *f, const struct mk_pat_path *path)
{
    put(f, path->type, path->type_len);
    put(f, ":", 1);
    for (size_t i = 0; i < path->n_steps; i++) {
        const struct mk_pat_step *s = &path->steps[i];

        if (s->kind == MK_PAT_STEP_ANY) {
            put_str(f, "[*]");
        } else if (s->kind == MK_PAT_STEP_INDEX && f->st == MK_OK) {
            f->st = mk_buf_printf(f->b, "[%lld]", (long long)s->index);
        } else if (s->kind == MK_PAT_STEP_KEY) {
            if (i > 0) {
                put(f, ".", 1);
            }
            if (is_plain_name(s->key, s->key_len)) {
                put(f, s->key, s->key_len);
            } else {
                put_quoted(f, 0, s->key, s->key_len);
            }
        }
    }
}

static void put_lit(struct fmt *f, const struct mk_pat_lit *l)
{
    char hex[3];

    switch (l->type) {
    case MK_PAT_LIT_INT:
        if (f->st == MK_OK) {
            f->st = mk_buf_printf(f->b, "%lld", (long long)l->i);
        }
        break;
    case MK_PAT_LIT_FLOAT:
        put(f, l->text, l->text_len);
        break;
    case MK_PAT_LIT_STR:
        put_quoted(f, 0, l->str, l->len);
        break;
    case MK_PAT_LIT_BOOL:
        put_str(f, l->boolean ? "true" : "false");
        break;
    case MK_PAT_LIT_TS:
        put_quoted(f, 't', l->text, l->text_len);
        break;
    case MK_PAT_LIT_BIN:
        put_quoted(f, 'b', l->text, l->text_len);
        break;
    default: /* HEX: re-encoded in lower case */
        put_str(f, "h'");
        for (size_t i = 0; i < l->len; i++) {
            mk_hex_encode((const uint8_t *)l->str + i, 1, hex);
            put(f, hex, 2);
        }
        put(f, "'", 1);
        break;
    }
}

static void put_test(struct fmt *f, const struct mk_pat_cmp *t)
{
    static const char *const op_text[] = {
        [MK_PAT_EQ] = "=",
        [MK_PAT_NE] = "!=",
        [MK_PAT_GT] = ">",
        [MK_PAT_LT] = "<",
        [MK_PAT_GE] = ">=",
        [MK_PAT_LE] = "<=",
        [MK_PAT_IN] = "IN",
        [MK_PAT_LIKE] = "LIKE",
        [MK_PAT_MATCHES] = "MATCHES",
        [MK_PAT_ISSUBSET] = "ISSUBSET",
        [MK_PAT_ISSUPERSET] = "ISSUPERSET",
        [MK_PAT_EXISTS] = "EXISTS",
    };

    if (t->op == MK_PAT_EXISTS) {
        put_str(f, t->negated ? "NOT EXISTS " : "EXISTS ");
        put_path(f, &t->path);
        return;
    }
    put_path(f, &t->path);
    put_str(f, t->negated ? " NOT " : " ");
    put_str(f, op_text[t->op]);
    put(f, " ", 1);
    if (t->op != MK_PAT_IN) {
        put_lit(f, &t->lits[0]);
        return;
    }
    put(f, "(", 1);
    for (size_t i = 0; i < t->n_lits; i++) {
        if (i > 0) {
            put_str(f, ", ");
        }
        put_lit(f, &t->lits[i]);
    }
    put(f, ")", 1);
}

/* Recursion: the AST height is capped at MK_PAT_MAX_DEPTH (64) by the parser. */
// NOLINTNEXTLINE(misc-no-recursion): AST height capped at MK_PAT_MAX_DEPTH (64)
static void put_cmp(struct fmt *f, const struct mk_pat_cmp *c)
{
    if (c->kind == MK_PAT_CMP_TEST) {
        put_test(f, c);
        return;
    }
    for (const struct mk_pat_cmp *k = c->first; k != NULL; k = k->next) {
        /* A nested node of the same operator (or OR under AND) came from
         * parentheses: keep them so the tree reads back the same. */
        bool paren =
            k->kind != MK_PAT_CMP_TEST && !(c->kind == MK_PAT_CMP_OR && k->kind == MK_PAT_CMP_AND);

        if (k != c->first) {
            put_str(f, c->kind == MK_PAT_CMP_AND ? " AND " : " OR ");
        }
        put_str(f, paren ? "(" : "");
        put_cmp(f, k);
        put_str(f, paren ? ")" : "");
    }
}

static int obs_prec(const struct mk_pat_obs *o)
{
    switch (o->kind) {
    case MK_PAT_OBS_FOLLOWEDBY:
        return 1;
    case MK_PAT_OBS_OR:
        return 2;
    case MK_PAT_OBS_AND:
        return 3;
    default:
        return 4; /* brackets and qualified expressions */
    }
}

static void put_obs(struct fmt *f, const struct mk_pat_obs *o);

// NOLINTNEXTLINE(misc-no-recursion): AST height capped at MK_PAT_MAX_DEPTH (64)
static void put_obs_child(struct fmt *f, const struct mk_pat_obs *k, int min_prec)
{
    bool paren = obs_prec(k) <= min_prec;

    put_str(f, paren ? "(" : "");
    put_obs(f, k);
    put_str(f, paren ? ")" : "");
}

static void put_qualifier(struct fmt *f, const struct mk_pat_obs *o)
{
    if (o->kind == MK_PAT_OBS_WITHIN) {
        put_str(f, " WITHIN ");
        put_lit(f, &o->within);
        put_str(f, " SECONDS");
    } else if (o->kind == MK_PAT_OBS_REPEATS && f->st == MK_OK) {
        f->st = mk_buf_printf(f->b, " REPEATS %u TIMES", (unsigned)o->repeats);
    } else if (o->kind == MK_PAT_OBS_STARTSTOP) {
        put_str(f, " START ");
        put_lit(f, &o->start);
        put_str(f, " STOP ");
        put_lit(f, &o->stop);
    }
}

/* Whether the qualifiers written straight after k include one of `kind`: then
 * k needs parentheses, or the parser would see two of a kind (section 9.5.1). */
static bool qualified_by(const struct mk_pat_obs *k, uint8_t kind)
{
    for (; k->kind == MK_PAT_OBS_WITHIN || k->kind == MK_PAT_OBS_REPEATS ||
           k->kind == MK_PAT_OBS_STARTSTOP;
         k = k->first) {
        if (k->kind == kind) {
            return true;
        }
    }
    return false;
}

/* Recursion: the AST height is capped at MK_PAT_MAX_DEPTH (64) by the parser. */
// NOLINTNEXTLINE(misc-no-recursion): AST height capped at MK_PAT_MAX_DEPTH (64)
static void put_obs(struct fmt *f, const struct mk_pat_obs *o)
{
    static const char *const op_text[] = {[MK_PAT_OBS_AND] = " AND ",
                                          [MK_PAT_OBS_OR] = " OR ",
                                          [MK_PAT_OBS_FOLLOWEDBY] = " FOLLOWEDBY "};

    switch (o->kind) {
    case MK_PAT_OBS_LEAF:
        put(f, "[", 1);
        put_cmp(f, o->cmp);
        put(f, "]", 1);
        break;
    case MK_PAT_OBS_AND:
    case MK_PAT_OBS_OR:
    case MK_PAT_OBS_FOLLOWEDBY:
        for (const struct mk_pat_obs *k = o->first; k != NULL; k = k->next) {
            if (k != o->first) {
                put_str(f, op_text[o->kind]);
            }
            put_obs_child(f, k, obs_prec(o));
        }
        break;
    default:
        if (qualified_by(o->first, o->kind)) {
            put_str(f, "(");
            put_obs(f, o->first);
            put_str(f, ")");
        } else {
            put_obs_child(f, o->first, 3);
        }
        put_qualifier(f, o);
        break;
    }
}

enum mk_status mk_stix_pattern_format(const struct mk_stix_pattern *p, struct mk_buf *out)
{
    struct fmt f = {.b = out, .st = MK_OK};

    put_obs(&f, p->root);
    return f.st;
}
