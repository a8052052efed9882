/* Private to src/sensor: the packet ring between the reader and a worker, and
 * the worker's per-thread state. */
#ifndef MK_SENSOR_INT_H
#define MK_SENSOR_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "sensor/sensor.h"

/* ---- single-producer single-consumer byte ring ----------------------------- *
 * Records are [struct ring_hdr][caplen bytes], 8-byte aligned. The reader
 * publishes `tail` with release order after writing a record; the worker
 * publishes `head` after consuming it. No locks, no allocation per packet. */

enum ring_kind {
    RING_FRAME, /* a captured frame */
    RING_TICK,  /* the reader's clock advanced: expire idle flows */
    RING_WRAP,  /* skip to the start of the buffer */
    RING_STOP,  /* no more input */
};

struct ring_hdr {
    uint32_t kind;
    uint32_t size; /* whole record, header included, aligned */
    struct mk_frame frame;
};

struct ring {
    uint8_t *buf;
    size_t cap;
    _Alignas(64) atomic_size_t head; /* consumer position */
    _Alignas(64) atomic_size_t tail; /* producer position */
};

MK_MUST_CHECK enum mk_status mk_ring_init(struct ring *r, size_t cap);
/* Waiting on a ring (full for the producer, empty for the consumer): spin a
 * little, then yield, then sleep in short naps, so that a waiting thread does
 * not take the core the other side needs (2-core machines). `round` counts
 * the caller's consecutive waits. */
void mk_ring_wait(unsigned round);
void mk_ring_fini(struct ring *r);
/* Producer: copies the record (f is required; ticks and stops carry the time
 * in f->ts_sec); false when there is no room now. */
bool mk_ring_push(struct ring *r, enum ring_kind kind, const struct mk_frame *f);
/* Consumer: the next record or NULL when empty; release it with mk_ring_pop. */
const struct ring_hdr *mk_ring_peek(struct ring *r);
void mk_ring_pop(struct ring *r, const struct ring_hdr *h);

/* ---- worker ----------------------------------------------------------------- */

/* Per-flow application state: the chosen analyzer, the first bytes kept
 * while probing cannot decide yet (allocated only then), and the indicators
 * already alerted on this flow. */
#define PROBE_KEEP 512

/* flow->user_flags bits (bit 0 is read by the EVE writer as "alerted") */
#define FLOW_ALERTED 1u
#define FLOW_NO_APP  2u /* refused application state for the memcap (counted once) */
#define ALERTED_MAX  8

struct worker;

struct app_state {
    const struct mk_analyzer_ops *ops;
    void *state;
    struct worker *owner;   /* whose app memory this is charged to */
    uint8_t *probe;         /* [2][PROBE_KEEP] while probing, else NULL */
    uint32_t charged;       /* bytes charged to owner->app_mem, all told */
    uint32_t state_charged; /* of which the analyzer's state */
    uint16_t probe_keep[2];
    uint8_t probe_tries;
    uint8_t n_alerted;
    uint32_t alerted[ALERTED_MAX]; /* sids */
};

/* Alert rate per indicator: a small table of (sid, minute, count). A
 * collision replaces the slot, which can only let an extra alert through. */
#define RATE_SLOTS 4096

struct rate_slot {
    uint32_t sid;
    uint32_t count;
    int64_t minute;
};

struct worker_stats {
    uint64_t packets;
    uint64_t bytes;
    uint64_t invalid;
    uint64_t flows;
    uint64_t anomalies;
    uint64_t memuse_peak;
    uint64_t app_memcap_hits;
    uint64_t ioc_hits;
    uint64_t ioc_suppressed;
    uint64_t ioc_unverified;
    uint64_t ioc_deduped;
    uint64_t ioc_rate_limited;
};

struct worker {
    unsigned index;
    pthread_t thread;
    struct ring ring;
    const struct mk_sensor_config *cfg;
    struct mk_decoder *decoder;
    struct mk_flow_table *flows;
    struct mk_arena scratch;
    struct mk_proto_ctx proto;
    struct mk_eve_writer eve;
    struct mk_eve_time now; /* time of the packet being processed */
    struct worker_stats stats;
    size_t app_mem; /* application-layer bytes charged, under cfg->app_memcap */
    /* indicator matching: the shared handle (NULL without indicators) */
    const struct mk_ioc_handle *iocs;
    struct mk_ioc_verifier *verifier;
    struct rate_slot *rate;
    /* a copy of the counters for the stats thread, under `lock` */
    pthread_mutex_t lock;
    struct mk_sensor_totals snapshot;
};

MK_MUST_CHECK enum mk_status mk_worker_init(struct worker *w, unsigned index,
                                            const struct mk_sensor_config *cfg,
                                            struct mk_eve_output *out,
                                            const struct mk_ioc_handle *iocs);
void mk_worker_fini(struct worker *w);
/* Processes one frame on the calling thread. */
void mk_worker_frame(struct worker *w, const struct mk_frame *f);
/* Processes n frames in order, decoding a few ahead to prefetch their flows;
 * the frames must stay valid until it returns. */
void mk_worker_frames(struct worker *w, const struct mk_frame *f, size_t n);
void mk_worker_tick(struct worker *w, int64_t now_sec);
/* Ends every flow (shutdown) and flushes the EVE buffer. */
void mk_worker_drain(struct worker *w);
/* Copies the counters into w->snapshot (under the lock). */
void mk_worker_publish(struct worker *w);
/* Thread body for --threads > 1: consumes the ring until RING_STOP. */
void *mk_worker_main(void *arg);

/* ---- indicator sets and their reload (indicators.c) ---------------------------- */

struct reloader {
    const struct mk_sensor_config *cfg;
    struct mk_ioc_handle *handle;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool requested; /* under lock */
    bool stop;      /* under lock */
    bool running;
    time_t *mtimes; /* one per indicator file */
    atomic_uint_fast64_t reloads;
    atomic_size_t indicators;
};

/* Builds a set from the configured indicator files and warning lists. */
MK_MUST_CHECK enum mk_status mk_indicators_build(const struct mk_sensor_config *cfg,
                                                 struct mk_ioc_set **out, struct mk_error *err);
MK_MUST_CHECK enum mk_status mk_reloader_start(struct reloader *rl,
                                               const struct mk_sensor_config *cfg,
                                               struct mk_ioc_handle *handle);
void mk_reloader_request(struct reloader *rl);
void mk_reloader_check_files(struct reloader *rl);
void mk_reloader_stop(struct reloader *rl);

/* ---- indicator matching (match.c) -------------------------------------------- */

struct app_state *mk_app_of(struct worker *w, struct mk_flow *f);
void mk_match_flow(struct worker *w, struct mk_flow *f);
void mk_match_dns(struct worker *w, struct mk_flow *f, enum mk_flow_dir dir,
                  const struct mk_dns_msg *m);
void mk_match_http(struct worker *w, struct mk_flow *f, const struct mk_http_tx *tx);
void mk_match_file(struct worker *w, struct mk_flow *f, const struct mk_file_info *fi);
void mk_match_tls(struct worker *w, struct mk_flow *f, const struct mk_tls_info *t);

#endif /* MK_SENSOR_INT_H */
