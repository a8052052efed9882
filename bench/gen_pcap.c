/* gen_pcap.c: fixed-seed generator of the sensor benchmark capture (issue 3): writes a classic
 * pcap (LINKTYPE_ETHERNET, microseconds) of interleaved, protocol-correct flows to stdout.
 * Usage: gen_pcap --seed S [--flows N] [--size-mb M] > big.pcap   (entry point: main)
 *
 * Profile (also in bench/RESULTS.md). Flows are started until both N flows (default 500000) and
 * M MiB of file (default 1024) exist; a pool of 2048 active flows emits packets, each packet from
 * a flow picked at random, so flows overlap in time; the clock advances 1-16 us per packet.
 * Flow kinds (share of flows):
 *   21% DNS over UDP/53: query + response (A/AAAA; 30% with a CNAME, name compression; 5% NXDOMAIN)
 *    8% HTTP/1.1 on 80/8080: 1-3 GET + response per connection, Content-Length bodies of
 *       100 B-8 KB (75% under 2 KB), 15% chunked, 8% 404
 *   10% TLS on 443: ClientHello (SNI, ALPN, supported_versions, supported_groups,
 *       signature_algorithms, key_share); 20% carry a 1216-byte X25519MLKEM768 (0x11ec) share, so
 *       the ClientHello spans 2 TCP segments; 60% TLS 1.3 (ServerHello, CCS, opaque flight),
 *       40% TLS 1.2 (ServerHello, Certificate with the DER certificate of gen_pcap_cert.h,
 *       ServerKeyExchange, ServerHelloDone, client key exchange, CCS, Finished); then 1-3
 *       application-data exchanges
 *    3% QUIC v1 on UDP/443: client Initial(s) protected per RFC 9001 (ClientHello in CRYPTO frames,
 *       padded to 1200 bytes; 20% with the post-quantum share, split over two Initials), a
 *       protected server Initial (ACK + ServerHello), opaque Handshake and 2-6 short-header packets
 *   16% other TCP (server port 37100-41100, 1-2 exchanges of random bytes)
 *   29% UDP noise (1-4 datagrams of random bytes, server port 37100-41100)
 *   12% ICMP / ICMPv6 echo (1-4 request/reply pairs)
 *    1% bulk TCP download (10-60 full segments, an ACK every 2 segments)
 * Every flow: 25% IPv6, 15% with an 802.1Q tag (a tenth of those QinQ, 0x88a8 outside 0x8100).
 * Client ports 50000-54300. Both ranges hold no port that tshark 4.0 registers a dissector on.
 * TCP: 3-way handshake with MSS/WS/SACK options, correct seq/ack, FIN teardown; 5% of TCP flows
 * stay open. IPv4 header and TCP/UDP/ICMP checksums are correct.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "gen_pcap_cert.h"
#include "prng.h"

#define POOL_SIZE    2048
#define OUT_BUF      (8u << 20)
#define QUIC_PAD     1200
#define PQ_SHARE     1216 /* X25519MLKEM768 client share: ML-KEM-768 key + X25519 */
#define PQ_SERVER    1120 /* its server share: ML-KEM-768 ciphertext + X25519 */
#define GROUP_PQ     0x11ec
#define GROUP_X25519 0x001d

enum kind { K_DNS, K_HTTP, K_TLS, K_QUIC, K_TCP, K_UDP, K_ICMP, K_BULK, K_COUNT };

static const char *const kind_names[K_COUNT] = {"dns",       "http",      "tls",  "quic",
                                                "tcp-other", "udp-noise", "icmp", "tcp-bulk"};
/* Cumulative percentages of the kinds, in enum order. */
static const unsigned kind_cum[K_COUNT] = {21, 29, 39, 42, 58, 87, 99, 100};

/* A growable byte buffer (a bench tool: allocation failure ends the program). */
struct wb {
    uint8_t *p;
    size_t len;
    size_t cap;
};

struct flow {
    enum kind kind;
    bool is_v6;
    bool keep_open;
    int vlan_tags; /* 0, 1 (802.1Q) or 2 (QinQ) */
    uint16_t vid[2];
    uint8_t mac[2][6]; /* [0] client, [1] server */
    uint8_t ip[2][16];
    uint16_t port[2];
    uint32_t seq[2]; /* next sequence number each side sends */
    uint16_t ipid[2];
    uint16_t mss;
    struct wb q; /* queued frames: u16 length (big endian) + frame */
    size_t rd;
};

struct stats {
    uint64_t packets;
    uint64_t frame_bytes;
    uint64_t file_bytes;
    uint64_t flows[K_COUNT];
    uint64_t kind_packets[K_COUNT];
    uint64_t v6_flows, v6_packets;
    uint64_t vlan_flows, vlan_packets, qinq_flows;
    uint64_t pq_hellos, open_tcp;
};

struct gen {
    struct rng rng;
    uint64_t now_us;
    uint64_t want_flows;
    uint64_t want_bytes;
    uint64_t started;
    struct wb msg;  /* one application message (HTTP, TLS flight, DNS) */
    struct wb msg2; /* a second one (QUIC frames, TLS server hello) */
    uint8_t *out;
    size_t out_len;
    EVP_CIPHER_CTX *aead;
    EVP_CIPHER_CTX *ecb;
    char (*names)[64];
    size_t n_names;
    struct stats st;
};

/* ---- utilities --------------------------------------------------------------------------- */

static void die(const char *what)
{
    fprintf(stderr, "gen_pcap: %s\n", what);
    exit(1);
}

/* Uniform in [0, n). */
static uint32_t rnd(struct gen *g, uint32_t n)
{
    return (uint32_t)(((rng_next(&g->rng) >> 32) * n) >> 32);
}

/* Uniform in [lo, hi]. */
static uint32_t rnd_in(struct gen *g, uint32_t lo, uint32_t hi)
{
    return lo + rnd(g, hi - lo + 1);
}

static bool pct(struct gen *g, unsigned p)
{
    return rnd(g, 100) < p;
}

static void rnd_fill(struct gen *g, uint8_t *p, size_t n)
{
    while (n >= 8) {
        uint64_t v = rng_next(&g->rng);
        memcpy(p, &v, 8);
        p += 8;
        n -= 8;
    }
    if (n > 0) {
        uint64_t v = rng_next(&g->rng);
        memcpy(p, &v, n);
    }
}

static uint8_t *wb_grow(struct wb *b, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n) {
            cap *= 2;
        }
        uint8_t *p = realloc(b->p, cap);
        if (p == NULL) {
            die("out of memory");
        }
        b->p = p;
        b->cap = cap;
    }
    uint8_t *at = b->p + b->len;
    b->len += n;
    return at;
}

static void wb_u8(struct wb *b, unsigned v)
{
    *wb_grow(b, 1) = (uint8_t)v;
}

static void put_be(uint8_t *p, uint64_t v, size_t width)
{
    for (size_t i = 0; i < width; i++) {
        p[i] = (uint8_t)(v >> (8 * (width - 1 - i)));
    }
}

static void wb_be(struct wb *b, uint64_t v, size_t width)
{
    put_be(wb_grow(b, width), v, width);
}

