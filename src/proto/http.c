/* HTTP/1.x analyzer (RFC 9112): request and status lines, header fields, bodies
 * delimited by length, chunks or close, pipelining, interim responses, CONNECT and
 * gaps; bodies are hashed as files (filehash.c). Entry point: mk_analyzer_http. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "proto/http_int.h"

#define NONE UINT32_MAX /* an absent string in a transaction's store */

enum phase {
    PH_LINE,       /* expecting a request or status line */
    PH_HEADERS,    /* header fields until the empty line */
    PH_BODY_LEN,   /* Content-Length bytes */
    PH_CHUNK_SIZE, /* RFC 9112 7.1: chunk-size [chunk-ext] CRLF */
    PH_CHUNK_DATA,
    PH_CHUNK_END,  /* the CRLF after chunk data */
    PH_TRAILERS,   /* RFC 9112 7.1.2 */
    PH_BODY_CLOSE, /* RFC 9112 6.3 item 8: the body runs to the end of the connection */
    PH_TUNNEL,     /* after CONNECT 2xx or 101: not HTTP any more */
    PH_LOST,       /* after a gap: skip segments until one starts a message */
};

/* One request and its response. Strings live in `store`, so that they
 * survive between calls (the scratch arena does not); it grows on demand
 * from MK_HTTP_STORE_MIN up to MK_HTTP_TX_STORE bytes. */
struct http_tx {
    bool in_use;
    bool has_request;
    bool req_done;
    bool resp_done;
    bool reported;
    bool is_head;
    bool is_connect;
    bool is_http09;
    bool has_status; /* a status line was seen: status may be 0 ("000") */
    uint64_t id;
    int status;
    uint64_t body_len[2];
    uint32_t method;
    uint32_t uri;
    uint32_t protocol;
    uint32_t host;
    uint32_t ua;
    uint32_t referer;
    uint32_t xff;
    uint32_t ctype;
    uint32_t location;
    uint16_t hdr[2][MK_HTTP_MAX_HEADERS]; /* offsets of "name\0value\0" (< MK_HTTP_TX_STORE) */
    uint32_t n_hdr[2];
    uint32_t used;
    /* from here on not cleared by tx_new: the store outlives its transaction */
    char *store;
    uint32_t cap;
};

/* One direction's parser. */
struct http_side {
    enum phase ph;
    bool has_tx;
    uint64_t tx_id;
    bool line_long;    /* this line passed MK_HTTP_MAX_LINE: the rest is dropped */
    bool block_long;   /* this header block passed max_header_bytes */
    uint32_t fold_end; /* store end after this side's last header value, 0 = none */
    /* framing read from the current message's headers (RFC 9112 6.3) */
    bool chunked;
    bool te_other;
    bool has_cl;
    bool cl_bad;
    uint64_t cl;
    uint64_t left; /* bytes of the body or chunk still to come */
    size_t line_len;
    size_t block_bytes;
    /* while a line is dispatched: the bytes of the same chunk after it */
    const uint8_t *after;
    size_t after_len;
    struct mk_filehash fh;
    char *line; /* line_cap bytes, grown on demand up to MK_HTTP_MAX_LINE */
    size_t line_cap;
};

/* tx[0] points at tx0; tx[1..] are allocated when requests are pipelined
 * (and freed when their transactions are over). */
struct http_state {
    struct http_side side[2];
    struct http_tx *tx[MK_HTTP_MAX_PIPELINE];
    struct http_tx tx0;
    uint64_t next_id;
};

/* What state_bytes announces: the state, a line buffer per direction, one
 * transaction store and one direction's digests (a GET and its response). */
#define HTTP_TYPICAL_BYTES                                                                         \
    (sizeof(struct http_state) + (size_t)2 * MK_HTTP_LINE_MIN + (size_t)2 * MK_HTTP_STORE_MIN +    \
     576u)

/* What every step needs, to keep the parameter lists short. */
struct run {
    struct http_state *s;
    struct mk_proto_ctx *ctx;
    struct mk_flow *flow;
    enum mk_flow_dir dir;
    struct http_side *sd;
};

static void anomaly(const struct run *r, const char *event)
{
    if (r->ctx->sink.anomaly != NULL) {
        r->ctx->sink.anomaly(r->ctx->sink.ctx, r->flow, event);
    }
}

static bool name_is(const char *name, size_t n, const char *want)
{
    return strlen(want) == n && strncasecmp(name, want, n) == 0;
}

/* ---- transactions ----------------------------------------------------------- */

static const char *tx_str(const struct http_tx *tx, uint32_t off)
{
    return off == NONE ? NULL : tx->store + off;
}

/* Makes *buf (*cap bytes, NULL and 0 at first) hold `need` <= max bytes,
 * doubling from `min` and never past `max`, so a buffer reallocates a few times
 * at most; false when memory is refused. The caller keeps need within max. */
static bool grow_capped(char **buf, size_t *cap, size_t need, size_t min, size_t max)
{
    size_t want = *cap != 0 ? *cap : min;
    char *p;

    if (need <= *cap) {
        return true;
    }
    while (want < need) {
        want *= 2;
    }
    want = want < max ? want : max;
    p = realloc(*buf, want);
    if (p == NULL) {
        return false;
    }
    *buf = p;
    *cap = want;
    return true;
}

