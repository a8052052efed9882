/* mekong: the command-line entry point; dispatches to one subcommand each. */
#include <stdio.h>
#include <string.h>

#include "base/base.h"
#include "cmd/cmd.h"

#ifndef MK_VERSION
#define MK_VERSION "0.1.0"
#endif

static const struct mk_cmd commands[] = {
    {"analyze", "match captures against indicators and print a report (start here)",
     mk_cmd_analyze},
    {"reload", "ask a running sensor to reload its indicators (as SIGUSR2)", mk_cmd_reload},
    {"sensor", "decode captures or an interface into EVE JSON (flow, dns, http, tls, quic)",
     mk_cmd_sensor},
    {"stix", "validate and format STIX 2.1 objects and bundles", mk_cmd_stix},
};

static void usage(FILE *out)
{
    (void)fprintf(out, "usage: mekong [--version] [--help] <command> [<args>]\n\n"
                       "mekong watches networks, grades what it sees and shares threat\n"
                       "intelligence between CERTs (STIX 2.1, TAXII 2.1, EVE JSON).\n\n"
                       "commands:\n");
    for (size_t i = 0; i < MK_ARRAY_LEN(commands); i++) {
        (void)fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    }
    (void)fprintf(out, "\n'mekong <command> --help' describes a command; docs/ has the manual.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return MK_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return MK_EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("mekong %s\n", MK_VERSION);
        return MK_EXIT_OK;
    }
    for (size_t i = 0; i < MK_ARRAY_LEN(commands); i++) {
        if (strcmp(argv[1], commands[i].name) == 0) {
            return commands[i].run(argc - 1, argv + 1);
        }
    }
    (void)fprintf(stderr, "mekong: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return MK_EXIT_USAGE;
}
