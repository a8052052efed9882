/* `mekong analyze`: run the sensor over captures with indicators loaded and
 * print a report an analyst can act on. Option parsing and wiring only. */
#include "cmd/cmd.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sensor/sensor.h"

static const char analyze_help[] =
    "usage: mekong analyze CAPTURE... [--indicators FILE]... [options]\n\n"
    "Reads capture files (pcap, pcapng, also gzip'ed), matches every flow\n"
    "endpoint, DNS name and answer, HTTP host, URL and file hash, TLS/QUIC SNI and\n"
    "JA3/JA4 against the indicators, and prints a report: indicator hits grouped\n"
    "by indicator (first/last seen, counts, where they matched, which hosts),\n"
    "top talkers, DNS names, TLS server names, HTTP hosts and decode problems.\n\n"
    "  --indicators FILE    STIX 2.1 bundle, plain list, Maltrail trail or CSV\n"
    "                       (repeatable)\n"
    "  --eve FILE           also keep every EVE event (alerts included) in FILE\n"
    "  --json               print the report as JSON\n"
    "  --top N              rows in each top table (default 10)\n"
    "  --threads N          worker threads (default 1)\n"
    "  --warning-list FILE  values never to alert on (repeatable)\n"
    "  --home-net CIDR      your own addresses: never alert on them (repeatable)\n"
    "  --no-default-warnings  also alert on private and loopback ranges\n"
    "  --validity-at now|packet  judge indicator validity now (default: hunting old\n"
    "                       captures with current indicators) or at packet time\n"
    "  --fail-on-hit        exit 1 when any indicator matched (for scripts)\n"
    "  -h, --help           this text\n\n"
    "Exit status: 0 report written (with or without hits; see --fail-on-hit),\n"
    "1 with --fail-on-hit when an indicator matched, 2 usage error or unreadable input.\n";

enum {
    OPT_INDICATORS = 256,
    OPT_EVE,
    OPT_JSON,
    OPT_TOP,
    OPT_THREADS,
    OPT_WARNING_LIST,
    OPT_HOME_NET,
    OPT_NO_DEFAULT_WARNINGS,
    OPT_VALIDITY_AT,
    OPT_FAIL_ON_HIT,
};

struct analyze_args {
    struct mk_sensor_config cfg;
    struct mk_report_options report;
    const char **indicators;
    const char **warnings;
    const char **home_net;
    const char *eve;
    bool fail_on_hit;
};

static bool apply(struct analyze_args *a, int c, const char *arg)
{
    char *end = NULL;
    unsigned long v;

    switch (c) {
    case OPT_INDICATORS:
        a->indicators[a->cfg.n_indicator_files++] = arg;
        return true;
    case OPT_WARNING_LIST:
        a->warnings[a->cfg.n_warning_files++] = arg;
        return true;
    case OPT_HOME_NET:
        a->home_net[a->cfg.n_home_net++] = arg;
        return true;
    case OPT_NO_DEFAULT_WARNINGS:
        a->cfg.default_warnings = false;
        return true;
    case OPT_EVE:
        a->eve = arg;
        return true;
    case OPT_JSON:
        a->report.json = true;
        return true;
    case OPT_FAIL_ON_HIT:
        a->fail_on_hit = true;
        return true;
    case OPT_VALIDITY_AT:
        a->cfg.validity_now = strcmp(arg, "now") == 0;
        return a->cfg.validity_now || strcmp(arg, "packet") == 0;
    case OPT_TOP:
    case OPT_THREADS:
        v = strtoul(arg, &end, 10);
        if (end == arg || *end != '\0' || v == 0 || v > (c == OPT_TOP ? 10000u : 64u)) {
            return false;
        }
        if (c == OPT_TOP) {
            a->report.top = v;
        } else {
            a->cfg.threads = (unsigned)v;
        }
        return true;
    default:
        return false;
    }
}

