/* The analyze report's indicator groups and its two outputs: a readable text
 * report for the analyst at a terminal and the same content as JSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sensor/report_int.h"

#define MAX_HIT_GROUPS 100000

/* ---- alerts grouped by indicator ------------------------------------------------ */

static const char *copy_str(struct report *r, const struct mk_json *v)
{
    if (v != NULL && v->type == MK_JSON_ARRAY && v->len > 0) {
        v = &v->u.items[0]; /* alert metadata values are arrays of strings */
    }
    if (v == NULL || v->type != MK_JSON_STRING) {
        return NULL;
    }
    return mk_arena_strndup(&r->arena, v->u.str, v->len);
}

static struct hit_group *group_of(struct report *r, uint32_t sid)
{
    struct hit_group *g;

    for (size_t i = 0; i < r->n_hits; i++) {
        if (r->hits[i].sid == sid) {
            return &r->hits[i];
        }
    }
    if (r->n_hits >= MAX_HIT_GROUPS) {
        return NULL;
    }
    if (r->n_hits == r->cap_hits) {
        size_t cap = r->cap_hits == 0 ? 16 : r->cap_hits * 2;
        struct hit_group *p = realloc(r->hits, cap * sizeof(*p));

        if (p == NULL) {
            return NULL;
        }
        r->hits = p;
        r->cap_hits = cap;
    }
    g = &r->hits[r->n_hits++];
    memset(g, 0, sizeof(*g));
    g->sid = sid;
    return g;
}

/* Adds `s` to a small set of distinct strings. */
static void add_distinct(struct report *r, const char **set, size_t *n, size_t max,
                         const struct mk_json *v)
{
    if (v == NULL || v->type != MK_JSON_STRING || *n >= max) {
        return;
    }
    for (size_t i = 0; i < *n; i++) {
        if (strcmp(set[i], v->u.str) == 0) {
            return;
        }
    }
    set[*n] = mk_arena_strndup(&r->arena, v->u.str, v->len);
    *n += set[*n] != NULL;
}

static void first_alert(struct report *r, struct hit_group *g, const struct mk_json *alert)
{
    const struct mk_json *meta = mk_json_get(alert, "metadata");
    int64_t sev = 0;

    g->signature = copy_str(r, mk_json_get(alert, "signature"));
    g->type = copy_str(r, mk_json_get(meta, "indicator_type"));
    g->value = copy_str(r, mk_json_get(meta, "indicator_value"));
    g->stix_id = copy_str(r, mk_json_get(meta, "stix_id"));
    g->source = copy_str(r, mk_json_get(meta, "source"));
    g->tlp = copy_str(r, mk_json_get(meta, "tlp"));
    g->confidence = copy_str(r, mk_json_get(meta, "confidence"));
    g->severity = mk_json_get_int(mk_json_get(alert, "severity"), &sev) ? (uint64_t)sev : 2;
}

void mk_report_on_alert(struct report *r, const struct mk_json *ev)
{
    const struct mk_json *alert = mk_json_get(ev, "alert");
    const struct mk_json *meta = mk_json_get(alert, "metadata");
    const struct mk_json *ts = mk_json_get(ev, "timestamp");
    const struct mk_json *field = mk_json_get(meta, "matched_field");
    int64_t sid = 0;
    struct hit_group *g;

    r->alerts++;
    if (!mk_json_get_int(mk_json_get(alert, "signature_id"), &sid) || sid < 0 ||
        (g = group_of(r, (uint32_t)sid)) == NULL) {
        r->hits_dropped++;
        return;
    }
    if (g->count++ == 0) {
        first_alert(r, g, alert);
    }
    if (ts != NULL && ts->type == MK_JSON_STRING && ts->len < sizeof(g->first)) {
        if (g->first[0] == '\0' || strcmp(ts->u.str, g->first) < 0) {
            memcpy(g->first, ts->u.str, ts->len + 1);
        }
        if (strcmp(ts->u.str, g->last) > 0) {
            memcpy(g->last, ts->u.str, ts->len + 1);
        }
    }
    if (field != NULL && field->type == MK_JSON_ARRAY && field->len > 0) {
        add_distinct(r, g->fields, &g->n_fields, HIT_FIELDS, &field->u.items[0]);
    }
    /* the host to look at is the side that is not the indicator itself */
    {
        const struct mk_json *value = mk_json_get(meta, "matched_value");
        const struct mk_json *src = mk_json_get(ev, "src_ip");
        bool src_is_ioc = value != NULL && value->type == MK_JSON_ARRAY && value->len > 0 &&
                          src != NULL && src->type == MK_JSON_STRING &&
                          mk_json_is_str(&value->u.items[0], src->u.str);

        add_distinct(r, g->hosts, &g->n_hosts, HIT_HOSTS,
                     src_is_ioc ? mk_json_get(ev, "dest_ip") : src);
    }
}

