/* decode: IPv4 (RFC 791 section 3.2 "Fragmentation and Reassembly") and IPv6
 * (RFC 8200 section 4.5) fragment reassembly with an overlap policy, a timeout,
 * a memcap on held bytes and a cap on datagrams. Entry point: mk_defrag_add(). */
#include <assert.h>
#include <stdlib.h>

#include "decode/decode_int.h"

/* Largest reassembled datagram: IPv6 header + 65535 bytes of payload. */
#define REASM_BUF_SIZE (40 + 65535)

struct frag_ent {
    struct frag_ent *next; /* by offset, ties in arrival order */
    uint32_t off;
    uint32_t len;
    uint32_t skip; /* Linux policy: leading bytes an earlier same-offset fragment owns */
    uint16_t seq;  /* arrival order */
    uint8_t data[];
};

struct tracker {
    struct tracker *hnext; /* hash chain */
    struct tracker *older;
    struct tracker *newer;
    struct mk_addr src;
    struct mk_addr dst;
    uint32_t id;
    uint32_t hash;
    uint16_t vlan[MK_DECODE_MAX_VLANS];
    uint8_t n_vlans;
    uint8_t version;
    uint8_t key_proto; /* IPv4 only: part of the RFC 791 key */
    uint8_t proto;     /* of the offset-0 fragment */
    bool has_last;
    bool has_overlap;
    uint16_t nfrags;
    uint32_t wire_len; /* wire bytes of every fragment frame, for flow counters */
    uint32_t total;    /* data bytes, known once the last fragment arrived */
    int64_t first_ts;
    uint8_t *hdr; /* unfragmentable part from the offset-0 fragment */
    size_t hdr_len;
    size_t nh_off;
    size_t bytes; /* charged to the memcap */
    struct frag_ent *frags;
};

struct mk_defrag {
    struct mk_defrag_config cfg;
    struct tracker **buckets;
    size_t mask;
    struct tracker *oldest;
    struct tracker *newest;
    uint32_t count;
    size_t used;
    uint64_t seed;
    uint8_t *buf;
};

enum mk_status mk_defrag_new(const struct mk_defrag_config *cfg, struct mk_defrag **out)
{
    struct mk_defrag *df = calloc(1, sizeof(*df));
    size_t nb = 64;
    uint8_t rnd[16];

    if (df == NULL) {
        return MK_ENOMEM;
    }
    df->cfg = *cfg;
    while (nb < 65536 && nb * 4 < cfg->max_datagrams) {
        nb *= 2;
    }
    df->mask = nb - 1;
    df->buckets = calloc(nb, sizeof(*df->buckets));
    df->buf = malloc(REASM_BUF_SIZE);
    if (df->buckets == NULL || df->buf == NULL) {
        mk_defrag_free(df);
        return MK_ENOMEM;
    }
    /* A random seed keeps attacker-chosen ids from piling into one chain. */
    if (mk_uuid_v4(rnd) == MK_OK) {
        memcpy(&df->seed, rnd, sizeof(df->seed));
    }
    *out = df;
    return MK_OK;
}

static void tracker_drop(struct mk_defrag *df, struct tracker *t)
{
    struct tracker **pp = &df->buckets[t->hash & df->mask];

    while (*pp != t) {
        pp = &(*pp)->hnext;
    }
    *pp = t->hnext;
    if (t->older != NULL) {
        t->older->newer = t->newer;
    } else {
        df->oldest = t->newer;
    }
    if (t->newer != NULL) {
        t->newer->older = t->older;
    } else {
        df->newest = t->older;
    }
    for (struct frag_ent *e = t->frags, *n; e != NULL; e = n) {
        n = e->next;
        free(e);
    }
    free(t->hdr);
    df->used -= t->bytes;
    df->count--;
    free(t);
}

void mk_defrag_free(struct mk_defrag *df)
{
    if (df == NULL) {
        return;
    }
    while (df->oldest != NULL) {
        tracker_drop(df, df->oldest);
    }
    free(df->buckets);
    free(df->buf);
    free(df);
}

size_t mk_defrag_held_bytes(const struct mk_defrag *df)
{
    return df->used;
}

uint32_t mk_defrag_datagrams(const struct mk_defrag *df)
{
    return df->count;
}

