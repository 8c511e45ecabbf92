/*
 * src/cli/commands.h
 *
 * The command table of the pgpaimon binary. Each command is one entry with a
 * name, a one-line summary, a usage text and a run function; `pgpaimon --help`
 * and `pgpaimon CMD --help` are generated from it. Exit statuses follow
 * style.md §3.5 (PMN_EXIT_*).
 */
#ifndef PMN_CLI_COMMANDS_H
#define PMN_CLI_COMMANDS_H

enum {
    PMN_EXIT_OK = 0,
    PMN_EXIT_USAGE = 1,    /* bad arguments */
    PMN_EXIT_CONFIG = 2,   /* bad configuration */
    PMN_EXIT_SOURCE = 3,   /* PostgreSQL source error */
    PMN_EXIT_LAKE = 4,     /* lake I/O or corruption */
    PMN_EXIT_CONFLICT = 5, /* commit conflict that retries could not resolve */
    PMN_EXIT_INTERNAL = 12,
};

typedef struct pmn_command {
    const char *name;    /* word after `pgpaimon` */
    const char *summary; /* one line for `pgpaimon --help` */
    const char *usage;   /* full help text for `pgpaimon NAME --help`; NULL: the command prints
                            its own */
    int (*run)(int argc, char **argv); /* argv[0] is the command name */
} pmn_command;

int pmn_cli_main(int argc, char **argv);
/* pmn_cli_exit_code: map a PMN_E* code to an exit status. */
int pmn_cli_exit_code(int pmn_code);
/* pmn_cli_fail: print "pgpaimon: <msg>" from pmn_error_last() and return the exit status. */
int pmn_cli_fail(int pmn_code);
/* pmn_cli_wants_help: true if argv holds -h or --help. */
int pmn_cli_wants_help(int argc, char **argv);

/* One run function and usage text per command, in cmd_<name>.c. */
int pmn_cmd_table(int argc, char **argv);
extern const char pmn_usage_table[];
int pmn_cmd_tail(int argc, char **argv);
extern const char pmn_usage_tail[];
int pmn_cmd_sync_table(int argc, char **argv);    /* usage from sync/config.c */
int pmn_cmd_sync_database(int argc, char **argv);
int pmn_cmd_status(int argc, char **argv);
int pmn_cmd_drop_slot(int argc, char **argv);
extern const char pmn_usage_status[];
extern const char pmn_usage_drop_slot[];
int pmn_cmd_sql(int argc, char **argv);
extern const char pmn_usage_sql[];

#endif
