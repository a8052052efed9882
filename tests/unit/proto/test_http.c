/* Unit tests of the HTTP/1.x analyzer: transactions, header fields, body framing
 * (length, chunks, close), pipelining, interim responses, HEAD, CONNECT, caps,
 * gaps, body hashes and probing. Every event the sink sees is written into a
 * text log, so tests compare whole conversations at once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "proto/http_int.h"

struct env {
    struct mk_arena arena;
    struct mk_proto_ctx ctx;
    struct mk_flow flow;
    void *state;
    char log[16384];
    size_t log_len;
    int n_http;
    int n_file;
    int n_anomaly;
    bool last_has_status;
};

static void logf_(struct env *e, const char *fmt, ...) MK_PRINTF(2, 3);

static void logf_(struct env *e, const char *fmt, ...)
{
    va_list ap;
    int k;

    va_start(ap, fmt);
    k = vsnprintf(e->log + e->log_len, sizeof(e->log) - e->log_len, fmt, ap);
    va_end(ap);
    assert_true(k >= 0 && (size_t)k < sizeof(e->log) - e->log_len);
    e->log_len += (size_t)k;
}

#define S(x) ((x) != NULL ? (x) : "-")

static void on_http(void *ctx, struct mk_flow *flow, const struct mk_http_tx *t)
{
    struct env *e = ctx;

    (void)flow;
    e->n_http++;
    e->last_has_status = t->has_status;
    logf_(e,
          "tx%llu %s %s %s host=%s port=%d ua=%s ref=%s xff=%s | %d ct=%s loc=%s req=%llu "
          "resp=%llu\n",
          (unsigned long long)t->tx_id, S(t->method), S(t->uri), S(t->protocol), S(t->hostname),
          t->port, S(t->user_agent), S(t->referer), S(t->xff), t->status, S(t->content_type),
          S(t->redirect), (unsigned long long)t->request_body_len,
          (unsigned long long)t->response_body_len);
    for (size_t i = 0; i < t->n_request_headers; i++) {
        logf_(e, "  > %s: %s\n", t->request_headers[i].name, t->request_headers[i].value);
    }
    for (size_t i = 0; i < t->n_response_headers; i++) {
        logf_(e, "  < %s: %s\n", t->response_headers[i].name, t->response_headers[i].value);
    }
}

static void on_file(void *ctx, struct mk_flow *flow, const struct mk_file_info *fi)
{
    struct env *e = ctx;

    (void)flow;
    e->n_file++;
    logf_(e, "file tx%llu %s name=%s size=%llu%s%s md5=%s sha1=%s sha256=%s\n",
          (unsigned long long)fi->tx_id, fi->dir == MK_FLOW_TOSERVER ? "up" : "down", fi->filename,
          (unsigned long long)fi->size, fi->truncated ? " truncated" : "", fi->gaps ? " gaps" : "",
          fi->md5, fi->sha1, fi->sha256);
}

static void on_anomaly(void *ctx, struct mk_flow *flow, const char *event)
{
    struct env *e = ctx;

    (void)flow;
    e->n_anomaly++;
    logf_(e, "anomaly %s\n", event);
}

static int env_setup(void **state)
{
    struct env *e = calloc(1, sizeof(*e));

    assert_non_null(e);
    mk_arena_init(&e->arena, 64u << 10, 16u << 20);
    e->ctx.cfg = MK_PROTO_CONFIG_DEFAULT;
    e->ctx.scratch = &e->arena;
    e->ctx.sink =
        (struct mk_proto_sink){.ctx = e, .http = on_http, .file = on_file, .anomaly = on_anomaly};
    e->state = mk_analyzer_http.state_new();
    assert_non_null(e->state);
    *state = e;
    return 0;
}

static int env_teardown(void **state)
{
    struct env *e = *state;

    mk_analyzer_http.state_free(e->state);
    mk_arena_fini(&e->arena);
    free(e);
    return 0;
}

/* Feeds text in segments of `chunk` bytes (0 = all at once), resetting the
 * scratch arena after each call as the sensor does. */
static void send_(struct env *e, enum mk_flow_dir dir, const char *text, size_t chunk)
{
    size_t n = strlen(text);

    for (size_t off = 0; off < n;) {
        size_t k = chunk == 0 || chunk > n - off ? n - off : chunk;

        mk_analyzer_http.parse(e->state, &e->ctx, &e->flow, dir, (const uint8_t *)text + off, k);
        mk_arena_reset(&e->arena);
        off += k;
    }
}

static void up(struct env *e, const char *text)
{
    send_(e, MK_FLOW_TOSERVER, text, 0);
}

static void down(struct env *e, const char *text)
{
    send_(e, MK_FLOW_TOCLIENT, text, 0);
}