/* ---- ordering ------------------------------------------------------------------ */

static int by_count(const void *a, const void *b)
{
    const struct tally_entry *x = *(const struct tally_entry *const *)a;
    const struct tally_entry *y = *(const struct tally_entry *const *)b;

    if (x->count != y->count) {
        return x->count < y->count ? 1 : -1;
    }
    return strcmp(x->key, y->key);
}

static int by_bytes(const void *a, const void *b)
{
    const struct tally_entry *x = *(const struct tally_entry *const *)a;
    const struct tally_entry *y = *(const struct tally_entry *const *)b;

    if (x->bytes != y->bytes) {
        return x->bytes < y->bytes ? 1 : -1;
    }
    return strcmp(x->key, y->key);
}

static int hits_order(const void *a, const void *b)
{
    const struct hit_group *x = a;
    const struct hit_group *y = b;

    if (x->severity != y->severity) {
        return x->severity < y->severity ? -1 : 1;
    }
    if (x->count != y->count) {
        return x->count < y->count ? 1 : -1;
    }
    return x->sid < y->sid ? -1 : x->sid > y->sid;
}

/* The n largest entries (caller frees the array); *count is how many. */
static const struct tally_entry **top(const struct tally *t, size_t n, bool bytes, size_t *count)
{
    const struct tally_entry **all = malloc((t->n + 1) * sizeof(*all));
    size_t k = 0;

    *count = 0;
    if (all == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < t->cap; i++) {
        if (t->slots[i].key != NULL) {
            all[k++] = &t->slots[i];
        }
    }
    qsort(all, k, sizeof(*all), bytes ? by_bytes : by_count);
    *count = k < n ? k : n;
    return all;
}

/* ---- text ---------------------------------------------------------------------- */

