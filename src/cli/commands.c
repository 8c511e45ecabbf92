/*
 * src/cli/commands.c
 *
 * Command dispatch, global flags and exit-status mapping for pgpaimon.
 */
#include "cli/commands.h"

#include "pmn/common.h"
#include "pmn/log.h"
#include "pmn_version.h"

#include <stdio.h>
#include <string.h>

/* One entry per command; the list ends with a NULL name. */
static const pmn_command commands[] = {
    {"table", "inspect, read, verify and maintain lake tables (scan, check, compact, expire, tags, ...)",
     pmn_usage_table, pmn_cmd_table},
    {"tail", "follow a lake table's changes as they commit (JSON Lines with _row_kind)",
     pmn_usage_tail, pmn_cmd_tail},
    {"postgres_sync_table", "stream PostgreSQL tables into Paimon tables (Paimon's action)", NULL,
     pmn_cmd_sync_table},
    {"postgres_sync_database", "stream every table of a PostgreSQL schema into Paimon", NULL,
     pmn_cmd_sync_database},
    {"status", "replication slots, WAL retained, and the lake position and lag of synced tables",
     pmn_usage_status, pmn_cmd_status},
    {"drop_slot", "drop a replication slot (refuses one in use)", pmn_usage_drop_slot,
     pmn_cmd_drop_slot},
    {"sql", "run Flink SQL-client statements on the lake (catalogs, DDL, SELECT, INSERT, time travel)", pmn_usage_sql, pmn_cmd_sql},
    {NULL, NULL, NULL, NULL},
};

static void print_main_help(FILE *out)
{
    fprintf(out, "pgpaimon %s: stream PostgreSQL tables into an Apache Paimon lake, and query it\n\n"
                 "usage: pgpaimon [-v|-vv|--quiet] COMMAND [ARGS...]\n"
                 "       pgpaimon COMMAND --help\n"
                 "       pgpaimon --version\n\ncommands:\n",
            PMN_VERSION_STRING);
    for (size_t i = 0; commands[i].name; i++)
        fprintf(out, "  %-24s %s\n", commands[i].name, commands[i].summary);
}

int pmn_cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
            return 1;
    return 0;
}

int pmn_cli_exit_code(int code)
{
    switch (code) {
    case PMN_OK:
        return PMN_EXIT_OK;
    case PMN_EINVALID:
        return PMN_EXIT_CONFIG;
    case PMN_ECONN:
    case PMN_EPG:
        return PMN_EXIT_SOURCE;
    case PMN_ENOTFOUND:
    case PMN_EEXISTS:
    case PMN_ECORRUPT:
    case PMN_EIO:
        return PMN_EXIT_LAKE;
    case PMN_ECONFLICT:
        return PMN_EXIT_CONFLICT;
    default:
        return PMN_EXIT_INTERNAL;
    }
}

int pmn_cli_fail(int code)
{
    const char *msg = pmn_error_last();
    fprintf(stderr, "pgpaimon: error: %s\n", msg && *msg ? msg : "unknown error");
    return pmn_cli_exit_code(code);
}

int pmn_cli_main(int argc, char **argv)
{
    int level = PMN_LOG_INFO;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (!strcmp(argv[i], "--version")) {
            printf("pgpaimon %s\n", PMN_VERSION_STRING);
            return PMN_EXIT_OK;
        } else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            print_main_help(stdout);
            return PMN_EXIT_OK;
        } else if (!strcmp(argv[i], "-v")) {
            level = PMN_LOG_DEBUG;
        } else if (!strcmp(argv[i], "-vv")) {
            level = PMN_LOG_TRACE;
        } else if (!strcmp(argv[i], "--quiet") || !strcmp(argv[i], "-q")) {
            level = PMN_LOG_WARN;
        } else {
            fprintf(stderr, "pgpaimon: unknown option %s\n", argv[i]);
            print_main_help(stderr);
            return PMN_EXIT_USAGE;
        }
    }
    pmn_log_set_level((pmn_log_level)level);
    pmn_log_set_sink(pmn_log_stderr_sink, NULL);
    if (i >= argc) {
        print_main_help(stderr);
        return PMN_EXIT_USAGE;
    }
    for (size_t c = 0; commands[c].name; c++) {
        if (strcmp(argv[i], commands[c].name) == 0) {
            if (commands[c].usage && pmn_cli_wants_help(argc - i, argv + i) && argc - i == 2) {
                fputs(commands[c].usage, stdout);
                return PMN_EXIT_OK;
            }
            return commands[c].run(argc - i, argv + i);
        }
    }
    fprintf(stderr, "pgpaimon: unknown command \"%s\"\n\n", argv[i]);
    print_main_help(stderr);
    return PMN_EXIT_USAGE;
}