/* Makes room for `n` more bytes in the store; false when that passes
 * MK_HTTP_TX_STORE (the cap, as when the store was a fixed array) or memory
 * is refused. */
static bool store_room(struct http_tx *tx, size_t n)
{
    size_t cap = tx->cap;

    if (n > MK_HTTP_TX_STORE - tx->used ||
        !grow_capped(&tx->store, &cap, tx->used + n, MK_HTTP_STORE_MIN, MK_HTTP_TX_STORE)) {
        return false;
    }
    tx->cap = (uint32_t)cap;
    return true;
}

static uint32_t store_str(struct http_tx *tx, const char *p, size_t n)
{
    uint32_t off = tx->used;

    if (n >= MK_HTTP_TX_STORE - tx->used || !store_room(tx, n + 1)) {
        return NONE;
    }
    memcpy(tx->store + off, p, n);
    tx->store[off + n] = '\0';
    tx->used += (uint32_t)n + 1;
    return off;
}

static struct http_tx *tx_find(struct http_state *s, uint64_t id)
{
    for (size_t i = 0; i < MK_HTTP_MAX_PIPELINE; i++) {
        if (s->tx[i] != NULL && s->tx[i]->in_use && s->tx[i]->id == id) {
            return s->tx[i];
        }
    }
    return NULL;
}

static struct http_tx *side_tx(const struct run *r)
{
    return r->sd->has_tx ? tx_find(r->s, r->sd->tx_id) : NULL;
}

static struct http_tx *tx_oldest(struct http_state *s, bool unanswered)
{
    struct http_tx *best = NULL;

    for (size_t i = 0; i < MK_HTTP_MAX_PIPELINE; i++) {
        struct http_tx *t = s->tx[i];

        if (t == NULL || !t->in_use || (unanswered && (t->resp_done || !t->has_request))) {
            continue;
        }
        if (best == NULL || t->id < best->id) {
            best = t;
        }
    }
    return best;
}

/* A pipeline slot beyond the first goes when its transaction is over; the
 * first keeps its store for the next request unless a large one grew it. */
static void tx_gc(struct http_state *s)
{
    for (size_t i = 0; i < MK_HTTP_MAX_PIPELINE; i++) {
        struct http_tx *t = s->tx[i];

        if (t != NULL && t->in_use && t->reported && (t->req_done || !t->has_request)) {
            t->in_use = false;
        }
        if (t == NULL || t->in_use) {
            continue;
        }
        if (i > 0) {
            free(t->store);
            free(t);
            s->tx[i] = NULL;
        } else if (t->cap > MK_HTTP_STORE_KEEP) {
            free(t->store);
            t->store = NULL;
            t->cap = 0;
        }
    }
}

/* RFC 9110 7.2: Host is uri-host [":" port]; an IPv6 literal is bracketed.
 * The hostname is lower-cased (names are case-insensitive) and unbracketed. */
static void split_host(const struct run *r, const char *h, struct mk_http_tx *t)
{
    size_t n = strlen(h);
    const char *end = h + n;
    const char *colon;
    char *name;

    t->port = -1;
    if (h[0] == '[' && (colon = memchr(h, ']', n)) != NULL) {
        end = colon;
        h++;
        colon = colon[1] == ':' ? colon + 1 : NULL;
    } else {
        colon = memchr(h, ':', n);
        end = colon != NULL ? colon : end;
    }
    if (colon != NULL && colon[1] != '\0' && strspn(colon + 1, "0123456789") == strlen(colon + 1) &&
        strlen(colon + 1) <= 5) {
        t->port = (int)strtol(colon + 1, NULL, 10);
    }
    name = mk_arena_strndup(r->ctx->scratch, h, (size_t)(end - h));
    for (char *c = name; c != NULL && *c != '\0'; c++) {
        if (*c >= 'A' && *c <= 'Z') {
            *c = (char)(*c - 'A' + 'a');
        }
    }
    t->hostname = name;
}

static const struct mk_http_header *headers(const struct run *r, const struct http_tx *tx, int side,
                                            size_t *n)
{
    struct mk_http_header *h = NULL;

    *n = 0;
    if (tx->n_hdr[side] > 0) {
        h = mk_arena_alloc(r->ctx->scratch, tx->n_hdr[side] * sizeof(*h));
    }
    if (h == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < tx->n_hdr[side]; i++) {
        h[i].name = tx->store + tx->hdr[side][i];
        h[i].value = h[i].name + strlen(h[i].name) + 1;
    }
    *n = tx->n_hdr[side];
    return h;
}

static void tx_report(const struct run *r, struct http_tx *tx)
{
    struct mk_http_tx t = {
        .tx_id = tx->id,
        .method = tx_str(tx, tx->method),
        .uri = tx_str(tx, tx->uri),
        .protocol = tx_str(tx, tx->protocol),
        .port = -1,
        .user_agent = tx_str(tx, tx->ua),
        .referer = tx_str(tx, tx->referer),
        .xff = tx_str(tx, tx->xff),
        .content_type = tx_str(tx, tx->ctype),
        .redirect = tx_str(tx, tx->location),
        .status = tx->status,
        .has_status = tx->has_status,
        .request_body_len = tx->body_len[MK_FLOW_TOSERVER],
        .response_body_len = tx->body_len[MK_FLOW_TOCLIENT],
    };

    if (tx->reported) {
        return;
    }
    tx->reported = true;
    if (tx->host != NONE) {
        split_host(r, tx->store + tx->host, &t);
    }
    t.request_headers = headers(r, tx, 0, &t.n_request_headers);
    t.response_headers = headers(r, tx, 1, &t.n_response_headers);
    if (r->ctx->sink.http != NULL) {
        r->ctx->sink.http(r->ctx->sink.ctx, r->flow, &t);
    }
}

