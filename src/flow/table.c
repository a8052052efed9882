/* The flow table: a preallocated pool of flows, hash buckets over the canonical
 * key, one LRU list per timeout class, eviction and expiry. Entry point:
 * mk_flow_table_packet(). See docs/internals/flow.md. */
#include <stdlib.h>
#include <string.h>

#include "flow/flow_int.h"

/* Never preallocate more than this many flows, whatever the memcap says. */
#define MAX_FLOWS_LIMIT (UINT32_C(1) << 24)

const char *mk_flow_end_name(enum mk_flow_end reason)
{
    switch (reason) {
    case MK_FLOW_END_TIMEOUT:
        return "timeout";
    case MK_FLOW_END_CLOSED:
        return "closed";
    case MK_FLOW_END_EVICTED:
        return "evicted";
    case MK_FLOW_END_SHUTDOWN:
        return "shutdown";
    }
    return "unknown";
}

const char *mk_tcp_state_name(enum mk_tcp_state s)
{
    switch (s) {
    case MK_TCP_NONE:
        return "none";
    case MK_TCP_SYN_SENT:
        return "syn_sent";
    case MK_TCP_SYN_RECV:
        return "syn_recv";
    case MK_TCP_ESTABLISHED:
        return "established";
    case MK_TCP_FIN_WAIT:
        return "fin_wait1";
    case MK_TCP_CLOSED:
        return "closed";
    }
    return "unknown";
}

enum mk_flow_lru mk_flow_lru_class(const struct mk_flow *f)
{
    switch (f->proto) {
    case MK_FLOW_PROTO_TCP:
        if (f->tcp_state == MK_TCP_CLOSED) {
            return MK_FLOW_LRU_TCP_CLOSED;
        }
        if (f->tcp_state >= MK_TCP_ESTABLISHED) {
            return MK_FLOW_LRU_TCP_ESTABLISHED;
        }
        return MK_FLOW_LRU_TCP_NEW;
    case MK_FLOW_PROTO_UDP:
        /* "established" once both sides have spoken, as Suricata does */
        return f->pkts[MK_FLOW_TOCLIENT] > 0 ? MK_FLOW_LRU_UDP_ESTABLISHED : MK_FLOW_LRU_UDP_NEW;
    case MK_FLOW_PROTO_ICMP:
    case MK_FLOW_PROTO_ICMPV6:
        return MK_FLOW_LRU_ICMP;
    default:
        return MK_FLOW_LRU_OTHER;
    }
}

static uint32_t round_pow2(uint32_t n)
{
    uint32_t p = 1;

    while (p < n && p < (UINT32_C(1) << 31)) {
        p <<= 1;
    }
    return p;
}

static void set_timeouts(struct mk_flow_table *t)
{
    const struct mk_flow_config *c = &t->cfg;

    t->timeout[MK_FLOW_LRU_TCP_NEW] = c->tcp_new;
    t->timeout[MK_FLOW_LRU_TCP_ESTABLISHED] = c->tcp_established;
    t->timeout[MK_FLOW_LRU_TCP_CLOSED] = c->tcp_closed;
    t->timeout[MK_FLOW_LRU_UDP_NEW] = c->udp_new;
    t->timeout[MK_FLOW_LRU_UDP_ESTABLISHED] = c->udp_established;
    t->timeout[MK_FLOW_LRU_ICMP] = c->icmp;
    t->timeout[MK_FLOW_LRU_OTHER] = c->other;
}