/* -1 to go on, else the exit code. */
static int parse_args(int argc, char **argv, struct analyze_args *a)
{
    static const struct option opts[] = {
        {"indicators", required_argument, NULL, OPT_INDICATORS},
        {"eve", required_argument, NULL, OPT_EVE},
        {"json", no_argument, NULL, OPT_JSON},
        {"top", required_argument, NULL, OPT_TOP},
        {"threads", required_argument, NULL, OPT_THREADS},
        {"warning-list", required_argument, NULL, OPT_WARNING_LIST},
        {"home-net", required_argument, NULL, OPT_HOME_NET},
        {"no-default-warnings", no_argument, NULL, OPT_NO_DEFAULT_WARNINGS},
        {"validity-at", required_argument, NULL, OPT_VALIDITY_AT},
        {"fail-on-hit", no_argument, NULL, OPT_FAIL_ON_HIT},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    int c;

    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'h') {
            (void)fputs(analyze_help, stdout);
            return MK_EXIT_OK;
        }
        if (!apply(a, c, optarg)) {
            (void)fprintf(stderr, "mekong analyze: bad option or value\n%s", analyze_help);
            return MK_EXIT_USAGE;
        }
    }
    a->cfg.files = (const char *const *)(argv + optind);
    a->cfg.n_files = (size_t)(argc - optind);
    if (a->cfg.n_files == 0) {
        (void)fprintf(stderr, "mekong analyze: no capture given\n%s", analyze_help);
        return MK_EXIT_USAGE;
    }
    a->report.inputs = a->cfg.files;
    a->report.n_inputs = a->cfg.n_files;
    return -1;
}

/* Runs the sensor into the EVE file and prints the report from it. */
static int run(struct analyze_args *a, const char *eve_path)
{
    struct mk_sensor_totals totals;
    struct mk_error err;
    enum mk_status st;

    mk_error_clear(&err);
    a->cfg.eve_spec = eve_path;
    if (a->eve != NULL) {
        FILE *f = fopen(a->eve, "w"); /* this run's events only: start the file afresh */

        if (f == NULL || fclose(f) != 0) {
            (void)fprintf(stderr, "mekong analyze: %s: cannot write: %m\n", a->eve);
            return MK_EXIT_USAGE;
        }
    }
    mk_sensor_install_signals();
    st = mk_sensor_run(&a->cfg, &totals, &err);
    if (st == MK_OK) {
        st = mk_report_from_eve(eve_path, &totals, &a->report, stdout, &err);
    }
    if (st != MK_OK) {
        (void)fprintf(stderr, "mekong analyze: %s%s%s\n", err.path, err.path[0] != '\0' ? ": " : "",
                      err.msg[0] != '\0' ? err.msg : mk_status_str(st));
        return MK_EXIT_USAGE;
    }
    return a->fail_on_hit && totals.events[MK_EVE_ALERT] > 0 ? MK_EXIT_INVALID : MK_EXIT_OK;
}

int mk_cmd_analyze(int argc, char **argv)
{
    struct analyze_args a = {
        .indicators = calloc((size_t)argc, sizeof(char *)),
        .warnings = calloc((size_t)argc, sizeof(char *)),
        .home_net = calloc((size_t)argc, sizeof(char *)),
    };
    char tmp[] = "/tmp/mekong-analyze-XXXXXX";
    int rc = MK_EXIT_USAGE;
    int fd = -1;

    mk_sensor_config_init(&a.cfg);
    a.cfg.quiet = true; /* the report is the output */
    a.cfg.stats_interval = 0;
    a.cfg.validity_now = true;
    a.cfg.eve.http_headers = false;
    a.report = (struct mk_report_options){.top = 10, .max_keys = 1u << 20};
    a.cfg.indicator_files = a.indicators;
    a.cfg.warning_files = a.warnings;
    a.cfg.home_net = a.home_net;
    if (a.indicators == NULL || a.warnings == NULL || a.home_net == NULL) {
        goto out;
    }
    rc = parse_args(argc, argv, &a);
    if (rc >= 0) {
        goto out;
    }
    a.cfg.progress = isatty(STDERR_FILENO) != 0;
    if (a.eve == NULL) {
        fd = mkstemp(tmp); /* the events live only as long as the report needs them */
        if (fd < 0) {
            (void)fprintf(stderr, "mekong analyze: cannot create a temporary file: %m\n");
            rc = MK_EXIT_USAGE;
            goto out;
        }
    }
    rc = run(&a, a.eve != NULL ? a.eve : tmp);
out:
    if (fd >= 0) {
        (void)close(fd);
        (void)unlink(tmp);
    }
    free(a.indicators);
    free(a.warnings);
    free(a.home_net);
    return rc;
}
