/*
 * src/cli/cmd_sync.c
 *
 * `pgpaimon postgres_sync_table` and `pgpaimon postgres_sync_database`: Paimon's
 * Flink actions with the same arguments (peers.md §1.2). SIGINT and SIGTERM
 * ask the job to finish its current transaction, commit and exit 0.
 */
#include "cli/commands.h"

#include "pmn/common.h"
#include "sync/config.h"
#include "sync/run.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static int run_action(pmn_sync_kind kind, int argc, char **argv)
{
    if (pmn_cli_wants_help(argc, argv)) {
        fputs(pmn_sync_config_usage(kind), stdout);
        return PMN_EXIT_OK;
    }
    pmn_sync_config cfg;
    int rc = pmn_sync_config_parse(kind, argc, argv, &cfg);
    if (rc) {
        fprintf(stderr, "pgpaimon: error: %s\n\n%s", pmn_error_last(),
                pmn_sync_config_usage(kind));
        pmn_sync_config_dispose(&cfg);
        return PMN_EXIT_USAGE;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    rc = pmn_sync_run(&cfg, &stop_requested);
    pmn_sync_config_dispose(&cfg);
    return rc ? pmn_cli_fail(rc) : PMN_EXIT_OK;
}

int pmn_cmd_sync_table(int argc, char **argv)
{
    return run_action(PMN_SYNC_TABLE, argc, argv);
}

int pmn_cmd_sync_database(int argc, char **argv)
{
    return run_action(PMN_SYNC_DATABASE, argc, argv);
}