static void wb_u16(struct wb *b, unsigned v)
{
    wb_be(b, v, 2);
}

static void wb_mem(struct wb *b, const void *p, size_t n)
{
    uint8_t *dst = wb_grow(b, n);

    if (n > 0) { /* p may be NULL for an empty part: memcpy must not see it */
        memcpy(dst, p, n);
    }
}

static void wb_str(struct wb *b, const char *s)
{
    wb_mem(b, s, strlen(s));
}

static void wb_rand(struct gen *g, struct wb *b, size_t n)
{
    rnd_fill(g, wb_grow(b, n), n);
}

/* Random lower-case letters: readable bodies whose hashes differ. */
static void wb_letters(struct gen *g, struct wb *b, size_t n)
{
    uint8_t *p = wb_grow(b, n);

    rnd_fill(g, p, n);
    for (size_t i = 0; i < n; i++) {
        p[i] = (uint8_t)('a' + p[i] % 26);
    }
}

static void wb_printf(struct wb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void wb_printf(struct wb *b, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;

    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof tmp) {
        die("wb_printf overflow");
    }
    wb_mem(b, tmp, (size_t)n);
}

/* Reserves a width-byte length field; wb_patch() fills it with the bytes written since. */
static size_t wb_mark(struct wb *b, size_t width)
{
    wb_grow(b, width);
    return b->len - width;
}

static void wb_patch(struct wb *b, size_t at, size_t width)
{
    put_be(b->p + at, b->len - at - width, width);
}

/* QUIC variable-length integer (RFC 9000 section 16). */
static void wb_varint(struct wb *b, uint64_t v)
{
    if (v < 64) {
        wb_u8(b, (unsigned)v);
    } else if (v < 16384) {
        wb_be(b, v | 0x4000, 2);
    } else if (v < (1u << 30)) {
        wb_be(b, v | 0x80000000u, 4);
    } else {
        wb_be(b, v | 0xc000000000000000ULL, 8);
    }
}

/* ---- frames: Ethernet, VLAN, IPv4/IPv6, checksums ------------------------------------------ */