static struct http_tx *tx_new(const struct run *r)
{
    struct http_tx *t = NULL;

    for (size_t i = 0; i < MK_HTTP_MAX_PIPELINE && t == NULL; i++) {
        t = r->s->tx[i] != NULL && !r->s->tx[i]->in_use ? r->s->tx[i] : NULL;
    }
    for (size_t i = 1; i < MK_HTTP_MAX_PIPELINE && t == NULL; i++) {
        if (r->s->tx[i] == NULL) {
            /* pipelining: a request while earlier ones await their answers */
            t = r->s->tx[i] = calloc(1, sizeof(*t));
        }
    }
    if (t == NULL) {
        /* Too many requests await answers: the oldest goes out unanswered; a
         * side still bound to it parses on without storing. */
        t = tx_oldest(r->s, false);
        anomaly(r, "http.too_many_pending");
        tx_report(r, t);
    }
    memset(t, 0, offsetof(struct http_tx, store));
    t->in_use = true;
    t->id = r->s->next_id++;
    t->method = t->uri = t->protocol = NONE;
    t->host = t->ua = t->referer = t->xff = t->ctype = t->location = NONE;
    return t;
}

/* ---- bodies and the end of a message ------------------------------------------ */

static void body_start(const struct run *r)
{
    mk_filehash_start(&r->sd->fh);
}

static void body_data(const struct run *r, const uint8_t *p, size_t n)
{
    struct http_tx *tx = side_tx(r);

    mk_filehash_update(&r->sd->fh, p, n, r->ctx->cfg.max_file_bytes);
    if (tx != NULL) {
        tx->body_len[r->dir] += n;
    }
}

/* Suricata names an HTTP file after the last segment of the URI's path. */
static const char *file_name(const struct run *r, const struct http_tx *tx)
{
    const char *uri = tx != NULL ? tx_str(tx, tx->uri) : NULL;
    size_t end;

    if (uri == NULL) {
        return "";
    }
    /* Suricata 7 (libhtp) names an HTTP file by its URI path, query cut off */
    end = strcspn(uri, "?#");
    return mk_arena_strndup(r->ctx->scratch, uri, end);
}

static void body_finish(const struct run *r)
{
    struct mk_file_info fi = {.dir = r->dir};
    struct http_tx *tx = side_tx(r);

    if (!r->sd->fh.active) {
        return;
    }
    mk_filehash_finish(&r->sd->fh, &fi);
    fi.filename = file_name(r, tx);
    fi.tx_id = tx != NULL ? tx->id : r->sd->tx_id;
    if (fi.size > 0 && fi.filename != NULL && r->ctx->sink.file != NULL) {
        r->ctx->sink.file(r->ctx->sink.ctx, r->flow, &fi);
    }
}

static void message_done(const struct run *r)
{
    struct http_tx *tx = side_tx(r);

    body_finish(r);
    if (tx != NULL && r->dir == MK_FLOW_TOSERVER) {
        tx->req_done = true;
    } else if (tx != NULL) {
        tx->resp_done = true;
        tx_report(r, tx);
    }
    r->sd->has_tx = false;
    r->sd->ph = PH_LINE;
    tx_gc(r->s);
}

static void tunnel(const struct run *r)
{
    r->s->side[0].ph = PH_TUNNEL;
    r->s->side[1].ph = PH_TUNNEL;
}

/* ---- start lines (RFC 9112 3, 4) ---------------------------------------------- */

static void message_reset(struct http_side *sd)
{
    sd->chunked = sd->te_other = sd->has_cl = sd->cl_bad = false;
    sd->cl = 0;
    sd->block_bytes = 0;
    sd->block_long = false;
    sd->fold_end = 0;
    sd->ph = PH_HEADERS;
}

static bool is_tchar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static size_t last_space(const char *p, size_t n)
{
    while (n > 0 && p[n - 1] != ' ') {
        n--;
    }
    return n; /* one past the space, 0 when none */
}

/* libhtp's test for "Request line: missing protocol": a request line without a
 * version is HTTP/0.9 unless the data right after it (in the same chunk) reads
 * like a header field, a token then optional blanks then ':'. Then headers
 * follow and are parsed (suricata-verify http-missing-protocol). */
static bool header_follows(const uint8_t *p, size_t n)
{
    bool after_blank = false;

    for (size_t i = 0; i < n; i++) {
        if (p[i] == ':') {
            return true;
        }
        if (p[i] == ' ' || p[i] == '\t') {
            after_blank = true;
        } else if (after_blank || p[i] == '\r' || p[i] == '\n' || p[i] == '\v' || p[i] == '\f') {
            return false;
        }
    }
    return false;
}

