/* One worker: decode -> flow -> application analyzers -> EVE. Runs inline on
 * the reading thread (--threads 1) or on its own thread fed by a ring. */
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "sensor/sensor_int.h"

#define PROBE_MAX_TRIES 8          /* segments seen before a flow is given up as unknown */
#define PROBE_REFUSED   UINT16_MAX /* probe_keep[dir]: every analyzer said no to it */

/* ---- the sink: analyzers report here ---------------------------------------- */

static void on_dns(void *ctx, struct mk_flow *f, enum mk_flow_dir dir, const struct mk_dns_msg *m)
{
    struct worker *w = ctx;

    mk_eve_dns(&w->eve, w->now, f, dir, m);
    mk_match_dns(w, f, dir, m);
}

static void on_http(void *ctx, struct mk_flow *f, const struct mk_http_tx *tx)
{
    struct worker *w = ctx;

    mk_eve_http(&w->eve, w->now, f, tx);
    mk_match_http(w, f, tx);
}

static void on_file(void *ctx, struct mk_flow *f, const struct mk_file_info *fi)
{
    struct worker *w = ctx;

    mk_eve_fileinfo(&w->eve, w->now, f, fi);
    mk_match_file(w, f, fi);
}

static void on_tls(void *ctx, struct mk_flow *f, const struct mk_tls_info *t)
{
    struct worker *w = ctx;

    mk_eve_tls(&w->eve, w->now, f, t);
    mk_match_tls(w, f, t);
}

static void on_quic(void *ctx, struct mk_flow *f, const struct mk_tls_info *t, uint32_t version)
{
    struct worker *w = ctx;

    mk_eve_quic(&w->eve, w->now, f, t, version);
    mk_match_tls(w, f, t);
}

static void on_anomaly(void *ctx, struct mk_flow *f, const char *event)
{
    struct worker *w = ctx;

    w->stats.anomalies++;
    mk_eve_anomaly(&w->eve, w->now, f, event);
}

/* ---- application layer ------------------------------------------------------ */

static void app_free(void *p)
{
    struct app_state *a = p;

    if (a == NULL) {
        return;
    }
    if (a->ops != NULL && a->state != NULL) {
        a->ops->state_free(a->state);
    }
    a->owner->app_mem -= a->charged;
    free(a->probe);
    free(a);
}

/* The flow's application state, created on first use (and charged). */
struct app_state *mk_app_of(struct worker *w, struct mk_flow *f)
{
    struct app_state *a = f->app_state;

    if (a == NULL && w->app_mem + sizeof(*a) > w->cfg->app_memcap) {
        /* this flow goes without analyzers: counted once, not per packet */
        if ((f->user_flags & FLOW_NO_APP) == 0) {
            f->user_flags |= FLOW_NO_APP;
            w->stats.app_memcap_hits++;
        }
        return NULL;
    }
    if (a == NULL) {
        a = calloc(1, sizeof(*a));
        if (a != NULL) {
            a->owner = w;
            a->charged = sizeof(*a);
            w->app_mem += a->charged;
            f->app_state = a;
            f->app_free = app_free;
        }
    }
    return a;
}

/* Starts an analyzer on the flow if its state fits under the app memcap. */
static bool app_start(struct worker *w, struct mk_flow *f, struct app_state *a,
                      const struct mk_analyzer_ops *op)
{
    size_t bytes = op->state_bytes + (f->proto == 6 ? op->stream_bytes : 0);

    if (w->app_mem + bytes > w->cfg->app_memcap) {
        w->stats.app_memcap_hits++;
        return false;
    }
    a->state = op->state_new();
    if (a->state == NULL) {
        return false;
    }
    a->ops = op;
    f->app_proto = (uint16_t)op->proto;
    /* charge what the state really holds when the analyzer can say */
    if (op->state_size != NULL) {
        bytes = op->state_size(a->state);
    }
    a->state_charged = (uint32_t)bytes;
    a->charged += (uint32_t)bytes;
    w->app_mem += bytes;
    return true;
}

/* After each call into an analyzer: follow its memory (growth is bounded by
 * the analyzer's own caps, so it is charged even past the memcap, which only
 * governs new analyzers), and free its state once it will report nothing
 * more (a TLS flow after its handshake), keeping the protocol decided. */
static void app_settle(struct worker *w, struct app_state *a)
{
    const struct mk_analyzer_ops *op = a->ops;

    if (op->state_size != NULL) {
        uint32_t now = (uint32_t)op->state_size(a->state);

        w->app_mem = w->app_mem - a->state_charged + now;
        a->charged = a->charged - a->state_charged + now;
        a->state_charged = now;
    }
    if (op->done != NULL && op->done(a->state)) {
        op->state_free(a->state);
        a->state = NULL;
        w->app_mem -= a->state_charged;
        a->charged -= a->state_charged;
        a->state_charged = 0;
    }
}

