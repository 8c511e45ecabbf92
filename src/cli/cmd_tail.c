/*
 * src/cli/cmd_tail.c
 *
 * `pgpaimon tail`: follow a lake table's changes (pmn_stream) and print each
 * as a JSON object on its own line with a leading "_row_kind" (+I, -U, +U,
 * -D). With --consumer-id the progress is stored after each snapshot and
 * whenever the stream catches up, so a restarted tail continues where the
 * last one stopped (a snapshot cut short is printed again: at-least-once);
 * the starting position is stored when the stream opens (pmn_stream_open),
 * so expiry keeps the snapshot of a full phase however long printing it
 * takes, and a tail stopped mid-full-phase prints that full phase again.
 */
#include "cli/commands.h"

#include "change/datum.h"
#include "pmn/pmn.h"
#include "util/buf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char pmn_usage_tail[] =
    "usage: pgpaimon tail --warehouse W DB.TABLE [--mode MODE] [--snapshot N]\n"
    "                     [--timestamp-millis T] [--end-snapshot N] [--consumer-id ID]\n"
    "                     [--no-follow] [--poll-ms N]\n"
    "\n"
    "Print the table's changes as they are committed, one JSON object per line with a\n"
    "\"_row_kind\" field (+I, -U, +U, -D) before the columns.\n"
    "\n"
    "  --mode MODE        where to start (Paimon's scan.mode): latest-full (default: every\n"
    "                     current row as +I, then changes), latest, compacted-full (the\n"
    "                     latest compacted snapshot's rows, then changes), from-snapshot,\n"
    "                     from-snapshot-full (with --snapshot), from-timestamp (with\n"
    "                     --timestamp-millis), from-file-creation-time (the latest\n"
    "                     snapshot's files created at or after --timestamp-millis, else\n"
    "                     the table's scan.file-creation-time-millis, then changes),\n"
    "                     incremental (the changes of snapshots --snapshot < N <=\n"
    "                     --end-snapshot, then exit)\n"
    "  --consumer-id ID   store progress in the table's consumer/consumer-ID (from the start:\n"
    "                     the full phase's snapshot); a later tail with the same id resumes\n"
    "                     there, and snapshot expiry keeps what it has not read\n"
    "  --no-follow        exit once caught up with the latest snapshot\n"
    "  --poll-ms N        how often to look for new snapshots (default 1000)\n";

static int parse_num(const char *flag, const char *s, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || end == s || v < 0) {
        fprintf(stderr, "pgpaimon tail: %s expects a number, got \"%s\"\n", flag, s);
        return -1;
    }
    *out = v;
    return 0;
}

static const char *kind_name(pmn_row_kind k)
{
    switch (k) {
    case PMN_ROW_INSERT:
        return "+I";
    case PMN_ROW_UPDATE_BEFORE:
        return "-U";
    case PMN_ROW_UPDATE_AFTER:
        return "+U";
    case PMN_ROW_DELETE:
        return "-D";
    }
    return "?";
}

int pmn_cmd_tail(int argc, char **argv)
{
    if (pmn_cli_wants_help(argc, argv)) {
        fputs(pmn_usage_tail, stdout);
        return 0;
    }
    const char *warehouse = NULL, *target = NULL;
    pmn_stream_options so = {0};
    bool follow = true;
    int64_t poll_ms = 1000;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(arg, "--warehouse") && val) {
            warehouse = argv[++i];
        } else if (!strcmp(arg, "--mode") && val) {
            so.mode = argv[++i];
        } else if (!strcmp(arg, "--snapshot") && val) {
            if (parse_num(arg, argv[++i], &so.snapshot_id))
                return PMN_EXIT_USAGE;
        } else if (!strcmp(arg, "--end-snapshot") && val) {
            if (parse_num(arg, argv[++i], &so.end_snapshot_id))
                return PMN_EXIT_USAGE;
        } else if (!strcmp(arg, "--timestamp-millis") && val) {
            if (parse_num(arg, argv[++i], &so.timestamp_millis))
                return PMN_EXIT_USAGE;
        } else if (!strcmp(arg, "--consumer-id") && val) {
            so.consumer_id = argv[++i];
        } else if (!strcmp(arg, "--poll-ms") && val) {
            if (parse_num(arg, argv[++i], &poll_ms))
                return PMN_EXIT_USAGE;
        } else if (!strcmp(arg, "--no-follow")) {
            follow = false;
        } else if (arg[0] == '-' || target) {
            fprintf(stderr, "pgpaimon tail: unexpected argument %s\n\n%s", arg, pmn_usage_tail);
            return PMN_EXIT_USAGE;
        } else {
            target = arg;
        }
    }
    const char *dot = target ? strchr(target, '.') : NULL;
    if (!warehouse || !dot || dot == target || !dot[1]) {
        fprintf(stderr, "pgpaimon tail: --warehouse and DB.TABLE are required\n\n%s",
                pmn_usage_tail);
        return PMN_EXIT_USAGE;
    }
    char db[256];
    snprintf(db, sizeof db, "%.*s", (int)(dot - target), target);
    pmn_catalog *cat = NULL;
    pmn_table *t = NULL;
    pmn_stream *s = NULL;
    int rc = pmn_catalog_open(warehouse, false, &cat);
    if (rc == 0)
        rc = pmn_table_open(cat, db, dot + 1, &t);
    if (rc == 0)
        rc = pmn_stream_open(t, &so, &s);
    /* an incremental read is a bounded range: done once it is printed */
    const char *mode = so.mode ? so.mode : t ? pmn_table_option(t, "scan.mode") : NULL;
    if (mode && !strcmp(mode, "incremental"))
        follow = false;
    pmn_buf line = PMN_BUF_INIT;
    int64_t last_snapshot = -1;
    while (rc == 0) {
        pmn_row_kind kind;
        const pmn_datum *row;
        int64_t snap;
        rc = pmn_stream_next(s, &kind, &row, &snap);
        if (rc == PMN_ITEROVER) {
            rc = fflush(stdout) == 0 ? pmn_stream_checkpoint(s) : PMN_EIO;
            if (rc || !follow)
                break;
            usleep((useconds_t)(poll_ms * 1000));
            continue;
        }
        if (rc)
            break;
        if (snap != last_snapshot && last_snapshot >= 0) {
            /* the previous snapshot is printed completely */
            if (fflush(stdout) != 0) {
                rc = PMN_EIO;
                break;
            }
            rc = pmn_stream_checkpoint(s);
            if (rc)
                break;
        }
        last_snapshot = snap;
        pmn_buf_reset(&line);
        pmn_row_to_json(pmn_table_row_type(t), row, &line);
        printf("{\"_row_kind\":\"%s\"%s%s\n", kind_name(kind), line.len > 2 ? "," : "",
               pmn_buf_cstr(&line) + 1);
    }
    int exit_code = rc == PMN_ITEROVER || rc == 0           ? 0
                    : rc == PMN_EIO && !pmn_error_last()[0] ? PMN_EXIT_INTERNAL
                                                            : pmn_cli_fail(rc);
    pmn_buf_dispose(&line);
    pmn_stream_free(s);
    pmn_table_free(t);
    pmn_catalog_free(cat);
    return exit_code;
}
