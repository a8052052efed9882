/* eve: Suricata-compatible EVE JSON events (flow, dns, http, fileinfo, tls,
 * quic, anomaly, stats) written by a streaming builder into per-worker
 * buffers, and the outputs they go to: a file (reopened on SIGHUP for log
 * rotation), standard output, or a unix socket. The fields follow Suricata 7.0
 * EVE; docs/eve.md lists the differences. */
#ifndef MK_EVE_H
#define MK_EVE_H

#include <pthread.h>

#include "base/base.h"
#include "flow/flow.h"
#include "ioc/ioc.h"
#include "proto/proto.h"

/* ---- outputs (shared by all workers) -------------------------------------- */

enum mk_eve_output_kind {
    MK_EVE_OUT_FILE,
    MK_EVE_OUT_STDOUT,
    MK_EVE_OUT_UNIX_STREAM,
    MK_EVE_OUT_UNIX_DGRAM,
};

struct mk_eve_output {
    enum mk_eve_output_kind kind;
    char path[256];
    int fd;
    pthread_mutex_t lock;
    uint64_t bytes;
    uint64_t lines;
    uint64_t write_errors; /* lines lost (socket gone, disk full) */
    uint64_t reopens;
};

/* Parses "-" (stdout), "unix:PATH", "unix-dgram:PATH" or a file path (opened
 * for appending, mode 0640) and opens it. */
MK_MUST_CHECK enum mk_status mk_eve_output_open(struct mk_eve_output *o, const char *spec,
                                                struct mk_error *err);
void mk_eve_output_close(struct mk_eve_output *o);
/* Reopens a file output by name (after rotation); sockets reconnect. */
MK_MUST_CHECK enum mk_status mk_eve_output_reopen(struct mk_eve_output *o, struct mk_error *err);
/* Writes `lines` whole lines atomically with respect to other workers. */
void mk_eve_output_write(struct mk_eve_output *o, const uint8_t *data, size_t len, size_t lines);

/* ---- per-worker writer ------------------------------------------------------ */

struct mk_eve_config {
    const char *host;  /* sensor name, written as "host" on every event; NULL = none */
    const char *iface; /* "in_iface"; NULL = none */
    bool flow;
    bool dns;
    bool http;
    bool fileinfo;
    bool tls;
    bool quic;
    bool anomaly;
    bool stats;
    bool alert;
    bool http_headers; /* request_headers / response_headers arrays */
    uint16_t community_id_seed;
};

#define MK_EVE_CONFIG_DEFAULT                                                                      \
    ((struct mk_eve_config){.flow = true,                                                          \
                            .dns = true,                                                           \
                            .http = true,                                                          \
                            .fileinfo = true,                                                      \
                            .tls = true,                                                           \
                            .quic = true,                                                          \
                            .anomaly = true,                                                       \
                            .stats = true,                                                         \
                            .alert = true})

enum mk_eve_type {
    MK_EVE_FLOW,
    MK_EVE_DNS,
    MK_EVE_HTTP,
    MK_EVE_FILEINFO,
    MK_EVE_TLS,
    MK_EVE_QUIC,
    MK_EVE_ANOMALY,
    MK_EVE_STATS,
    MK_EVE_ALERT,
    MK_EVE_TYPE_COUNT
};

const char *mk_eve_type_name(enum mk_eve_type t);

/* Each worker owns one writer: events build into its buffer, which goes to
 * the output in whole lines when it passes MK_EVE_FLUSH_BYTES or on
 * mk_eve_writer_flush(). Nothing here allocates after init. */
#define MK_EVE_FLUSH_BYTES (256u << 10)
#define MK_EVE_LINE_MAX    (1u << 20) /* an event longer than this is dropped, counted */

struct mk_eve_writer {
    struct mk_eve_output *out;
    const struct mk_eve_config *cfg;
    struct mk_buf buf;
    struct mk_jw jw;
    size_t line_start;
    size_t lines; /* complete lines in buf */
    uint64_t events[MK_EVE_TYPE_COUNT];
    uint64_t dropped; /* events over MK_EVE_LINE_MAX */
    /* "YYYY-MM-DDTHH:MM:SS" of the last second formatted: most events of a
     * burst share it, and gmtime+strftime showed in profiles */
    int64_t time_cache_sec;
    char time_cache[20];