static void request_line(const struct run *r, const char *line, size_t len)
{
    const char *sp = memchr(line, ' ', len);
    size_t mlen = sp != NULL ? (size_t)(sp - line) : 0;
    size_t rest;
    size_t ver;
    struct http_tx *tx;

    for (size_t i = 0; i < mlen; i++) {
        mlen = is_tchar(line[i]) ? mlen : 0;
    }
    if (mlen == 0) {
        anomaly(r, "http.bad_request_line");
        r->sd->ph = PH_LOST;
        return;
    }
    rest = mlen + 1;
    ver = last_space(line + rest, len - rest);
    tx = tx_new(r);
    tx->has_request = true;
    tx->method = store_str(tx, line, mlen);
    if (ver > 0 && len - rest - ver >= 5 && memcmp(line + rest + ver, "HTTP/", 5) == 0) {
        size_t ulen = ver - 1;

        while (ulen > 0 && line[rest + ulen - 1] == ' ') {
            ulen--;
        }
        tx->uri =
            store_str(tx, line + rest, ulen < MK_HTTP_TX_STORE / 2 ? ulen : MK_HTTP_TX_STORE / 2);
        tx->protocol = store_str(tx, line + rest + ver, len - rest - ver);
    } else {
        /* RFC 1945 4.1: an HTTP/0.9 simple request has no version, no headers */
        tx->uri = store_str(tx, line + rest,
                            len - rest < MK_HTTP_TX_STORE / 2 ? len - rest : MK_HTTP_TX_STORE / 2);
        tx->protocol = store_str(tx, "", 0);
        tx->is_http09 = !header_follows(r->sd->after, r->sd->after_len);
        if (!tx->is_http09) {
            anomaly(r, "http.missing_protocol");
        }
    }
    tx->is_head = name_is(line, mlen, "HEAD");
    tx->is_connect = name_is(line, mlen, "CONNECT");
    r->sd->has_tx = true;
    r->sd->tx_id = tx->id;
    message_reset(r->sd);
    if (tx->is_http09) {
        message_done(r);
    }
}

/* The status code as tshark and Suricata read it: the first three characters of
 * the status token, converted as strtoul() does (leading blanks skipped, then
 * decimal digits): "20x" is 20, "000" is 0, "0200" is 20, "\t200" is 20 and
 * "2040" is 204. A token shorter than three characters ("20 ok") gives no
 * status (-1). The value is what libhtp would log for a 3-digit code. */
static int status_number(const char *p, size_t n)
{
    const char *sp = memchr(p, ' ', n);
    size_t tok = sp != NULL ? (size_t)(sp - p) : n;
    size_t i = 0;
    int code = 0;

    if (tok < 3) {
        return -1;
    }
    while (i < 3 && (p[i] == ' ' || (p[i] >= '\t' && p[i] <= '\r'))) {
        i++;
    }
    for (; i < 3 && p[i] >= '0' && p[i] <= '9'; i++) {
        code = code * 10 + (p[i] - '0');
    }
    return code;
}

static void status_line(const struct run *r, const char *line, size_t len)
{
    const char *sp = memchr(line, ' ', len);
    struct http_tx *tx;
    int code = 0;

    if (len < 12 || memcmp(line, "HTTP/", 5) != 0 || sp == NULL || (size_t)(sp - line) > len - 4) {
        anomaly(r, "http.bad_status_line");
        r->sd->ph = PH_LOST;
        return;
    }
    code = status_number(sp + 1, len - (size_t)(sp + 1 - line));
    tx = r->sd->has_tx ? side_tx(r) : tx_oldest(r->s, true);
    if (tx == NULL && !r->sd->has_tx) {
        tx = tx_new(r); /* a response without a request */
    }
    if (tx != NULL) {
        tx->status = code < 0 ? 0 : code;
        tx->has_status = code >= 0;
        tx->n_hdr[1] = 0; /* an interim response's headers give way to the final one's */
        if (tx->protocol == NONE) {
            tx->protocol = store_str(tx, line, (size_t)(sp - line));
        }
        r->sd->has_tx = true;
        r->sd->tx_id = tx->id;
    }
    message_reset(r->sd);
}

/* ---- header fields (RFC 9112 5) ------------------------------------------------- */

static bool parse_cl(const char *v, size_t n, uint64_t *out)
{
    uint64_t x = 0;

    if (n == 0) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (v[i] < '0' || v[i] > '9' || x > (UINT64_MAX >> 4) / 10) {
            return false;
        }
        x = x * 10 + (uint64_t)(v[i] - '0');
    }
    *out = x;
    return true;
}

static bool is_list_sep(char c)
{
    return c == ',' || c == ' ' || c == '\t';
}

/* RFC 9112 6.1: chunked must be the final coding; 6.3: Content-Length values
 * that disagree make the message invalid. */
static void framing_header(const struct run *r, const char *name, size_t nlen, const char *v,
                           size_t vlen)
{
    struct http_side *sd = r->sd;

    if (name_is(name, nlen, "content-length")) {
        uint64_t cl = 0;

        if (!parse_cl(v, vlen, &cl) || (sd->has_cl && cl != sd->cl)) {
            sd->cl_bad = true;
            anomaly(r, "http.bad_content_length");
        }
        sd->has_cl = true;
        sd->cl = cl;
    } else if (name_is(name, nlen, "transfer-encoding")) {
        size_t k;

        /* the last element of the list; RFC 9110 5.6.1: empty ones do not count */
        while (vlen > 0 && is_list_sep(v[vlen - 1])) {
            vlen--;
        }
        k = vlen;
        while (k > 0 && !is_list_sep(v[k - 1])) {
            k--;
        }
        sd->chunked = name_is(v + k, vlen - k, "chunked");
        sd->te_other = !sd->chunked;
    }
}