void mk_defrag_expire(struct mk_defrag *df, int64_t now_sec, struct mk_decode_stats *st)
{
    while (df->oldest != NULL && df->oldest->first_ts + (int64_t)df->cfg.timeout_sec <= now_sec) {
        if (st != NULL) {
            st->events[MK_DECODE_FRAG_TIMEOUT]++;
        }
        assert(df->oldest->older == NULL); /* the age list's head has nothing older */
        tracker_drop(df, df->oldest);
    }
}

static bool key_eq(const struct tracker *t, const struct mk_packet *p, const struct mk_frag *fr,
                   uint32_t h)
{
    return t->hash == h && t->id == fr->id && t->version == fr->version &&
           (fr->version == 6 || t->key_proto == fr->proto) && t->n_vlans == p->n_vlans &&
           mk_addr_cmp(&t->src, &p->src) == 0 && mk_addr_cmp(&t->dst, &p->dst) == 0 &&
           memcmp(t->vlan, p->vlan, sizeof(uint16_t) * p->n_vlans) == 0;
}

/* RFC 791: source, destination, protocol, id; RFC 8200: source, destination,
 * id. VLAN ids too, so two segments' datagrams never mix. */
static uint32_t key_hash(const struct mk_defrag *df, const struct mk_packet *p,
                         const struct mk_frag *fr)
{
    uint8_t k[32 + 4 + 2 + 2 * MK_DECODE_MAX_VLANS];
    size_t n = 38;

    memcpy(k, p->src.b, 16);
    memcpy(k + 16, p->dst.b, 16);
    memcpy(k + 32, &fr->id, 4);
    k[36] = fr->version;
    k[37] = fr->version == 4 ? fr->proto : 0;
    for (uint8_t i = 0; i < p->n_vlans; i++) {
        memcpy(k + n, &p->vlan[i], 2);
        n += 2;
    }
    return (uint32_t)mk_hash64(k, n, df->seed);
}

static struct tracker *tracker_find(struct mk_defrag *df, const struct mk_packet *p,
                                    const struct mk_frag *fr, uint32_t h)
{
    for (struct tracker *t = df->buckets[h & df->mask]; t != NULL; t = t->hnext) {
        if (key_eq(t, p, fr, h)) {
            return t;
        }
    }
    return NULL;
}

static enum mk_status tracker_new(struct mk_dctx *c, const struct mk_frag *fr, uint32_t h,
                                  struct tracker **out)
{
    struct mk_defrag *df = c->df;
    struct tracker *t;

    if (df->count >= df->cfg.max_datagrams) {
        return mk_dec_event(c, MK_DECODE_FRAG_MAX_DATAGRAMS, MK_EAGAIN);
    }
    if (df->used + sizeof(*t) > df->cfg.memcap || (t = calloc(1, sizeof(*t))) == NULL) {
        return mk_dec_event(c, MK_DECODE_FRAG_MEMCAP, MK_EAGAIN);
    }
    t->src = c->p->src;
    t->dst = c->p->dst;
    t->id = fr->id;
    t->hash = h;
    t->n_vlans = c->p->n_vlans;
    memcpy(t->vlan, c->p->vlan, sizeof(uint16_t) * c->p->n_vlans);
    t->version = fr->version;
    t->key_proto = fr->proto;
    t->first_ts = c->p->ts_sec;
    t->bytes = sizeof(*t);
    df->used += t->bytes;
    df->count++;
    t->hnext = df->buckets[h & df->mask];
    df->buckets[h & df->mask] = t;
    t->older = df->newest;
    if (df->newest != NULL) {
        df->newest->newer = t;
    } else {
        df->oldest = t;
    }
    df->newest = t;
    *out = t;
    return MK_OK;
}

/* RFC 791: every fragment but the last carries a multiple of 8 bytes; the
 * whole datagram must fit the 16-bit length field it will be given. */
static enum mk_status check_frag(struct mk_dctx *c, const struct mk_frag *fr)
{
    size_t end = (size_t)fr->off + fr->data_len;
    size_t limit = fr->version == 4 ? 65535 - fr->hdr_len : 65535 - (fr->hdr_len - 40);

    if (fr->more && (fr->data_len == 0 || fr->data_len % 8 != 0)) {
        return mk_dec_event(c, MK_DECODE_FRAG_BAD_LENGTH, MK_EINVAL);
    }
    if (end > limit) {
        return mk_dec_event(c, MK_DECODE_FRAG_TOO_LARGE, MK_EINVAL);
    }
    return MK_OK;
}