    /* Community IDs of recent flows (a SHA-1 each): a flow's events come in
     * bursts, so a small direct-mapped cache by flow_id saves most of them */
    struct {
        uint64_t flow_id;
        char cid[64]; /* mk_flow_community_id's own buffer size */
    } cid_cache[64];
};

void mk_eve_writer_init(struct mk_eve_writer *w, struct mk_eve_output *out,
                        const struct mk_eve_config *cfg);
void mk_eve_writer_fini(struct mk_eve_writer *w); /* flushes */
void mk_eve_writer_flush(struct mk_eve_writer *w);

/* Packet time for the "timestamp" field. */
struct mk_eve_time {
    int64_t sec;
    uint32_t nsec;
};

/* mk_eve_format_time through the writer's one-second cache. */
void mk_eve_writer_format_time(struct mk_eve_writer *w, struct mk_eve_time ts, char out[40]);

void mk_eve_flow(struct mk_eve_writer *w, const struct mk_flow *f, enum mk_flow_end reason);
/* `dir` is the direction of the packet that carried the message: answers are
 * written with the server as src_ip, as Suricata does. */
void mk_eve_dns(struct mk_eve_writer *w, struct mk_eve_time ts, const struct mk_flow *f,
                enum mk_flow_dir dir, const struct mk_dns_msg *m);
void mk_eve_http(struct mk_eve_writer *w, struct mk_eve_time ts, const struct mk_flow *f,
                 const struct mk_http_tx *tx);
void mk_eve_fileinfo(struct mk_eve_writer *w, struct mk_eve_time ts, const struct mk_flow *f,
                     const struct mk_file_info *fi);
void mk_eve_tls(struct mk_eve_writer *w, struct mk_eve_time ts, const struct mk_flow *f,
                const struct mk_tls_info *t);
void mk_eve_quic(struct mk_eve_writer *w, struct mk_eve_time ts, const struct mk_flow *f,
                 const struct mk_tls_info *t, uint32_t version);
void mk_eve_anomaly(struct mk_eve_writer *w, struct mk_eve_time ts, const struct mk_flow *f,
                    const char *event);

/* An indicator hit that became an alert: where in the traffic it matched. */
struct mk_eve_match {
    const char *field; /* EVE path of what matched: "dns.rrname", "tls.sni", "src_ip", ... */
    const char *value; /* the value seen in the traffic */
};

/* An `alert` event (Suricata's alert object: gid 1, the indicator's stable
 * sid, signature, category, severity from confidence, and metadata arrays
 * with the indicator's STIX id, source, TLP, confidence, labels and the
 * matched field and value). `dir` orients src/dest as the packet went. */
void mk_eve_alert(struct mk_eve_writer *w, struct mk_eve_time ts, const struct mk_flow *f,
                  enum mk_flow_dir dir, const struct mk_ioc_hit *hit, const struct mk_eve_match *m);

/* One named counter for the stats event: dotted names nest ("decoder.ipv4"
 * becomes {"decoder": {"ipv4": N}}). Names must be sorted so that each
 * prefix's members are adjacent. */
struct mk_eve_counter {
    const char *name;
    uint64_t value;
};

void mk_eve_stats(struct mk_eve_writer *w, struct mk_eve_time ts, double uptime_sec,
                  const struct mk_eve_counter *c, size_t n);

/* Starts and ends an event whose body the caller writes with w->jw (used by
 * the alert writer of the indicator engine, which comes later). */
void mk_eve_begin(struct mk_eve_writer *w, enum mk_eve_type type, struct mk_eve_time ts,
                  const struct mk_flow *f, enum mk_flow_dir dir);
void mk_eve_end(struct mk_eve_writer *w);

/* Suricata's timestamp form, "2026-11-26T14:32:10.123456+0000": always
 * MK_EVE_TIME_LEN characters (a year outside 0-9999 prints as year 0000);
 * out needs 40 bytes. */
#define MK_EVE_TIME_LEN 31
void mk_eve_format_time(struct mk_eve_time ts, char out[40]);

#endif /* MK_EVE_H */