static void remember(struct http_tx *tx, enum mk_flow_dir dir, const char *name, size_t n,
                     uint32_t off)
{
    static const struct {
        const char *name;
        size_t field;
        enum mk_flow_dir dir;
    } known[] = {
        {"host", offsetof(struct http_tx, host), MK_FLOW_TOSERVER},
        {"user-agent", offsetof(struct http_tx, ua), MK_FLOW_TOSERVER},
        {"referer", offsetof(struct http_tx, referer), MK_FLOW_TOSERVER},
        {"x-forwarded-for", offsetof(struct http_tx, xff), MK_FLOW_TOSERVER},
        {"content-type", offsetof(struct http_tx, ctype), MK_FLOW_TOCLIENT},
        {"location", offsetof(struct http_tx, location), MK_FLOW_TOCLIENT},
    };

    for (size_t i = 0; i < MK_ARRAY_LEN(known); i++) {
        uint32_t *f = (uint32_t *)(void *)((char *)tx + known[i].field);

        if (known[i].dir == dir && *f == NONE && name_is(name, n, known[i].name)) {
            *f = off;
        }
    }
}

static void store_header(const struct run *r, struct http_tx *tx, const char *name, size_t nlen,
                         const char *v, size_t vlen)
{
    uint32_t *n = &tx->n_hdr[r->dir];
    uint32_t off;

    r->sd->fold_end = 0;
    if (*n >= MK_HTTP_MAX_HEADERS || nlen + vlen + 2 > MK_HTTP_TX_STORE - tx->used ||
        !store_room(tx, nlen + vlen + 2)) {
        return;
    }
    off = store_str(tx, name, nlen);
    tx->hdr[r->dir][(*n)++] = (uint16_t)off;
    remember(tx, r->dir, name, nlen, store_str(tx, v, vlen));
    r->sd->fold_end = tx->used;
}

/* RFC 9112 5.2: obs-fold continues the previous value; it becomes one SP. */
static void fold(const struct run *r, struct http_tx *tx, const char *v, size_t vlen)
{
    /* only while nothing else was stored after that value */
    if (tx == NULL || r->sd->fold_end != tx->used || vlen + 1 > MK_HTTP_TX_STORE - tx->used ||
        !store_room(tx, vlen + 1)) {
        return;
    }
    tx->store[tx->used - 1] = ' ';
    memcpy(tx->store + tx->used, v, vlen);
    tx->used += (uint32_t)vlen + 1;
    tx->store[tx->used - 1] = '\0';
    r->sd->fold_end = tx->used;
}

static void headers_done(const struct run *r);

static void header_line(const struct run *r, const char *line, size_t len)
{
    const char *colon;
    size_t nlen;
    size_t v = 0;

    if (len == 0) {
        headers_done(r);
        return;
    }
    if (r->sd->block_long) {
        return;
    }
    while (v < len && (line[v] == ' ' || line[v] == '\t')) {
        v++;
    }
    while (len > v && (line[len - 1] == ' ' || line[len - 1] == '\t')) {
        len--;
    }
    if (v > 0) {
        fold(r, side_tx(r), line + v, len - v);
        return;
    }
    colon = memchr(line, ':', len);
    if (colon == NULL || colon == line) {
        anomaly(r, "http.bad_header");
        return;
    }
    nlen = (size_t)(colon - line);
    v = nlen + 1;
    while (v < len && (line[v] == ' ' || line[v] == '\t')) {
        v++;
    }
    framing_header(r, line, nlen, line + v, len - v);
    if (side_tx(r) != NULL) {
        store_header(r, side_tx(r), line, nlen, line + v, len - v);
    }
}

static void request_headers_done(const struct run *r, struct http_tx *tx)
{
    struct http_side *sd = r->sd;

    if (tx != NULL && tx->is_connect) {
        /* wait for the answer: after a 2xx the bytes are not HTTP (RFC 9110 9.3.6) */
        message_done(r);
        sd->ph = PH_TUNNEL;
    } else if (sd->chunked) {
        body_start(r);
        sd->ph = PH_CHUNK_SIZE;
    } else if (sd->te_other) {
        anomaly(r, "http.bad_transfer_encoding");
        message_done(r);
    } else if (sd->has_cl && !sd->cl_bad && sd->cl > 0) {
        body_start(r);
        sd->left = sd->cl;
        sd->ph = PH_BODY_LEN;
    } else {
        message_done(r);
    }
}

/* RFC 9112 6.3: how the response body is delimited. */
static void response_headers_done(const struct run *r, struct http_tx *tx)
{
    struct http_side *sd = r->sd;
    int status = tx != NULL ? tx->status : 0;
    bool connect = tx != NULL && tx->is_connect;

    if (status == 101 || (connect && status >= 200 && status < 300)) {
        message_done(r);
        tunnel(r);
        return;
    }
    if (status >= 100 && status < 200) {
        sd->ph = PH_LINE; /* interim: the final response follows, same transaction */
        return;
    }
    if (connect && r->s->side[MK_FLOW_TOSERVER].ph == PH_TUNNEL) {
        r->s->side[MK_FLOW_TOSERVER].ph = PH_LINE; /* refused: still HTTP */
    }
    if ((tx != NULL && tx->is_head) || status == 204 || status == 304) {
        message_done(r);
    } else if (sd->chunked) {
        body_start(r);
        sd->ph = PH_CHUNK_SIZE;
    } else if (sd->has_cl && !sd->cl_bad) {
        body_start(r);
        sd->left = sd->cl;
        sd->ph = PH_BODY_LEN;
        if (sd->cl == 0) {
            message_done(r);
        }
    } else {
        body_start(r);
        sd->ph = PH_BODY_CLOSE;
    }
}

