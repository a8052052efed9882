/* The sensor's indicator sets: built from the configured files and warning
 * lists at start, rebuilt on SIGUSR2 or when a file changes, and published to
 * the workers under RCU by a reload thread, so lookups never pause. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "sensor/sensor_int.h"

#define WARNING_LINE_MAX 4096

/* A warning list: one IP, CIDR, domain or URL per line, '#' comments. */
static enum mk_status load_warnings(struct mk_ioc_builder *b, const char *path,
                                    struct mk_error *err)
{
    FILE *f = fopen(path, "r");
    char line[WARNING_LINE_MAX];
    unsigned lineno = 0;
    unsigned bad = 0;

    if (f == NULL) {
        mk_error_set(err, path, "cannot open warning list: %s", strerror(errno));
        return MK_EIO;
    }
    while (fgets(line, sizeof(line), f) != NULL) {
        size_t n = strcspn(line, "#\r\n");
        enum mk_ioc_type type;
        enum mk_status st;
        struct mk_error e;

        lineno++;
        while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\t')) {
            n--;
        }
        if (n == 0) {
            continue;
        }
        mk_error_clear(&e);
        st = mk_ioc_guess_type(line, n, &type);
        if (st == MK_OK) {
            st = mk_ioc_builder_add_warning(b, type, line, n, &e);
        }
        if (st == MK_ENOMEM) {
            /* not the entry's fault: stop rather than run with a partial list */
            (void)fclose(f);
            mk_error_set(err, path, "out of memory at line %u", lineno);
            return st;
        }
        if (st != MK_OK && bad++ < 3) {
            mk_log(MK_LOG_WARN, "%s:%u: not a warning-list entry%s%s", path, lineno,
                   e.msg[0] != '\0' ? ": " : "", e.msg);
        }
    }
    (void)fclose(f);
    return MK_OK;
}

static void log_stats(const char *path, const struct mk_ioc_load_stats *s)
{
    mk_log(MK_LOG_INFO,
           "indicators: %s: %llu added, %llu duplicates, %llu invalid, %llu revoked, "
           "%llu expired, %llu public suffixes refused, %llu evaluated on demand only",
           path, (unsigned long long)s->added, (unsigned long long)s->duplicates,
           (unsigned long long)s->invalid, (unsigned long long)s->revoked,
           (unsigned long long)s->expired, (unsigned long long)s->public_suffix,
           (unsigned long long)s->on_demand);
}

static bool is_network(enum mk_ioc_type t)
{
    return t == MK_IOC_IPV4 || t == MK_IOC_IPV6 || t == MK_IOC_CIDR4 || t == MK_IOC_CIDR6;
}

static enum mk_status add_sources(struct mk_ioc_builder *b, const struct mk_sensor_config *cfg,
                                  struct mk_error *err)
{
    enum mk_status st = MK_OK;

    if (cfg->default_warnings && (st = mk_ioc_builder_add_default_warnings(b)) != MK_OK) {
        return st;
    }
    for (size_t i = 0; i < cfg->n_home_net; i++) {
        enum mk_ioc_type type;
        const char *net = cfg->home_net[i];

        st = mk_ioc_guess_type(net, strlen(net), &type);
        if (st == MK_OK && !is_network(type)) {
            st = MK_EINVAL; /* a domain or a hash, however well formed, is no network */
        }
        if (st == MK_OK) {
            st = mk_ioc_builder_add_warning(b, type, net, strlen(net), err);
        }
        if (st == MK_ENOMEM) {
            mk_error_set(err, net, "out of memory");
            return st;
        }
        if (st != MK_OK) {
            mk_error_set(err, net, "--home-net takes an address or a CIDR");
            return MK_EINVAL;
        }
    }
    for (size_t i = 0; i < cfg->n_warning_files && st == MK_OK; i++) {
        st = load_warnings(b, cfg->warning_files[i], err);
    }
    for (size_t i = 0; i < cfg->n_indicator_files && st == MK_OK; i++) {
        struct mk_ioc_load_stats stats;

        memset(&stats, 0, sizeof(stats));
        st = mk_ioc_load_file(b, cfg->indicator_files[i], NULL, &stats, err);
        if (st == MK_OK && !cfg->quiet) {
            log_stats(cfg->indicator_files[i], &stats);
        }
    }
    return st;
}

enum mk_status mk_indicators_build(const struct mk_sensor_config *cfg, struct mk_ioc_set **out,
                                   struct mk_error *err)
{
    struct mk_ioc_builder *b = mk_ioc_builder_new((int64_t)time(NULL));
    enum mk_status st;

