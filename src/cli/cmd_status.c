/*
 * src/cli/cmd_status.c
 *
 * `pgpaimon status` and `pgpaimon drop_slot`.
 */
#include "cli/commands.h"

#include "pmn/common.h"
#include "sync/status.h"

#include <stdio.h>
#include <string.h>

const char pmn_usage_status[] =
    "usage: pgpaimon status --postgres_conf hostname=H --postgres_conf port=P \\\n"
    "         --postgres_conf username=U --postgres_conf password=X \\\n"
    "         --postgres_conf database-name=D [--warehouse W]\n\n"
    "Every replication slot (plugin, active, pid, restart and confirmed LSN, WAL retained in\n"
    "bytes, wal_status) and, with --warehouse, every lake table with its latest snapshot (id,\n"
    "time), row and record count, stored source position and lag in bytes and seconds.\n";

const char pmn_usage_drop_slot[] =
    "usage: pgpaimon drop_slot SLOT --postgres_conf hostname=H --postgres_conf username=U ...\n\n"
    "Drops a replication slot. An active slot is refused with the PID of the process using it.\n";

/* parse_conf_args: --postgres_conf k=v (repeatable) and --warehouse W; others are errors. */
static int parse_conf_args(int argc, char **argv, pmn_options *conf, const char **warehouse,
                           const char **positional, const char *usage)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if ((!strcmp(a, "--postgres_conf") || !strcmp(a, "--warehouse")) && i + 1 < argc) {
            const char *v = argv[++i];
            if (!strcmp(a, "--warehouse")) {
                *warehouse = v;
                continue;
            }
            const char *eq = strchr(v, '=');
            if (!eq || eq == v) {
                fprintf(stderr, "pgpaimon: --postgres_conf expects key=value, got \"%s\"\n", v);
                return -1;
            }
            char key[128];
            snprintf(key, sizeof key, "%.*s", (int)(eq - v), v);
            pmn_options_set(conf, key, eq + 1);
        } else if (a[0] != '-' && positional && !*positional) {
            *positional = a;
        } else {
            fprintf(stderr, "pgpaimon: unexpected argument %s\n\n%s", a, usage);
            return -1;
        }
    }
    return 0;
}

int pmn_cmd_status(int argc, char **argv)
{
    pmn_options conf;
    pmn_options_init(&conf);
    const char *warehouse = NULL;
    int exit_code = PMN_EXIT_USAGE;
    if (parse_conf_args(argc, argv, &conf, &warehouse, NULL, pmn_usage_status) == 0) {
        pmn_buf out = PMN_BUF_INIT;
        int rc = pmn_sync_status(&conf, warehouse, &out);
        fputs(pmn_buf_cstr(&out), stdout);
        pmn_buf_dispose(&out);
        exit_code = rc ? pmn_cli_fail(rc) : PMN_EXIT_OK;
    }
    pmn_options_dispose(&conf);
    return exit_code;
}

int pmn_cmd_drop_slot(int argc, char **argv)
{
    pmn_options conf;
    pmn_options_init(&conf);
    const char *warehouse = NULL, *slot = NULL;
    int exit_code = PMN_EXIT_USAGE;
    if (parse_conf_args(argc, argv, &conf, &warehouse, &slot, pmn_usage_drop_slot) == 0) {
        if (!slot) {
            fprintf(stderr, "pgpaimon drop_slot: name the slot\n\n%s", pmn_usage_drop_slot);
        } else {
            int rc = pmn_sync_drop_slot(&conf, slot);
            if (rc == 0)
                printf("dropped replication slot \"%s\"\n", slot);
            exit_code = rc ? pmn_cli_fail(rc) : PMN_EXIT_OK;
        }
    }
    pmn_options_dispose(&conf);
    return exit_code;
}