/* The last fragment fixes the length; fragments must agree with it. */
static bool end_consistent(struct tracker *t, const struct mk_frag *fr)
{
    uint32_t end = fr->off + (uint32_t)fr->data_len;

    if (!fr->more) {
        if (t->has_last && end != t->total) {
            return false;
        }
        for (const struct frag_ent *e = t->frags; e != NULL; e = e->next) {
            if (e->off + e->len > end) {
                return false;
            }
        }
        t->has_last = true;
        t->total = end;
        return true;
    }
    return !t->has_last || end <= t->total;
}

static enum mk_status keep_header(struct mk_dctx *c, struct tracker *t, const struct mk_frag *fr)
{
    if (fr->off != 0 || t->hdr != NULL) {
        return MK_OK;
    }
    if (c->df->used + fr->hdr_len > c->df->cfg.memcap || (t->hdr = malloc(fr->hdr_len)) == NULL) {
        return mk_dec_event(c, MK_DECODE_FRAG_MEMCAP, MK_EAGAIN);
    }
    memcpy(t->hdr, fr->hdr, fr->hdr_len);
    t->hdr_len = fr->hdr_len;
    t->nh_off = fr->nh_off;
    t->proto = fr->proto;
    t->bytes += fr->hdr_len;
    c->df->used += fr->hdr_len;
    return MK_OK;
}

/* Sorted insert; notes overlaps and, for the Linux policy, how much of the
 * start an earlier fragment at the same offset keeps. */
static void insert(struct tracker *t, struct frag_ent *n)
{
    struct frag_ent **pp = &t->frags;
    uint32_t end = n->off + n->len;

    n->skip = 0;
    for (struct frag_ent *e = t->frags; e != NULL; e = e->next) {
        if (e->off < end && n->off < e->off + e->len) {
            t->has_overlap = true;
        }
        if (e->off == n->off && e->len > n->skip) {
            n->skip = e->len;
        }
    }
    while (*pp != NULL && (*pp)->off <= n->off) {
        pp = &(*pp)->next;
    }
    n->next = *pp;
    *pp = n;
    n->seq = t->nfrags++;
}

static bool complete(const struct tracker *t)
{
    uint32_t reach = 0;

    if (!t->has_last || t->hdr == NULL) {
        return false;
    }
    for (const struct frag_ent *e = t->frags; e != NULL && reach < t->total; e = e->next) {
        if (e->off > reach) {
            return false;
        }
        if (e->off + e->len > reach) {
            reach = e->off + e->len;
        }
    }
    return reach >= t->total;
}

static void write_ent(uint8_t *dst, const struct tracker *t, const struct frag_ent *e,
                      uint32_t skip)
{
    uint32_t off = e->off + skip;
    uint32_t len;

    if (skip >= e->len || off >= t->total) {
        return;
    }
    len = e->len - skip;
    if (len > t->total - off) {
        len = t->total - off;
    }
    memcpy(dst + off, e->data + skip, len);
}

/* Overlaps are resolved by write order: later writes win. */
static void write_data(const struct mk_defrag *df, const struct tracker *t, uint8_t *dst)
{
    const struct frag_ent *by_seq[MK_DEFRAG_MAX_FRAGS];

    for (const struct frag_ent *e = t->frags; e != NULL; e = e->next) {
        by_seq[e->seq] = e;
    }
    for (uint16_t i = 0; i < t->nfrags; i++) {
        switch (df->cfg.policy) {
        case MK_DEFRAG_POLICY_FIRST:
            write_ent(dst, t, by_seq[t->nfrags - 1 - i], 0);
            break;
        case MK_DEFRAG_POLICY_LAST:
            write_ent(dst, t, by_seq[i], 0);
            break;
        case MK_DEFRAG_POLICY_LINUX:
        default:
            write_ent(dst, t, by_seq[i], by_seq[i]->skip);
            break;
        }
    }
}

/* Builds the datagram: the offset-0 fragment's header with lengths fixed and,
 * for IPv4, no fragment bits and a fresh checksum; for IPv6 the fragment
 * header removed by pointing its predecessor at the upper layer. */
