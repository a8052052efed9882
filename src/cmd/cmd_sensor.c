/* `mekong sensor`: option parsing and wiring of the sensor runtime. */
#include "cmd/cmd.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sensor/sensor.h"

static const char sensor_help[] =
    "usage: mekong sensor (-r FILE... | -i IFACE) [options]\n\n"
    "Decodes traffic from capture files (pcap, pcapng, also gzip'ed) or a live\n"
    "interface, follows flows, extracts DNS, HTTP, TLS and QUIC metadata (SNI,\n"
    "JA3/JA3S, JA4, certificates, file hashes) and writes Suricata-compatible\n"
    "EVE JSON lines.\n\n"
    "input:\n"
    "  -r, --read FILE      capture file; repeat or list several to read in order\n"
    "  -i, --interface IF   live capture (needs CAP_NET_RAW)\n"
    "      --bpf EXPR       BPF filter, e.g. 'tcp port 443 or udp port 53'\n"
    "      --snaplen N      bytes kept per packet (default 262144)\n"
    "      --no-promisc     do not put the interface in promiscuous mode\n"
    "processing:\n"
    "      --threads N      worker threads (default 1; packets are spread by a\n"
    "                       symmetric flow hash)\n"
    "      --memcap MB      flow table and reassembly memory per worker (default 256)\n"
    "      --app-memcap MB  application-layer state per worker (default 512)\n"
    "indicators:\n"
    "      --indicators FILE  STIX 2.1 bundle, plain list, Maltrail trail or CSV;\n"
    "                       repeatable. Hits become 'alert' events. Reloaded on\n"
    "                       SIGUSR2 and when a file changes, without pausing.\n"
    "      --warning-list FILE  values never to alert on (e.g. top domains); repeatable\n"
    "      --home-net CIDR  the sensor's own addresses: never alert on them; repeatable\n"
    "      --no-default-warnings  also alert on private, loopback and link-local ranges\n"
    "      --alert-rate N   alerts per indicator per minute and worker (default 100; 0 = all)\n"
    "      --validity-at now|packet  judge valid_from/valid_until at the packet's time\n"
    "                       (default) or now (to hunt old captures with new indicators)\n"
    "output:\n"
    "  -o, --eve SPEC       EVE destination: a file (default eve.json), '-' for\n"
    "                       stdout, unix:PATH or unix-dgram:PATH for a socket\n"
    "      --types LIST     event types to write (default\n"
    "                       flow,dns,http,fileinfo,tls,quic,anomaly,stats,alert)\n"
    "      --http-headers   include all request and response headers in http events\n"
    "      --host NAME      sensor name written as \"host\" on every event\n"
    "      --stats-interval S  seconds between stats events (default 60; 0 = end only)\n"
    "      --no-progress    no progress bar on a terminal\n"
    "      --pidfile FILE   write the pid to FILE (for `mekong reload`)\n"
    "  -q, --quiet          no summary on stderr\n"
    "  -h, --help           this text\n\n"
    "Signals: SIGINT/SIGTERM stop and flush every open flow; SIGHUP reopens the EVE\n"
    "file (log rotation); SIGUSR2 reloads the indicators. Exit status: 0 done (a truncated capture "
    "is reported but\n"
    "is not an error), 2 usage error or unreadable input.\n";

enum {
    OPT_BPF = 256,
    OPT_SNAPLEN,
    OPT_NO_PROMISC,
    OPT_THREADS,
    OPT_MEMCAP,
    OPT_TYPES,
    OPT_HTTP_HEADERS,
    OPT_HOST,
    OPT_STATS_INTERVAL,
    OPT_NO_PROGRESS,
    OPT_APP_MEMCAP,
    OPT_INDICATORS,
    OPT_WARNING_LIST,
    OPT_HOME_NET,
    OPT_NO_DEFAULT_WARNINGS,
    OPT_ALERT_RATE,
    OPT_VALIDITY_AT,
    OPT_PIDFILE,
};

/* The lists options collect (capacity argc: each item is one argument). */
struct lists {
    const char **files;
    const char **indicators;
    const char **warnings;
    const char **home_net;
};

static bool parse_uint(const char *s, unsigned long max, unsigned long *out)
{
    char *end = NULL;
    unsigned long v = strtoul(s, &end, 10);

    if (end == s || *end != '\0' || v > max) {
        return false;
    }
    *out = v;
    return true;
}