struct mk_flow_table *mk_flow_table_new(const struct mk_flow_config *cfg, mk_flow_end_fn on_end,
                                        mk_flow_stream_fn on_stream, void *ctx)
{
    struct mk_flow_table *t = calloc(1, sizeof(*t));
    uint32_t nbuckets;

    if (t == NULL) {
        return NULL;
    }
    t->cfg = *cfg;
    t->on_end = on_end;
    t->on_stream = on_stream;
    t->ctx = ctx;
    if (t->cfg.max_flows == 0) {
        /* half the memcap for flows, the rest for held segments */
        size_t n = t->cfg.memcap / 2 / sizeof(struct mk_flow);

        t->cfg.max_flows = n > MAX_FLOWS_LIMIT ? MAX_FLOWS_LIMIT : (uint32_t)n;
    }
    if (t->cfg.max_flows == 0) {
        t->cfg.max_flows = 1;
    }
    nbuckets = round_pow2(t->cfg.hash_buckets != 0 ? t->cfg.hash_buckets : t->cfg.max_flows);
    t->bucket_mask = nbuckets - 1;
    t->hash_seed = t->cfg.flow_id_seed ^ UINT64_C(0x9e3779b97f4a7c15);
    set_timeouts(t);
    /* calloc of a large pool maps zero pages lazily: untouched flows cost nothing */
    t->pool = calloc(t->cfg.max_flows, sizeof(*t->pool));
    t->buckets = calloc(nbuckets, sizeof(*t->buckets));
    if (t->pool == NULL || t->buckets == NULL) {
        free(t->pool);
        free(t->buckets);
        free(t);
        return NULL;
    }
    return t;
}

void mk_flow_table_free(struct mk_flow_table *t)
{
    if (t == NULL) {
        return;
    }
    mk_flow_table_flush(t);
    free(t->pool);
    free(t->buckets);
    free(t);
}

const struct mk_flow_stats *mk_flow_table_stats(const struct mk_flow_table *t)
{
    return &t->stats;
}

/* ---- LRU lists --------------------------------------------------------------- */

static void lru_unlink(struct mk_flow_table *t, struct mk_flow *f)
{
    struct mk_flow_lru_list *l = &t->lru[f->lru_class];

    if (f->lru_prev != NULL) {
        f->lru_prev->lru_next = f->lru_next;
    } else {
        l->head = f->lru_next;
    }
    if (f->lru_next != NULL) {
        f->lru_next->lru_prev = f->lru_prev;
    } else {
        l->tail = f->lru_prev;
    }
    f->lru_prev = NULL;
    f->lru_next = NULL;
}

static void lru_append(struct mk_flow_table *t, struct mk_flow *f, enum mk_flow_lru cls)
{
    struct mk_flow_lru_list *l = &t->lru[cls];

    f->lru_class = (uint8_t)cls;
    f->lru_prev = l->tail;
    f->lru_next = NULL;
    if (l->tail != NULL) {
        l->tail->lru_next = f;
    } else {
        l->head = f;
    }
    l->tail = f;
}

/* Moves f to the tail of the list its state belongs to (most recently active). */
static void lru_touch(struct mk_flow_table *t, struct mk_flow *f, int64_t prev_sec)
{
    enum mk_flow_lru cls = mk_flow_lru_class(f);

    /* Lists need order by whole seconds only (timeouts are in seconds): a flow
     * active again within the same second keeps its place, which saves the
     * cache misses on its two neighbours for most packets. */
    if (cls == f->lru_class && (f->last_sec == prev_sec || t->lru[cls].tail == f)) {
        return;
    }
    lru_unlink(t, f);
    lru_append(t, f, cls);
}

/* ---- ending flows ------------------------------------------------------------ */

static void hash_unlink(struct mk_flow_table *t, struct mk_flow *f)
{
    struct mk_flow **pp = &t->buckets[f->bucket];

    while (*pp != NULL && *pp != f) {
        pp = &(*pp)->hash_next;
    }
    if (*pp == f) {
        *pp = f->hash_next;
    }
    f->hash_next = NULL;
}

/* Reports a flow's end and releases what it holds; the caller unlinks it. */
static void finish_flow(struct mk_flow_table *t, struct mk_flow *f, enum mk_flow_end reason)
{
    if (f->proto == MK_FLOW_PROTO_TCP) {
        /* analyzers get what was held (after a gap) before the flow goes */
        mk_flow_stream_flush(t, f, MK_FLOW_TOSERVER);
        mk_flow_stream_flush(t, f, MK_FLOW_TOCLIENT);
    }
    if (t->on_end != NULL) {
        t->on_end(t->ctx, f, reason);
    }
    if (f->app_free != NULL && f->app_state != NULL) {
        f->app_free(f->app_state);
    }
    f->app_state = NULL;
    t->stats.ended[reason]++;
    t->stats.active--;
    t->stats.memuse -= sizeof(*f);
}

static void free_flow(struct mk_flow_table *t, struct mk_flow *f)
{
    f->in_use = false;
    f->lru_prev = NULL;
    f->lru_next = NULL;
    f->hash_next = t->free_list;
    t->free_list = f;
}

