/* `mekong stix validate|fmt`: check STIX 2.1 files against the specification's
 * rules, or rewrite them canonically. Streams, so bundles of any size work. */
#include "cmd/cmd.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/base.h"
#include "stix/stix.h"

#define CHUNK_SIZE      (256u << 10)
#define PROGRESS_MIN    (32u << 20) /* show a progress bar from this file size on */
#define OUT_FLUSH_BYTES (64u << 10)

/* ---- reading a file with an optional progress bar -------------------------- */

struct input {
    const char *name; /* as the user wrote it; "-" is stdin */
    FILE *f;
    size_t size; /* 0 when unknown (pipes) */
    size_t done;
    bool progress;
};

static bool input_open(struct input *in, const char *name)
{
    struct stat st;

    memset(in, 0, sizeof(*in));
    in->name = name;
    in->f = strcmp(name, "-") == 0 ? stdin : fopen(name, "rb");
    if (in->f == NULL) {
        return false;
    }
    if (fstat(fileno(in->f), &st) == 0 && S_ISREG(st.st_mode)) {
        in->size = (size_t)st.st_size;
    }
    in->progress = in->size >= PROGRESS_MIN && isatty(STDERR_FILENO);
    return true;
}

static void input_close(struct input *in)
{
    if (in->f != NULL && in->f != stdin) {
        (void)fclose(in->f);
    }
    if (in->progress) {
        (void)fprintf(stderr, "\r\033[K");
    }
}

static void progress(struct input *in)
{
    static const char bar[] = "##################################################";
    int pct;

    if (!in->progress) {
        return;
    }
    pct = (int)(in->done * 100 / in->size);
    (void)fprintf(stderr, "\r%s [%-50.*s] %3d%% %zu MB", in->name, pct / 2, bar, pct,
                  in->done >> 20);
}

/* Feeds the whole input to the reader; err says why when it fails. */
static enum mk_status read_all(struct input *in, struct mk_stix_reader *r, struct mk_error *err)
{
    uint8_t *buf = malloc(CHUNK_SIZE);
    enum mk_status st = MK_OK;
    size_t n;

    if (buf == NULL) {
        return MK_ENOMEM;
    }
    while ((n = fread(buf, 1, CHUNK_SIZE, in->f)) > 0) {
        st = mk_stix_reader_feed(r, buf, n, err);
        if (st != MK_OK) {
            goto out;
        }
        in->done += n;
        progress(in);
    }
    if (ferror(in->f)) {
        mk_error_set(err, "", "read error");
        st = MK_EIO;
        goto out;
    }
    st = mk_stix_reader_finish(r, err);
out:
    free(buf);
    return st;
}