/* "flow,dns,..." -> the eve config's switches. */
static bool parse_types(const char *list, struct mk_eve_config *eve)
{
    struct {
        const char *name;
        bool *flag;
    } types[] = {{"flow", &eve->flow},         {"dns", &eve->dns},     {"http", &eve->http},
                 {"fileinfo", &eve->fileinfo}, {"tls", &eve->tls},     {"quic", &eve->quic},
                 {"anomaly", &eve->anomaly},   {"stats", &eve->stats}, {"alert", &eve->alert}};

    const char *p = list;

    for (size_t i = 0; i < MK_ARRAY_LEN(types); i++) {
        *types[i].flag = false;
    }
    while (*p != '\0') {
        size_t n = strcspn(p, ",");
        bool found = false;

        for (size_t i = 0; i < MK_ARRAY_LEN(types); i++) {
            if (strlen(types[i].name) == n && strncmp(types[i].name, p, n) == 0) {
                *types[i].flag = true;
                found = true;
            }
        }
        if (!found) {
            (void)fprintf(stderr, "mekong sensor: unknown event type '%.*s'\n", (int)n, p);
            return false;
        }
        p += n + (p[n] == ',');
    }
    return true;
}

/* Applies one option; false on a bad value. */
static bool apply_list(struct mk_sensor_config *cfg, struct lists *l, int c, const char *arg)
{
    switch (c) {
    case 'r':
        l->files[cfg->n_files++] = arg;
        return true;
    case OPT_INDICATORS:
        l->indicators[cfg->n_indicator_files++] = arg;
        return true;
    case OPT_WARNING_LIST:
        l->warnings[cfg->n_warning_files++] = arg;
        return true;
    case OPT_HOME_NET:
        l->home_net[cfg->n_home_net++] = arg;
        return true;
    case OPT_NO_DEFAULT_WARNINGS:
        cfg->default_warnings = false;
        return true;
    case OPT_ALERT_RATE: {
        unsigned long v = 0;

        return parse_uint(arg, 1000000, &v) && (cfg->alert_rate = (unsigned)v, true);
    }
    case OPT_VALIDITY_AT:
        cfg->validity_now = strcmp(arg, "now") == 0;
        return cfg->validity_now || strcmp(arg, "packet") == 0;
    default:
        return false;
    }
}

static bool apply(struct mk_sensor_config *cfg, struct lists *l, int c, const char *arg)
{
    unsigned long v = 0;

    switch (c) {
    case 'r':
    case OPT_INDICATORS:
    case OPT_WARNING_LIST:
    case OPT_HOME_NET:
    case OPT_NO_DEFAULT_WARNINGS:
    case OPT_ALERT_RATE:
    case OPT_VALIDITY_AT:
        return apply_list(cfg, l, c, arg);
    case 'i':
        cfg->iface = arg;
        cfg->eve.iface = arg;
        return true;
    case 'o':
        cfg->eve_spec = arg;
        return true;
    case 'q':
        cfg->quiet = true;
        return true;
    case OPT_BPF:
        cfg->capture.bpf = arg;
        return true;
    case OPT_SNAPLEN:
        return parse_uint(arg, 262144, &v) && (cfg->capture.snaplen = (int)v, true);
    case OPT_NO_PROMISC:
        cfg->capture.promisc = false;
        return true;
    case OPT_THREADS:
        return parse_uint(arg, MK_SENSOR_MAX_THREADS, &v) && v > 0 &&
               (cfg->threads = (unsigned)v, true);
    case OPT_MEMCAP:
        return parse_uint(arg, 1u << 20, &v) && v > 0 && (cfg->flow.memcap = v << 20, true);
    case OPT_PIDFILE:
        cfg->pidfile = arg;
        return true;
    case OPT_APP_MEMCAP:
        return parse_uint(arg, 1u << 20, &v) && v > 0 && (cfg->app_memcap = v << 20, true);
    case OPT_TYPES:
        return parse_types(arg, &cfg->eve);
    case OPT_HTTP_HEADERS:
        cfg->eve.http_headers = true;
        return true;
    case OPT_HOST:
        cfg->eve.host = arg;
        return true;
    case OPT_STATS_INTERVAL:
        return parse_uint(arg, 86400, &v) && (cfg->stats_interval = (unsigned)v, true);
    case OPT_NO_PROGRESS:
        cfg->progress = false;
        return true;
    default:
        return false;
    }
}