static void end_flow(struct mk_flow_table *t, struct mk_flow *f, enum mk_flow_end reason)
{
    finish_flow(t, f, reason);
    hash_unlink(t, f);
    lru_unlink(t, f);
    free_flow(t, f);
}

static bool flow_older(const struct mk_flow *a, const struct mk_flow *b)
{
    return a->last_sec < b->last_sec || (a->last_sec == b->last_sec && a->last_nsec < b->last_nsec);
}

/* Ends the least recently active flow of all lists; false when there is none. */
static bool evict_oldest(struct mk_flow_table *t)
{
    struct mk_flow *victim = NULL;

    for (int i = 0; i < MK_FLOW_LRU_COUNT; i++) {
        struct mk_flow *h = t->lru[i].head;

        if (h != NULL && (victim == NULL || flow_older(h, victim))) {
            victim = h;
        }
    }
    if (victim == NULL) {
        return false;
    }
    end_flow(t, victim, MK_FLOW_END_EVICTED);
    return true;
}

void mk_flow_table_expire(struct mk_flow_table *t, int64_t now_sec)
{
    for (int i = 0; i < MK_FLOW_LRU_COUNT; i++) {
        enum mk_flow_end reason =
            i == MK_FLOW_LRU_TCP_CLOSED ? MK_FLOW_END_CLOSED : MK_FLOW_END_TIMEOUT;
        struct mk_flow *h;

        /* lists are in activity order: stop at the first flow not yet due */
        while ((h = t->lru[i].head) != NULL && now_sec >= h->last_sec + t->timeout[i]) {
            end_flow(t, h, reason);
        }
    }
}

/* Every flow ends, so none leaves its activity list one at a time: the lists
 * are walked, each flow reported and freed, the lists emptied at once. With
 * many flows the buckets are also cleared at once (unlinking each flow read a
 * random bucket: 366k of them at the end of the benchmark capture); with few,
 * unlinking is cheaper than clearing (and touching) the whole bucket array.
 * Callbacks never call back into the table, so none sees it half-emptied. */
void mk_flow_table_flush(struct mk_flow_table *t)
{
    size_t nbuckets = (size_t)t->bucket_mask + 1;
    bool clear_all = t->stats.active > nbuckets / 16;

    for (int i = 0; i < MK_FLOW_LRU_COUNT; i++) {
        struct mk_flow *f = t->lru[i].head;

        while (f != NULL) {
            struct mk_flow *next = f->lru_next;

            finish_flow(t, f, MK_FLOW_END_SHUTDOWN);
            if (!clear_all) {
                hash_unlink(t, f);
            }
            free_flow(t, f);
            f = next;
        }
        t->lru[i].head = NULL;
        t->lru[i].tail = NULL;
    }
    if (clear_all) {
        memset(t->buckets, 0, nbuckets * sizeof(*t->buckets));
    }
}

/* ---- lookup and creation ----------------------------------------------------- */

/* Builds the canonical key; *src_is_lo tells whether the packet's source is key.lo. */
static void make_key(const struct mk_packet *p, struct mk_flow_key *k, bool *src_is_lo)
{
    uint16_t sport = p->sport;
    uint16_t dport = p->dport;
    int c;

    memset(k, 0, sizeof(*k));
    if (p->proto == MK_FLOW_PROTO_ICMP || p->proto == MK_FLOW_PROTO_ICMPV6) {
        /* request and reply differ in type: key ICMP on addresses only, as Suricata does */
        sport = 0;
        dport = 0;
    }
    c = memcmp(p->src.b, p->dst.b, sizeof(p->src.b));
    *src_is_lo = c < 0 || (c == 0 && sport <= dport);
    k->lo = *src_is_lo ? p->src : p->dst;
    k->hi = *src_is_lo ? p->dst : p->src;
    k->lo_port = *src_is_lo ? sport : dport;
    k->hi_port = *src_is_lo ? dport : sport;
    k->vlan[0] = p->n_vlans > 0 ? p->vlan[0] : 0;
    k->vlan[1] = p->n_vlans > 1 ? p->vlan[1] : 0;
    k->proto = p->proto;
}