/* Tries every analyzer for this transport on the first bytes of a direction. */
static enum mk_probe_result probe(struct worker *w, struct mk_flow *f, struct app_state *a,
                                  enum mk_flow_dir dir, const uint8_t *data, size_t len,
                                  unsigned transport)
{
    enum mk_probe_result best = MK_PROBE_NO;

    for (const struct mk_analyzer_ops *const *op = mk_analyzers; *op != NULL; op++) {
        enum mk_probe_result r;

        if (((*op)->transports & transport) == 0) {
            continue;
        }
        r = (*op)->probe(data, len, dir, f->dport);
        if (r == MK_PROBE_YES) {
            return app_start(w, f, a, *op) ? MK_PROBE_YES : MK_PROBE_NO;
        }
        if (r == MK_PROBE_MORE) {
            best = MK_PROBE_MORE;
        }
    }
    return best;
}

static void app_parse(struct worker *w, struct mk_flow *f, struct app_state *a,
                      enum mk_flow_dir dir, const uint8_t *data, size_t len)
{
    a->ops->parse(a->state, &w->proto, f, dir, data, len);
    mk_arena_reset(&w->scratch);
    app_settle(w, a);
}

static uint8_t *probe_buf(struct app_state *a, enum mk_flow_dir dir)
{
    return a->probe + (size_t)dir * PROBE_KEEP;
}

/* Keeps the first bytes of a direction for the next probe (the buffer exists
 * only while a flow is undecided). */
static void keep_probe_bytes(struct mk_flow *f, struct app_state *a, enum mk_flow_dir dir,
                             const uint8_t *data, size_t len)
{
    if (a->probe == NULL) {
        a->probe = malloc((size_t)2 * PROBE_KEEP);
        if (a->probe == NULL) {
            f->app_proto = MK_APP_FAILED;
            return;
        }
    }
    memcpy(probe_buf(a, dir), data, len);
    a->probe_keep[dir] = (uint16_t)len;
}

/* A TCP direction's first bytes may arrive in pieces: keep up to PROBE_KEEP
 * bytes until an analyzer decides, then replay them. */
static void app_stream(void *ctx, struct mk_flow *f, enum mk_flow_dir dir, const uint8_t *data,
                       size_t len)
{
    struct worker *w = ctx;
    struct app_state *a;
    enum mk_probe_result r;

    if (f->app_proto == MK_APP_FAILED || (a = mk_app_of(w, f)) == NULL) {
        return;
    }
    if (a->ops != NULL) {
        if (a->state == NULL) {
            return; /* the analyzer finished with this flow */
        }
        if (data == NULL) {
            if (a->ops->gap != NULL) {
                a->ops->gap(a->state, &w->proto, f, dir, len);
                app_settle(w, a);
            }
            return;
        }
        app_parse(w, f, a, dir, data, len);
        return;
    }
    if (data == NULL) {
        f->app_proto = MK_APP_FAILED; /* a gap before we knew the protocol */
        return;
    }
    if (a->probe_keep[dir] == PROBE_REFUSED) {
        return; /* no analyzer took this direction; the other one may still decide */
    }
    if (a->probe_keep[dir] > 0) {
        /* earlier bytes of this direction could not decide: probe them all */
        if (a->probe == NULL || a->probe_keep[dir] + len > PROBE_KEEP) {
            f->app_proto = MK_APP_FAILED;
            return;
        }
        memcpy(probe_buf(a, dir) + a->probe_keep[dir], data, len);
        a->probe_keep[dir] = (uint16_t)(a->probe_keep[dir] + len);
        data = probe_buf(a, dir);
        len = a->probe_keep[dir];
    }
    r = probe(w, f, a, dir, data, len, MK_TRANSPORT_TCP);
    if (r == MK_PROBE_YES) {
        app_parse(w, f, a, dir, data, len);
        free(a->probe); /* decided: nothing more to keep */
        a->probe = NULL;
    } else if (r == MK_PROBE_NO && a->probe_keep[!dir] != PROBE_REFUSED) {
        /* as Suricata, detect per direction: a response can still be recognised
         * after a request that was not (suricata-verify http-not09-file) */
        a->probe_keep[dir] = PROBE_REFUSED;
    } else if (r == MK_PROBE_NO || ++a->probe_tries >= PROBE_MAX_TRIES || len > PROBE_KEEP) {
        f->app_proto = MK_APP_FAILED;
    } else if (a->probe_keep[dir] == 0) {
        keep_probe_bytes(f, a, dir, data, len);
    }
}

