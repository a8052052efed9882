/* The sensor runtime: opens inputs and the EVE output, runs the reading loop
 * (inline decoding with one thread, dispatch by flow hash to worker rings
 * otherwise), handles signals, periodic stats, the progress bar and totals. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <malloc.h>

#include "sensor/sensor_int.h"

/* Signal flags: the one place mekong keeps process-wide state, because a
 * signal handler can reach nothing else. */
static volatile sig_atomic_t stop_requested;
static volatile sig_atomic_t reopen_requested;
static volatile sig_atomic_t reload_requested;
static struct mk_capture *volatile live_capture;

static void on_signal(int sig)
{
    if (sig == SIGHUP) {
        reopen_requested = 1;
        return;
    }
    if (sig == SIGUSR2) {
        reload_requested = 1; /* indicators; never on SIGHUP (nightly rotation) */
        return;
    }
    stop_requested = 1;
    if (live_capture != NULL) {
        mk_capture_break(live_capture);
    }
}

void mk_sensor_install_signals(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    (void)sigemptyset(&sa.sa_mask);
    /* SIGINT/SIGTERM interrupt a blocked read (no SA_RESTART) so a sensor
     * waiting on a quiet pipe stops at once; SIGHUP must not disturb reads. */
    (void)sigaction(SIGINT, &sa, NULL);
    (void)sigaction(SIGTERM, &sa, NULL);
    sa.sa_flags = SA_RESTART;
    (void)sigaction(SIGHUP, &sa, NULL);
    (void)sigaction(SIGUSR2, &sa, NULL);
    sa.sa_handler = SIG_IGN;
    (void)sigaction(SIGPIPE, &sa, NULL);
}

void mk_sensor_stop(void)
{
    stop_requested = 1;
}

void mk_sensor_config_init(struct mk_sensor_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->threads = 1;
    cfg->eve_spec = "eve.json";
    cfg->eve = MK_EVE_CONFIG_DEFAULT;
    cfg->flow = MK_FLOW_CONFIG_DEFAULT;
    cfg->defrag = MK_DEFRAG_CONFIG_DEFAULT;
    cfg->proto = MK_PROTO_CONFIG_DEFAULT;
    cfg->stats_interval = 60;
    cfg->ring_bytes = 16u << 20;
    cfg->app_memcap = (size_t)512u << 20;
    cfg->default_warnings = true;
    cfg->alert_rate = 100;
}

