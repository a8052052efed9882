/* bench_stix: throughput and peak memory of mekong's STIX reader, validator and writer on
 * one file, printed as one `key=value` line for bench/run_stix.sh to aggregate:
 * `bench_stix FILE [--mode parse|validate|write] [--sort-keys]`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "base/base.h"
#include "stix/stix.h"

#define OUT_CAP        (1u << 30) /* one serialised object never comes near this */
#define DIAG_PRINT_MAX 5          /* first findings are shown, so a bad input is obvious */

enum mode { MODE_PARSE, MODE_VALIDATE, MODE_WRITE };

struct run {
    enum mode mode;
    bool sort_keys;
    struct mk_stix_validator v;
    struct mk_buf out;
    size_t out_bytes;
    size_t largest_out; /* largest object as compact JSON, bytes */
    double write_seconds;
    size_t diags_printed;
};

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

static void on_diag(void *ctx, const struct mk_stix_diag *d)
{
    struct run *run = ctx;

    if (run->diags_printed < DIAG_PRINT_MAX) {
        run->diags_printed++;
        (void)fprintf(stderr, "bench_stix: %s: %s: %s: %s\n",
                      d->severity == MK_STIX_ERROR ? "error" : "warning", d->id, d->path, d->msg);
    }
}

static enum mk_status on_object(void *ctx, const struct mk_json *obj, size_t index)
{
    struct run *run = ctx;
    struct mk_jw w;
    double t0;

    (void)index;
    switch (run->mode) {
    case MODE_PARSE:
        break;
    case MODE_VALIDATE:
        (void)mk_stix_validate_object(&run->v, obj);
        break;
    case MODE_WRITE:
        t0 = now_seconds();
        mk_buf_reset(&run->out);
        mk_jw_init(&w, &run->out, 0);
        mk_json_write(&w, obj, run->sort_keys);
        if (mk_jw_status(&w) != MK_OK) {
            return mk_jw_status(&w);
        }
        run->write_seconds += now_seconds() - t0;
        run->out_bytes += run->out.len;
        if (run->out.len > run->largest_out) {
            run->largest_out = run->out.len;
        }
        break;
    }
    return MK_OK;
}

static int usage(void)
{
    (void)fprintf(stderr, "usage: bench_stix FILE [--mode parse|validate|write] [--sort-keys]\n");
    return 2;
}

static bool parse_args(int argc, char **argv, const char **file, struct run *run)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--mode") == 0 && i + 1 < argc) {
            const char *m = argv[++i];

            if (strcmp(m, "parse") == 0) {
                run->mode = MODE_PARSE;
            } else if (strcmp(m, "validate") == 0) {
                run->mode = MODE_VALIDATE;
            } else if (strcmp(m, "write") == 0) {
                run->mode = MODE_WRITE;
            } else {
                return false;
            }
        } else if (strcmp(argv[i], "--sort-keys") == 0) {
            run->sort_keys = true;
        } else if (argv[i][0] != '-' && *file == NULL) {
            *file = argv[i];
        } else {
            return false;
        }
    }
    return *file != NULL;
}

int main(int argc, char **argv)
{
    static const char *const names[] = {"parse", "validate", "write"};
    struct run run = {.mode = MODE_PARSE};
    const char *file = NULL;
    struct mk_stix_reader *r = NULL;
    struct mk_error err;
    struct rusage ru;
    enum mk_status st;
    FILE *f = NULL;
    long size;
    double t0;
    double c0;
    double dt;
    double dc;
    int rc = 1;

    if (!parse_args(argc, argv, &file, &run)) {
        return usage();
    }
    mk_error_clear(&err);
    mk_buf_init(&run.out, OUT_CAP);
    mk_stix_validator_init(&run.v, on_diag, &run);
    f = fopen(file, "rb");
    if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
        fseek(f, 0, SEEK_SET) != 0) {
        (void)fprintf(stderr, "bench_stix: %s: cannot read\n", file);
        goto out;
    }
    r = mk_stix_reader_new(NULL, on_object, &run);
    if (r == NULL) {
        (void)fprintf(stderr, "bench_stix: out of memory\n");
        goto out;
    }
    t0 = now_seconds();
    c0 = cpu_seconds();
    st = mk_stix_reader_read_file(r, f, &err);
    dt = now_seconds() - t0;
    dc = cpu_seconds() - c0;
    if (st != MK_OK) {
        (void)fprintf(stderr, "bench_stix: %s: %s: %s\n", file, mk_status_str(st), err.msg);
        goto out;
    }
    (void)getrusage(RUSAGE_SELF, &ru);
    printf("mode=%s file=%s bytes=%ld objects=%zu seconds=%.4f cpu_seconds=%.4f mbps=%.1f "
           "cpu_mbps=%.1f maxrss_kb=%ld peak_object_bytes=%zu errors=%zu warnings=%zu",
           names[run.mode], file, size, mk_stix_reader_objects(r), dt, dc, (double)size / 1e6 / dt,
           (double)size / 1e6 / dc, ru.ru_maxrss, mk_stix_reader_peak_object_bytes(r), run.v.errors,
           run.v.warnings);
    if (run.mode == MODE_WRITE) {
        printf(" out_bytes=%zu write_seconds=%.4f write_mbps=%.1f largest_out=%zu", run.out_bytes,
               run.write_seconds, (double)run.out_bytes / 1e6 / run.write_seconds, run.largest_out);
    }
    printf("\n");
    rc = 0;
out:
    mk_stix_reader_free(r);
    if (f != NULL) {
        (void)fclose(f);
    }
    mk_stix_validator_fini(&run.v);
    mk_buf_fini(&run.out);
    return rc;
}