static uint64_t csum_add(uint64_t sum, const uint8_t *p, size_t n)
{
    while (n >= 4) {
        sum += (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
        p += 4;
        n -= 4;
    }
    if (n >= 2) {
        sum += (uint32_t)p[0] << 8 | p[1];
        p += 2;
        n -= 2;
    }
    if (n == 1) {
        sum += (uint32_t)p[0] << 8;
    }
    return sum;
}

static uint16_t csum_fold(uint64_t sum)
{
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return (uint16_t)~sum;
}

/* TCP/UDP/ICMPv6 checksum with the pseudo-header of the flow's direction. */
static uint16_t l4_csum(const struct flow *f, int dir, uint8_t proto, const uint8_t *l4, size_t n)
{
    size_t alen = f->is_v6 ? 16 : 4;
    uint64_t sum = csum_add(0, f->ip[dir], alen);

    sum = csum_add(sum, f->ip[!dir], alen);
    sum += proto + (uint64_t)n;
    return csum_fold(csum_add(sum, l4, n));
}

static uint8_t *put_l3(struct flow *f, int dir, uint8_t *p, uint8_t proto, size_t l4len)
{
    if (f->is_v6) {
        put_be(p, 0x60000000u | (f->port[0] * 2654435761u & 0xfffff), 4);
        put_be(p + 4, l4len, 2);
        p[6] = proto;
        p[7] = dir ? 56 : 64;
        memcpy(p + 8, f->ip[dir], 16);
        memcpy(p + 24, f->ip[!dir], 16);
        return p + 40;
    }
    p[0] = 0x45;
    p[1] = 0;
    put_be(p + 2, 20 + l4len, 2);
    put_be(p + 4, f->ipid[dir]++, 2);
    put_be(p + 6, 0x4000, 2); /* DF */
    p[8] = dir ? 56 : 64;
    p[9] = proto;
    p[10] = p[11] = 0;
    memcpy(p + 12, f->ip[dir], 4);
    memcpy(p + 16, f->ip[!dir], 4);
    put_be(p + 10, csum_fold(csum_add(0, p, 20)), 2);
    return p + 20;
}

/* Queues one frame with room for l4len bytes of protocol proto; returns where L4 goes. */
static uint8_t *frame_begin(struct flow *f, int dir, uint8_t proto, size_t l4len)
{
    size_t flen = 14 + 4 * (size_t)f->vlan_tags + (f->is_v6 ? 40 : 20) + l4len;
    uint8_t *p = wb_grow(&f->q, 2 + flen);

    put_be(p, flen, 2);
    p += 2;
    memcpy(p, f->mac[!dir], 6);
    memcpy(p + 6, f->mac[dir], 6);
    p += 12;
    if (f->vlan_tags == 2) {
        put_be(p, 0x88a8, 2);
        put_be(p + 2, f->vid[0], 2);
        p += 4;
    }
    if (f->vlan_tags >= 1) {
        put_be(p, 0x8100, 2);
        put_be(p + 2, f->vid[1], 2);
        p += 4;
    }
    put_be(p, f->is_v6 ? 0x86dd : 0x0800, 2);
    return put_l3(f, dir, p + 2, proto, l4len);
}

/* ---- transports ---------------------------------------------------------------------------- */

enum { TH_FIN = 0x01, TH_SYN = 0x02, TH_PSH = 0x08, TH_ACK = 0x10 };

static void tcp_emit(struct flow *f, int dir, unsigned flags, const uint8_t *data, size_t n)
{
    /* SYN options: MSS, NOP + window scale 7, NOP NOP + SACK permitted. */
    uint8_t opt[12] = {2, 4, 0, 0, 1, 3, 3, 7, 1, 1, 4, 2};
    size_t optlen = (flags & TH_SYN) ? sizeof opt : 0;
    size_t hlen = 20 + optlen;
    uint8_t *t = frame_begin(f, dir, 6, hlen + n);

    put_be(opt + 2, f->mss, 2);
    put_be(t, f->port[dir], 2);
    put_be(t + 2, f->port[!dir], 2);
    put_be(t + 4, f->seq[dir], 4);
    put_be(t + 8, (flags & TH_ACK) ? f->seq[!dir] : 0, 4);
    t[12] = (uint8_t)(hlen / 4 << 4);
    t[13] = (uint8_t)flags;
    put_be(t + 14, (flags & TH_SYN) ? 64240 : 502, 2);
    put_be(t + 16, 0, 4); /* checksum, urgent pointer */
    memcpy(t + 20, opt, optlen);
    if (n > 0) {
        memcpy(t + hlen, data, n);
    }
    put_be(t + 16, l4_csum(f, dir, 6, t, hlen + n), 2);
    f->seq[dir] += (uint32_t)n + ((flags & (TH_SYN | TH_FIN)) ? 1 : 0);
}

static void tcp_open(struct gen *g, struct flow *f)
{
    f->seq[0] = (uint32_t)rng_next(&g->rng);
    f->seq[1] = (uint32_t)rng_next(&g->rng);
    tcp_emit(f, 0, TH_SYN, NULL, 0);
    tcp_emit(f, 1, TH_SYN | TH_ACK, NULL, 0);
    tcp_emit(f, 0, TH_ACK, NULL, 0);
}

/* Sends one message in MSS-sized segments; the peer ACKs every second segment and the last. */
static void tcp_send(struct flow *f, int dir, const uint8_t *data, size_t n)
{
    size_t segs = 0;

    for (size_t off = 0; off < n; off += f->mss) {
        size_t len = n - off < f->mss ? n - off : f->mss;
        bool last = off + len == n;
        tcp_emit(f, dir, TH_ACK | (last ? TH_PSH : 0), data + off, len);
        if (++segs % 2 == 0 || last) {
            tcp_emit(f, !dir, TH_ACK, NULL, 0);
        }
    }
}

static void tcp_close(struct gen *g, struct flow *f)
{
    if (f->keep_open) {
        return;
    }
    int first = pct(g, 70) ? 0 : 1;

    tcp_emit(f, first, TH_FIN | TH_ACK, NULL, 0);
    tcp_emit(f, !first, TH_FIN | TH_ACK, NULL, 0);
    tcp_emit(f, first, TH_ACK, NULL, 0);
}

static void udp_emit(struct flow *f, int dir, const uint8_t *data, size_t n)
{
    uint8_t *u = frame_begin(f, dir, 17, 8 + n);

    put_be(u, f->port[dir], 2);
    put_be(u + 2, f->port[!dir], 2);
    put_be(u + 4, 8 + n, 2);
    put_be(u + 6, 0, 2);
    memcpy(u + 8, data, n);
    uint16_t c = l4_csum(f, dir, 17, u, 8 + n);
    put_be(u + 6, c ? c : 0xffff, 2);
}

static void icmp_echo(struct flow *f, int dir, uint16_t id, uint16_t seq)
{
    uint8_t proto = f->is_v6 ? 58 : 1;
    uint8_t *m = frame_begin(f, dir, proto, 64);

    if (f->is_v6) {
        m[0] = dir ? 129 : 128;
    } else {
        m[0] = dir ? 0 : 8;
    }
    m[1] = 0;
    put_be(m + 2, 0, 2);
    put_be(m + 4, id, 2);
    put_be(m + 6, seq, 2);
    for (size_t i = 0; i < 56; i++) {
        m[8 + i] = (uint8_t)(0x10 + i); /* the ping pattern */
    }
    uint16_t c = f->is_v6 ? l4_csum(f, dir, 58, m, 64) : csum_fold(csum_add(0, m, 64));
    put_be(m + 2, c, 2);
}

/* ---- names ---------------------------------------------------------------------------------- */

static const char *const words[] = {
    "example", "mekong", "river",  "delta",  "alpha",  "bravo",  "cloud",  "stream",
    "photon",  "nimbus", "quartz", "harbor", "summit", "canyon", "falcon", "meadow",
    "orchid",  "pixel",  "vertex", "zephyr", "lumen",  "atlas",  "cobalt", "ember",
    "fjord",   "helix",  "indigo", "jade",   "kepler", "lotus",  "mosaic", "glacier"};
static const char *const subs[] = {"www", "api", "cdn", "img", "static", "mail", "login", "m"};
static const char *const tlds[] = {"com", "net", "org", "io", "de", "jp", "co.uk", "example"};

#define N_WORDS (sizeof words / sizeof words[0])
#define N_SUBS  (sizeof subs / sizeof subs[0])
#define N_TLDS  (sizeof tlds / sizeof tlds[0])

/* A pool of 8192 three-or-more-label names, so names repeat as in real traffic. */
static void names_init(struct gen *g)
{
    g->n_names = 8192;
    g->names = calloc(g->n_names, sizeof *g->names);
    if (g->names == NULL) {
        die("out of memory");
    }
    for (size_t i = 0; i < g->n_names; i++) {
        snprintf(g->names[i], sizeof g->names[i], "%s.%s%u.%s", subs[rnd(g, N_SUBS)],
                 words[rnd(g, N_WORDS)], rnd(g, 1000), tlds[rnd(g, N_TLDS)]);
    }
}

static const char *pick_name(struct gen *g)
{
    return g->names[rnd(g, (uint32_t)g->n_names)];
}

/* ---- DNS (RFC 1035) -------------------------------------------------------------------------- */

static void dns_name(struct wb *b, const char *name)
{
    while (*name) {
        size_t n = strcspn(name, ".");
        wb_u8(b, (unsigned)n);
        wb_mem(b, name, n);
        name += n + (name[n] == '.');
    }
    wb_u8(b, 0);
}

static void dns_header(struct wb *b, uint16_t id, unsigned flags, unsigned an)
{
    wb_u16(b, id);
    wb_u16(b, flags);
    wb_u16(b, 1);
    wb_u16(b, an);
    wb_u16(b, 0);
    wb_u16(b, 0);
}

/* One answer: owner is a compression pointer; A/AAAA data are random addresses. */
static void dns_rr(struct gen *g, struct wb *b, size_t owner, unsigned type)
{
    wb_u16(b, 0xc000 | (unsigned)owner);
    wb_u16(b, type);
    wb_u16(b, 1);
    wb_be(b, rnd_in(g, 30, 86400), 4);
    wb_u16(b, type == 28 ? 16 : 4);
    wb_rand(g, b, type == 28 ? 16 : 4);
}

static void dns_response(struct gen *g, struct wb *b, uint16_t id, const char *name, unsigned qtype)
{
    bool nx = pct(g, 5);
    bool cname = !nx && pct(g, 30);
    unsigned n_addr = nx ? 0 : rnd_in(g, 1, 3);

    dns_header(b, id, nx ? 0x8183 : 0x8180, n_addr + cname);
    dns_name(b, name);
    wb_u16(b, qtype);
    wb_u16(b, 1);
    size_t owner = 12;
    if (cname) {
        /* edgeN.<qname minus its first label>: the suffix is a pointer into the question. */
        size_t suffix = 12 + 1 + strcspn(name, ".");
        char label[16];
        int n = snprintf(label, sizeof label, "edge%u", rnd(g, 100));
        wb_u16(b, 0xc00c);
        wb_u16(b, 5);
        wb_u16(b, 1);
        wb_be(b, 300, 4);
        wb_u16(b, 1 + (unsigned)n + 2);
        owner = b->len;
        wb_u8(b, (unsigned)n);
        wb_mem(b, label, (size_t)n);
        wb_u16(b, 0xc000 | (unsigned)suffix);
    }
    for (unsigned i = 0; i < n_addr; i++) {
        dns_rr(g, b, owner, qtype);
    }
}

static void gen_dns(struct gen *g, struct flow *f)
{
    const char *name = pick_name(g);
    uint16_t id = (uint16_t)rnd(g, 65536);
    unsigned qtype = pct(g, 65) ? 1 : 28;
    struct wb *b = &g->msg;

    f->port[1] = 53;
    b->len = 0;
    dns_header(b, id, 0x0100, 0);
    dns_name(b, name);
    wb_u16(b, qtype);
    wb_u16(b, 1);
    udp_emit(f, 0, b->p, b->len);
    b->len = 0;
    dns_response(g, b, id, name, qtype);
    udp_emit(f, 1, b->p, b->len);
}

/* ---- HTTP/1.1 (RFC 9112) -----------------------------------------------------------------------
 */

static const char *const agents[] = {
    "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36",
    "curl/7.88.1", "Wget/1.21.3", "python-requests/2.31.0"};
static const char *const ctypes[] = {"text/html; charset=utf-8", "application/json",
                                     "application/javascript", "text/plain",
                                     "application/octet-stream"};

static void http_request(struct gen *g, struct wb *b, const char *host, bool last)
{
    b->len = 0;
    wb_printf(b, "GET /%s/%u%s HTTP/1.1\r\nHost: %s\r\n", words[rnd(g, N_WORDS)], rnd(g, 100000),
              pct(g, 50) ? ".html" : "", host);
    wb_printf(b, "User-Agent: %s\r\nAccept: */*\r\n", agents[rnd(g, 5)]);
    wb_str(b, last ? "Connection: close\r\n\r\n" : "Connection: keep-alive\r\n\r\n");
}

static void http_response(struct gen *g, struct wb *b)
{
    bool missing = pct(g, 8);
    bool chunked = !missing && pct(g, 15);
    size_t body =
        missing ? rnd_in(g, 100, 300) : (pct(g, 75) ? rnd_in(g, 100, 2000) : rnd_in(g, 2000, 8000));

    b->len = 0;
    wb_printf(b, "HTTP/1.1 %s\r\nServer: nginx/1.24.0\r\nContent-Type: %s\r\n",
              missing ? "404 Not Found" : "200 OK", ctypes[rnd(g, 5)]);
    if (!chunked) {
        wb_printf(b, "Content-Length: %zu\r\n\r\n", body);
        wb_letters(g, b, body);
        return;
    }
    wb_str(b, "Transfer-Encoding: chunked\r\n\r\n");
    for (unsigned i = rnd_in(g, 2, 4); i > 0; i--) {
        size_t n = rnd_in(g, 200, 3000);
        wb_printf(b, "%zx\r\n", n);
        wb_letters(g, b, n);
        wb_str(b, "\r\n");
    }
    wb_str(b, "0\r\n\r\n");
}

static void gen_http(struct gen *g, struct flow *f)
{
    const char *host = pick_name(g);
    unsigned n = rnd_in(g, 1, 3);

    f->port[1] = pct(g, 90) ? 80 : 8080;
    tcp_open(g, f);
    for (unsigned i = 0; i < n; i++) {
        http_request(g, &g->msg, host, i + 1 == n);
        tcp_send(f, 0, g->msg.p, g->msg.len);
        http_response(g, &g->msg);
        tcp_send(f, 1, g->msg.p, g->msg.len);
    }
    tcp_close(g, f);
}

/* ---- TLS (RFC 8446, RFC 5246) ------------------------------------------------------------------
 */

struct hello {
    const char *sni;
    bool is_quic;
    bool has_pq;
    bool is_tls13; /* what the server picks */
    const char *alpn;
    uint8_t sid[32];
    uint8_t scid[8]; /* QUIC initial_source_connection_id */
};

static size_t ext_begin(struct wb *b, unsigned type)
{
    wb_u16(b, type);
    return wb_mark(b, 2);
}

static void ext_u16_list(struct wb *b, unsigned type, size_t width, const uint16_t *v, size_t n)
{
    size_t e = ext_begin(b, type);
    size_t l = wb_mark(b, width);

    for (size_t i = 0; i < n; i++) {
        wb_u16(b, v[i]);
    }
    wb_patch(b, l, width);
    wb_patch(b, e, 2);
}

static void ext_sni(struct wb *b, const char *name)
{
    size_t e = ext_begin(b, 0);
    size_t l = wb_mark(b, 2);

    wb_u8(b, 0);
    wb_u16(b, (unsigned)strlen(name));
    wb_str(b, name);
    wb_patch(b, l, 2);
    wb_patch(b, e, 2);
}

static void ext_alpn(struct wb *b, const char *const *protos, size_t n)
{
    size_t e = ext_begin(b, 16);
    size_t l = wb_mark(b, 2);

    for (size_t i = 0; i < n; i++) {
        wb_u8(b, (unsigned)strlen(protos[i]));
        wb_str(b, protos[i]);
    }
    wb_patch(b, l, 2);
    wb_patch(b, e, 2);
}

static void ext_key_share(struct gen *g, struct wb *b, bool has_pq)
{
    size_t e = ext_begin(b, 51);
    size_t l = wb_mark(b, 2);

    if (has_pq) {
        wb_u16(b, GROUP_PQ);
        wb_u16(b, PQ_SHARE);
        wb_rand(g, b, PQ_SHARE);
    }
    wb_u16(b, GROUP_X25519);
    wb_u16(b, 32);
    wb_rand(g, b, 32);
    wb_patch(b, l, 2);
    wb_patch(b, e, 2);
}

static void ext_raw(struct wb *b, unsigned type, const uint8_t *data, size_t n)
{
    wb_u16(b, type);
    wb_u16(b, (unsigned)n);
    wb_mem(b, data, n);
}

/* quic_transport_parameters (RFC 9000 section 18). */
static void ext_quic_tp(struct wb *b, const uint8_t *scid)
{
    static const uint64_t params[][2] = {{0x01, 30000},   {0x04, 15728640}, {0x05, 6291456},
                                         {0x06, 6291456}, {0x07, 6291456},  {0x08, 100},
                                         {0x09, 100},     {0x03, 1472}};
    size_t e = ext_begin(b, 57);

    for (size_t i = 0; i < sizeof params / sizeof params[0]; i++) {
        size_t mark = b->len;
        wb_varint(b, params[i][1]);
        size_t vlen = b->len - mark;
        b->len = mark;
        wb_varint(b, params[i][0]);
        wb_varint(b, vlen);
        wb_varint(b, params[i][1]);
    }
    wb_varint(b, 0x0f);
    wb_varint(b, 8);
    wb_mem(b, scid, 8);
    wb_patch(b, e, 2);
}

static void hello_extensions(struct gen *g, struct wb *b, const struct hello *h)
{
    static const uint16_t groups[] = {GROUP_PQ, GROUP_X25519, 0x0017, 0x0018};
    static const uint16_t sigalgs[] = {0x0403, 0x0804, 0x0401, 0x0503,
                                       0x0805, 0x0501, 0x0806, 0x0601};
    static const uint16_t versions[] = {0x0304, 0x0303};
    static const char *const alpn_tcp[] = {"h2", "http/1.1"};
    static const char *const alpn_quic[] = {"h3"};
    static const uint8_t point_formats[] = {1, 0}, psk_modes[] = {1, 1}, reneg[] = {0};
    size_t e = wb_mark(b, 2);

    ext_sni(b, h->sni);
    ext_raw(b, 23, NULL, 0); /* extended_master_secret */
    if (!h->is_quic) {
        ext_raw(b, 0xff01, reneg, 1);
        ext_raw(b, 11, point_formats, 2);
        ext_raw(b, 35, NULL, 0); /* session_ticket */
    }
    ext_u16_list(b, 10, 2, groups + !h->has_pq, 4 - !h->has_pq);
    ext_u16_list(b, 13, 2, sigalgs, 8);
    if (h->is_quic) {
        ext_alpn(b, alpn_quic, 1);
    } else {
        ext_alpn(b, alpn_tcp, 2);
    }
    /* supported_versions has a one-byte list length. */
    ext_u16_list(b, 43, 1, versions, h->is_quic ? 1 : 2);
    ext_raw(b, 45, psk_modes, 2);
    ext_key_share(g, b, h->has_pq);
    if (h->is_quic) {
        ext_quic_tp(b, h->scid);
    }
    wb_patch(b, e, 2);
}

/* The ClientHello handshake message (no record header). */
static void client_hello(struct gen *g, struct wb *b, const struct hello *h)
{
    static const uint16_t suites[] = {0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f,
                                      0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013,
                                      0xc014, 0x009c, 0x009d, 0x002f, 0x0035};
    size_t n_suites = h->is_quic ? 3 : sizeof suites / sizeof suites[0];

    wb_u8(b, 1);
    size_t hs = wb_mark(b, 3);
    wb_u16(b, 0x0303);
    wb_rand(g, b, 32);
    wb_u8(b, h->is_quic ? 0 : 32);
    wb_mem(b, h->sid, h->is_quic ? 0 : 32);
    wb_u16(b, (unsigned)(2 * n_suites));
    for (size_t i = 0; i < n_suites; i++) {
        wb_u16(b, suites[i]);
    }
    wb_u8(b, 1);
    wb_u8(b, 0);
    hello_extensions(g, b, h);
    wb_patch(b, hs, 3);
}

static void server_hello(struct gen *g, struct wb *b, const struct hello *h)
{
    static const uint8_t point_formats[] = {1, 0}, reneg[] = {0};
    bool pq = h->has_pq && h->is_tls13 && !h->is_quic;

    wb_u8(b, 2);
    size_t hs = wb_mark(b, 3);
    wb_u16(b, 0x0303);
    wb_rand(g, b, 32);
    wb_u8(b, h->is_quic ? 0 : 32);
    wb_mem(b, h->sid, h->is_quic ? 0 : 32);
    wb_u16(b, h->is_tls13 ? 0x1301 : 0xc02b);
    wb_u8(b, 0);
    size_t e = wb_mark(b, 2);
    if (h->is_tls13) {
        ext_raw(b, 43, (const uint8_t[]){0x03, 0x04}, 2);
        size_t ks = ext_begin(b, 51);
        wb_u16(b, pq ? GROUP_PQ : GROUP_X25519);
        wb_u16(b, pq ? PQ_SERVER : 32);
        wb_rand(g, b, pq ? PQ_SERVER : 32);
        wb_patch(b, ks, 2);
    } else {
        ext_raw(b, 0xff01, reneg, 1);
        ext_raw(b, 11, point_formats, 2);
        ext_raw(b, 23, NULL, 0);
        ext_alpn(b, &h->alpn, 1);
    }
    wb_patch(b, e, 2);
    wb_patch(b, hs, 3);
}

static size_t rec_begin(struct wb *b, unsigned type, unsigned version)
{
    wb_u8(b, type);
    wb_u16(b, version);
    return wb_mark(b, 2);
}

static void rec_opaque(struct gen *g, struct wb *b, unsigned type, size_t n)
{
    size_t r = rec_begin(b, type, 0x0303);

    wb_rand(g, b, n);
    wb_patch(b, r, 2);
}

static void rec_ccs(struct wb *b)
{
    size_t r = rec_begin(b, 20, 0x0303);

    wb_u8(b, 1);
    wb_patch(b, r, 2);
}

/* TLS 1.2 server flight: Certificate, ServerKeyExchange (ECDHE), ServerHelloDone. */
static void tls12_server_rest(struct gen *g, struct wb *b)
{
    size_t r = rec_begin(b, 22, 0x0303);

    wb_u8(b, 11);
    size_t hs = wb_mark(b, 3);
    size_t list = wb_mark(b, 3);
    wb_be(b, sizeof cert_der, 3);
    wb_mem(b, cert_der, sizeof cert_der);
    wb_patch(b, list, 3);
    wb_patch(b, hs, 3);
    wb_u8(b, 12);
    hs = wb_mark(b, 3);
    wb_u8(b, 3); /* named_curve */
    wb_u16(b, GROUP_X25519);
    wb_u8(b, 32);
    wb_rand(g, b, 32);
    wb_u16(b, 0x0403); /* ecdsa_secp256r1_sha256 */
    wb_u16(b, 71);
    wb_rand(g, b, 71);
    wb_patch(b, hs, 3);
    wb_u8(b, 14);
    wb_be(b, 0, 3);
    wb_patch(b, r, 2);
}

static void tls_handshake(struct gen *g, struct flow *f, const struct hello *h)
{
    struct wb *b = &g->msg;

    b->len = 0;
    size_t r = rec_begin(b, 22, 0x0301);
    client_hello(g, b, h);
    wb_patch(b, r, 2);
    tcp_send(f, 0, b->p, b->len);
    b->len = 0;
    r = rec_begin(b, 22, 0x0303);
    server_hello(g, b, h);
    wb_patch(b, r, 2);
    if (h->is_tls13) {
        rec_ccs(b);
        rec_opaque(g, b, 23, rnd_in(g, 2000, 4200)); /* EE, Certificate, CV, Finished */
    } else {
        tls12_server_rest(g, b);
    }
    tcp_send(f, 1, b->p, b->len);
    b->len = 0;
    if (!h->is_tls13) {
        r = rec_begin(b, 22, 0x0303);
        wb_u8(b, 16); /* ClientKeyExchange */
        wb_be(b, 33, 3);
        wb_u8(b, 32);
        wb_rand(g, b, 32);
        wb_patch(b, r, 2);
    }
    rec_ccs(b);
    rec_opaque(g, b, h->is_tls13 ? 23 : 22, h->is_tls13 ? 53 : 40);
    tcp_send(f, 0, b->p, b->len);
    if (!h->is_tls13) {
        b->len = 0;
        rec_ccs(b);
        rec_opaque(g, b, 22, 40);
        tcp_send(f, 1, b->p, b->len);
    }
}

static void gen_tls(struct gen *g, struct flow *f)
{
    struct hello h = {.sni = pick_name(g), .has_pq = pct(g, 20), .is_tls13 = pct(g, 60)};
    struct wb *b = &g->msg;

    h.alpn = pct(g, 70) ? "h2" : "http/1.1";
    rnd_fill(g, h.sid, sizeof h.sid);
    f->port[1] = 443;
    g->st.pq_hellos += h.has_pq;
    tcp_open(g, f);
    tls_handshake(g, f, &h);
    for (unsigned i = rnd_in(g, 1, 3); i > 0; i--) {
        b->len = 0;
        rec_opaque(g, b, 23, rnd_in(g, 60, 600));
        tcp_send(f, 0, b->p, b->len);
        b->len = 0;
        rec_opaque(g, b, 23, rnd_in(g, 100, 2000));
        tcp_send(f, 1, b->p, b->len);
    }
    tcp_close(g, f);
}

/* ---- QUIC v1 (RFC 9000, RFC 9001) ---------------------------------------------------------------
 */

struct quic_keys {
    uint8_t key[16];
    uint8_t iv[12];
    uint8_t hp[16];
};

/* HKDF-Expand-Label (RFC 8446 section 7.1) for outputs of at most one SHA-256 block. */
static void expand_label(const uint8_t *secret, const char *label, uint8_t *out, size_t n)
{
    uint8_t info[64], block[32];
    size_t llen = 6 + strlen(label), i = 0;
    unsigned int blen = 0;

    info[i++] = 0;
    info[i++] = (uint8_t)n;
    info[i++] = (uint8_t)llen;
    memcpy(info + i, "tls13 ", 6);
    memcpy(info + i + 6, label, llen - 6);
    i += llen;
    info[i++] = 0; /* empty context */
    info[i++] = 1; /* T(1) counter */
    if (HMAC(EVP_sha256(), secret, 32, info, i, block, &blen) == NULL) {
        die("HMAC failed");
    }
    memcpy(out, block, n);
}

static void quic_keys_derive(const uint8_t *dcid, size_t dlen, bool server, struct quic_keys *k)
{
    static const uint8_t salt[] = {0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17,
                                   0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a};
    uint8_t initial[32], secret[32];
    unsigned int n = 0;

    if (HMAC(EVP_sha256(), salt, sizeof salt, dcid, dlen, initial, &n) == NULL) {
        die("HMAC failed");
    }
    expand_label(initial, server ? "server in" : "client in", secret, 32);
    expand_label(secret, "quic key", k->key, 16);
    expand_label(secret, "quic iv", k->iv, 12);
    expand_label(secret, "quic hp", k->hp, 16);
}

/* AEAD and header protection of a packet whose header ends with a 2-byte packet number. */
static void quic_protect(struct gen *g, const struct quic_keys *k, uint8_t *pkt, size_t hlen,
                         const uint8_t *plain, size_t plen, uint32_t pn)
{
    uint8_t nonce[12], mask[16];
    int n = 0, n2 = 0;

    memcpy(nonce, k->iv, 12);
    for (int i = 0; i < 4; i++) {
        nonce[8 + i] ^= (uint8_t)(pn >> (24 - 8 * i));
    }
    if (!EVP_EncryptInit_ex(g->aead, EVP_aes_128_gcm(), NULL, k->key, nonce) ||
        !EVP_EncryptUpdate(g->aead, NULL, &n, pkt, (int)hlen) ||
        !EVP_EncryptUpdate(g->aead, pkt + hlen, &n, plain, (int)plen) ||
        !EVP_EncryptFinal_ex(g->aead, pkt + hlen + n, &n2) ||
        !EVP_CIPHER_CTX_ctrl(g->aead, EVP_CTRL_GCM_GET_TAG, 16, pkt + hlen + plen)) {
        die("AES-GCM failed");
    }
    if (!EVP_EncryptInit_ex(g->ecb, EVP_aes_128_ecb(), NULL, k->hp, NULL) ||
        !EVP_CIPHER_CTX_set_padding(g->ecb, 0) ||
        !EVP_EncryptUpdate(g->ecb, mask, &n, pkt + hlen - 2 + 4, 16)) {
        die("AES-ECB failed");
    }
    pkt[0] ^= mask[0] & 0x0f;
    pkt[hlen - 2] ^= mask[1];
    pkt[hlen - 1] ^= mask[2];
}

/* A long-header Initial (type 0) packet carrying frames, padded so the datagram has pad bytes. */
static void quic_initial(struct gen *g, struct flow *f, int dir, const struct quic_keys *k,
                         const uint8_t *dcid, const uint8_t *scid, uint32_t pn,
                         const struct wb *frames, size_t pad)
{
    size_t hlen = 1 + 4 + 1 + 8 + 1 + 8 + 1 + 2 + 2;
    size_t plen = frames->len < 20 ? 20 : frames->len;
    struct wb *pkt = &g->msg;
    uint8_t *plain = NULL;

    if (pad > hlen + plen + 16) {
        plen = pad - hlen - 16;
    }
    plain = calloc(1, plen);
    if (plain == NULL) {
        die("out of memory");
    }
    memcpy(plain, frames->p, frames->len); /* the rest is PADDING frames (zero bytes) */
    pkt->len = 0;
    wb_u8(pkt, 0xc1); /* long header, fixed bit, Initial, 2-byte packet number */
    wb_be(pkt, 1, 4);
    wb_u8(pkt, 8);
    wb_mem(pkt, dcid, 8);
    wb_u8(pkt, 8);
    wb_mem(pkt, scid, 8);
    wb_u8(pkt, 0); /* token length */
    wb_be(pkt, 0x4000 | (2 + plen + 16), 2);
    wb_u16(pkt, pn);
    wb_grow(pkt, plen + 16);
    quic_protect(g, k, pkt->p, hlen, plain, plen, pn);
    free(plain);
    udp_emit(f, dir, pkt->p, pkt->len);
}

/* A long-header packet of the given type or a short-header one (type < 0), opaque payload. */
static void quic_opaque(struct gen *g, struct flow *f, int dir, int type, const uint8_t *dcid,
                        const uint8_t *scid, size_t n)
{
    struct wb *b = &g->msg;

    b->len = 0;
    if (type < 0) {
        wb_u8(b, 0x40 | rnd(g, 64));
        wb_mem(b, dcid, 8);
    } else {
        wb_u8(b, 0xc1 | (unsigned)type << 4);
        wb_be(b, 1, 4);
        wb_u8(b, 8);
        wb_mem(b, dcid, 8);
        wb_u8(b, 8);
        wb_mem(b, scid, 8);
        wb_varint(b, n);
    }
    wb_rand(g, b, n);
    udp_emit(f, dir, b->p, b->len);
}

static void crypto_frame(struct wb *b, size_t off, const uint8_t *data, size_t n)
{
    wb_u8(b, 0x06);
    wb_varint(b, off);
    wb_varint(b, n);
    wb_mem(b, data, n);
}

static void quic_client_initials(struct gen *g, struct flow *f, const struct hello *h,
                                 const uint8_t *dcid, uint32_t *pn)
{
    struct quic_keys k;
    struct wb ch = {0};

    quic_keys_derive(dcid, 8, false, &k);
    client_hello(g, &ch, h);
    size_t chunk = h->has_pq ? (ch.len + 1) / 2 : ch.len;
    for (size_t off = 0; off < ch.len; off += chunk) {
        size_t n = ch.len - off < chunk ? ch.len - off : chunk;
        g->msg2.len = 0;
        crypto_frame(&g->msg2, off, ch.p + off, n);
        quic_initial(g, f, 0, &k, dcid, h->scid, (*pn)++, &g->msg2, QUIC_PAD);
    }
    free(ch.p);
}

static void gen_quic(struct gen *g, struct flow *f)
{
    struct hello h = {
        .sni = pick_name(g), .is_quic = true, .has_pq = pct(g, 20), .is_tls13 = true, .alpn = "h3"};
    uint8_t dcid[8], srv[8];
    struct quic_keys sk;
    struct wb sh = {0};
    uint32_t pn = 0;

    rnd_fill(g, dcid, 8);
    rnd_fill(g, h.scid, 8);
    rnd_fill(g, srv, 8);
    f->port[1] = 443;
    g->st.pq_hellos += h.has_pq;
    quic_client_initials(g, f, &h, dcid, &pn);
    quic_keys_derive(dcid, 8, true, &sk);
    server_hello(g, &sh, &h);
    g->msg2.len = 0;
    wb_u8(&g->msg2, 0x02); /* ACK: largest, delay, range count, first range */
    wb_varint(&g->msg2, pn - 1);
    wb_varint(&g->msg2, 0);
    wb_varint(&g->msg2, 0);
    wb_varint(&g->msg2, pn - 1);
    crypto_frame(&g->msg2, 0, sh.p, sh.len);
    free(sh.p);
    quic_initial(g, f, 1, &sk, h.scid, srv, 0, &g->msg2, 0);
    quic_opaque(g, f, 1, 2, h.scid, srv, rnd_in(g, 900, 1150));
    quic_opaque(g, f, 0, 2, srv, h.scid, rnd_in(g, 60, 90));
    for (unsigned i = rnd_in(g, 2, 6); i > 0; i--) {
        int dir = pct(g, 50);
        quic_opaque(g, f, dir, -1, dir ? h.scid : srv, NULL, rnd_in(g, 30, 1200));
    }
}

/* ---- other flows ------------------------------------------------------------------------------
 */

static void gen_tcp_other(struct gen *g, struct flow *f)
{
    struct wb *b = &g->msg;

    f->port[1] = (uint16_t)rnd_in(g, 37100, 41100);
    tcp_open(g, f);
    for (unsigned i = rnd_in(g, 1, 2); i > 0; i--) {
        b->len = 0;
        wb_rand(g, b, rnd_in(g, 20, 600));
        tcp_send(f, 0, b->p, b->len);
        b->len = 0;
        wb_rand(g, b, rnd_in(g, 20, 1000));
        tcp_send(f, 1, b->p, b->len);
    }
    tcp_close(g, f);
}

static void gen_bulk(struct gen *g, struct flow *f)
{
    struct wb *b = &g->msg;

    f->port[1] = (uint16_t)rnd_in(g, 37100, 41100);
    tcp_open(g, f);
    b->len = 0;
    wb_rand(g, b, rnd_in(g, 60, 200));
    tcp_send(f, 0, b->p, b->len);
    b->len = 0;
    wb_rand(g, b, (size_t)rnd_in(g, 10, 60) * f->mss - rnd(g, f->mss));
    tcp_send(f, 1, b->p, b->len);
    tcp_close(g, f);
}

static void gen_udp(struct gen *g, struct flow *f)
{
    struct wb *b = &g->msg;

    f->port[1] = (uint16_t)rnd_in(g, 37100, 41100);
    for (unsigned i = rnd_in(g, 1, 4), dir = 0; i > 0; i--, dir = !dir) {
        b->len = 0;
        wb_rand(g, b, rnd_in(g, 20, 600));
        /* Not RTP/RTCP (version 2) nor CLTP (0x40): tshark's heuristics would claim those. */
        b->p[0] &= 0x3f;
        b->p[1] |= 0x80;
        udp_emit(f, (int)dir, b->p, b->len);
    }
}

static void gen_icmp(struct gen *g, struct flow *f)
{
    uint16_t id = (uint16_t)rnd(g, 65536);

    f->port[0] = f->port[1] = 0;
    for (unsigned i = 1, n = rnd_in(g, 1, 4); i <= n; i++) {
        icmp_echo(f, 0, id, (uint16_t)i);
        icmp_echo(f, 1, id, (uint16_t)i);
    }
}

/* ---- flows, pool, output ------------------------------------------------------------------------
 */

static enum kind pick_kind(struct gen *g)
{
    uint32_t r = rnd(g, 100);
    int k = 0;

    while (r >= kind_cum[k]) {
        k++;
    }
    return (enum kind)k;
}

static void flow_addresses(struct gen *g, struct flow *f)
{
    uint32_t r = (uint32_t)rng_next(&g->rng);

    f->is_v6 = pct(g, 25);
    f->vlan_tags = pct(g, 15) ? (pct(g, 10) ? 2 : 1) : 0;
    f->vid[0] = (uint16_t)rnd_in(g, 100, 199);
    f->vid[1] = (uint16_t)rnd_in(g, 10, 4000);
    for (int d = 0; d < 2; d++) {
        f->mac[d][0] = d ? 0x00 : 0x02; /* client: locally administered */
        rnd_fill(g, f->mac[d] + 1, 5);
    }
    memset(f->ip, 0, sizeof f->ip);
    if (f->is_v6) {
        static const uint8_t cli[] = {0x20, 0x01, 0x0d, 0xb8, 0x00, 0x10};
        static const uint8_t srv[] = {0x20, 0x01, 0x0d, 0xb8, 0xff, 0x00};
        memcpy(f->ip[0], cli, 6);
        rnd_fill(g, f->ip[0] + 8, 8);
        memcpy(f->ip[1], srv, 6);
        rnd_fill(g, f->ip[1] + 14, 2);
    } else {
        f->ip[0][0] = 10;
        rnd_fill(g, f->ip[0] + 1, 3);
        f->ip[1][0] = 198;
        f->ip[1][1] = (uint8_t)(18 + (r & 1));
        rnd_fill(g, f->ip[1] + 2, 2);
    }
    f->port[0] = (uint16_t)rnd_in(g, 50000, 54300);
    f->ipid[0] = (uint16_t)(r >> 8);
    f->ipid[1] = (uint16_t)(r >> 16);
    f->mss = f->is_v6 ? 1440 : 1460;
}

static void flow_new(struct gen *g, struct flow *f)
{
    f->q.len = 0;
    f->rd = 0;
    f->kind = pick_kind(g);
    flow_addresses(g, f);
    f->keep_open = pct(g, 5);
    switch (f->kind) {
    case K_DNS:
        gen_dns(g, f);
        break;
    case K_HTTP:
        gen_http(g, f);
        break;
    case K_TLS:
        gen_tls(g, f);
        break;
    case K_QUIC:
        gen_quic(g, f);
        break;
    case K_TCP:
        gen_tcp_other(g, f);
        break;
    case K_UDP:
        gen_udp(g, f);
        break;
    case K_ICMP:
        gen_icmp(g, f);
        break;
    default:
        gen_bulk(g, f);
        break;
    }
    bool is_tcp = f->kind == K_HTTP || f->kind == K_TLS || f->kind == K_TCP || f->kind == K_BULK;
    g->started++;
    g->st.flows[f->kind]++;
    g->st.v6_flows += f->is_v6;
    g->st.vlan_flows += f->vlan_tags > 0;
    g->st.qinq_flows += f->vlan_tags == 2;
    g->st.open_tcp += is_tcp && f->keep_open;
}

static void out_flush(struct gen *g)
{
    if (g->out_len > 0 && fwrite(g->out, 1, g->out_len, stdout) != g->out_len) {
        die("write failed");
    }
    g->out_len = 0;
}

static void out_le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) {
        p[i] = (uint8_t)(v >> (8 * i));
    }
}