/* Parses the command line into cfg; -1 to go on, else the exit code. */
static int parse_args(int argc, char **argv, struct mk_sensor_config *cfg, struct lists *l)
{
    static const struct option opts[] = {
        {"read", required_argument, NULL, 'r'},
        {"interface", required_argument, NULL, 'i'},
        {"eve", required_argument, NULL, 'o'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {"bpf", required_argument, NULL, OPT_BPF},
        {"snaplen", required_argument, NULL, OPT_SNAPLEN},
        {"no-promisc", no_argument, NULL, OPT_NO_PROMISC},
        {"threads", required_argument, NULL, OPT_THREADS},
        {"memcap", required_argument, NULL, OPT_MEMCAP},
        {"types", required_argument, NULL, OPT_TYPES},
        {"http-headers", no_argument, NULL, OPT_HTTP_HEADERS},
        {"host", required_argument, NULL, OPT_HOST},
        {"stats-interval", required_argument, NULL, OPT_STATS_INTERVAL},
        {"no-progress", no_argument, NULL, OPT_NO_PROGRESS},
        {"app-memcap", required_argument, NULL, OPT_APP_MEMCAP},
        {"indicators", required_argument, NULL, OPT_INDICATORS},
        {"warning-list", required_argument, NULL, OPT_WARNING_LIST},
        {"home-net", required_argument, NULL, OPT_HOME_NET},
        {"no-default-warnings", no_argument, NULL, OPT_NO_DEFAULT_WARNINGS},
        {"alert-rate", required_argument, NULL, OPT_ALERT_RATE},
        {"validity-at", required_argument, NULL, OPT_VALIDITY_AT},
        {"pidfile", required_argument, NULL, OPT_PIDFILE},
        {NULL, 0, NULL, 0}};
    int c;

    while ((c = getopt_long(argc, argv, "r:i:o:qh", opts, NULL)) != -1) {
        if (c == 'h') {
            (void)fputs(sensor_help, stdout);
            return MK_EXIT_OK;
        }
        if (!apply(cfg, l, c, optarg)) {
            if (c != '?') {
                (void)fprintf(stderr, "mekong sensor: bad value for an option: %s\n",
                              optarg != NULL ? optarg : "");
            }
            (void)fputs(sensor_help, stderr);
            return MK_EXIT_USAGE;
        }
    }
    /* files may also follow the options: mekong sensor -r a.pcap b.pcap */
    for (int i = optind; i < argc; i++) {
        l->files[cfg->n_files++] = argv[i];
    }
    if ((cfg->n_files == 0) == (cfg->iface == NULL)) {
        (void)fprintf(stderr, "mekong sensor: give capture files (-r) or one interface (-i)\n");
        (void)fputs(sensor_help, stderr);
        return MK_EXIT_USAGE;
    }
    if (cfg->eve_spec == NULL || strcmp(cfg->eve_spec, "-") == 0) {
        cfg->progress = false; /* keep the terminal for the events */
    }
    return -1;
}

int mk_cmd_sensor(int argc, char **argv)
{
    struct mk_sensor_config cfg;
    struct mk_sensor_totals totals;
    struct mk_error err;
    struct lists l = {
        .files = calloc((size_t)argc, sizeof(char *)),
        .indicators = calloc((size_t)argc, sizeof(char *)),
        .warnings = calloc((size_t)argc, sizeof(char *)),
        .home_net = calloc((size_t)argc, sizeof(char *)),
    };
    enum mk_status st = MK_OK;
    int rc;

    mk_sensor_config_init(&cfg);
    cfg.capture.promisc = true;
    cfg.progress = isatty(STDERR_FILENO) != 0;
    cfg.files = l.files;
    cfg.indicator_files = l.indicators;
    cfg.warning_files = l.warnings;
    cfg.home_net = l.home_net;
    if (l.files == NULL || l.indicators == NULL || l.warnings == NULL || l.home_net == NULL) {
        rc = MK_EXIT_USAGE;
        goto out;
    }
    rc = parse_args(argc, argv, &cfg, &l);
    if (rc >= 0) {
        goto out;
    }
    mk_error_clear(&err);
    mk_sensor_install_signals();
    st = mk_sensor_run(&cfg, &totals, &err);
    if (!cfg.quiet) {
        mk_sensor_print_summary(stderr, &totals);
    }
    rc = MK_EXIT_OK;
    if (st != MK_OK) {
        bool named = err.path[0] == '\0' || strstr(err.msg, err.path) != NULL;

        (void)fprintf(stderr, "mekong sensor: %s%s%s\n", named ? "" : err.path, named ? "" : ": ",
                      err.msg[0] != '\0' ? err.msg : mk_status_str(st));
        rc = MK_EXIT_USAGE;
    }
out:
    free(l.files);
    free(l.indicators);
    free(l.warnings);
    free(l.home_net);
    return rc;
}
