/* bench_json_libs: the JSON parser comparison behind clarifications.md's choice: raw yajl
 * callbacks, mekong's reader (yajl + checks + DOM per object) and jansson (whole-file DOM),
 * parse + walk, one `key=value` line: `bench_json_libs FILE --lib yajl|mekong|jansson`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <jansson.h>
#include <yajl/yajl_parse.h>

#include "base/base.h"
#include "stix/stix.h"

#define CHUNK_SIZE (64u << 10) /* the chunk size the reader uses */
#define WALK_DEPTH 128

/* ---- raw yajl: callbacks that only count ------------------------------------ */

static int y_null(void *ctx)
{
    ++*(size_t *)ctx;
    return 1;
}

static int y_bool(void *ctx, int b)
{
    (void)b;
    ++*(size_t *)ctx;
    return 1;
}

static int y_number(void *ctx, const char *s, size_t n)
{
    (void)s;
    (void)n;
    ++*(size_t *)ctx;
    return 1;
}

static int y_string(void *ctx, const unsigned char *s, size_t n)
{
    (void)s;
    (void)n;
    ++*(size_t *)ctx;
    return 1;
}

static int y_mark(void *ctx)
{
    ++*(size_t *)ctx;
    return 1;
}

static const yajl_callbacks y_callbacks = {
    .yajl_null = y_null,
    .yajl_boolean = y_bool,
    .yajl_number = y_number,
    .yajl_string = y_string,
    .yajl_start_map = y_mark,
    .yajl_map_key = y_string,
    .yajl_end_map = y_mark,
    .yajl_start_array = y_mark,
    .yajl_end_array = y_mark,
};

/* yajl's defaults: its own (lax) UTF-8 check on, no depth cap, no duplicate check. */
static bool run_yajl(FILE *f, size_t *events)
{
    static unsigned char buf[CHUNK_SIZE];
    yajl_handle h = yajl_alloc(&y_callbacks, NULL, events);
    bool ok = h != NULL;
    size_t n;

    while (ok && (n = fread(buf, 1, sizeof(buf), f)) > 0) {
        ok = yajl_parse(h, buf, n) == yajl_status_ok;
    }
    ok = ok && !ferror(f) && yajl_complete_parse(h) == yajl_status_ok;
    if (h != NULL) {
        yajl_free(h);
    }
    return ok;
}

/* ---- mekong: the streaming reader with a no-op callback ------------------------ */

static enum mk_status mk_noop(void *ctx, const struct mk_json *obj, size_t index)
{
    (void)obj;
    (void)index;
    ++*(size_t *)ctx;
    return MK_OK;
}

static bool run_mekong(FILE *f, size_t *objects)
{
    struct mk_stix_reader *r = mk_stix_reader_new(NULL, mk_noop, objects);
    struct mk_error err;
    enum mk_status st;

    if (r == NULL) {
        return false;
    }
    mk_error_clear(&err);
    st = mk_stix_reader_read_file(r, f, &err);
    if (st != MK_OK) {
        (void)fprintf(stderr, "bench_json_libs: mekong: %s\n", err.msg);
    }
    mk_stix_reader_free(r);
    return st == MK_OK;
}

/* ---- jansson: json_loadb of the whole file, then a walk ------------------------ */

/* NOLINT(misc-no-recursion): depth is capped by WALK_DEPTH, checked on entry. */
static size_t walk(json_t *v, int depth)
{
    size_t n = 1;

    if (depth >= WALK_DEPTH) {
        return n;
    }
    if (json_is_object(v)) {
        const char *k;
        json_t *m;

        json_object_foreach(v, k, m)
        {
            (void)k;
            n += walk(m, depth + 1);
        }
    } else if (json_is_array(v)) {
        size_t i;
        json_t *m;

        json_array_foreach(v, i, m)
        {
            n += walk(m, depth + 1);
        }
    }
    return n;
}

static bool run_jansson(FILE *f, long size, size_t *values)
{
    char *buf = malloc((size_t)size + 1);
    json_error_t jerr;
    json_t *root = NULL;
    bool ok = false;

    if (buf == NULL || fread(buf, 1, (size_t)size, f) != (size_t)size) {
        goto out;
    }
    /* strict mode as we would use it: duplicate keys rejected */
    root = json_loadb(buf, (size_t)size, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL) {
        (void)fprintf(stderr, "bench_json_libs: jansson: %s at byte %d\n", jerr.text,
                      jerr.position);
        goto out;
    }
    *values = walk(root, 0);
    ok = true;
out:
    json_decref(root);
    free(buf);
    return ok;
}

static double now_seconds(void)
{
    struct timespec ts;

    (void)clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_seconds(void)
{
    struct timespec ts;

    (void)clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    const char *file = argc == 4 && strcmp(argv[2], "--lib") == 0 ? argv[1] : NULL;
    const char *lib = file != NULL ? argv[3] : "";
    FILE *f;
    long size;
    size_t count = 0;
    struct rusage ru;
    double t0;
    double c0;
    double dt;
    double dc;
    bool ok;

    if (file == NULL) {
        (void)fprintf(stderr, "usage: bench_json_libs FILE --lib yajl|mekong|jansson\n");
        return 2;
    }
    f = fopen(file, "rb");
    if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
        fseek(f, 0, SEEK_SET) != 0) {
        (void)fprintf(stderr, "bench_json_libs: %s: cannot read\n", file);
        return 1;
    }
    t0 = now_seconds();
    c0 = cpu_seconds();
    if (strcmp(lib, "yajl") == 0) {
        ok = run_yajl(f, &count);
    } else if (strcmp(lib, "mekong") == 0) {
        ok = run_mekong(f, &count);
    } else if (strcmp(lib, "jansson") == 0) {
        ok = run_jansson(f, size, &count);
    } else {
        (void)fprintf(stderr, "bench_json_libs: unknown --lib %s\n", lib);
        ok = false;
    }
    dt = now_seconds() - t0;
    dc = cpu_seconds() - c0;
    (void)fclose(f);
    if (!ok) {
        return 1;
    }
    (void)getrusage(RUSAGE_SELF, &ru);
    printf("lib=%s file=%s bytes=%ld count=%zu seconds=%.4f cpu_seconds=%.4f mbps=%.1f "
           "cpu_mbps=%.1f maxrss_kb=%ld\n",
           lib, file, size, count, dt, dc, (double)size / 1e6 / dt, (double)size / 1e6 / dc,
           ru.ru_maxrss);
    return 0;
}