static void end(struct env *e)
{
    mk_analyzer_http.flow_end(e->state, &e->ctx, &e->flow);
    mk_arena_reset(&e->arena);
}

/* ---- transactions -------------------------------------------------------------- */

static void test_http_simple_get_and_response(void **state)
{
    struct env *e = *state;

    up(e, "GET /index.html?q=1 HTTP/1.1\r\nHost: Example.COM\r\nUser-Agent: curl/8.0\r\n"
          "Referer: http://a.example/\r\nAccept: */*\r\n\r\n");
    assert_int_equal(e->n_http, 0);
    down(e, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5\r\n\r\nhello");
    assert_string_equal(
        e->log, "file tx0 down name=/index.html size=5 md5=5d41402abc4b2a76b9719d911017c592 "
                "sha1=aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d "
                "sha256=2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824\n"
                "tx0 GET /index.html?q=1 HTTP/1.1 host=example.com port=-1 ua=curl/8.0 "
                "ref=http://a.example/ xff=- | 200 ct=text/html loc=- req=0 resp=5\n"
                "  > Host: Example.COM\n"
                "  > User-Agent: curl/8.0\n"
                "  > Referer: http://a.example/\n"
                "  > Accept: */*\n"
                "  < Content-Type: text/html\n"
                "  < Content-Length: 5\n");
    end(e);
    assert_int_equal(e->n_http, 1);
}

/* A conversation touching most of the parser: pipelining, folding, chunks with
 * extensions and trailers, a 100 Continue, a HEAD, a 304 and a redirect. */
static const char conv_up[] = "GET /a HTTP/1.1\r\nHost: h\r\nX-Long: one\r\n two\r\n\r\n"
                              "HEAD /b HTTP/1.1\r\nHost: h\r\n\r\n"
                              "POST /up/load.bin HTTP/1.1\r\nHost: h:81\r\nExpect: 100-continue\r\n"
                              "Transfer-Encoding: chunked\r\n\r\n"
                              "4;ext=1\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\n"
                              "Trailer-X: 1\r\n\r\n"
                              "GET /c HTTP/1.0\r\n\r\n";
static const char conv_down[] = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"
                                "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"
                                "HTTP/1.1 100 Continue\r\n\r\n"
                                "HTTP/1.1 302 Found\r\nLocation: /x\r\nContent-Length: 0\r\n\r\n"
                                "HTTP/1.0 304 Not Modified\r\n\r\n";

static void converse(struct env *e, size_t chunk)
{
    send_(e, MK_FLOW_TOSERVER, conv_up, chunk);
    send_(e, MK_FLOW_TOCLIENT, conv_down, chunk);
    end(e);
}

static void test_http_byte_at_a_time_equals_one_shot(void **state)
{
    struct env *e = *state;
    char *whole;

    converse(e, 0);
    whole = strdup(e->log);
    assert_non_null(whole);
    for (size_t chunk = 1; chunk <= 7; chunk++) {
        mk_analyzer_http.state_free(e->state);
        e->state = mk_analyzer_http.state_new();
        e->log_len = 0;
        e->log[0] = '\0';
        converse(e, chunk);
        assert_string_equal(e->log, whole);
    }
    assert_string_equal(
        whole,
        "file tx2 up name=/up/load.bin size=23 md5=25b83662323c397c9944a8a7b3fef7ab "
        "sha1=ddd0adbbf046e9be9634d4d68ca2ba5724b3aea8 "
        "sha256=3461c519a9b3939c702729f6440b85de20f8d03d1da9aa32d82215bc689e7b4d\n"
        "file tx0 down name=/a size=3 md5=900150983cd24fb0d6963f7d28e17f72 "
        "sha1=a9993e364706816aba3e25717850c26c9cd0d89d "
        "sha256=ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n"
        "tx0 GET /a HTTP/1.1 host=h port=-1 ua=- ref=- xff=- | 200 ct=- loc=- req=0 resp=3\n"
        "  > Host: h\n"
        "  > X-Long: one two\n"
        "  < Content-Length: 3\n"
        "tx1 HEAD /b HTTP/1.1 host=h port=-1 ua=- ref=- xff=- | 200 ct=- loc=- req=0 resp=0\n"
        "  > Host: h\n"
        "  < Content-Length: 1000\n"
        "tx2 POST /up/load.bin HTTP/1.1 host=h port=81 ua=- ref=- xff=- | 302 ct=- loc=/x "
        "req=23 resp=0\n"
        "  > Host: h:81\n"
        "  > Expect: 100-continue\n"
        "  > Transfer-Encoding: chunked\n"
        "  < Location: /x\n"
        "  < Content-Length: 0\n"
        "tx3 GET /c HTTP/1.0 host=- port=-1 ua=- ref=- xff=- | 304 ct=- loc=- req=0 resp=0\n");
    free(whole);
}

static void test_http_pipelined_requests_pair_with_responses_in_order(void **state)
{
    struct env *e = *state;

    up(e, "GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n"
          "GET /3 HTTP/1.1\r\nHost: a\r\n\r\n");
    down(e, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
    down(e, "HTTP/1.1 500 Oops\r\nContent-Length: 0\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n");
    assert_int_equal(e->n_http, 3);
    assert_non_null(strstr(e->log, "tx0 GET /1 HTTP/1.1 host=a port=-1 ua=- ref=- xff=- | 404"));
    assert_non_null(strstr(e->log, "tx1 GET /2 HTTP/1.1 host=a port=-1 ua=- ref=- xff=- | 500"));
    assert_non_null(strstr(e->log, "tx2 GET /3 HTTP/1.1 host=a port=-1 ua=- ref=- xff=- | 204"));
    assert_int_equal(e->n_anomaly, 0);
}

static void test_http_chunked_body_hashes_the_decoded_bytes(void **state)
{
    struct env *e = *state;

    up(e, "GET /files/hello.txt HTTP/1.1\r\nHost: a\r\n\r\n");
    down(e, "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
            "6\r\nhello \r\n5\r\nworld\r\n0\r\n\r\n");
    assert_int_equal(e->n_file, 1);
    assert_non_null(strstr(e->log, "file tx0 down name=/files/hello.txt size=11 "
                                   "md5=5eb63bbbe01eeed093cb22bb8f5acdc3 "
                                   "sha1=2aae6c35c94fcfb415dbe95f408b9ce91ee846ed "
                                   "sha256=b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7"
                                   "ace2efcde9\n"));
    assert_non_null(strstr(e->log, "| 200 ct=- loc=- req=0 resp=11\n"));
}

static void test_http_transfer_encoding_list_ignores_empty_elements(void **state)
{
    struct env *e = *state;

    /* suricata-verify http-chunked: "chunked" between empty list elements */
    up(e, "POST /x HTTP/1.1\r\nContent-Length: 0\r\nTransfer-Encoding: ,\tchunked,\r\n\r\n"
          "3\r\nabc\r\n0\r\n\r\n");
    assert_int_equal(e->n_anomaly, 0);
    assert_non_null(
        strstr(e->log, "file tx0 up name=/x size=3 md5=900150983cd24fb0d6963f7d28e17f72 "));
}

static void test_http_post_body_by_content_length_is_a_file(void **state)
{
    struct env *e = *state;

    up(e, "POST /cgi/upload?x=1 HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n01234");
    up(e, "56789");
    assert_non_null(strstr(e->log, "file tx0 up name=/cgi/upload size=10 "
                                   "md5=781e5e245d69b566979b86e28d23f2c7 "));
    down(e, "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n");
    assert_non_null(strstr(e->log, "| 201 ct=- loc=- req=10 resp=0\n"));
}

static void test_http_file_cap_truncates_the_hash(void **state)
{
    struct env *e = *state;

    e->ctx.cfg.max_file_bytes = 4;
    up(e, "GET / HTTP/1.1\r\n\r\n");
    down(e, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
    /* the hashes are those of "hell"; the URI "/" has no last segment */
    assert_non_null(strstr(e->log, "file tx0 down name=/ size=5 truncated "
                                   "md5=4229d691b07b13341da53f17ab9f2416 "));
}

static void test_http_several_100_continue_then_final(void **state)
{
    struct env *e = *state;

    up(e, "PUT /x HTTP/1.1\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n");
    down(e, "HTTP/1.1 100 Continue\r\nX-A: 1\r\n\r\nHTTP/1.1 100 Continue\r\n\r\n");
    assert_int_equal(e->n_http, 0);
    up(e, "ok");
    down(e, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    assert_int_equal(e->n_http, 1);
    assert_non_null(strstr(e->log, "tx0 PUT /x HTTP/1.1"));
    assert_non_null(strstr(e->log, "| 200 ct=- loc=- req=2 resp=0\n"));
    assert_null(strstr(e->log, "X-A")); /* interim headers give way to the final ones */
}

static void test_http_head_response_has_no_body(void **state)
{
    struct env *e = *state;

    up(e, "HEAD /big HTTP/1.1\r\n\r\nGET /small HTTP/1.1\r\n\r\n");
    down(e, "HTTP/1.1 200 OK\r\nContent-Length: 999999\r\n\r\n"
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi");
    assert_int_equal(e->n_http, 2);
    assert_int_equal(e->n_file, 1);
    assert_int_equal(e->n_anomaly, 0);
    assert_non_null(strstr(e->log, "tx1 GET /small"));
}

static void test_http_connect_2xx_stops_parsing(void **state)
{
    struct env *e = *state;

    up(e, "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n");
    up(e, "\x16\x03\x01 not http");
    down(e, "HTTP/1.1 200 Connection established\r\n\r\n\x16\x03\x03 server hello");
    up(e, "more tls bytes\r\n\r\n");
    end(e);
    assert_int_equal(e->n_http, 1);
    assert_int_equal(e->n_anomaly, 0);
    assert_int_equal(e->n_file, 0);
    assert_non_null(strstr(e->log, "tx0 CONNECT example.com:443 HTTP/1.1 host=example.com "
                                   "port=443 ua=- ref=- xff=- | 200"));
}

static void test_http_connect_refused_stays_http(void **state)
{
    struct env *e = *state;

    up(e, "CONNECT example.com:443 HTTP/1.1\r\n\r\n");
    down(e, "HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n");
    up(e, "GET / HTTP/1.1\r\n\r\n");
    down(e, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    assert_int_equal(e->n_http, 2);
    assert_int_equal(e->n_anomaly, 0);
}

static void test_http_oversized_header_line_is_an_anomaly(void **state)
{
    struct env *e = *state;
    char *req = malloc(MK_HTTP_MAX_LINE + 200);
    int k;

    assert_non_null(req);
    k = snprintf(req, 64, "GET /x HTTP/1.1\r\nX-Big: ");
    memset(req + k, 'a', MK_HTTP_MAX_LINE);
    (void)snprintf(req + k + MK_HTTP_MAX_LINE, 100, "\r\nHost: after\r\n\r\n");
    up(e, req);
    down(e, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    assert_int_equal(e->n_http, 1);
    assert_non_null(strstr(e->log, "anomaly http.header_too_long\n"));
    assert_non_null(strstr(e->log, "host=after")); /* parsing went on */
    free(req);
}

static void test_http_header_block_cap_is_an_anomaly(void **state)
{
    struct env *e = *state;

    e->ctx.cfg.max_header_bytes = 40;
    up(e, "GET /x HTTP/1.1\r\nA: 0123456789\r\nB: 0123456789\r\nC: 0123456789\r\n\r\n");
    down(e, "HTTP/1.1 200 OK\r\n\r\n");
    end(e);
    assert_non_null(strstr(e->log, "anomaly http.header_too_long\n"));
    assert_non_null(strstr(e->log, "  > A: 0123456789\n"));
    assert_null(strstr(e->log, "  > C: "));
    assert_int_equal(e->n_http, 1);
}

static void test_http_gap_inside_a_body_keeps_sync(void **state)
{
    struct env *e = *state;

    up(e, "GET /f.bin HTTP/1.1\r\n\r\nGET /g HTTP/1.1\r\n\r\n");
    down(e, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123");
    mk_analyzer_http.gap(e->state, &e->ctx, &e->flow, MK_FLOW_TOCLIENT, 3);
    down(e, "789HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    assert_int_equal(e->n_http, 2);
    assert_non_null(strstr(e->log, "file tx0 down name=/f.bin size=10 truncated gaps "));
    assert_non_null(strstr(e->log, "tx1 GET /g"));
}

static void test_http_gap_in_headers_resyncs_at_the_next_request(void **state)
{
    struct env *e = *state;

    up(e, "GET /lost HTTP/1.1\r\nHost: a\r\nUser-Ag");
    mk_analyzer_http.parse(e->state, &e->ctx, &e->flow, MK_FLOW_TOSERVER, NULL, 50);
    up(e, "ent: tail of something\r\n\r\n"); /* not a message start: skipped */
    up(e, "GET /next HTTP/1.1\r\nHost: b\r\n\r\n");
    down(e, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
            "HTTP/1.1 404 No\r\nContent-Length: 0\r\n\r\n");
    assert_int_equal(e->n_http, 2);
    assert_int_equal(e->n_anomaly, 0);
    assert_non_null(strstr(e->log, "tx0 GET /lost HTTP/1.1 host=a port=-1 ua=- ref=- xff=- | 200"));
    assert_non_null(strstr(e->log, "tx1 GET /next HTTP/1.1 host=b port=-1 ua=- ref=- xff=- | 404"));
}

static void test_http_x_forwarded_for_is_reported(void **state)
{
    struct env *e = *state;

    up(e, "GET / HTTP/1.1\r\nX-Forwarded-For: 203.0.113.7, 10.0.0.1\r\n\r\n");
    end(e);
    assert_non_null(strstr(e->log, "xff=203.0.113.7, 10.0.0.1 | 0 "));
}

static void test_http_host_port_and_ipv6_literals(void **state)
{
    struct env *e = *state;

    up(e, "GET /1 HTTP/1.1\r\nHost: www.example.com:8080\r\n\r\n"
          "GET /2 HTTP/1.1\r\nHost: [2001:DB8::1]:8443\r\n\r\n"
          "GET /3 HTTP/1.1\r\nHost: [::1]\r\n\r\n");
    end(e);
    assert_non_null(strstr(e->log, "tx0 GET /1 HTTP/1.1 host=www.example.com port=8080 "));
    assert_non_null(strstr(e->log, "tx1 GET /2 HTTP/1.1 host=2001:db8::1 port=8443 "));
    assert_non_null(strstr(e->log, "tx2 GET /3 HTTP/1.1 host=::1 port=-1 "));
}

static void test_http_response_without_request(void **state)
{
    struct env *e = *state;

    down(e, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi");
    assert_int_equal(e->n_http, 1);
    assert_non_null(strstr(e->log, "tx0 - - HTTP/1.1 host=- port=-1 ua=- ref=- xff=- | 200 "));
}

static void test_http_close_delimited_body_ends_with_the_flow(void **state)
{
    struct env *e = *state;

    up(e, "GET /stream HTTP/1.0\r\n\r\n");
    down(e, "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nhello");
    down(e, " world");
    assert_int_equal(e->n_http, 0);
    end(e);
    assert_int_equal(e->n_http, 1);
    assert_non_null(strstr(e->log, "file tx0 down name=/stream size=11 "
                                   "md5=5eb63bbbe01eeed093cb22bb8f5acdc3 "));
    assert_non_null(strstr(e->log, "| 200 ct=text/plain loc=- req=0 resp=11\n"));
}

static void test_http_request_without_response_is_reported_at_flow_end(void **state)
{
    struct env *e = *state;

    up(e, "GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n");
    end(e);
    assert_int_equal(e->n_http, 2);
    assert_non_null(strstr(e->log, "tx0 GET /a HTTP/1.1 host=- port=-1 ua=- ref=- xff=- | 0 "));
    assert_non_null(strstr(e->log, "tx1 GET /b HTTP/1.1 host=- port=-1 ua=- ref=- xff=- | 0 "));
}

static void test_http_09_simple_request_is_tolerated(void **state)
{
    struct env *e = *state;

    up(e, "GET /old.html\r\n");
    down(e, "<html>hi</html>");
    end(e);
    assert_int_equal(e->n_http, 1);
    assert_int_equal(e->n_anomaly, 0);
    assert_non_null(strstr(e->log, "tx0 GET /old.html  host=- "));
    assert_non_null(strstr(e->log, "file tx0 down name=/old.html size=15 "));
}

static void test_http_too_many_pending_requests_evict_the_oldest(void **state)
{
    struct env *e = *state;

    for (int i = 0; i < MK_HTTP_MAX_PIPELINE + 1; i++) {
        up(e, "GET /p HTTP/1.1\r\n\r\n");
    }
    assert_int_equal(e->n_http, 1);
    assert_non_null(strstr(e->log, "anomaly http.too_many_pending\ntx0 GET /p"));
    end(e);
    assert_int_equal(e->n_http, MK_HTTP_MAX_PIPELINE + 1);
}

static void test_http_bad_status_line_is_an_anomaly(void **state)
{
    struct env *e = *state;

    up(e, "GET / HTTP/1.1\r\n\r\n");
    down(e, "SSH-2.0-OpenSSH_9.6\r\n");
    end(e);
    assert_non_null(strstr(e->log, "anomaly http.bad_status_line\n"));
    assert_int_equal(e->n_http, 1);
}

/* libhtp: "Request line: missing protocol" when the next line reads like a header
 * (suricata-verify http-missing-protocol): the headers are parsed, not a 0.9 body */
static void test_http_missing_protocol_with_headers_parses_headers(void **state)
{
    struct env *e = *state;

    up(e, "GET /gen.php?x=1\r\nHost: 5.8.88.25\r\nUser-Agent:Mozilla/5.0\r\n\r\n");
    down(e, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi");
    assert_int_equal(e->n_http, 1);
    assert_non_null(strstr(e->log, "anomaly http.missing_protocol\n"));
    assert_non_null(strstr(e->log, "tx0 GET /gen.php?x=1  host=5.8.88.25 port=-1 "
                                   "ua=Mozilla/5.0 ref=- xff=- | 200 "));
    assert_non_null(strstr(e->log, "file tx0 down name=/gen.php size=2 "));
}

/* tshark reads strtoul() of the status token's first three characters: "20x" is
 * 20, "000" is 0 (and still a status), as Suricata logs them */
static void test_http_status_is_the_leading_number(void **state)
{
    struct env *e = *state;

    up(e, "GET /a HTTP/1.1\r\n\r\n");
    down(e, "HTTP/1.1 20x ok\r\nContent-Length: 0\r\n\r\n");
    assert_int_equal(e->n_http, 1);
    assert_non_null(strstr(e->log, "tx0 GET /a HTTP/1.1 host=- port=-1 ua=- ref=- xff=- | 20 "));
    assert_true(e->last_has_status);
    up(e, "GET /b HTTP/1.1\r\n\r\n");
    down(e, "HTTP/1.1 000 ok\r\nContent-Length: 0\r\n\r\n");
    assert_int_equal(e->n_http, 2);
    assert_non_null(strstr(e->log, "tx1 GET /b HTTP/1.1 host=- port=-1 ua=- ref=- xff=- | 0 "));
    assert_true(e->last_has_status);
    /* as tshark: three characters, strtoul() */
    up(e, "GET /c HTTP/1.1\r\n\r\n");
    down(e, "HTTP/1.1 \t200 ok\r\nContent-Length: 0\r\n\r\n");
    assert_non_null(strstr(e->log, "tx2 GET /c HTTP/1.1 host=- port=-1 ua=- ref=- xff=- | 20 "));
    up(e, "GET /d HTTP/1.1\r\n\r\n");
    down(e, "HTTP/1.1 2040 ok\r\nContent-Length: 0\r\n\r\n");
    assert_non_null(strstr(e->log, "tx3 GET /d HTTP/1.1 host=- port=-1 ua=- ref=- xff=- | 204 "));
    up(e, "GET /e HTTP/1.1\r\n\r\n");
    down(e, "HTTP/1.1 20 ok\r\nContent-Length: 0\r\n\r\n");
    assert_false(e->last_has_status); /* a two-character token: no status */
    up(e, "GET /f HTTP/1.1\r\n\r\n");
    end(e);
    assert_false(e->last_has_status); /* no response: no status */
}

/* ---- probe ----------------------------------------------------------------------- */

static enum mk_probe_result probe(const char *s, enum mk_flow_dir dir)
{
    return mk_analyzer_http.probe((const uint8_t *)s, strlen(s), dir, 80);
}

static void test_http_probe(void **state)
{
    (void)state;
    assert_int_equal(probe("GET / HTTP/1.1\r\n", MK_FLOW_TOSERVER), MK_PROBE_YES);
    assert_int_equal(probe("PROPFIND /dav HTTP/1.0\n", MK_FLOW_TOSERVER), MK_PROBE_YES);
    assert_int_equal(probe("GET /old\r\n", MK_FLOW_TOSERVER), MK_PROBE_YES);
    assert_int_equal(probe("GE", MK_FLOW_TOSERVER), MK_PROBE_MORE);
    assert_int_equal(probe("POST /a", MK_FLOW_TOSERVER), MK_PROBE_MORE);
    assert_int_equal(probe("HTTP/1", MK_FLOW_TOCLIENT), MK_PROBE_MORE);
    assert_int_equal(probe("HTTP/1.1 200 OK\r\n", MK_FLOW_TOCLIENT), MK_PROBE_YES);
    assert_int_equal(probe("FOO / HTTP/1.1\r\n", MK_FLOW_TOSERVER), MK_PROBE_NO);
    assert_int_equal(probe("GET / RTSP/1.0\r\n", MK_FLOW_TOSERVER), MK_PROBE_NO);
    assert_int_equal(probe("\x16\x03\x01\x02\x00", MK_FLOW_TOSERVER), MK_PROBE_NO);
    assert_int_equal(probe("SSH-2.0-x\r\n", MK_FLOW_TOCLIENT), MK_PROBE_NO);
}

/* ---- memory: states start small, grow on demand and shrink back -------------------- */

static size_t size_of(const struct env *e)
{
    return mk_analyzer_http.state_size(e->state);
}

/* Runs `up`/`down` in segments of 1..7 bytes on fresh states and checks every
 * log equals the one-shot one; returns the one-shot log (to free). */
static char *same_in_pieces(struct env *e, const char *up_text, const char *down_text)
{
    char *whole;

    send_(e, MK_FLOW_TOSERVER, up_text, 0);
    send_(e, MK_FLOW_TOCLIENT, down_text, 0);
    end(e);
    whole = strdup(e->log);
    assert_non_null(whole);
    for (size_t chunk = 1; chunk <= 7; chunk++) {
        mk_analyzer_http.state_free(e->state);
        e->state = mk_analyzer_http.state_new();
        assert_non_null(e->state);
        e->log_len = 0;
        e->log[0] = '\0';
        send_(e, MK_FLOW_TOSERVER, up_text, chunk);
        send_(e, MK_FLOW_TOCLIENT, down_text, chunk);
        end(e);
        assert_string_equal(e->log, whole);
    }
    return whole;
}

static void test_http_state_is_small_when_idle(void **state)
{
    struct env *e = *state;

    assert_non_null(mk_analyzer_http.state_size);
    assert_true(size_of(e) < 1024);
    assert_true(mk_analyzer_http.state_bytes < 4096);
    up(e, "GET /index.html HTTP/1.1\r\nHost: example.com\r\nUser-Agent: curl/8.0\r\n"
          "Accept: */*\r\n\r\n");
    down(e, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5\r\n\r\nhello");
    assert_int_equal(e->n_http, 1);
    assert_true(size_of(e) < 4096);
    assert_true(size_of(e) <= mk_analyzer_http.state_bytes);
    /* keep-alive: the next transaction reuses what the first one grew */
    up(e, "GET /2 HTTP/1.1\r\nHost: example.com\r\n\r\n");
    down(e, "HTTP/1.1 204 No Content\r\n\r\n");
    assert_int_equal(e->n_http, 2);
    assert_true(size_of(e) < 4096);
}

/* A 6000-byte URI and a 7000-byte header value grow the line buffer and the
 * store up to their caps; afterwards the state is small again. */
static void test_http_long_lines_grow_the_buffers(void **state)
{
    struct env *e = *state;
    size_t ulen = 6000;
    size_t vlen = 7000;
    char *req = malloc(ulen + vlen + 256);
    char *whole;
    size_t k;

    assert_non_null(req);
    k = (size_t)snprintf(req, 32, "GET /");
    memset(req + k, 'u', ulen);
    k += ulen;
    k += (size_t)snprintf(req + k, 64, " HTTP/1.1\r\nHost: h\r\nX-Big: ");
    memset(req + k, 'v', vlen);
    k += vlen;
    (void)snprintf(req + k, 64, "\r\nX-After: 1\r\n\r\n");
    up(e, req);
    assert_true(size_of(e) > MK_HTTP_MAX_LINE); /* the request's store and line are big */
    down(e, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    assert_int_equal(e->n_http, 1);
    assert_int_equal(e->n_anomaly, 0);
    /* the URI is kept up to half the store; the big header no longer fits */
    assert_non_null(strstr(e->log, " /uuuu"));
    assert_null(strstr(e->log, "X-Big"));
    assert_non_null(strstr(e->log, "  > X-After: 1\n"));
    assert_true(size_of(e) < 4096); /* grown buffers went with the transaction */
    mk_analyzer_http.state_free(e->state);
    e->state = mk_analyzer_http.state_new();
    e->log_len = 0;
    e->log[0] = '\0';
    whole = same_in_pieces(e, req, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    assert_true(size_of(e) < 4096);
    free(whole);
    free(req);
}

/* More headers than MK_HTTP_MAX_HEADERS, with values that overflow the store:
 * kept up to both caps, the same whatever the segmentation. */
static void test_http_many_headers_fill_the_store_up_to_its_cap(void **state)
{
    struct env *e = *state;
    char *req = malloc(64u << 10);
    char *whole;
    size_t k;
    size_t n_req = 0;

    assert_non_null(req);
    k = (size_t)snprintf(req, 64, "POST /m HTTP/1.1\r\n");
    for (int i = 0; i < 60; i++) {
        k += (size_t)snprintf(req + k, 512, "X-H%02d: %0200d\r\n", i, i);
    }
    (void)snprintf(req + k, 64, "Content-Length: 2\r\n\r\nok");
    whole = same_in_pieces(e, req, "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n");
    for (const char *p = whole; (p = strstr(p, "  > ")) != NULL; p++) {
        n_req++;
    }
    /* 8192 bytes of store: method, URI and version (17), 39 headers of 207 bytes,
     * then only the short Content-Length still fits */
    assert_int_equal(n_req, 40);
    assert_non_null(strstr(whole, "  > X-H38: "));
    assert_null(strstr(whole, "  > X-H39: "));
    assert_non_null(strstr(whole, "  > Content-Length: 2\n"));
    assert_null(strstr(whole, "anomaly"));
    assert_non_null(strstr(whole, "file tx0 up name=/m size=2 "));
    assert_true(size_of(e) < 4096);
    free(whole);
    free(req);
}

/* Four pipelined requests take four transaction slots; once answered the extra
 * slots go. A fifth evicts the oldest, as before. */
static void test_http_pipelining_of_four_allocates_slots_on_demand(void **state)
{
    struct env *e = *state;
    size_t one;
    size_t four;
    char *whole;
    static const char ups[] =
        "GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n"
        "GET /3 HTTP/1.1\r\nHost: a\r\n\r\nGET /4 HTTP/1.1\r\nHost: a\r\n\r\n";
    static const char downs[] = "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nA"
                                "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nB"
                                "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nC"
                                "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nD";

    up(e, "GET /1 HTTP/1.1\r\nHost: a\r\n\r\n");
    one = size_of(e);
    up(e, "GET /2 HTTP/1.1\r\nHost: a\r\n\r\nGET /3 HTTP/1.1\r\nHost: a\r\n\r\n"
          "GET /4 HTTP/1.1\r\nHost: a\r\n\r\n");
    four = size_of(e);
    assert_true(four > one);
    down(e, downs);
    assert_int_equal(e->n_http, 4);
    assert_int_equal(e->n_anomaly, 0);
    assert_true(size_of(e) < four);
    assert_true(size_of(e) < 4096);
    mk_analyzer_http.state_free(e->state);
    e->state = mk_analyzer_http.state_new();
    e->log_len = 0;
    e->log[0] = '\0';
    whole = same_in_pieces(e, ups, downs);
    assert_non_null(strstr(whole, "tx3 GET /4 HTTP/1.1 host=a port=-1 ua=- ref=- xff=- | 200"));
    assert_int_equal(e->n_anomaly, 0);
    free(whole);
}

/* done: only a tunnel whose transactions all went out ends the analyzer's work. */
static void test_http_done_after_connect_tunnel(void **state)
{
    struct env *e = *state;

    assert_non_null(mk_analyzer_http.done);
    assert_false(mk_analyzer_http.done(e->state));
    up(e, "GET / HTTP/1.1\r\n\r\n");
    down(e, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    assert_false(mk_analyzer_http.done(e->state));
    up(e, "CONNECT example.com:443 HTTP/1.1\r\n\r\n");
    assert_false(mk_analyzer_http.done(e->state));
    down(e, "HTTP/1.1 200 Connection established\r\n\r\n");
    assert_int_equal(e->n_http, 2);
    assert_true(mk_analyzer_http.done(e->state));
    up(e, "\x16\x03\x01 tls");
    end(e);
    assert_int_equal(e->n_http, 2); /* flow_end had nothing left to report */
}

static void test_http_done_not_after_upgrade_while_a_request_is_pending(void **state)
{
    struct env *e = *state;

    up(e, "GET /chat HTTP/1.1\r\nUpgrade: websocket\r\n\r\nGET /late HTTP/1.1\r\n\r\n");
    down(e, "HTTP/1.1 101 Switching Protocols\r\n\r\n");
    assert_int_equal(e->n_http, 1);
    assert_false(mk_analyzer_http.done(e->state)); /* /late is reported at flow end */
    end(e);
    assert_int_equal(e->n_http, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, env_setup, env_teardown)
        T(test_http_simple_get_and_response),
        T(test_http_byte_at_a_time_equals_one_shot),
        T(test_http_pipelined_requests_pair_with_responses_in_order),
        T(test_http_chunked_body_hashes_the_decoded_bytes),
        T(test_http_transfer_encoding_list_ignores_empty_elements),
        T(test_http_post_body_by_content_length_is_a_file),
        T(test_http_file_cap_truncates_the_hash),
        T(test_http_several_100_continue_then_final),
        T(test_http_head_response_has_no_body),
        T(test_http_connect_2xx_stops_parsing),
        T(test_http_connect_refused_stays_http),
        T(test_http_oversized_header_line_is_an_anomaly),
        T(test_http_header_block_cap_is_an_anomaly),
        T(test_http_gap_inside_a_body_keeps_sync),
        T(test_http_gap_in_headers_resyncs_at_the_next_request),
        T(test_http_x_forwarded_for_is_reported),
        T(test_http_host_port_and_ipv6_literals),
        T(test_http_response_without_request),
        T(test_http_close_delimited_body_ends_with_the_flow),
        T(test_http_request_without_response_is_reported_at_flow_end),
        T(test_http_09_simple_request_is_tolerated),
        T(test_http_too_many_pending_requests_evict_the_oldest),
        T(test_http_bad_status_line_is_an_anomaly),
        T(test_http_missing_protocol_with_headers_parses_headers),
        T(test_http_status_is_the_leading_number),
        T(test_http_probe),
        T(test_http_state_is_small_when_idle),
        T(test_http_long_lines_grow_the_buffers),
        T(test_http_many_headers_fill_the_store_up_to_its_cap),
        T(test_http_pipelining_of_four_allocates_slots_on_demand),
        T(test_http_done_after_connect_tunnel),
        T(test_http_done_not_after_upgrade_while_a_request_is_pending),
#undef T
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
