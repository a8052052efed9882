/* The `mekong analyze` report: reads the EVE lines a sensor run wrote and
 * folds them into tallies (talkers, names, protocols) and indicator hits
 * grouped by indicator; report_print.c writes the result. Entry point:
 * mk_report_from_eve(). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sensor/report_int.h"

#define LINE_MAX_BYTES (4u << 20) /* an EVE line longer than this is skipped */

/* ---- tallies ------------------------------------------------------------------ */

void mk_tally_init(struct tally *t, struct mk_arena *arena, size_t max_keys)
{
    memset(t, 0, sizeof(*t));
    t->arena = arena;
    t->max = max_keys;
}

void mk_tally_fini(struct tally *t)
{
    free(t->slots);
    t->slots = NULL;
}

static bool tally_grow(struct tally *t)
{
    size_t cap = t->cap == 0 ? 256 : t->cap * 2;
    struct tally_entry *slots = calloc(cap, sizeof(*slots));

    if (slots == NULL) {
        return false;
    }
    for (size_t i = 0; i < t->cap; i++) {
        if (t->slots[i].key != NULL) {
            size_t h = (size_t)mk_hash64(t->slots[i].key, strlen(t->slots[i].key), 0) & (cap - 1);

            while (slots[h].key != NULL) {
                h = (h + 1) & (cap - 1);
            }
            slots[h] = t->slots[i];
        }
    }
    free(t->slots);
    t->slots = slots;
    t->cap = cap;
    return true;
}

static size_t free_slot(const struct tally *t, size_t h)
{
    while (t->slots[h].key != NULL) {
        h = (h + 1) & (t->cap - 1);
    }
    return h;
}

/* Finds or adds `key`; NULL when the table is at its cap (counted as other). */
struct tally_entry *mk_tally_get(struct tally *t, const char *key, size_t len)
{
    uint64_t hash = mk_hash64(key, len, 0);
    size_t h;

    if (t->cap == 0 && !tally_grow(t)) {
        return NULL;
    }
    for (h = (size_t)hash & (t->cap - 1); t->slots[h].key != NULL; h = (h + 1) & (t->cap - 1)) {
        if (strncmp(t->slots[h].key, key, len) == 0 && t->slots[h].key[len] == '\0') {
            return &t->slots[h];
        }
    }
    if (t->n >= t->max) {
        return NULL;
    }
    if ((t->n + 1) * 10 > t->cap * 7) {
        if (!tally_grow(t)) {
            return NULL;
        }
        h = free_slot(t, (size_t)hash & (t->cap - 1));
    }
    t->slots[h].key = mk_arena_strndup(t->arena, key, len);
    if (t->slots[h].key == NULL) {
        return NULL;
    }
    t->n++;
    return &t->slots[h];
}

static void tally_count(struct tally *t, const struct mk_json *v, uint64_t bytes)
{
    struct tally_entry *e;

    if (v == NULL || v->type != MK_JSON_STRING || v->len == 0) {
        return;
    }
    e = mk_tally_get(t, v->u.str, v->len);
    if (e == NULL) {
        t->other_count++;
        t->other_bytes += bytes;
        return;
    }
    e->count++;
    e->bytes += bytes;
}

/* ---- reading events ------------------------------------------------------------- */

static const char *str_of(const struct mk_json *obj, const char *key)
{
    const struct mk_json *v = mk_json_get(obj, key);

    return v != NULL && v->type == MK_JSON_STRING ? v->u.str : NULL;
}

static uint64_t uint_of(const struct mk_json *obj, const char *key)
{
    int64_t v = 0;

    return mk_json_get_int(mk_json_get(obj, key), &v) && v > 0 ? (uint64_t)v : 0;
}

static void on_flow(struct report *r, const struct mk_json *ev)
{
    const struct mk_json *flow = mk_json_get(ev, "flow");
    uint64_t bytes = uint_of(flow, "bytes_toserver") + uint_of(flow, "bytes_toclient");
    const struct mk_json *app = mk_json_get(ev, "app_proto");

    r->flows++;
    r->flow_bytes += bytes;
    tally_count(&r->talkers, mk_json_get(ev, "src_ip"), bytes);
    tally_count(&r->talkers, mk_json_get(ev, "dest_ip"), bytes);
    tally_count(&r->protocols, mk_json_get(ev, "proto"), bytes);
    if (app != NULL) {
        tally_count(&r->apps, app, bytes);
    }
}

static void on_dns(struct report *r, const struct mk_json *ev)
{
    const struct mk_json *dns = mk_json_get(ev, "dns");

    if (mk_json_is_str(mk_json_get(dns, "type"), "query")) {
        tally_count(&r->dns_names, mk_json_get(dns, "rrname"), 0);
    }
}