static struct mk_flow *find(const struct mk_flow_table *t, const struct mk_flow_key *k,
                            uint64_t hash)
{
    struct mk_flow *f = t->buckets[hash & t->bucket_mask];

    while (f != NULL && (f->hash != hash || memcmp(&f->key, k, sizeof(*k)) != 0)) {
        f = f->hash_next;
    }
    return f;
}

static struct mk_flow *pool_take(struct mk_flow_table *t)
{
    struct mk_flow *f = t->free_list;

    if (f != NULL) {
        t->free_list = f->hash_next;
        return f;
    }
    if (t->pool_used < t->cfg.max_flows) {
        return &t->pool[t->pool_used++];
    }
    return NULL;
}

/* A free flow, evicting the oldest one when the pool or the memcap is exhausted. */
static struct mk_flow *flow_alloc(struct mk_flow_table *t)
{
    struct mk_flow *f = NULL;

    for (;;) {
        if (t->stats.memuse + sizeof(*f) <= t->cfg.memcap) {
            f = pool_take(t);
            if (f != NULL) {
                return f;
            }
        }
        if (!evict_oldest(t)) {
            t->stats.memcap_hits++;
            return NULL;
        }
    }
}

static void set_client(struct mk_flow *f, const struct mk_packet *p)
{
    /* a SYN/ACK seen first: the handshake's opener is its receiver */
    bool swap =
        p->proto == MK_FLOW_PROTO_TCP &&
        (p->tcp_flags & (MK_FLOW_TH_SYN | MK_FLOW_TH_ACK)) == (MK_FLOW_TH_SYN | MK_FLOW_TH_ACK);

    f->src = swap ? p->dst : p->src;
    f->dst = swap ? p->src : p->dst;
    f->sport = swap ? p->dport : p->sport;
    f->dport = swap ? p->sport : p->dport;
}

static struct mk_flow *create(struct mk_flow_table *t, const struct mk_flow_key *k, uint64_t hash,
                              const struct mk_packet *p)
{
    struct mk_flow *f = flow_alloc(t);
    uint64_t id_in[2];

    if (f == NULL) {
        return NULL;
    }
    memset(f, 0, sizeof(*f)); /* once per flow, never per packet */
    f->key = *k;
    f->hash = hash;
    f->bucket = (uint32_t)(hash & t->bucket_mask);
    id_in[0] = hash;
    id_in[1] = ++t->id_counter;
    f->flow_id = mk_hash64(id_in, sizeof(id_in), t->cfg.flow_id_seed) & MK_FLOW_ID_MASK;
    if (f->flow_id == 0) {
        f->flow_id = 1;
    }
    set_client(f, p);
    f->proto = p->proto;
    f->ip_version = p->ip_version;
    f->iface = p->frame != NULL ? p->frame->iface : 0;
    memcpy(f->vlan, p->vlan, sizeof(f->vlan));
    f->n_vlans = p->n_vlans;
    f->n_tunnels = p->n_tunnels;
    memcpy(f->tunnels, p->tunnels, sizeof(f->tunnels));
    f->first_sec = p->ts_sec;
    f->first_nsec = p->ts_nsec;
    f->last_sec = p->ts_sec;
    f->last_nsec = p->ts_nsec;
    f->in_use = true;
    f->hash_next = t->buckets[f->bucket];
    t->buckets[f->bucket] = f;
    lru_append(t, f, mk_flow_lru_class(f));
    t->stats.created++;
    t->stats.active++;
    t->stats.memuse += sizeof(*f);
    return f;
}

/* A flow found for p that must end first: idle past its timeout (the caller
 * has not run expire yet), or a closed TCP connection whose ports are reused. */
static bool is_stale(const struct mk_flow_table *t, const struct mk_flow *f,
                     const struct mk_packet *p, enum mk_flow_end *reason)
{
    if (p->ts_sec >= f->last_sec + t->timeout[f->lru_class]) {
        *reason = f->lru_class == MK_FLOW_LRU_TCP_CLOSED ? MK_FLOW_END_CLOSED : MK_FLOW_END_TIMEOUT;
        return true;
    }
    if (f->tcp_state == MK_TCP_CLOSED &&
        (p->tcp_flags & (MK_FLOW_TH_SYN | MK_FLOW_TH_ACK)) == MK_FLOW_TH_SYN) {
        *reason = MK_FLOW_END_CLOSED;
        return true;
    }
    return false;
}