static void app_datagram(struct worker *w, struct mk_flow *f, enum mk_flow_dir dir,
                         const struct mk_packet *p)
{
    struct app_state *a;

    if (p->payload_len == 0 || f->app_proto == MK_APP_FAILED || (a = mk_app_of(w, f)) == NULL) {
        return;
    }
    if (a->ops == NULL) {
        enum mk_probe_result r = probe(w, f, a, dir, p->payload, p->payload_len, MK_TRANSPORT_UDP);

        if (r != MK_PROBE_YES) {
            if (r == MK_PROBE_NO || ++a->probe_tries >= PROBE_MAX_TRIES) {
                f->app_proto = MK_APP_FAILED;
            }
            return;
        }
    }
    if (a->state != NULL) { /* NULL: the analyzer finished with this flow */
        app_parse(w, f, a, dir, p->payload, p->payload_len);
    }
}

static void flow_ended(void *ctx, struct mk_flow *f, enum mk_flow_end reason)
{
    struct worker *w = ctx;
    struct app_state *a = f->app_state;

    /* what the analyzers report now happened at the flow's last packet, not at
     * whatever packet time made it expire */
    w->now = (struct mk_eve_time){f->last_sec, f->last_nsec};
    if (a != NULL && a->ops != NULL && a->state != NULL && a->ops->flow_end != NULL) {
        a->ops->flow_end(a->state, &w->proto, f);
        mk_arena_reset(&w->scratch);
    }
    if (f->app_proto == MK_APP_FAILED) {
        f->app_proto = MK_APP_UNKNOWN; /* EVE prints "failed" only where Suricata does */
    }
    mk_eve_flow(&w->eve, f, reason);
    w->stats.flows++;
}

/* ---- lifecycle -------------------------------------------------------------- */

enum mk_status mk_worker_init(struct worker *w, unsigned index, const struct mk_sensor_config *cfg,
                              struct mk_eve_output *out, const struct mk_ioc_handle *iocs)
{
    memset(w, 0, sizeof(*w));
    w->index = index;
    w->cfg = cfg;
    mk_arena_init(&w->scratch, 64u << 10, 64u << 20);
    w->proto.cfg = cfg->proto;
    w->proto.scratch = &w->scratch;
    w->proto.sink = (struct mk_proto_sink){.ctx = w,
                                           .dns = on_dns,
                                           .http = on_http,
                                           .file = on_file,
                                           .tls = on_tls,
                                           .quic = on_quic,
                                           .anomaly = on_anomaly};
    mk_eve_writer_init(&w->eve, out, &cfg->eve);
    if (pthread_mutex_init(&w->lock, NULL) != 0) {
        return MK_ENOMEM;
    }
    w->decoder = mk_decoder_new(&cfg->defrag);
    w->flows = mk_flow_table_new(&cfg->flow, flow_ended, app_stream, w);
    if (w->decoder == NULL || w->flows == NULL) {
        return MK_ENOMEM;
    }
    if (iocs != NULL) {
        w->iocs = iocs;
        w->verifier = mk_ioc_verifier_new();
        w->rate = calloc(RATE_SLOTS, sizeof(*w->rate));
        if (w->verifier == NULL || w->rate == NULL) {
            return MK_ENOMEM;
        }
    }
    if (cfg->threads > 1) {
        return mk_ring_init(&w->ring, cfg->ring_bytes);
    }
    return MK_OK;
}

void mk_worker_drain(struct worker *w)
{
    mk_worker_publish(w); /* samples the memory peak before the flush frees it */
    if (w->flows != NULL) {
        mk_flow_table_flush(w->flows);
    }
    mk_eve_writer_flush(&w->eve);
    mk_worker_publish(w);
}

void mk_worker_fini(struct worker *w)
{
    mk_flow_table_free(w->flows);
    w->flows = NULL;
    mk_decoder_free(w->decoder);
    w->decoder = NULL;
    mk_eve_writer_fini(&w->eve);
    mk_arena_fini(&w->scratch);
    mk_ring_fini(&w->ring);
    mk_ioc_verifier_free(w->verifier);
    free(w->rate);
    (void)pthread_mutex_destroy(&w->lock);
}

/* ---- per packet --------------------------------------------------------------- */

/* Decodes a frame; false when it has nothing more to give (counted). */
static bool decode(struct worker *w, const struct mk_frame *f, struct mk_packet *p)
{
    enum mk_status st;

    w->stats.packets++;
    w->stats.bytes += f->caplen;
    st = mk_decode_frame(w->decoder, f, p);
    if (st != MK_OK) {
        w->stats.invalid += st != MK_EAGAIN;
        return false;
    }
    return true;
}