    *out = NULL;
    if (b == NULL) {
        return MK_ENOMEM;
    }
    st = add_sources(b, cfg, err);
    if (st != MK_OK) {
        mk_ioc_builder_free(b);
        return st;
    }
    *out = mk_ioc_builder_finish(b);
    return *out != NULL ? MK_OK : MK_ENOMEM;
}

/* ---- reload thread -------------------------------------------------------------- */

static void *reload_main(void *arg)
{
    struct reloader *rl = arg;

    (void)pthread_mutex_lock(&rl->lock);
    for (;;) {
        struct mk_ioc_set *next = NULL;
        struct mk_error err;
        double t0;

        while (!rl->requested && !rl->stop) {
            (void)pthread_cond_wait(&rl->cond, &rl->lock);
        }
        if (rl->stop) {
            break;
        }
        rl->requested = false;
        (void)pthread_mutex_unlock(&rl->lock);
        t0 = (double)clock() / CLOCKS_PER_SEC;
        mk_error_clear(&err);
        if (mk_indicators_build(rl->cfg, &next, &err) == MK_OK) {
            size_t n = mk_ioc_set_count(next);

            mk_ioc_handle_publish(rl->handle, next); /* waits for the workers, frees the old */
            atomic_fetch_add(&rl->reloads, 1);
            atomic_store(&rl->indicators, n);
            mk_log(MK_LOG_INFO, "indicators reloaded: %zu in %.2f s of CPU", n,
                   (double)clock() / CLOCKS_PER_SEC - t0);
        } else {
            mk_log(MK_LOG_ERROR, "indicator reload failed, keeping the current set: %s%s%s",
                   err.path, err.path[0] != '\0' ? ": " : "", err.msg);
        }
        (void)pthread_mutex_lock(&rl->lock);
    }
    (void)pthread_mutex_unlock(&rl->lock);
    return NULL;
}

enum mk_status mk_reloader_start(struct reloader *rl, const struct mk_sensor_config *cfg,
                                 struct mk_ioc_handle *handle)
{
    memset(rl, 0, sizeof(*rl));
    rl->cfg = cfg;
    rl->handle = handle;
    if (pthread_mutex_init(&rl->lock, NULL) != 0 || pthread_cond_init(&rl->cond, NULL) != 0) {
        return MK_ENOMEM;
    }
    rl->mtimes = calloc(cfg->n_indicator_files + 1, sizeof(*rl->mtimes));
    if (rl->mtimes == NULL) {
        return MK_ENOMEM;
    }
    for (size_t i = 0; i < cfg->n_indicator_files; i++) {
        struct stat st;

        rl->mtimes[i] = stat(cfg->indicator_files[i], &st) == 0 ? st.st_mtime : 0;
    }
    if (pthread_create(&rl->thread, NULL, reload_main, rl) != 0) {
        free(rl->mtimes);
        rl->mtimes = NULL;
        return MK_ENOMEM;
    }
    rl->running = true;
    return MK_OK;
}

void mk_reloader_request(struct reloader *rl)
{
    (void)pthread_mutex_lock(&rl->lock);
    rl->requested = true;
    (void)pthread_cond_signal(&rl->cond);
    (void)pthread_mutex_unlock(&rl->lock);
}

/* Called about once a second: a changed indicator file triggers a reload. */
void mk_reloader_check_files(struct reloader *rl)
{
    bool changed = false;

    for (size_t i = 0; i < rl->cfg->n_indicator_files; i++) {
        struct stat st;
        time_t m = stat(rl->cfg->indicator_files[i], &st) == 0 ? st.st_mtime : 0;

        if (m != rl->mtimes[i]) {
            rl->mtimes[i] = m;
            changed = true;
        }
    }
    if (changed) {
        mk_log(MK_LOG_INFO, "an indicator file changed: reloading");
        mk_reloader_request(rl);
    }
}

void mk_reloader_stop(struct reloader *rl)
{
    if (!rl->running) {
        return;
    }
    (void)pthread_mutex_lock(&rl->lock);
    rl->stop = true;
    (void)pthread_cond_signal(&rl->cond);
    (void)pthread_mutex_unlock(&rl->lock);
    (void)pthread_join(rl->thread, NULL);
    (void)pthread_cond_destroy(&rl->cond);
    (void)pthread_mutex_destroy(&rl->lock);
    free(rl->mtimes);
    rl->mtimes = NULL;
    rl->running = false;
}