static void count_packet(struct mk_flow *f, enum mk_flow_dir d, const struct mk_packet *p)
{
    if (f->pkts[d] == 0 && (f->proto == MK_FLOW_PROTO_ICMP || f->proto == MK_FLOW_PROTO_ICMPV6)) {
        f->icmp_type[d] = p->icmp_type;
        f->icmp_code[d] = p->icmp_code;
    }
    /* the whole frames as seen on the wire; a reassembled datagram stands for
     * all its fragments, so the counts agree with a packet-level tool */
    if (p->is_reassembled && p->frag_frames > 0) {
        f->pkts[d] += p->frag_frames;
        f->bytes[d] += p->frag_wire_len;
    } else {
        f->pkts[d]++;
        f->bytes[d] += p->frame != NULL ? p->frame->wirelen : p->l3_len;
    }
    f->tcp_flags[d] |= p->tcp_flags;
    /* packet time can step back a little across interfaces: keep the latest */
    if (p->ts_sec > f->last_sec || (p->ts_sec == f->last_sec && p->ts_nsec > f->last_nsec)) {
        f->last_sec = p->ts_sec;
        f->last_nsec = p->ts_nsec;
    }
}

static enum mk_flow_dir packet_dir(const struct mk_flow *f, const struct mk_packet *p)
{
    bool same_src = memcmp(p->src.b, f->src.b, sizeof(p->src.b)) == 0;

    if (f->proto == MK_FLOW_PROTO_ICMP || f->proto == MK_FLOW_PROTO_ICMPV6) {
        return same_src ? MK_FLOW_TOSERVER : MK_FLOW_TOCLIENT;
    }
    /* the ports decide when both ends share one address */
    return same_src && p->sport == f->sport ? MK_FLOW_TOSERVER : MK_FLOW_TOCLIENT;
}

void mk_flow_lookup_begin(const struct mk_flow_table *t, const struct mk_packet *p,
                          struct mk_flow_lookup *l)
{
    bool src_is_lo;

    l->has_flow = p->ip_version != 0 && !p->is_fragment;
    if (!l->has_flow) {
        return;
    }
    make_key(p, &l->key, &src_is_lo);
    l->hash = mk_hash64(&l->key, sizeof(l->key), t->hash_seed);
    __builtin_prefetch(&t->buckets[l->hash & t->bucket_mask]);
}

void mk_flow_lookup_prefetch(const struct mk_flow_table *t, const struct mk_flow_lookup *l)
{
    if (l->has_flow) {
        const struct mk_flow *f = t->buckets[l->hash & t->bucket_mask];

        if (f != NULL) {
            __builtin_prefetch(f); /* hash, chain link and key share its first line */
        }
    }
}

struct mk_flow *mk_flow_table_packet_at(struct mk_flow_table *t, const struct mk_packet *p,
                                        const struct mk_flow_lookup *l, enum mk_flow_dir *dir)
{
    struct mk_flow *f;
    enum mk_flow_end reason;
    enum mk_flow_dir d;
    int64_t prev_sec;

    if (!l->has_flow) {
        return NULL;
    }
    f = find(t, &l->key, l->hash);
    if (f != NULL && is_stale(t, f, p, &reason)) {
        end_flow(t, f, reason);
        f = NULL;
    }
    if (f == NULL) {
        f = create(t, &l->key, l->hash, p);
        if (f == NULL) {
            return NULL;
        }
    }
    d = packet_dir(f, p);
    prev_sec = f->last_sec;
    count_packet(f, d, p);
    if (f->proto == MK_FLOW_PROTO_TCP) {
        t->stats.tcp_segments++;
        mk_flow_tcp_update(t, f, d, p);
        mk_flow_stream_segment(t, f, d, p);
    }
    lru_touch(t, f, prev_sec);
    *dir = d;
    return f;
}

struct mk_flow *mk_flow_table_packet(struct mk_flow_table *t, const struct mk_packet *p,
                                     enum mk_flow_dir *dir)
{
    struct mk_flow_lookup l;

    mk_flow_lookup_begin(t, p, &l);
    return mk_flow_table_packet_at(t, p, &l, dir);
}