static void note_time(struct report *r, const char *ts)
{
    if (ts == NULL || strlen(ts) >= sizeof(r->first_ts)) {
        return;
    }
    if (r->first_ts[0] == '\0' || strcmp(ts, r->first_ts) < 0) {
        memcpy(r->first_ts, ts, strlen(ts) + 1);
    }
    if (strcmp(ts, r->last_ts) > 0) {
        memcpy(r->last_ts, ts, strlen(ts) + 1);
    }
}

static void on_event(struct report *r, const struct mk_json *ev)
{
    const char *type = str_of(ev, "event_type");

    if (type == NULL) {
        return;
    }
    if (strcmp(type, "stats") != 0) {
        note_time(r, str_of(ev, "timestamp"));
    }
    if (strcmp(type, "flow") == 0) {
        on_flow(r, ev);
    } else if (strcmp(type, "dns") == 0) {
        on_dns(r, ev);
    } else if (strcmp(type, "tls") == 0) {
        tally_count(&r->sni, mk_json_get(mk_json_get(ev, "tls"), "sni"), 0);
    } else if (strcmp(type, "quic") == 0) {
        tally_count(&r->sni, mk_json_get(mk_json_get(ev, "quic"), "sni"), 0);
    } else if (strcmp(type, "http") == 0) {
        tally_count(&r->http_hosts, mk_json_get(mk_json_get(ev, "http"), "hostname"), 0);
    } else if (strcmp(type, "anomaly") == 0) {
        tally_count(&r->anomalies, mk_json_get(mk_json_get(ev, "anomaly"), "event"), 0);
    } else if (strcmp(type, "alert") == 0) {
        mk_report_on_alert(r, ev);
    }
}

static enum mk_status read_events(struct report *r, FILE *f, struct mk_error *err)
{
    struct mk_arena line_arena;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;

    mk_arena_init(&line_arena, 64u << 10, 64u << 20);
    while ((n = getline(&line, &cap, f)) > 0) {
        const struct mk_json *ev = NULL;
        struct mk_error e;

        if ((size_t)n > LINE_MAX_BYTES ||
            mk_json_parse(line, (size_t)n, NULL, &line_arena, &ev, &e) != MK_OK) {
            r->bad_lines++;
        } else {
            on_event(r, ev);
        }
        mk_arena_reset(&line_arena);
    }
    free(line);
    mk_arena_fini(&line_arena);
    if (ferror(f)) {
        mk_error_set(err, "", "reading the EVE file: %s", strerror(errno));
        return MK_EIO;
    }
    return MK_OK;
}

void mk_report_init(struct report *r, const struct mk_report_options *opts)
{
    memset(r, 0, sizeof(*r));
    r->opts = opts;
    mk_arena_init(&r->arena, 64u << 10, 0);
    mk_tally_init(&r->talkers, &r->arena, opts->max_keys);
    mk_tally_init(&r->protocols, &r->arena, 64);
    mk_tally_init(&r->apps, &r->arena, 64);
    mk_tally_init(&r->dns_names, &r->arena, opts->max_keys);
    mk_tally_init(&r->sni, &r->arena, opts->max_keys);
    mk_tally_init(&r->http_hosts, &r->arena, opts->max_keys);
    mk_tally_init(&r->anomalies, &r->arena, 1024);
}

void mk_report_fini(struct report *r)
{
    mk_tally_fini(&r->talkers);
    mk_tally_fini(&r->protocols);
    mk_tally_fini(&r->apps);
    mk_tally_fini(&r->dns_names);
    mk_tally_fini(&r->sni);
    mk_tally_fini(&r->http_hosts);
    mk_tally_fini(&r->anomalies);
    free(r->hits);
    mk_arena_fini(&r->arena);
}

enum mk_status mk_report_from_eve(const char *eve_path, const struct mk_sensor_totals *totals,
                                  const struct mk_report_options *opts, FILE *out,
                                  struct mk_error *err)
{
    struct report r;
    FILE *f = fopen(eve_path, "r");
    enum mk_status st;

    if (f == NULL) {
        mk_error_set(err, eve_path, "cannot open: %s", strerror(errno));
        return MK_EIO;
    }
    mk_report_init(&r, opts);
    r.totals = totals;
    st = read_events(&r, f, err);
    (void)fclose(f);
    if (st == MK_OK) {
        st = opts->json ? mk_report_print_json(&r, out) : mk_report_print_text(&r, out);
    }
    mk_report_fini(&r);
    return st;
}
