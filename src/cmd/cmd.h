/* The mekong command: one entry per subcommand, option parsing and wiring only. */
#ifndef MK_CMD_H
#define MK_CMD_H

/* Exit codes shared by every subcommand. */
enum {
    MK_EXIT_OK = 0,      /* success; for validators: everything valid */
    MK_EXIT_INVALID = 1, /* the input was read but is not valid */
    MK_EXIT_USAGE = 2,   /* bad arguments, unreadable files */
};

struct mk_cmd {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);
};

int mk_cmd_stix(int argc, char **argv);
int mk_cmd_sensor(int argc, char **argv);
int mk_cmd_analyze(int argc, char **argv);
int mk_cmd_reload(int argc, char **argv);

#endif /* MK_CMD_H */