/* Flow, reassembly, analyzers and matching for a decoded packet. */
static void process(struct worker *w, const struct mk_packet *p, const struct mk_flow_lookup *l)
{
    struct mk_flow *flow;
    enum mk_flow_dir dir;

    w->now = (struct mk_eve_time){p->ts_sec, p->ts_nsec};
    flow = mk_flow_table_packet_at(w->flows, p, l, &dir);
    if (flow == NULL) {
        return;
    }
    if (flow->pkts[0] + flow->pkts[1] == (p->is_reassembled ? p->frag_frames : 1u)) {
        mk_match_flow(w, flow); /* a new flow: its endpoints, once */
    }
    if (p->proto == 17) {
        app_datagram(w, flow, dir, p);
    }
}

void mk_worker_frame(struct worker *w, const struct mk_frame *f)
{
    mk_worker_frames(w, f, 1);
}

/* Decoding runs up to WORKER_AHEAD packets ahead of processing, so that each
 * packet's flow is on its way from memory (bucket, then flow) while the packets
 * before it are handled: with a flow table far larger than the caches that
 * load was the sensor's largest single stall. A reassembled datagram ends a
 * run: its bytes live in the decoder, which the next decode may reuse. */
#define WORKER_AHEAD 8

void mk_worker_frames(struct worker *w, const struct mk_frame *f, size_t n)
{
    struct mk_packet p[WORKER_AHEAD];
    struct mk_flow_lookup l[WORKER_AHEAD];
    bool ok[WORKER_AHEAD] = {false};

    for (size_t i = 0; i < n;) {
        size_t m = 0;
        bool reassembled = false;

        while (m < WORKER_AHEAD && i + m < n && !reassembled) {
            ok[m] = decode(w, &f[i + m], &p[m]);
            if (ok[m]) {
                mk_flow_lookup_begin(w->flows, &p[m], &l[m]);
                reassembled = p[m].is_reassembled;
            }
            m++;
        }
        for (size_t k = 0; k < m; k++) {
            if (k + 1 < m && ok[k + 1]) {
                mk_flow_lookup_prefetch(w->flows, &l[k + 1]);
            }
            if (ok[k]) {
                process(w, &p[k], &l[k]);
            }
        }
        i += m;
    }
}

void mk_worker_tick(struct worker *w, int64_t now_sec)
{
    mk_flow_table_expire(w->flows, now_sec);
    mk_decoder_expire(w->decoder, now_sec);
    /* once a second of packet time: a live sensor's events reach the
     * output promptly instead of waiting for a full buffer */
    mk_eve_writer_flush(&w->eve);
    mk_worker_publish(w);
}

void mk_worker_publish(struct worker *w)
{
    const struct mk_decode_stats *ds = mk_decoder_stats(w->decoder);
    struct mk_sensor_totals *s = &w->snapshot;

    (void)pthread_mutex_lock(&w->lock);
    s->packets = w->stats.packets;
    s->bytes = w->stats.bytes;
    s->invalid = w->stats.invalid;
    s->flows = w->stats.flows;
    memcpy(s->events, w->eve.events, sizeof(s->events));
    memcpy(s->decode_events, ds->events, sizeof(s->decode_events));
    s->flow = *mk_flow_table_stats(w->flows);
    if (s->flow.memuse > w->stats.memuse_peak) {
        w->stats.memuse_peak = s->flow.memuse;
    }
    s->flow_memuse_peak = w->stats.memuse_peak;
    s->app_memcap_hits = w->stats.app_memcap_hits;
    s->ioc_hits = w->stats.ioc_hits;
    s->ioc_suppressed = w->stats.ioc_suppressed;
    s->ioc_unverified = w->stats.ioc_unverified;
    s->ioc_deduped = w->stats.ioc_deduped;
    s->ioc_rate_limited = w->stats.ioc_rate_limited;
    s->anomalies = w->stats.anomalies;
    (void)pthread_mutex_unlock(&w->lock);
}

void *mk_worker_main(void *arg)
{
    struct worker *w = arg;
    unsigned idle = 0;
    unsigned since_quiescent = 0;

    mk_ioc_reader_register();
    for (;;) {
        const struct ring_hdr *h = mk_ring_peek(&w->ring);

        if (h == NULL) {
            mk_ioc_reader_quiescent();
            mk_ring_wait(idle++);
            continue;
        }
        idle = 0;
        if (++since_quiescent >= 64) {
            /* lets an indicator reload free the old set (RCU grace period) */
            mk_ioc_reader_quiescent();
            since_quiescent = 0;
        }
        if (h->kind == RING_STOP) {
            mk_ring_pop(&w->ring, h);
            break;
        }
        if (h->kind == RING_TICK) {
            mk_worker_tick(w, h->frame.ts_sec);
        } else {
            struct mk_frame f = h->frame;

            f.data = (const uint8_t *)(h + 1);
            mk_worker_frame(w, &f);
        }
        mk_ring_pop(&w->ring, h);
    }
    mk_worker_drain(w);
    mk_ioc_reader_unregister();
    return NULL;
}