static void human_bytes(uint64_t b, char out[32])
{
    static const char *const units[] = {"B", "kB", "MB", "GB", "TB"};
    double v = (double)b;
    size_t u = 0;

    while (v >= 1000 && u + 1 < MK_ARRAY_LEN(units)) {
        v /= 1000;
        u++;
    }
    (void)snprintf(out, 32, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
}

static void print_table(FILE *out, const char *title, const struct tally *t, size_t n, bool bytes)
{
    size_t count = 0;
    const struct tally_entry **rows = top(t, n, bytes, &count);

    if (rows == NULL || count == 0) {
        free(rows);
        return;
    }
    (void)fprintf(out, "\n%s\n", title);
    for (size_t i = 0; i < count; i++) {
        char hb[32];

        human_bytes(rows[i]->bytes, hb);
        if (bytes) {
            (void)fprintf(out, "  %-40s %10s  %llu flows\n", rows[i]->key, hb,
                          (unsigned long long)rows[i]->count);
        } else {
            (void)fprintf(out, "  %-52s %8llu\n", rows[i]->key, (unsigned long long)rows[i]->count);
        }
    }
    if (t->n > count || t->other_count > 0) {
        (void)fprintf(out, "  ... %zu more\n", t->n - count + (t->other_count > 0));
    }
    free(rows);
}

static const char *severity_name(uint64_t s)
{
    return s <= 1 ? "HIGH" : s == 2 ? "MEDIUM" : "LOW";
}

static void print_hit(FILE *out, const struct hit_group *g)
{
    (void)fprintf(out, "  [%s] %s %s  (sid %u)\n", severity_name(g->severity),
                  g->type != NULL ? g->type : "?", g->value != NULL ? g->value : "?", g->sid);
    (void)fprintf(out, "      %s\n", g->signature != NULL ? g->signature : "");
    (void)fprintf(out, "      source %s, %s, confidence %s%s%s\n",
                  g->source != NULL ? g->source : "unknown", g->tlp != NULL ? g->tlp : "TLP unset",
                  g->confidence != NULL ? g->confidence : "unknown", g->stix_id != NULL ? ", " : "",
                  g->stix_id != NULL ? g->stix_id : "");
    (void)fprintf(out, "      %llu alert%s, first %s, last %s\n", (unsigned long long)g->count,
                  g->count == 1 ? "" : "s", g->first, g->last);
    (void)fprintf(out, "      matched in");
    for (size_t i = 0; i < g->n_fields; i++) {
        (void)fprintf(out, "%s %s", i == 0 ? "" : ",", g->fields[i]);
    }
    (void)fprintf(out, "; seen from");
    for (size_t i = 0; i < g->n_hosts; i++) {
        (void)fprintf(out, "%s %s", i == 0 ? "" : ",", g->hosts[i]);
    }
    (void)fprintf(out, "%s\n", g->n_hosts == HIT_HOSTS ? ", ..." : "");
}

static void print_heading(const struct report *r, FILE *out)
{
    const struct mk_sensor_totals *t = r->totals;
    char hb[32];

    human_bytes(t->bytes, hb);
    (void)fprintf(out, "mekong analyze: %zu capture%s, %llu packets, %s", r->opts->n_inputs,
                  r->opts->n_inputs == 1 ? "" : "s", (unsigned long long)t->packets, hb);
    if (r->first_ts[0] != '\0') {
        (void)fprintf(out, ", %.19s to %.19s UTC", r->first_ts, r->last_ts);
    }
    (void)fprintf(out, "\nflows %llu", (unsigned long long)r->flows);
    for (size_t i = 0; i < r->protocols.cap; i++) {
        if (r->protocols.slots[i].key != NULL) {
            (void)fprintf(out, ", %s %llu", r->protocols.slots[i].key,
                          (unsigned long long)r->protocols.slots[i].count);
        }
    }
    (void)fprintf(out, "; application protocols:");
    for (size_t i = 0; i < r->apps.cap; i++) {
        if (r->apps.slots[i].key != NULL) {
            (void)fprintf(out, " %s %llu", r->apps.slots[i].key,
                          (unsigned long long)r->apps.slots[i].count);
        }
    }
    (void)fprintf(out, "\n");
}

static void print_decode_problems(const struct report *r, FILE *out)
{
    const struct mk_sensor_totals *t = r->totals;
    bool any = t->invalid > 0 || t->truncated_input || r->anomalies.n > 0;

    for (size_t k = 0; k < MK_DECODE_EVENT_COUNT; k++) {
        any = any || t->decode_events[k] > 0;
    }
    (void)fprintf(out, "\nDECODE PROBLEMS%s\n", any ? "" : ": none");
    if (t->truncated_input) {
        (void)fprintf(out, "  a capture file ends inside a packet record (truncated)\n");
    }
    if (t->invalid > 0) {
        (void)fprintf(out, "  %-52s %8llu\n", "frames that failed to decode",
                      (unsigned long long)t->invalid);
    }
    for (size_t k = 0; k < MK_DECODE_EVENT_COUNT; k++) {
        if (t->decode_events[k] > 0) {
            (void)fprintf(out, "  %-52s %8llu\n", mk_decode_event_name((enum mk_decode_event)k),
                          (unsigned long long)t->decode_events[k]);
        }
    }
    print_table(out, "APPLICATION-LAYER ANOMALIES", &r->anomalies, r->opts->top, false);
}

enum mk_status mk_report_print_text(const struct report *r, FILE *out)
{
    size_t n = r->opts->top;

    print_heading(r, out);
    (void)fprintf(out, "\nINDICATOR HITS: ");
    if (r->n_hits == 0) {
        (void)fprintf(out, "none (%llu indicators loaded)\n",
                      (unsigned long long)r->totals->ioc_indicators);
    } else {
        (void)fprintf(out, "%zu indicator%s, %llu alert%s\n", r->n_hits, r->n_hits == 1 ? "" : "s",
                      (unsigned long long)r->alerts, r->alerts == 1 ? "" : "s");
        qsort(r->hits, r->n_hits, sizeof(r->hits[0]), hits_order);
        for (size_t i = 0; i < r->n_hits; i++) {
            print_hit(out, &r->hits[i]);
        }
    }
    print_table(out, "TOP TALKERS (bytes in flows they took part in)", &r->talkers, n, true);
    print_table(out, "DNS NAMES QUERIED", &r->dns_names, n, false);
    print_table(out, "TLS AND QUIC SERVER NAMES", &r->sni, n, false);
    print_table(out, "HTTP HOSTS", &r->http_hosts, n, false);
    print_decode_problems(r, out);
    return ferror(out) ? MK_EIO : MK_OK;
}

/* ---- JSON ---------------------------------------------------------------------- */

static void json_table(struct mk_jw *w, const char *key, const struct tally *t, size_t n,
                       bool bytes)
{
    size_t count = 0;
    const struct tally_entry **rows = top(t, n, bytes, &count);

    mk_jw_key_cstr(w, key);
    mk_jw_arr_open(w);
    for (size_t i = 0; rows != NULL && i < count; i++) {
        mk_jw_obj_open(w);
        mk_jw_key_cstr(w, "value");
        mk_jw_str_cstr(w, rows[i]->key);
        mk_jw_key_cstr(w, bytes ? "flows" : "count");
        mk_jw_uint(w, rows[i]->count);
        if (bytes) {
            mk_jw_key_cstr(w, "bytes");
            mk_jw_uint(w, rows[i]->bytes);
        }
        mk_jw_obj_close(w);
    }
    mk_jw_arr_close(w);
    free(rows);
}

static void json_str(struct mk_jw *w, const char *key, const char *v)
{
    if (v != NULL) {
        mk_jw_key_cstr(w, key);
        mk_jw_str_cstr(w, v);
    }
}

static void json_hit(struct mk_jw *w, const struct hit_group *g)
{
    mk_jw_obj_open(w);
    mk_jw_key_cstr(w, "signature_id");
    mk_jw_uint(w, g->sid);
    json_str(w, "signature", g->signature);
    json_str(w, "indicator_type", g->type);
    json_str(w, "indicator_value", g->value);
    json_str(w, "stix_id", g->stix_id);
    json_str(w, "source", g->source);
    json_str(w, "tlp", g->tlp);
    json_str(w, "confidence", g->confidence);
    mk_jw_key_cstr(w, "severity");
    mk_jw_uint(w, g->severity);
    mk_jw_key_cstr(w, "alerts");
    mk_jw_uint(w, g->count);
    json_str(w, "first_seen", g->first);
    json_str(w, "last_seen", g->last);
    mk_jw_key_cstr(w, "matched_fields");
    mk_jw_arr_open(w);
    for (size_t i = 0; i < g->n_fields; i++) {
        mk_jw_str_cstr(w, g->fields[i]);
    }
    mk_jw_arr_close(w);
    mk_jw_key_cstr(w, "hosts");
    mk_jw_arr_open(w);
    for (size_t i = 0; i < g->n_hosts; i++) {
        mk_jw_str_cstr(w, g->hosts[i]);
    }
    mk_jw_arr_close(w);
    mk_jw_obj_close(w);
}

static void json_totals(struct mk_jw *w, const struct report *r)
{
    const struct mk_sensor_totals *t = r->totals;

    mk_jw_key_cstr(w, "packets");
    mk_jw_uint(w, t->packets);
    mk_jw_key_cstr(w, "bytes");
    mk_jw_uint(w, t->bytes);
    mk_jw_key_cstr(w, "flows");
    mk_jw_uint(w, r->flows);
    json_str(w, "first_seen", r->first_ts[0] != '\0' ? r->first_ts : NULL);
    json_str(w, "last_seen", r->last_ts[0] != '\0' ? r->last_ts : NULL);
    mk_jw_key_cstr(w, "indicators_loaded");
    mk_jw_uint(w, t->ioc_indicators);
    mk_jw_key_cstr(w, "alerts");
    mk_jw_uint(w, r->alerts);
}

static void json_decode(struct mk_jw *w, const struct report *r)
{
    mk_jw_key_cstr(w, "decode_problems");
    mk_jw_obj_open(w);
    mk_jw_key_cstr(w, "invalid_frames");
    mk_jw_uint(w, r->totals->invalid);
    mk_jw_key_cstr(w, "truncated_input");
    mk_jw_bool(w, r->totals->truncated_input);
    for (size_t k = 0; k < MK_DECODE_EVENT_COUNT; k++) {
        if (r->totals->decode_events[k] > 0) {
            mk_jw_key_cstr(w, mk_decode_event_name((enum mk_decode_event)k));
            mk_jw_uint(w, r->totals->decode_events[k]);
        }
    }
    mk_jw_obj_close(w);
}

enum mk_status mk_report_print_json(const struct report *r, FILE *out)
{
    struct mk_buf buf;
    struct mk_jw w;
    size_t n = r->opts->top;
    enum mk_status st;

    mk_buf_init(&buf, 256u << 20);
    mk_jw_init(&w, &buf, 2);
    mk_jw_obj_open(&w);
    json_totals(&w, r);
    qsort(r->hits, r->n_hits, sizeof(r->hits[0]), hits_order);
    mk_jw_key_cstr(&w, "hits");
    mk_jw_arr_open(&w);
    for (size_t i = 0; i < r->n_hits; i++) {
        json_hit(&w, &r->hits[i]);
    }
    mk_jw_arr_close(&w);
    json_table(&w, "top_talkers", &r->talkers, n, true);
    json_table(&w, "dns_names", &r->dns_names, n, false);
    json_table(&w, "tls_server_names", &r->sni, n, false);
    json_table(&w, "http_hosts", &r->http_hosts, n, false);
    json_table(&w, "protocols", &r->protocols, n, false);
    json_table(&w, "app_protocols", &r->apps, n, false);
    json_table(&w, "anomalies", &r->anomalies, n, false);
    json_decode(&w, r);
    mk_jw_obj_close(&w);
    st = mk_jw_status(&w);
    if (st == MK_OK && (fwrite(buf.data, 1, buf.len, out) != buf.len || fputc('\n', out) == EOF)) {
        st = MK_EIO;
    }
    mk_buf_fini(&buf);
    return st;
}