/* Writes the flow's next queued frame as a pcap record at the advancing clock. */
static void emit_next(struct gen *g, struct flow *f)
{
    const uint8_t *p = f->q.p + f->rd;
    uint32_t len = (uint32_t)p[0] << 8 | p[1];

    if (g->out_len + 16 + len > OUT_BUF) {
        out_flush(g);
    }
    g->now_us += 1 + rnd(g, 16);
    uint8_t *o = g->out + g->out_len;
    out_le32(o, (uint32_t)(g->now_us / 1000000));
    out_le32(o + 4, (uint32_t)(g->now_us % 1000000));
    out_le32(o + 8, len);
    out_le32(o + 12, len);
    memcpy(o + 16, p + 2, len);
    g->out_len += 16 + len;
    f->rd += 2 + len;
    g->st.packets++;
    g->st.frame_bytes += len;
    g->st.file_bytes += 16 + len;
    g->st.kind_packets[f->kind]++;
    g->st.v6_packets += f->is_v6;
    g->st.vlan_packets += f->vlan_tags > 0;
}

static bool want_more(const struct gen *g)
{
    return g->started < g->want_flows || g->st.file_bytes < g->want_bytes;
}

static void run(struct gen *g)
{
    static struct flow pool[POOL_SIZE];
    struct flow *active[POOL_SIZE];
    size_t n = 0;

    for (; n < POOL_SIZE && want_more(g); n++) {
        active[n] = &pool[n];
        flow_new(g, active[n]);
    }
    while (n > 0) {
        size_t i = rnd(g, (uint32_t)n);
        struct flow *f = active[i];
        emit_next(g, f);
        if (f->rd < f->q.len) {
            continue;
        }
        if (want_more(g)) {
            flow_new(g, f);
        } else {
            active[i] = active[--n];
        }
    }
    out_flush(g);
    for (size_t k = 0; k < POOL_SIZE; k++) {
        free(pool[k].q.p);
    }
}