static void headers_done(const struct run *r)
{
    if (r->dir == MK_FLOW_TOSERVER) {
        request_headers_done(r, side_tx(r));
    } else {
        response_headers_done(r, side_tx(r));
    }
}

/* ---- chunks (RFC 9112 7.1) ------------------------------------------------------- */

static bool is_hex(char c)
{
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}

static void chunk_size_line(const struct run *r, const char *line, size_t len)
{
    uint64_t size = 0;
    size_t i = 0;

    while (i < len && (line[i] == ' ' || line[i] == '\t')) {
        i++;
    }
    if (i == len || !is_hex(line[i])) {
        anomaly(r, "http.bad_chunk");
        message_done(r);
        r->sd->ph = PH_LOST;
        return;
    }
    for (; i < len && is_hex(line[i]); i++) {
        int d = line[i] <= '9' ? line[i] - '0' : (line[i] | 0x20) - 'a' + 10;

        if (size > (UINT64_MAX >> 8)) {
            anomaly(r, "http.bad_chunk");
            message_done(r);
            r->sd->ph = PH_LOST;
            return;
        }
        size = size * 16 + (uint64_t)d;
    }
    r->sd->left = size;
    r->sd->ph = size == 0 ? PH_TRAILERS : PH_CHUNK_DATA;
}

/* ---- the byte pump ------------------------------------------------------------------ */

static void dispatch_line(const struct run *r, const char *line, size_t len)
{
    switch (r->sd->ph) {
    case PH_LINE:
        if (len == 0) {
            return; /* RFC 9112 2.2: empty lines before a request are ignored */
        }
        if (r->dir == MK_FLOW_TOSERVER) {
            request_line(r, line, len);
        } else {
            status_line(r, line, len);
        }
        return;
    case PH_HEADERS:
        header_line(r, line, len);
        return;
    case PH_CHUNK_SIZE:
        chunk_size_line(r, line, len);
        return;
    case PH_CHUNK_END:
        r->sd->ph = PH_CHUNK_SIZE;
        if (len != 0) {
            anomaly(r, "http.bad_chunk");
            chunk_size_line(r, line, len);
        }
        return;
    case PH_TRAILERS:
        if (len == 0) {
            message_done(r);
        }
        return;
    default:
        return;
    }
}

/* Makes the side's line buffer hold `need` bytes (<= MK_HTTP_MAX_LINE). */
static bool line_room(struct http_side *sd, size_t need)
{
    return grow_capped(&sd->line, &sd->line_cap, need, MK_HTTP_LINE_MIN, MK_HTTP_MAX_LINE);
}

static void line_release(struct http_side *sd)
{
    free(sd->line);
    sd->line = NULL;
    sd->line_cap = 0;
}

/* Collects a line (up to LF) into the side's buffer; long lines are cut. */
static size_t line_bytes(const struct run *r, const uint8_t *p, size_t n)
{
    struct http_side *sd = r->sd;
    const uint8_t *lf = memchr(p, '\n', n);
    size_t take = lf != NULL ? (size_t)(lf - p) + 1 : n;
    size_t copy = lf != NULL ? take - 1 : take;
    bool in_block = sd->ph == PH_HEADERS || sd->ph == PH_TRAILERS;

    if (copy > MK_HTTP_MAX_LINE - 1 - sd->line_len) {
        copy = MK_HTTP_MAX_LINE - 1 - sd->line_len;
        if (!sd->line_long) {
            anomaly(r, in_block ? "http.header_too_long" : "http.line_too_long");
        }
        sd->line_long = true;
    }
    if (!line_room(sd, sd->line_len + copy + 1)) {
        /* no memory for the line: as after a gap, wait for a new message */
        anomaly(r, "http.memcap");
        if (sd->has_tx) {
            message_done(r);
        }
        sd->line_len = 0;
        sd->line_long = false;
        sd->ph = PH_LOST;
        return n;
    }
    memcpy(sd->line + sd->line_len, p, copy);
    sd->line_len += copy;
    if (in_block && take > r->ctx->cfg.max_header_bytes - sd->block_bytes) {
        if (!sd->block_long) {
            anomaly(r, "http.header_too_long");
        }
        sd->block_long = true;
        sd->block_bytes = r->ctx->cfg.max_header_bytes;
    } else if (in_block) {
        sd->block_bytes += take;
    }
    if (lf != NULL) {
        size_t len = sd->line_len;

        if (len > 0 && sd->line[len - 1] == '\r') {
            len--;
        }
        sd->line[len] = '\0';
        sd->line_len = 0;
        sd->line_long = false;
        sd->after = p + take;
        sd->after_len = n - take;
        dispatch_line(r, sd->line, len);
        sd->after = NULL;
        sd->after_len = 0;
        if (sd->line_cap > MK_HTTP_LINE_KEEP && sd->ph != PH_HEADERS && sd->ph != PH_TRAILERS) {
            line_release(sd); /* the long lines are over: back to the small buffer */
        }
    }
    return take;
}

