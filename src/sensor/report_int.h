/* Private to src/sensor: the analyze report's tallies and indicator groups,
 * shared by report.c (reading EVE) and report_print.c (writing it out). */
#ifndef MK_SENSOR_REPORT_INT_H
#define MK_SENSOR_REPORT_INT_H

#include "sensor/sensor.h"

/* A string-keyed counter table, capped at `max` distinct keys. */
struct tally_entry {
    const char *key; /* arena-owned; NULL = empty slot */
    uint64_t count;
    uint64_t bytes;
};

struct tally {
    struct tally_entry *slots;
    size_t cap;
    size_t n;
    size_t max;
    uint64_t other_count; /* events whose key did not fit under the cap */
    uint64_t other_bytes;
    struct mk_arena *arena;
};

void mk_tally_init(struct tally *t, struct mk_arena *arena, size_t max_keys);
void mk_tally_fini(struct tally *t);
struct tally_entry *mk_tally_get(struct tally *t, const char *key, size_t len);

#define HIT_FIELDS 4
#define HIT_HOSTS  4

/* Every alert of one indicator (one signature id). Strings are arena-owned. */
struct hit_group {
    uint32_t sid;
    const char *signature;
    const char *type;
    const char *value;
    const char *stix_id;
    const char *source;
    const char *tlp;
    const char *confidence;
    uint64_t severity;
    uint64_t count;
    char first[40];
    char last[40];
    const char *fields[HIT_FIELDS]; /* where it matched: "dns.rrname", "tls.sni", ... */
    size_t n_fields;
    const char *hosts[HIT_HOSTS]; /* the internal side: who talked to it */
    size_t n_hosts;
};

struct report {
    const struct mk_report_options *opts;
    const struct mk_sensor_totals *totals;
    struct mk_arena arena;
    uint64_t flows;
    uint64_t flow_bytes;
    uint64_t bad_lines;
    char first_ts[40];
    char last_ts[40];
    struct tally talkers;
    struct tally protocols;
    struct tally apps;
    struct tally dns_names;
    struct tally sni;
    struct tally http_hosts;
    struct tally anomalies;
    struct hit_group *hits;
    size_t n_hits;
    size_t cap_hits;
    uint64_t alerts;
    uint64_t hits_dropped; /* alerts of indicators past the group cap */
};

void mk_report_init(struct report *r, const struct mk_report_options *opts);
void mk_report_fini(struct report *r);
void mk_report_on_alert(struct report *r, const struct mk_json *ev);
MK_MUST_CHECK enum mk_status mk_report_print_text(const struct report *r, FILE *out);
MK_MUST_CHECK enum mk_status mk_report_print_json(const struct report *r, FILE *out);

#endif /* MK_SENSOR_REPORT_INT_H */