static void write_file_header(struct gen *g)
{
    uint8_t *h = g->out;

    out_le32(h, 0xa1b2c3d4);
    h[4] = 2; /* version 2.4, little endian */
    h[5] = 0;
    h[6] = 4;
    h[7] = 0;
    out_le32(h + 8, 0);
    out_le32(h + 12, 0);
    out_le32(h + 16, 65535);
    out_le32(h + 20, 1); /* LINKTYPE_ETHERNET */
    g->out_len = 24;
    g->st.file_bytes = 24;
}

static void print_profile(const struct gen *g)
{
    const struct stats *s = &g->st;
    double flows = (double)g->started, pk = (double)s->packets;

    fprintf(stderr,
            "gen_pcap: %llu packets, %llu frame bytes, %llu file bytes, mean packet %.1f B\n",
            (unsigned long long)s->packets, (unsigned long long)s->frame_bytes,
            (unsigned long long)s->file_bytes, (double)s->frame_bytes / pk);
    fprintf(stderr, "gen_pcap: %llu flows\n", (unsigned long long)g->started);
    for (int k = 0; k < K_COUNT; k++) {
        fprintf(stderr, "gen_pcap:   %-10s %9llu flows (%5.2f%%) %10llu packets (%5.2f%%)\n",
                kind_names[k], (unsigned long long)s->flows[k], 100.0 * (double)s->flows[k] / flows,
                (unsigned long long)s->kind_packets[k], 100.0 * (double)s->kind_packets[k] / pk);
    }
    fprintf(stderr, "gen_pcap: DNS+HTTP+TLS+QUIC %.2f%% of flows\n",
            100.0 *
                (double)(s->flows[K_DNS] + s->flows[K_HTTP] + s->flows[K_TLS] + s->flows[K_QUIC]) /
                flows);
    fprintf(stderr, "gen_pcap: IPv6 %.2f%% of flows, %.2f%% of packets\n",
            100.0 * (double)s->v6_flows / flows, 100.0 * (double)s->v6_packets / pk);
    fprintf(stderr, "gen_pcap: VLAN %.2f%% of flows (QinQ %llu flows), %.2f%% of packets\n",
            100.0 * (double)s->vlan_flows / flows, (unsigned long long)s->qinq_flows,
            100.0 * (double)s->vlan_packets / pk);
    fprintf(stderr, "gen_pcap: %llu ClientHellos with X25519MLKEM768, %llu TCP flows left open\n",
            (unsigned long long)s->pq_hellos, (unsigned long long)s->open_tcp);
}

