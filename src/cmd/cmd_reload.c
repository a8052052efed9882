/* `mekong reload`: ask a running sensor to reload its indicator sets (the
 * same as SIGUSR2), by pid or through the sensor's --pidfile. */
#include "cmd/cmd.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char reload_help[] =
    "usage: mekong reload (--pidfile FILE | PID)\n\n"
    "Asks a running `mekong sensor` to rebuild its indicator sets from its\n"
    "--indicators files and swap them in without pausing (as SIGUSR2 does).\n"
    "The sensor writes its pid with `--pidfile FILE`. Exit status: 0 the request\n"
    "was delivered, 2 no such sensor or usage error.\n";

/* Reads a pid from a file written by `mekong sensor --pidfile`. */
static long read_pid(const char *path)
{
    FILE *f = fopen(path, "r");
    char line[32] = {0};
    char *end = NULL;
    long pid;

    if (f == NULL) {
        (void)fprintf(stderr, "mekong reload: %s: %s\n", path, strerror(errno));
        return -1;
    }
    if (fgets(line, sizeof(line), f) == NULL) {
        line[0] = '\0';
    }
    (void)fclose(f);
    pid = strtol(line, &end, 10);
    if (end == line || pid <= 1) {
        (void)fprintf(stderr, "mekong reload: %s: no pid in the file\n", path);
        return -1;
    }
    return pid;
}

int mk_cmd_reload(int argc, char **argv)
{
    long pid;
    char *end = NULL;

    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        (void)fputs(reload_help, stdout);
        return MK_EXIT_OK;
    }
    if (argc == 3 && strcmp(argv[1], "--pidfile") == 0) {
        pid = read_pid(argv[2]);
    } else if (argc == 2) {
        pid = strtol(argv[1], &end, 10);
        pid = end != argv[1] && *end == '\0' && pid > 1 ? pid : -1;
    } else {
        (void)fputs(reload_help, stderr);
        return MK_EXIT_USAGE;
    }
    if (pid < 0) {
        return MK_EXIT_USAGE;
    }
    if (kill((pid_t)pid, SIGUSR2) != 0) {
        (void)fprintf(stderr, "mekong reload: pid %ld: %s\n", pid, strerror(errno));
        return MK_EXIT_USAGE;
    }
    printf("mekong reload: asked pid %ld to reload its indicators\n", pid);
    return MK_EXIT_OK;
}