/* An HTTP/0.9 response is the bare body up to the close (RFC 1945 4.2). */
static bool http09_response(const struct run *r)
{
    struct http_tx *tx;

    if (r->dir != MK_FLOW_TOCLIENT || r->sd->line_len != 0 || r->sd->has_tx) {
        return false;
    }
    tx = tx_oldest(r->s, true);
    if (tx == NULL || !tx->is_http09) {
        return false;
    }
    r->sd->has_tx = true;
    r->sd->tx_id = tx->id;
    body_start(r);
    r->sd->ph = PH_BODY_CLOSE;
    return true;
}

static size_t step(const struct run *r, const uint8_t *p, size_t n)
{
    struct http_side *sd = r->sd;
    size_t take;

    switch (sd->ph) {
    case PH_BODY_LEN:
    case PH_CHUNK_DATA:
        take = n < sd->left ? n : (size_t)sd->left;
        body_data(r, p, take);
        sd->left -= take;
        if (sd->left == 0 && sd->ph == PH_BODY_LEN) {
            message_done(r);
        } else if (sd->left == 0) {
            sd->ph = PH_CHUNK_END;
        }
        return take;
    case PH_BODY_CLOSE:
        body_data(r, p, n);
        return n;
    case PH_TUNNEL:
    case PH_LOST:
        return n;
    case PH_LINE:
        if (http09_response(r)) {
            body_data(r, p, n);
            return n;
        }
        return line_bytes(r, p, n);
    default:
        return line_bytes(r, p, n);
    }
}

/* ---- gaps ----------------------------------------------------------------------------- */

static bool resync_ok(enum mk_flow_dir dir, const uint8_t *p, size_t n)
{
    return mk_http_probe(p, n, dir) == MK_PROBE_YES;
}

/* Inside a body of known length the gap is counted and parsing goes on; a
 * close-delimited body just counts it; elsewhere the message ends as it is
 * (reported with what was seen) and the side waits for a segment that starts
 * a new message. */
static void gap(const struct run *r, size_t len)
{
    struct http_side *sd = r->sd;
    struct http_tx *tx = side_tx(r);

    if (sd->ph == PH_TUNNEL || sd->ph == PH_LOST) {
        return;
    }
    if (sd->ph == PH_BODY_CLOSE ||
        ((sd->ph == PH_BODY_LEN || sd->ph == PH_CHUNK_DATA) && len < sd->left)) {
        mk_filehash_gap(&sd->fh, len);
        sd->left -= sd->ph == PH_BODY_CLOSE ? 0 : len;
        if (tx != NULL) {
            tx->body_len[r->dir] += len;
        }
        return;
    }
    if (sd->ph == PH_BODY_LEN && len == sd->left) {
        mk_filehash_gap(&sd->fh, len);
        message_done(r); /* the gap ended exactly with the body: in sync again */
        return;
    }
    mk_filehash_gap(&sd->fh, len);
    if (sd->has_tx) {
        message_done(r);
    }
    sd->line_len = 0;
    sd->line_long = false;
    sd->ph = PH_LOST;
}

/* ---- probe --------------------------------------------------------------------------- */

static const char *const methods[] = {
    "GET",    "POST",     "HEAD",       "PUT",   "DELETE", "CONNECT",  "OPTIONS",   "TRACE",
    "PATCH",  "PROPFIND", "PROPPATCH",  "MKCOL", "COPY",   "MOVE",     "LOCK",      "UNLOCK",
    "SEARCH", "REPORT",   "MKCALENDAR", "ACL",   "MERGE",  "CHECKOUT", "SUBSCRIBE", "UNSUBSCRIBE",
    "NOTIFY", "POLL",     "BPROPFIND",  "BCOPY", "BMOVE",  "BDELETE",
};

/* Which known method data starts with: its length, 0 for none; *maybe when
 * data is still a prefix of one. */
static size_t method_len(const uint8_t *data, size_t len, bool *maybe)
{
    *maybe = false;
    for (size_t i = 0; i < MK_ARRAY_LEN(methods); i++) {
        size_t k = strlen(methods[i]);

        if (len <= k) {
            *maybe = *maybe || memcmp(data, methods[i], len) == 0;
        } else if (memcmp(data, methods[i], k) == 0 && data[k] == ' ') {
            return k;
        }
    }
    return 0;
}

enum mk_probe_result mk_http_probe(const uint8_t *data, size_t len, enum mk_flow_dir dir)
{
    static const char resp[] = "HTTP/1.";
    bool maybe;
    size_t m;
    const uint8_t *lf;
    size_t n;

    if (dir == MK_FLOW_TOCLIENT) {
        n = len < sizeof(resp) - 1 ? len : sizeof(resp) - 1;
        if (memcmp(data, resp, n) != 0) {
            return MK_PROBE_NO;
        }
        return n < sizeof(resp) - 1 ? MK_PROBE_MORE : MK_PROBE_YES;
    }
    m = method_len(data, len, &maybe);
    if (m == 0) {
        return maybe ? MK_PROBE_MORE : MK_PROBE_NO;
    }
    lf = memchr(data, '\n', len < MK_HTTP_MAX_LINE ? len : MK_HTTP_MAX_LINE);
    if (lf == NULL) {
        return len < MK_HTTP_MAX_LINE ? MK_PROBE_MORE : MK_PROBE_NO;
    }
    n = (size_t)(lf - data);
    if (n > 0 && data[n - 1] == '\r') {
        n--;
    }
    if (n >= m + 10 && memcmp(data + n - 9, " HTTP/1.", 8) == 0 && data[n - 1] >= '0' &&
        data[n - 1] <= '9') {
        return MK_PROBE_YES;
    }
    /* HTTP/0.9: "GET /path" and nothing else on the line */
    if (m == 3 && memcmp(data, "GET", 3) == 0 && n > 4 && data[4] == '/' &&
        memchr(data + 4, ' ', n - 4) == NULL) {
        return MK_PROBE_YES;
    }
    return MK_PROBE_NO;
}