static double now_seconds(void)
{
    struct timespec ts;

    (void)clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- validate -------------------------------------------------------------- */

struct validate_run {
    const char *file;
    bool strict;
    bool quiet;
    struct mk_stix_validator v;
};

static void print_diag(void *ctx, const struct mk_stix_diag *d)
{
    struct validate_run *run = ctx;
    bool is_error = d->severity == MK_STIX_ERROR || run->strict;

    if (!is_error && run->quiet) {
        return;
    }
    printf("%s: %s: %s: %s%s%s\n", run->file, is_error ? "error" : "warning", d->id, d->path,
           d->path[0] != '\0' ? ": " : "", d->msg);
}

static enum mk_status validate_one(void *ctx, const struct mk_json *obj, size_t index)
{
    struct validate_run *run = ctx;

    (void)index;
    (void)mk_stix_validate_object(&run->v, obj);
    return MK_OK;
}

static const char validate_help[] =
    "usage: mekong stix validate [--strict] [--quiet] [--stats] FILE...\n\n"
    "Checks STIX 2.1 bundles, single objects or arrays of objects against the\n"
    "specification's MUST rules (errors) and SHOULD rules (warnings). FILE '-'\n"
    "reads standard input. Bundles are streamed: memory stays bounded by the\n"
    "largest object, whatever the file size.\n\n"
    "  --strict   count warnings as errors\n"
    "  --quiet    print errors only, no warnings and no summary\n"
    "  --stats    print bytes, time, throughput and peak memory per file\n"
    "  -h, --help this text\n\n"
    "Each finding is one line:  FILE: error: OBJECT-ID: /json/pointer: message\n"
    "Exit status: 0 all valid, 1 some object invalid, 2 usage or unreadable input.\n";

/* Returns the exit code for one file. */
static int validate_file(const char *name, bool strict, bool quiet, bool stats)
{
    struct validate_run run = {.file = name, .strict = strict, .quiet = quiet};
    struct mk_error err;
    struct input in;
    struct mk_stix_reader *r;
    enum mk_status st;
    double t0 = now_seconds();
    size_t errors;

    mk_error_clear(&err);
    if (!input_open(&in, name)) {
        (void)fprintf(stderr, "mekong: %s: cannot open: %m\n", name);
        return MK_EXIT_USAGE;
    }
    mk_stix_validator_init(&run.v, print_diag, &run);
    r = mk_stix_reader_new(NULL, validate_one, &run);
    st = r == NULL ? MK_ENOMEM : read_all(&in, r, &err);
    input_close(&in);
    if (st == MK_OK && mk_stix_reader_envelope(r) != NULL) {
        (void)mk_stix_validate_bundle_envelope(&run.v, mk_stix_reader_envelope(r));
    }
    if (st != MK_OK) {
        printf("%s: error: %s%s%s\n", name, err.path, err.path[0] != '\0' ? ": " : "",
               err.msg[0] != '\0' ? err.msg : mk_status_str(st));
    }
    errors = run.v.errors + (strict ? run.v.warnings : 0) + (st != MK_OK);
    if (!quiet) {
        (void)fprintf(stderr, "%s: %zu objects, %zu errors, %zu warnings\n", name,
                      r != NULL ? mk_stix_reader_objects(r) : 0, run.v.errors, run.v.warnings);
    }
    if (stats && r != NULL) {
        double dt = now_seconds() - t0;

        (void)fprintf(stderr, "%s: %zu bytes in %.3f s, %.1f MB/s, peak object arena %zu bytes\n",
                      name, in.done, dt, dt > 0 ? (double)in.done / 1e6 / dt : 0.0,
                      mk_stix_reader_peak_object_bytes(r));
    }
    mk_stix_reader_free(r);
    mk_stix_validator_fini(&run.v);
    if (st == MK_EIO || st == MK_ENOMEM) {
        return MK_EXIT_USAGE;
    }
    return errors == 0 ? MK_EXIT_OK : MK_EXIT_INVALID;
}

static int cmd_validate(int argc, char **argv)
{
    static const struct option opts[] = {{"strict", no_argument, NULL, 's'},
                                         {"quiet", no_argument, NULL, 'q'},
                                         {"stats", no_argument, NULL, 'S'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    bool strict = false;
    bool quiet = false;
    bool stats = false;
    int rc = MK_EXIT_OK;
    int c;

    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 's':
            strict = true;
            break;
        case 'q':
            quiet = true;
            break;
        case 'S':
            stats = true;
            break;
        case 'h':
            (void)fputs(validate_help, stdout);
            return MK_EXIT_OK;
        default:
            (void)fputs(validate_help, stderr);
            return MK_EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        (void)fputs(validate_help, stderr);
        return MK_EXIT_USAGE;
    }
    for (int i = optind; i < argc; i++) {
        int one = validate_file(argv[i], strict, quiet, stats);

        rc = one > rc ? one : rc;
    }
    return rc;
}

/* ---- fmt ------------------------------------------------------------------- */

struct fmt_run {
    struct mk_stix_reader *reader;
    struct mk_buf out;
    struct mk_jw w;
    bool sort_keys;
    bool jsonl;
    bool opened; /* the envelope or array opener has been written */
    int indent;
};

static enum mk_status flush(struct fmt_run *run, bool force)
{
    enum mk_status st = mk_jw_status(&run->w);

    if (st != MK_OK) {
        return st;
    }
    if ((force || run->out.len >= OUT_FLUSH_BYTES) && run->out.len > 0) {
        if (fwrite(run->out.data, 1, run->out.len, stdout) != run->out.len) {
            return MK_EIO;
        }
        mk_buf_reset(&run->out);
    }
    return MK_OK;
}

/* Ends a document or JSON line; a failure is kept in the writer's sticky status. */
static void end_line(struct fmt_run *run)
{
    if (run->w.status == MK_OK) {
        run->w.status = mk_buf_putc(&run->out, '\n');
    }
}

static int member_cmp(const void *pa, const void *pb)
{
    const struct mk_json_member *a = *(const struct mk_json_member *const *)pa;
    const struct mk_json_member *b = *(const struct mk_json_member *const *)pb;

    return strcmp(a->key, b->key);
}

/* Writes the bundle's own members: before "objects" those of the head that
 * belong there (all of them in input order, those that sort first when
 * sorting); after it the rest, skipping what `skip` (the head) wrote early. */
static void write_envelope_members(struct fmt_run *run, const struct mk_json *env,
                                   const struct mk_json *skip, bool before_objects)
{
    const struct mk_json_member *order[64];
    size_t n = 0;

    for (uint32_t i = 0; env != NULL && i < env->len && n < MK_ARRAY_LEN(order); i++) {
        const struct mk_json_member *m = &env->u.members[i];
        bool sorts_before = strcmp(m->key, "objects") < 0;

        bool written_early =
            skip != NULL && mk_json_get(skip, m->key) != NULL && (!run->sort_keys || sorts_before);

        if (written_early || (run->sort_keys && before_objects && !sorts_before)) {
            continue;
        }
        order[n++] = m;
    }
    if (run->sort_keys) {
        qsort(order, n, sizeof(order[0]), member_cmp);
    }
    for (size_t i = 0; i < n; i++) {
        mk_jw_key(&run->w, order[i]->key, order[i]->key_len);
        mk_json_write(&run->w, &order[i]->value, run->sort_keys);
    }
}

static void open_document(struct fmt_run *run)
{
    if (run->opened || run->jsonl) {
        run->opened = true;
        return;
    }
    run->opened = true;
    if (mk_stix_reader_kind(run->reader) == MK_STIX_DOC_BUNDLE) {
        mk_jw_obj_open(&run->w);
        write_envelope_members(run, mk_stix_reader_envelope_head(run->reader), NULL, true);
        mk_jw_key_cstr(&run->w, "objects");
    }
    mk_jw_arr_open(&run->w);
}

static enum mk_status fmt_one(void *ctx, const struct mk_json *obj, size_t index)
{
    struct fmt_run *run = ctx;

    (void)index;
    if (mk_stix_reader_kind(run->reader) == MK_STIX_DOC_OBJECT) {
        mk_json_write(&run->w, obj, run->sort_keys);
        end_line(run);
        return flush(run, true);
    }
    open_document(run);
    if (run->jsonl) {
        mk_jw_init(&run->w, &run->out, 0);
        mk_json_write(&run->w, obj, run->sort_keys);
        end_line(run);
    } else {
        mk_json_write(&run->w, obj, run->sort_keys);
    }
    return flush(run, false);
}

static void close_document(struct fmt_run *run)
{
    enum mk_stix_doc_kind kind = mk_stix_reader_kind(run->reader);
    const struct mk_json *head = mk_stix_reader_envelope_head(run->reader);

    if (kind == MK_STIX_DOC_OBJECT || run->jsonl) {
        return;
    }
    if (kind == MK_STIX_DOC_BUNDLE && head == NULL) {
        /* a bundle without "objects": just the envelope */
        mk_json_write(&run->w, mk_stix_reader_envelope(run->reader), run->sort_keys);
        end_line(run);
        return;
    }
    open_document(run);
    mk_jw_arr_close(&run->w);
    if (kind == MK_STIX_DOC_BUNDLE) {
        const struct mk_json *env = mk_stix_reader_envelope(run->reader);

        /* the members already written before "objects" are those of the head
         * that sort before it; write all the others now */
        write_envelope_members(run, env, head, false);
        mk_jw_obj_close(&run->w);
    }
    end_line(run);
}

static const char fmt_help[] =
    "usage: mekong stix fmt [--compact | --jsonl] [--keep-order] FILE\n\n"
    "Writes a STIX file (bundle, object or array) to standard output in canonical\n"
    "form: object keys sorted (RFC 8785 order for ASCII keys), two-space indent,\n"
    "strings re-escaped minimally, numbers as written. Streams large bundles.\n\n"
    "  --compact     no whitespace\n"
    "  --jsonl       one compact object per line, without the bundle envelope\n"
    "  --keep-order  keep the keys in input order instead of sorting them\n"
    "  -h, --help    this text\n\n"
    "Exit status: 0 written, 1 the input is not valid JSON, 2 usage or I/O error.\n";

static int fmt_file(const char *name, int indent, bool jsonl, bool sort_keys)
{
    struct fmt_run run = {.sort_keys = sort_keys, .jsonl = jsonl, .indent = indent};
    struct mk_error err;
    struct input in;
    enum mk_status st;

    mk_error_clear(&err);
    if (!input_open(&in, name)) {
        (void)fprintf(stderr, "mekong: %s: cannot open: %m\n", name);
        return MK_EXIT_USAGE;
    }
    mk_buf_init(&run.out, SIZE_MAX / 2);
    mk_jw_init(&run.w, &run.out, jsonl ? 0 : indent);
    run.reader = mk_stix_reader_new(NULL, fmt_one, &run);
    st = run.reader == NULL ? MK_ENOMEM : read_all(&in, run.reader, &err);
    input_close(&in);
    if (st == MK_OK) {
        close_document(&run);
        st = flush(&run, true);
    }
    if (st != MK_OK) {
        (void)fprintf(stderr, "mekong: %s: %s%s%s\n", name, err.path,
                      err.path[0] != '\0' ? ": " : "",
                      err.msg[0] != '\0' ? err.msg : mk_status_str(st));
    }
    mk_stix_reader_free(run.reader);
    mk_buf_fini(&run.out);
    if (st == MK_OK) {
        return MK_EXIT_OK;
    }
    return st == MK_EINVAL || st == MK_ELIMIT ? MK_EXIT_INVALID : MK_EXIT_USAGE;
}

static int cmd_fmt(int argc, char **argv)
{
    static const struct option opts[] = {{"compact", no_argument, NULL, 'c'},
                                         {"jsonl", no_argument, NULL, 'l'},
                                         {"keep-order", no_argument, NULL, 'k'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    int indent = 2;
    bool jsonl = false;
    bool sort_keys = true;
    int c;

    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'c':
            indent = 0;
            break;
        case 'l':
            jsonl = true;
            break;
        case 'k':
            sort_keys = false;
            break;
        case 'h':
            (void)fputs(fmt_help, stdout);
            return MK_EXIT_OK;
        default:
            (void)fputs(fmt_help, stderr);
            return MK_EXIT_USAGE;
        }
    }
    if (optind + 1 != argc) {
        (void)fputs(fmt_help, stderr);
        return MK_EXIT_USAGE;
    }
    return fmt_file(argv[optind], indent, jsonl, sort_keys);
}

/* ---- dispatch -------------------------------------------------------------- */

static const char stix_help[] =
    "usage: mekong stix <validate|fmt> [options] FILE...\n\n"
    "  validate   check bundles and objects against STIX 2.1 (see --help)\n"
    "  fmt        write a bundle or object in canonical form\n";

int mk_cmd_stix(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        (void)fputs(stix_help, argc < 2 ? stderr : stdout);
        return argc < 2 ? MK_EXIT_USAGE : MK_EXIT_OK;
    }
    if (strcmp(argv[1], "validate") == 0) {
        return cmd_validate(argc - 1, argv + 1);
    }
    if (strcmp(argv[1], "fmt") == 0) {
        return cmd_fmt(argc - 1, argv + 1);
    }
    (void)fprintf(stderr, "mekong stix: unknown subcommand '%s'\n\n%s", argv[1], stix_help);
    return MK_EXIT_USAGE;
}