static bool parse_u64(const char *s, uint64_t *out)
{
    char *end = NULL;

    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0') {
        return false;
    }
    *out = v;
    return true;
}

static void parse_args(int argc, char **argv, struct gen *g, uint64_t *seed)
{
    uint64_t mb = 1024;
    bool has_seed = false;

    g->want_flows = 500000;
    for (int i = 1; i < argc; i++) {
        bool ok = i + 1 < argc;
        if (ok && strcmp(argv[i], "--seed") == 0) {
            ok = parse_u64(argv[++i], seed);
            has_seed = true;
        } else if (ok && strcmp(argv[i], "--flows") == 0) {
            ok = parse_u64(argv[++i], &g->want_flows);
        } else if (ok && strcmp(argv[i], "--size-mb") == 0) {
            ok = parse_u64(argv[++i], &mb);
        } else {
            ok = false;
        }
        if (!ok) {
            die("usage: gen_pcap --seed S [--flows N] [--size-mb M] > out.pcap");
        }
    }
    if (!has_seed) {
        die("usage: gen_pcap --seed S [--flows N] [--size-mb M] > out.pcap");
    }
    g->want_bytes = mb << 20;
}

int main(int argc, char **argv)
{
    static struct gen g;
    uint64_t seed = 0;

    parse_args(argc, argv, &g, &seed);
    for (int i = 0; i < 4; i++) {
        g.rng.s[i] = splitmix64(&seed);
    }
    g.now_us = 1700000000ULL * 1000000ULL;
    g.out = malloc(OUT_BUF);
    g.aead = EVP_CIPHER_CTX_new();
    g.ecb = EVP_CIPHER_CTX_new();
    if (g.out == NULL || g.aead == NULL || g.ecb == NULL) {
        die("out of memory");
    }
    names_init(&g);
    write_file_header(&g);
    run(&g);
    if (fflush(stdout) != 0) {
        die("write failed");
    }
    print_profile(&g);
    EVP_CIPHER_CTX_free(g.aead);
    EVP_CIPHER_CTX_free(g.ecb);
    free(g.out);
    free(g.names);
    free(g.msg.p);
    free(g.msg2.p);
    return 0;
}