/* ---- the analyzer --------------------------------------------------------------------- */

static void http_state_free(void *state)
{
    struct http_state *s = state;

    if (s == NULL) {
        return;
    }
    for (size_t i = 0; i < 2; i++) {
        mk_filehash_fini(&s->side[i].fh);
        free(s->side[i].line);
    }
    for (size_t i = 0; i < MK_HTTP_MAX_PIPELINE; i++) {
        if (s->tx[i] != NULL) {
            free(s->tx[i]->store);
        }
        if (i > 0) {
            free(s->tx[i]);
        }
    }
    free(s);
}

/* Small at first (no line buffer, store or digest yet): everything grows
 * when the bytes that need it come. */
static void *http_state_new(void)
{
    struct http_state *s = calloc(1, sizeof(*s));

    if (s == NULL) {
        return NULL;
    }
    s->tx[0] = &s->tx0;
    if (mk_filehash_init(&s->side[0].fh) != MK_OK || mk_filehash_init(&s->side[1].fh) != MK_OK) {
        http_state_free(s);
        return NULL;
    }
    return s;
}

static size_t http_state_size(const void *state)
{
    const struct http_state *s = state;
    size_t n = sizeof(*s);

    for (size_t i = 0; i < 2; i++) {
        n += s->side[i].line_cap + mk_filehash_bytes(&s->side[i].fh);
    }
    for (size_t i = 0; i < MK_HTTP_MAX_PIPELINE; i++) {
        if (s->tx[i] != NULL) {
            n += s->tx[i]->cap + (i > 0 ? sizeof(struct http_tx) : 0);
        }
    }
    return n;
}

/* After CONNECT 2xx or 101 both sides are a tunnel: once every transaction
 * went out, nothing more can be reported (flow_end would find nothing). */
static bool http_done(const void *state)
{
    const struct http_state *s = state;

    if (s->side[0].ph != PH_TUNNEL || s->side[1].ph != PH_TUNNEL || s->side[0].has_tx ||
        s->side[1].has_tx) {
        return false;
    }
    for (size_t i = 0; i < MK_HTTP_MAX_PIPELINE; i++) {
        if (s->tx[i] != NULL && s->tx[i]->in_use && !s->tx[i]->reported) {
            return false;
        }
    }
    return true;
}

static void http_parse(void *state, struct mk_proto_ctx *ctx, struct mk_flow *flow,
                       enum mk_flow_dir dir, const uint8_t *data, size_t len)
{
    struct http_state *s = state;
    struct run r = {s, ctx, flow, dir, &s->side[dir == MK_FLOW_TOCLIENT]};

    if (data == NULL) {
        gap(&r, len);
        return;
    }
    if (r.sd->ph == PH_LOST) {
        if (!resync_ok(dir, data, len)) {
            return;
        }
        r.sd->ph = PH_LINE;
    }
    while (len > 0) {
        size_t used = step(&r, data, len);

        data += used;
        len -= used;
    }
}

static void http_gap(void *state, struct mk_proto_ctx *ctx, struct mk_flow *flow,
                     enum mk_flow_dir dir, size_t len)
{
    struct http_state *s = state;
    struct run r = {s, ctx, flow, dir, &s->side[dir == MK_FLOW_TOCLIENT]};

    gap(&r, len);
}

/* The connection closed: a close-delimited body ends here (RFC 9112 6.3),
 * other open messages end as they are, and every transaction not yet reported
 * goes out, oldest first. */
static void http_flow_end(void *state, struct mk_proto_ctx *ctx, struct mk_flow *flow)
{
    struct http_state *s = state;
    struct http_tx *tx;

    for (int d = 0; d < 2; d++) {
        struct run r = {s, ctx, flow, (enum mk_flow_dir)d, &s->side[d]};

        if (s->side[d].has_tx) {
            message_done(&r);
        }
        s->side[d].ph = PH_LINE;
    }
    while ((tx = tx_oldest(s, false)) != NULL) {
        struct run r = {s, ctx, flow, MK_FLOW_TOCLIENT, &s->side[1]};

        tx_report(&r, tx);
        tx->in_use = false;
    }
}

static enum mk_probe_result http_probe(const uint8_t *data, size_t len, enum mk_flow_dir dir,
                                       uint16_t port)
{
    (void)port;
    return mk_http_probe(data, len, dir);
}

const struct mk_analyzer_ops mk_analyzer_http = {
    .name = "http",
    .proto = MK_APP_HTTP,
    .transports = MK_TRANSPORT_TCP,
    .probe = http_probe,
    .state_new = http_state_new,
    .state_bytes = HTTP_TYPICAL_BYTES,
    .state_size = http_state_size,
    .done = http_done,
    .state_free = http_state_free,
    .parse = http_parse,
    .gap = http_gap,
    .flow_end = http_flow_end,
};
