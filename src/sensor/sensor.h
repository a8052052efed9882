/* sensor: the monitoring runtime: reads captures or interfaces, dispatches
 * packets by a symmetric flow hash to worker threads (each with its own
 * decoder, flow table, analyzers and EVE writer: no lock on the per-packet
 * path), writes EVE events, periodic stats and a final summary. */
#ifndef MK_SENSOR_H
#define MK_SENSOR_H

#include <stdio.h>

#include "base/base.h"
#include "capture/capture.h"
#include "decode/decode.h"
#include "eve/eve.h"
#include "flow/flow.h"
#include "ioc/ioc.h"
#include "proto/proto.h"

#define MK_SENSOR_MAX_THREADS 64

struct mk_sensor_config {
    /* Lists are borrowed (the caller owns the arrays and the strings). */
    const char *const *files; /* capture files, read in order */
    size_t n_files;
    const char *iface; /* live capture instead of files */
    struct mk_capture_opts capture;
    unsigned threads;     /* worker threads; 1 = decode on the reading thread */
    const char *eve_spec; /* "-", a file path, "unix:PATH", "unix-dgram:PATH" */
    struct mk_eve_config eve;
    struct mk_flow_config flow;
    struct mk_defrag_config defrag;
    struct mk_proto_config proto;
    unsigned stats_interval; /* seconds between stats events; 0 = only at the end */
    size_t ring_bytes;       /* per-worker packet queue */
    size_t app_memcap;       /* application-layer state of all flows, per worker */
    /* indicators */
    const char *const *indicator_files;
    size_t n_indicator_files;
    const char *const *warning_files; /* user warning lists (e.g. top domains) */
    size_t n_warning_files;
    const char *const *home_net; /* the sensor's own addresses/ranges: never alert on them */
    size_t n_home_net;
    bool default_warnings; /* private, loopback, ... ranges suppress hits */
    bool validity_now;     /* judge indicator validity at wall time, not packet time */
    unsigned alert_rate;   /* alerts per indicator per minute and worker; 0 = no limit */
    bool progress;         /* progress bar on stderr (the caller checks isatty) */
    bool quiet;            /* no summary on stderr */
    const char *pidfile;   /* written at start, removed at exit (mekong reload), or NULL */
};

void mk_sensor_config_init(struct mk_sensor_config *cfg);

/* What a run saw, for the summary and the tests. */
struct mk_sensor_totals {
    uint64_t packets;
    uint64_t bytes;
    uint64_t invalid; /* frames that failed to decode */
    uint64_t capture_drops;
    uint64_t ring_drops; /* live: worker queue full */
    uint64_t flows;
    uint64_t events[MK_EVE_TYPE_COUNT];
    uint64_t eve_write_errors;
    uint64_t decode_events[MK_DECODE_EVENT_COUNT];
    struct mk_flow_stats flow; /* summed over workers */
    uint64_t anomalies;        /* application-layer anomalies reported */
    uint64_t app_memcap_hits;  /* flows left without an analyzer for the app memcap */
    uint64_t ioc_hits;         /* indicator keys that matched (before verification) */
    uint64_t ioc_suppressed;   /* hits on warning-listed values */
    uint64_t ioc_unverified;   /* key hits whose full pattern did not hold */
    uint64_t ioc_deduped;      /* repeats of an alert already raised on the flow */
    uint64_t ioc_rate_limited; /* alerts over the per-indicator rate */
    uint64_t ioc_reloads;      /* indicator sets published after start */
    size_t ioc_indicators;     /* indicators in the current set */
    uint64_t flow_memuse_peak; /* highest flow + reassembly memory seen (sampled each second) */
    double seconds;
    bool truncated_input; /* a capture file ended inside a record */
};

/* Runs until the input ends or mk_sensor_stop() is called. MK_EIO / MK_EINVAL
 * with err set when an input cannot be opened or the output fails; a
 * truncated file is reported in totals and the log, not as an error. */
MK_MUST_CHECK enum mk_status mk_sensor_run(const struct mk_sensor_config *cfg,
                                           struct mk_sensor_totals *totals, struct mk_error *err);

/* Installs SIGINT/SIGTERM (stop, flushing every flow), SIGHUP (reopen the
 * EVE file) handlers for the running sensor. */
void mk_sensor_install_signals(void);
void mk_sensor_stop(void); /* async-signal-safe */

/* Prints the human summary of a run. */
void mk_sensor_print_summary(FILE *out, const struct mk_sensor_totals *t);

/* ---- the analyze report ------------------------------------------------------
 * `mekong analyze` runs the sensor into an EVE file, then reads the events
 * back into a report: what was seen (flows, top talkers, DNS names, TLS/QUIC
 * server names, HTTP hosts), every indicator hit grouped by indicator with
 * first/last seen and counts, and decode problems. */

struct mk_report_options {
    size_t top;                /* rows per "top" table */
    bool json;                 /* the report as one JSON document instead of text */
    size_t max_keys;           /* distinct values kept per table; the rest count as "other" */
    const char *const *inputs; /* capture names, for the heading */
    size_t n_inputs;
};

MK_MUST_CHECK enum mk_status mk_report_from_eve(const char *eve_path,
                                                const struct mk_sensor_totals *totals,
                                                const struct mk_report_options *opts, FILE *out,
                                                struct mk_error *err);

#endif /* MK_SENSOR_H */