static double now_mono(void)
{
    struct timespec ts;

    (void)clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- the run ---------------------------------------------------------------- */

/* With one thread, frames are copied out of libpcap's buffer (which the next
 * read overwrites) into a small batch, so the worker can decode a few ahead
 * (mk_worker_frames). The batch is processed before anything that must see
 * every earlier packet: housekeeping, a quiet interface, the end. */
#define BATCH_FRAMES 16
#define BATCH_BYTES  (1u << 20) /* more than any frame (snaplen is at most 256 KiB) */

struct batch {
    struct mk_frame frames[BATCH_FRAMES];
    size_t n;
    uint8_t *bytes; /* BATCH_BYTES; NULL: no batching, frames go one by one */
    size_t used;
};

struct run {
    const struct mk_sensor_config *cfg;
    struct mk_eve_output out;
    struct worker *workers;
    unsigned n_workers;
    struct batch batch;             /* one thread only */
    struct mk_eve_writer stats_eve; /* the reading thread's own writer */
    struct mk_capture_stats cap_stats;
    struct mk_sensor_totals totals;
    double started;
    double last_stats;
    double last_progress;
    int64_t last_tick_sec;
    uint64_t ring_drops;
    bool threaded;
    struct mk_ioc_handle *iocs; /* NULL without indicators */
    struct reloader reloader;
    double last_file_check;
};

static void progress(struct run *r, struct mk_capture *c, const char *name)
{
    static const char bar[] = "##################################################";
    uint64_t size = mk_capture_file_size(c);
    double t = now_mono();
    int pct;

    if (!r->cfg->progress || size == 0 || t - r->last_progress < 0.25) {
        return;
    }
    r->last_progress = t;
    pct = (int)(mk_capture_file_offset(c) * 100 / size);
    pct = pct > 100 ? 100 : pct;
    (void)fprintf(stderr, "\r%.40s [%-50.*s] %3d%%", name, pct / 2, bar, pct);
}

static void batch_flush(struct run *r)
{
    struct batch *b = &r->batch;

    if (b->n > 0) {
        mk_worker_frames(&r->workers[0], b->frames, b->n);
    }
    b->n = 0;
    b->used = 0;
}

static void batch_add(struct run *r, const struct mk_frame *f)
{
    struct batch *b = &r->batch;

    if (b->bytes == NULL || f->caplen > BATCH_BYTES) {
        mk_worker_frame(&r->workers[0], f);
        return;
    }
    if (b->n == BATCH_FRAMES || f->caplen > BATCH_BYTES - b->used) {
        batch_flush(r);
    }
    b->frames[b->n] = *f;
    b->frames[b->n].data = b->bytes + b->used;
    memcpy(b->bytes + b->used, f->data, f->caplen);
    b->used += f->caplen;
    b->n++;
}

/* Hands a frame to its worker: batched on this thread, or through the worker's
 * ring. */
static void dispatch(struct run *r, const struct mk_frame *f, bool live)
{
    struct worker *w;

    if (!r->threaded) {
        batch_add(r, f);
        return;
    }
    w = &r->workers[mk_decode_dispatch_hash(f) % r->n_workers];
    for (unsigned round = 0; !mk_ring_push(&w->ring, RING_FRAME, f); round++) {
        if (live) {
            r->ring_drops++; /* a live source cannot wait: count and drop */
            return;
        }
        mk_ring_wait(round); /* a file can wait for the worker */
    }
}

static void broadcast(struct run *r, enum ring_kind kind, int64_t sec)
{
    struct mk_frame f = {.ts_sec = sec};

    for (unsigned i = 0; i < r->n_workers; i++) {
        if (!r->threaded) {
            if (kind == RING_TICK) {
                mk_worker_tick(&r->workers[i], sec);
            }
            continue;
        }
        for (unsigned round = 0; !mk_ring_push(&r->workers[i].ring, kind, &f); round++) {
            mk_ring_wait(round);
        }
    }
}

/* ---- totals and stats --------------------------------------------------------- */

static void add_flow_stats(struct mk_flow_stats *sum, const struct mk_flow_stats *s)
{
    sum->created += s->created;
    for (size_t k = 0; k < MK_ARRAY_LEN(sum->ended); k++) {
        sum->ended[k] += s->ended[k];
    }
    sum->active += s->active;
    sum->memuse += s->memuse;
    sum->memcap_hits += s->memcap_hits;
    sum->tcp_segments += s->tcp_segments;
    sum->tcp_retransmissions += s->tcp_retransmissions;
    sum->tcp_overlaps += s->tcp_overlaps;
    sum->tcp_out_of_order += s->tcp_out_of_order;
    sum->tcp_gaps += s->tcp_gaps;
    sum->tcp_reassembly_memcap += s->tcp_reassembly_memcap;
    sum->tcp_overlap_diff += s->tcp_overlap_diff;
    sum->tcp_out_of_window += s->tcp_out_of_window;
}

static void collect(struct run *r, struct mk_sensor_totals *t)
{
    memset(t, 0, sizeof(*t));
    for (unsigned i = 0; i < r->n_workers; i++) {
        struct worker *w = &r->workers[i];

        (void)pthread_mutex_lock(&w->lock);
        t->packets += w->snapshot.packets;
        t->bytes += w->snapshot.bytes;
        t->invalid += w->snapshot.invalid;
        t->flows += w->snapshot.flows;
        for (size_t k = 0; k < MK_EVE_TYPE_COUNT; k++) {
            t->events[k] += w->snapshot.events[k];
        }
        for (size_t k = 0; k < MK_DECODE_EVENT_COUNT; k++) {
            t->decode_events[k] += w->snapshot.decode_events[k];
        }
        add_flow_stats(&t->flow, &w->snapshot.flow);
        t->app_memcap_hits += w->snapshot.app_memcap_hits;
        t->ioc_hits += w->snapshot.ioc_hits;
        t->ioc_suppressed += w->snapshot.ioc_suppressed;
        t->ioc_unverified += w->snapshot.ioc_unverified;
        t->ioc_deduped += w->snapshot.ioc_deduped;
        t->ioc_rate_limited += w->snapshot.ioc_rate_limited;
        t->anomalies += w->snapshot.anomalies;
        t->flow_memuse_peak += w->snapshot.flow_memuse_peak;
        (void)pthread_mutex_unlock(&w->lock);
    }
    t->events[MK_EVE_STATS] += r->stats_eve.events[MK_EVE_STATS];
    t->capture_drops = r->cap_stats.dropped + r->cap_stats.if_dropped;
    t->ring_drops = r->ring_drops;
    t->truncated_input = r->totals.truncated_input;
    if (r->iocs != NULL) {
        t->ioc_reloads = atomic_load(&r->reloader.reloads);
        t->ioc_indicators = atomic_load(&r->reloader.indicators);
    }
}

static int counter_cmp(const void *a, const void *b)
{
    return strcmp(((const struct mk_eve_counter *)a)->name,
                  ((const struct mk_eve_counter *)b)->name);
}

static void write_stats(struct run *r, struct mk_eve_time ts)
{
    struct mk_sensor_totals t;
    struct mk_eve_counter c[32 + MK_DECODE_EVENT_COUNT];
    size_t n = 0;

    if (!r->cfg->eve.stats) {
        return;
    }
    collect(r, &t);
    c[n++] = (struct mk_eve_counter){"capture.kernel_packets", r->cap_stats.received};
    c[n++] = (struct mk_eve_counter){"capture.kernel_drops", t.capture_drops};
    c[n++] = (struct mk_eve_counter){"capture.ring_drops", t.ring_drops};
    c[n++] = (struct mk_eve_counter){"decoder.pkts", t.packets};
    c[n++] = (struct mk_eve_counter){"decoder.bytes", t.bytes};
    c[n++] = (struct mk_eve_counter){"decoder.invalid", t.invalid};
    c[n++] = (struct mk_eve_counter){"app_layer.anomalies", t.anomalies};
    c[n++] = (struct mk_eve_counter){"app_layer.memcap_hits", t.app_memcap_hits};
    c[n++] = (struct mk_eve_counter){"ioc.alerts", t.events[MK_EVE_ALERT]};
    c[n++] = (struct mk_eve_counter){"ioc.deduplicated", t.ioc_deduped};
    c[n++] = (struct mk_eve_counter){"ioc.hits", t.ioc_hits};
    c[n++] = (struct mk_eve_counter){"ioc.indicators", t.ioc_indicators};
    c[n++] = (struct mk_eve_counter){"ioc.rate_limited", t.ioc_rate_limited};
    c[n++] = (struct mk_eve_counter){"ioc.reloads", t.ioc_reloads};
    c[n++] = (struct mk_eve_counter){"ioc.suppressed", t.ioc_suppressed};
    c[n++] = (struct mk_eve_counter){"ioc.unverified", t.ioc_unverified};
    c[n++] = (struct mk_eve_counter){"flow.active", t.flow.active};
    c[n++] = (struct mk_eve_counter){"flow.created", t.flow.created};
    c[n++] = (struct mk_eve_counter){"flow.ended", t.flows};
    c[n++] = (struct mk_eve_counter){"flow.evicted", t.flow.ended[MK_FLOW_END_EVICTED]};
    c[n++] = (struct mk_eve_counter){"flow.memcap_hits", t.flow.memcap_hits};
    c[n++] = (struct mk_eve_counter){"flow.memuse", t.flow.memuse};
    c[n++] = (struct mk_eve_counter){"flow.memuse_peak", t.flow_memuse_peak};
    c[n++] = (struct mk_eve_counter){"tcp.gaps", t.flow.tcp_gaps};
    c[n++] = (struct mk_eve_counter){"tcp.out_of_order", t.flow.tcp_out_of_order};
    c[n++] = (struct mk_eve_counter){"tcp.overlap_diff", t.flow.tcp_overlap_diff};
    c[n++] = (struct mk_eve_counter){"tcp.overlaps", t.flow.tcp_overlaps};
    c[n++] = (struct mk_eve_counter){"tcp.reassembly_memcap", t.flow.tcp_reassembly_memcap};
    c[n++] = (struct mk_eve_counter){"tcp.retransmissions", t.flow.tcp_retransmissions};
    c[n++] = (struct mk_eve_counter){"tcp.segments", t.flow.tcp_segments};
    for (size_t k = 0; k < MK_DECODE_EVENT_COUNT; k++) {
        if (t.decode_events[k] > 0) {
            /* "decode.ipv4.truncated" -> "decoder.event.ipv4.truncated" */
            c[n++] = (struct mk_eve_counter){mk_decode_event_name((enum mk_decode_event)k),
                                             t.decode_events[k]};
        }
    }
    qsort(c, n, sizeof(c[0]), counter_cmp);
    mk_eve_stats(&r->stats_eve, ts, now_mono() - r->started, c, n);
    mk_eve_writer_flush(&r->stats_eve);
}

/* Once a second of packet time: expire flows, maybe write stats, reopen. */
static void housekeeping(struct run *r, int64_t pkt_sec)
{
    double t = now_mono();

    batch_flush(r); /* expiry and stats see every packet read so far */
    if (pkt_sec > r->last_tick_sec) {
        r->last_tick_sec = pkt_sec;
        broadcast(r, RING_TICK, pkt_sec);
    }
    if (reopen_requested) {
        struct mk_error err;

        reopen_requested = 0;
        if (mk_eve_output_reopen(&r->out, &err) != MK_OK) {
            mk_log(MK_LOG_ERROR, "reopening %s: %s", err.path, err.msg);
        } else {
            mk_log(MK_LOG_INFO, "reopened %s", r->out.path);
        }
    }
    if (r->iocs != NULL && reload_requested) {
        reload_requested = 0;
        mk_log(MK_LOG_INFO, "SIGUSR2: reloading indicators");
        mk_reloader_request(&r->reloader);
    }
    if (r->iocs != NULL && t - r->last_file_check >= 1.0) {
        r->last_file_check = t;
        mk_reloader_check_files(&r->reloader);
    }
    if (!r->threaded) {
        mk_ioc_reader_quiescent(); /* the reading thread is the worker */
    }
    if (r->cfg->stats_interval > 0 && t - r->last_stats >= r->cfg->stats_interval) {
        r->last_stats = t;
        write_stats(r, (struct mk_eve_time){pkt_sec, 0});
    }
}

/* ---- inputs -------------------------------------------------------------------- */

/* Reads one capture to its end (or a stop); MK_OK unless it cannot be read. */
static enum mk_status read_capture(struct run *r, struct mk_capture *c, const char *name,
                                   struct mk_error *err)
{
    bool live = mk_capture_is_live(c);
    enum mk_status st = MK_OK;
    uint64_t n = 0;

    while (!stop_requested) {
        struct mk_frame f;

        st = mk_capture_next(c, &f, err);
        if (st == MK_EAGAIN) {
            /* a quiet interface: packet time is wall time, so let it advance */
            housekeeping(r, live ? (int64_t)time(NULL) : r->last_tick_sec);
            continue;
        }
        if (st != MK_OK) {
            break;
        }
        dispatch(r, &f, live);
        if (!r->threaded && (n & 63) == 0) {
            mk_ioc_reader_quiescent();
        }
        if ((++n & 1023) == 0 || f.ts_sec > r->last_tick_sec) {
            housekeeping(r, f.ts_sec);
            progress(r, c, name);
        }
    }
    batch_flush(r);
    if (stop_requested && st != MK_OK) {
        st = MK_ENOTFOUND; /* a read cut short by the stop signal is a normal end */
    }
    mk_capture_stats(c, &r->cap_stats);
    if (r->cfg->progress) {
        (void)fprintf(stderr, "\r\033[K");
    }
    if (st == MK_ETRUNC) {
        mk_log(MK_LOG_WARN, "%s: %s (packets before it were processed)", name, err->msg);
        r->totals.truncated_input = true;
        return MK_OK;
    }
    return st == MK_ENOTFOUND || st == MK_EAGAIN || st == MK_OK ? MK_OK : st;
}

static enum mk_status read_inputs(struct run *r, struct mk_error *err)
{
    const struct mk_sensor_config *cfg = r->cfg;
    enum mk_status st = MK_OK;

    for (size_t i = 0; (i < cfg->n_files || (i == 0 && cfg->iface != NULL)) && !stop_requested;
         i++) {
        struct mk_capture *c = NULL;
        const char *name = cfg->iface != NULL ? cfg->iface : cfg->files[i];

        st = cfg->iface != NULL ? mk_capture_open_live(name, &cfg->capture, &c, err)
                                : mk_capture_open_file(name, &cfg->capture, &c, err);
        if (st != MK_OK) {
            return st;
        }
        live_capture = cfg->iface != NULL ? c : NULL;
        st = read_capture(r, c, name, err);
        live_capture = NULL;
        mk_capture_close(c);
        if (st != MK_OK) {
            return st;
        }
        if (cfg->iface != NULL) {
            break;
        }
    }
    return st;
}

/* ---- start and stop -------------------------------------------------------------- */

static enum mk_status start_indicators(struct run *r, struct mk_error *err)
{
    struct mk_ioc_set *set = NULL;
    enum mk_status st;

    if (r->cfg->n_indicator_files == 0) {
        return MK_OK;
    }
    st = mk_indicators_build(r->cfg, &set, err);
    if (st != MK_OK) {
        return st;
    }
    r->iocs = mk_ioc_handle_new(set);
    if (r->iocs == NULL) {
        mk_ioc_set_free(set);
        return MK_ENOMEM;
    }
    if (!r->cfg->quiet) {
        mk_log(MK_LOG_INFO, "indicators: %zu loaded, %zu bytes", mk_ioc_set_count(set),
               mk_ioc_set_memory(set));
    }
    st = mk_reloader_start(&r->reloader, r->cfg, r->iocs);
    atomic_store(&r->reloader.indicators, mk_ioc_set_count(set));
    return st;
}

/* The pid for `mekong reload --pidfile` (and init scripts). */
static enum mk_status write_pidfile(const char *path, struct mk_error *err)
{
    FILE *f;

    if (path == NULL) {
        return MK_OK;
    }
    f = fopen(path, "w");
    if (f == NULL || fprintf(f, "%ld\n", (long)getpid()) < 0 || fclose(f) != 0) {
        mk_error_set(err, path, "cannot write the pid file: %s", strerror(errno));
        return MK_EIO;
    }
    return MK_OK;
}

static enum mk_status start(struct run *r, struct mk_error *err)
{
    enum mk_status st = write_pidfile(r->cfg->pidfile, err);

    if (st == MK_OK) {
        st = start_indicators(r, err);
    }

    if (st == MK_OK) {
        st = mk_eve_output_open(&r->out, r->cfg->eve_spec, err);
    }
    if (st != MK_OK) {
        return st;
    }
    r->n_workers = r->cfg->threads == 0 ? 1 : r->cfg->threads;
    r->n_workers = r->n_workers > MK_SENSOR_MAX_THREADS ? MK_SENSOR_MAX_THREADS : r->n_workers;
    r->threaded = r->n_workers > 1;
    if (!r->threaded) {
        r->batch.bytes = malloc(BATCH_BYTES); /* NULL: frames go one by one */
    }
    r->workers = calloc(r->n_workers, sizeof(*r->workers));
    if (r->workers == NULL) {
        return MK_ENOMEM;
    }
    mk_eve_writer_init(&r->stats_eve, &r->out, &r->cfg->eve);
    for (unsigned i = 0; i < r->n_workers; i++) {
        st = mk_worker_init(&r->workers[i], i, r->cfg, &r->out, r->iocs);
        if (st != MK_OK) {
            mk_error_set(err, "", "cannot set up worker %u: %s", i, mk_status_str(st));
            return st;
        }
    }
    if (!r->threaded && r->iocs != NULL) {
        mk_ioc_reader_register(); /* this thread looks indicators up itself */
    }
    for (unsigned i = 0; r->threaded && i < r->n_workers; i++) {
        if (pthread_create(&r->workers[i].thread, NULL, mk_worker_main, &r->workers[i]) != 0) {
            mk_error_set(err, "", "cannot start worker thread %u", i);
            r->n_workers = i; /* only those started are joined */
            return MK_ENOMEM;
        }
    }
    return MK_OK;
}

static void finish(struct run *r)
{
    if (r->threaded) {
        broadcast(r, RING_STOP, r->last_tick_sec);
        for (unsigned i = 0; i < r->n_workers; i++) {
            (void)pthread_join(r->workers[i].thread, NULL);
        }
    } else if (r->workers != NULL) {
        mk_worker_drain(&r->workers[0]);
    }
    if (r->iocs != NULL) {
        if (!r->threaded) {
            mk_ioc_reader_unregister(); /* before the reloader's last grace period */
        }
        mk_reloader_stop(&r->reloader);
    }
}

static void cleanup(struct run *r)
{
    for (unsigned i = 0; r->workers != NULL && i < r->n_workers; i++) {
        mk_worker_fini(&r->workers[i]);
    }
    free(r->workers);
    free(r->batch.bytes);
    mk_eve_writer_fini(&r->stats_eve);
    mk_eve_output_close(&r->out);
    mk_ioc_handle_free(r->iocs);
    if (r->cfg->pidfile != NULL) {
        (void)unlink(r->cfg->pidfile);
    }
}

enum mk_status mk_sensor_run(const struct mk_sensor_config *cfg, struct mk_sensor_totals *totals,
                             struct mk_error *err)
{
    struct run r;
    enum mk_status st;
    bool started;

    memset(&r, 0, sizeof(r));
    /* No glibc fastbins: flows end by the hundred thousand and free their small
     * objects together; fastbins kept them all unmerged until the next large
     * allocation or free walked and merged the lot at once (2% of a benchmark
     * run, a stall at a random moment in a live one). The per-thread tcache
     * still serves small allocations without locks. */
    (void)mallopt(M_MXFAST, 0);
    r.cfg = cfg;
    r.started = now_mono();
    r.last_stats = r.started;
    stop_requested = 0;
    st = start(&r, err);
    started = st == MK_OK;
    if (started) {
        st = read_inputs(&r, err);
    }
    finish(&r);
    if (started) {
        /* a run that could not start (indicators, output) has no stats writer,
         * and nothing to report: the caller says why it did not start */
        write_stats(&r, (struct mk_eve_time){r.last_tick_sec, 0});
    }
    collect(&r, totals);
    totals->eve_write_errors = r.out.write_errors;
    totals->seconds = now_mono() - r.started;
    cleanup(&r);
    return st;
}

void mk_sensor_print_summary(FILE *out, const struct mk_sensor_totals *t)
{
    double mbps = t->seconds > 0 ? (double)t->bytes * 8 / 1e6 / t->seconds : 0;

    (void)fprintf(out,
                  "packets %llu, bytes %llu, invalid %llu, flows %llu in %.2f s (%.0f Mbit/s)\n",
                  (unsigned long long)t->packets, (unsigned long long)t->bytes,
                  (unsigned long long)t->invalid, (unsigned long long)t->flows, t->seconds, mbps);
    (void)fprintf(out, "events:");
    for (size_t k = 0; k < MK_EVE_TYPE_COUNT; k++) {
        if (t->events[k] > 0) {
            (void)fprintf(out, " %s %llu", mk_eve_type_name((enum mk_eve_type)k),
                          (unsigned long long)t->events[k]);
        }
    }
    (void)fprintf(out, "\n");
    for (size_t k = 0; k < MK_DECODE_EVENT_COUNT; k++) {
        if (t->decode_events[k] > 0) {
            (void)fprintf(out, "  %s: %llu\n", mk_decode_event_name((enum mk_decode_event)k),
                          (unsigned long long)t->decode_events[k]);
        }
    }
    (void)fprintf(out,
                  "tcp: %llu segments, %llu retransmitted, %llu out of order, %llu gaps; "
                  "peak flow memory %llu bytes, %llu memcap hits; %llu app-layer "
                  "anomalies\n",
                  (unsigned long long)t->flow.tcp_segments,
                  (unsigned long long)t->flow.tcp_retransmissions,
                  (unsigned long long)t->flow.tcp_out_of_order,
                  (unsigned long long)t->flow.tcp_gaps, (unsigned long long)t->flow_memuse_peak,
                  (unsigned long long)t->flow.memcap_hits, (unsigned long long)t->anomalies);
    if (t->ioc_indicators > 0 || t->ioc_hits > 0) {
        (void)fprintf(out,
                      "indicators: %llu loaded, %llu reloads; %llu hits -> %llu alerts "
                      "(%llu suppressed by warning lists, %llu patterns not satisfied, %llu "
                      "repeats on a flow, %llu over the rate limit)\n",
                      (unsigned long long)t->ioc_indicators, (unsigned long long)t->ioc_reloads,
                      (unsigned long long)t->ioc_hits, (unsigned long long)t->events[MK_EVE_ALERT],
                      (unsigned long long)t->ioc_suppressed, (unsigned long long)t->ioc_unverified,
                      (unsigned long long)t->ioc_deduped, (unsigned long long)t->ioc_rate_limited);
    }
    if (t->capture_drops > 0 || t->ring_drops > 0) {
        (void)fprintf(out, "dropped: capture %llu, queue %llu\n",
                      (unsigned long long)t->capture_drops, (unsigned long long)t->ring_drops);
    }
    if (t->eve_write_errors > 0) {
        (void)fprintf(out, "EVE lines lost to write errors: %llu\n",
                      (unsigned long long)t->eve_write_errors);
    }
}