static size_t build(struct mk_defrag *df, const struct tracker *t)
{
    uint8_t *b = df->buf;
    size_t n = t->hdr_len + t->total;

    memcpy(b, t->hdr, t->hdr_len);
    write_data(df, t, b + t->hdr_len);
    if (t->version == 4) {
        uint32_t sum = 0;

        b[2] = (uint8_t)(n >> 8);
        b[3] = (uint8_t)n;
        b[6] &= 0x40; /* keep DF only */
        b[7] = 0;
        b[10] = 0;
        b[11] = 0;
        for (size_t i = 0; i < t->hdr_len; i += 2) {
            sum += mk_ld_u16be(b + i);
        }
        sum = (sum & 0xffff) + (sum >> 16);
        sum = (sum & 0xffff) + (sum >> 16);
        b[10] = (uint8_t)(~sum >> 8);
        b[11] = (uint8_t)~sum;
    } else {
        b[4] = (uint8_t)((n - 40) >> 8);
        b[5] = (uint8_t)(n - 40);
        b[t->nh_off] = t->proto;
    }
    return n;
}

static enum mk_status add_ent(struct mk_dctx *c, struct tracker *t, const struct mk_frag *fr)
{
    size_t need = sizeof(struct frag_ent) + fr->data_len;
    struct frag_ent *e;

    if (t->nfrags >= MK_DEFRAG_MAX_FRAGS) {
        tracker_drop(c->df, t);
        return mk_dec_event(c, MK_DECODE_FRAG_TOO_MANY, MK_EINVAL);
    }
    if (c->df->used + need > c->df->cfg.memcap || (e = malloc(need)) == NULL) {
        return mk_dec_event(c, MK_DECODE_FRAG_MEMCAP, MK_EAGAIN);
    }
    e->off = fr->off;
    e->len = (uint32_t)fr->data_len;
    memcpy(e->data, fr->data, fr->data_len);
    t->bytes += need;
    c->df->used += need;
    bool had_overlap = t->has_overlap;
    insert(t, e);
    if (t->has_overlap && !had_overlap) {
        (void)mk_dec_event(c, MK_DECODE_FRAG_OVERLAP, MK_OK);
    }
    return MK_OK;
}

enum mk_status mk_defrag_add(struct mk_dctx *c, const struct mk_frag *fr)
{
    struct mk_defrag *df = c->df;
    struct tracker *t;
    uint32_t h;
    enum mk_status st;

    mk_defrag_expire(df, c->p->ts_sec, c->st);
    st = check_frag(c, fr);
    if (st != MK_OK) {
        return st;
    }
    h = key_hash(df, c->p, fr);
    t = tracker_find(df, c->p, fr, h);
    if (t == NULL && (st = tracker_new(c, fr, h, &t)) != MK_OK) {
        return st;
    }
    if (!end_consistent(t, fr)) {
        tracker_drop(df, t);
        return mk_dec_event(c, MK_DECODE_FRAG_BAD_LENGTH, MK_EINVAL);
    }
    if ((st = keep_header(c, t, fr)) != MK_OK || (st = add_ent(c, t, fr)) != MK_OK) {
        return st;
    }
    t->wire_len += c->p->frame != NULL ? c->p->frame->wirelen : (uint32_t)fr->data_len;
    if (!complete(t)) {
        return MK_EAGAIN;
    }
    /* Each fragment was checked against its own header; the datagram gets the
     * offset-0 fragment's, which may be longer (IPv4 options, IPv6 headers). */
    if (t->hdr_len + t->total > (t->version == 4 ? 65535u : REASM_BUF_SIZE)) {
        tracker_drop(df, t);
        return mk_dec_event(c, MK_DECODE_FRAG_TOO_LARGE, MK_EINVAL);
    }
    c->cur.n = build(df, t);
    c->cur.p = df->buf;
    c->next = t->version == 4 ? MK_L_IPV4 : MK_L_IPV6;
    c->did_reassemble = true;
    c->p->is_fragment = false;
    c->p->is_reassembled = true;
    c->p->frag_frames = t->nfrags;
    c->p->frag_wire_len = t->wire_len;
    if (t->has_overlap && !c->p->has_event) {
        /* flag the datagram too; the overlap was counted when it happened */
        c->p->has_event = true;
        c->p->event = MK_DECODE_FRAG_OVERLAP;
    }
    tracker_drop(df, t);
    return MK_OK;
}
