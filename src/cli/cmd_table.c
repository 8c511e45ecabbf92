/*
 * src/cli/cmd_table.c
 *
 * `pgpaimon table list|schema|snapshots|scan`: inspect and read lake tables.
 * Scripts and tests depend on these exact forms (issue 3 §9).
 */
#include "cli/commands.h"

#include "change/datum.h"
#include "paimon/data_type_json.h"
#include "pmn/pmn.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char pmn_usage_table[] =
    "usage: pgpaimon table list      --warehouse W [DB]\n"
    "       pgpaimon table schema    --warehouse W DB.TABLE\n"
    "       pgpaimon table snapshots --warehouse W DB.TABLE\n"
    "       pgpaimon table scan      --warehouse W DB.TABLE [--snapshot N | --timestamp-millis T "
    "| --tag NAME]\n"
    "       pgpaimon table check     --warehouse W DB.TABLE\n"
    "\n"
    "  list       databases of the warehouse, or the tables of DB\n"
    "  schema     the table's current schema (columns, keys, options)\n"
    "  snapshots  one line per snapshot: id, schema id, commit kind, time, record counts,\n"
    "             properties\n"
    "  scan       the table's merged rows as JSON Lines, one object per row; with --snapshot,\n"
    "             --timestamp-millis or --tag, as of that point (time travel)\n"
    "  check      verify the rules that make the table readable by Java Paimon; lists each\n"
    "             violation and exits 4 if there is any\n";

typedef struct table_args {
    const char *warehouse;
    const char *target; /* DB or DB.TABLE */
    int64_t snapshot;
    int64_t timestamp;
    const char *tag;
} table_args;

static int parse_int64(const char *flag, const char *s, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || end == s || v <= 0) {
        fprintf(stderr, "pgpaimon: %s expects a positive number, got \"%s\"\n", flag, s);
        return -1;
    }
    *out = v;
    return 0;
}

static int parse_args(int argc, char **argv, table_args *a)
{
    memset(a, 0, sizeof *a);
    for (int i = 2; i < argc; i++) {
        const char *arg = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(arg, "--warehouse") && val) {
            a->warehouse = val;
            i++;
        } else if (!strcmp(arg, "--snapshot") && val) {
            if (parse_int64(arg, val, &a->snapshot))
                return -1;
            i++;
        } else if (!strcmp(arg, "--timestamp-millis") && val) {
            if (parse_int64(arg, val, &a->timestamp))
                return -1;
            i++;
        } else if (!strcmp(arg, "--tag") && val) {
            a->tag = val;
            i++;
        } else if (arg[0] == '-') {
            fprintf(stderr, "pgpaimon table: unknown or incomplete option %s\n\n%s", arg,
                    pmn_usage_table);
            return -1;
        } else if (!a->target) {
            a->target = arg;
        } else {
            fprintf(stderr, "pgpaimon table: unexpected argument %s\n\n%s", arg, pmn_usage_table);
            return -1;
        }
    }
    if (!a->warehouse) {
        fprintf(stderr, "pgpaimon table: --warehouse is required\n\n%s", pmn_usage_table);
        return -1;
    }
    if ((a->snapshot > 0) + (a->timestamp > 0) + (a->tag != NULL) > 1) {
        fprintf(stderr, "pgpaimon table: give only one of --snapshot, --timestamp-millis, --tag\n");
        return -1;
    }
    return 0;
}

/* split_name: "db.table" into its parts (heap). */
static int split_name(const char *target, char **db, char **table)
{
    const char *dot = target ? strchr(target, '.') : NULL;
    if (!dot || dot == target || !dot[1]) {
        fprintf(stderr, "pgpaimon table: expected DB.TABLE, got \"%s\"\n",
                target ? target : "nothing");
        return -1;
    }
    *db = pmn_xstrndup(target, (size_t)(dot - target));
    *table = pmn_xstrdup(dot + 1);
    return 0;
}

static int open_table(const table_args *a, pmn_catalog **cat, pmn_table **t)
{
    char *db, *name;
    if (split_name(a->target, &db, &name))
        return PMN_EXIT_USAGE;
    int rc = pmn_catalog_open(a->warehouse, false, cat);
    if (rc == 0)
        rc = pmn_table_open(*cat, db, name, t);
    free(db);
    free(name);
    return rc ? pmn_cli_fail(rc) : 0;
}

static int cmd_list(const table_args *a)
{
    pmn_catalog *cat;
    int rc = pmn_catalog_open(a->warehouse, false, &cat);
    if (rc)
        return pmn_cli_fail(rc);
    char **names;
    size_t n;
    rc = a->target ? pmn_catalog_list_tables(cat, a->target, &names, &n)
                   : pmn_catalog_list_databases(cat, &names, &n);
    if (rc) {
        pmn_catalog_free(cat);
        return pmn_cli_fail(rc);
    }
    for (size_t i = 0; i < n; i++)
        printf("%s\n", names[i]);
    pmn_strings_free(names, n);
    pmn_catalog_free(cat);
    return 0;
}

static int cmd_schema(const table_args *a)
{
    pmn_catalog *cat = NULL;
    pmn_table *t = NULL;
    int rc = open_table(a, &cat, &t);
    if (rc) {
        pmn_catalog_free(cat);
        return rc;
    }
    const pmn_type *row = pmn_table_row_type(t);
    const char *const *keys;
    printf("table: %s\nschema id: %lld\ncolumns:\n", pmn_table_name(t),
           (long long)pmn_table_schema_id(t));
    for (int32_t i = 0; i < row->nfields; i++) {
        char *type = pmn_type_to_sql(row->fields[i].type);
        printf("  %-3d %-32s %s%s%s\n", row->fields[i].id, row->fields[i].name, type,
               row->fields[i].description ? "  -- " : "",
               row->fields[i].description ? row->fields[i].description : "");
        free(type);
    }
    size_t n = pmn_table_primary_keys(t, &keys);
    printf("primary key:");
    for (size_t i = 0; i < n; i++)
        printf("%s%s", i ? ", " : " ", keys[i]);
    n = pmn_table_partition_keys(t, &keys);
    printf("\npartition keys:");
    for (size_t i = 0; i < n; i++)
        printf("%s%s", i ? ", " : " ", keys[i]);
    printf("\noptions:\n");
    const pmn_kv *opts;
    n = pmn_table_options(t, &opts);
    for (size_t i = 0; i < n; i++)
        printf("  %s = %s\n", opts[i].key, opts[i].value);
    pmn_table_free(t);
    pmn_catalog_free(cat);
    return 0;
}

static void format_time(int64_t millis, char *out, size_t len)
{
    time_t secs = (time_t)(millis / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    char base[32];
    strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, len, "%s.%03dZ", base, (int)(millis % 1000));
}

static int cmd_snapshots(const table_args *a)
{
    pmn_catalog *cat = NULL;
    pmn_table *t = NULL;
    int rc = open_table(a, &cat, &t);
    if (rc) {
        pmn_catalog_free(cat);
        return rc;
    }
    int64_t earliest = 0, latest = 0;
    rc = pmn_table_earliest_snapshot(t, &earliest);
    if (rc == 0)
        rc = pmn_table_latest_snapshot(t, &latest);
    printf("%-8s %-6s %-10s %-25s %-12s %-12s %s\n", "id", "schema", "kind", "time",
           "total_rows", "delta_rows", "properties");
    for (int64_t id = earliest; rc == 0 && id > 0 && id <= latest; id++) {
        pmn_snapshot_info info;
        rc = pmn_table_snapshot(t, id, &info);
        if (rc)
            break;
        char when[48];
        format_time(info.time_millis, when, sizeof when);
        pmn_buf props = PMN_BUF_INIT;
        for (size_t i = 0; i < info.nproperties; i++)
            pmn_buf_printf(&props, "%s%s=%s", i ? " " : "", info.properties[i].key,
                           info.properties[i].value);
        printf("%-8lld %-6lld %-10s %-25s %-12lld %-12lld %s\n", (long long)info.id,
               (long long)info.schema_id, info.commit_kind, when,
               (long long)info.total_record_count, (long long)info.delta_record_count,
               pmn_buf_cstr(&props));
        pmn_buf_dispose(&props);
    }
    pmn_table_free(t);
    pmn_catalog_free(cat);
    return rc ? pmn_cli_fail(rc) : 0;
}

static int cmd_scan(const table_args *a)
{
    pmn_catalog *cat = NULL;
    pmn_table *t = NULL;
    int rc = open_table(a, &cat, &t);
    if (rc) {
        pmn_catalog_free(cat);
        return rc;
    }
    pmn_scan_options o = {.snapshot_id = a->snapshot, .timestamp_millis = a->timestamp,
                          .tag = a->tag};
    pmn_scan *s = NULL;
    rc = pmn_scan_open(t, &o, &s);
    pmn_buf line = PMN_BUF_INIT;
    const pmn_type *row = pmn_table_row_type(t);
    while (rc == 0) {
        const pmn_datum *vals;
        rc = pmn_scan_next(s, &vals);
        if (rc)
            break;
        pmn_buf_reset(&line);
        pmn_row_to_json(row, vals, &line);
        pmn_buf_putc(&line, '\n');
        fwrite(line.data, 1, line.len, stdout);
    }
    if (rc == PMN_ITEROVER)
        rc = 0;
    int exit_code = rc ? pmn_cli_fail(rc) : 0;
    pmn_buf_dispose(&line);
    pmn_scan_free(s);
    pmn_table_free(t);
    pmn_catalog_free(cat);
    if (fflush(stdout) != 0 && exit_code == 0)
        exit_code = PMN_EXIT_INTERNAL;
    return exit_code;
}

static int cmd_check(const table_args *a)
{
    pmn_catalog *cat = NULL;
    pmn_table *t = NULL;
    int rc = open_table(a, &cat, &t);
    if (rc) {
        pmn_catalog_free(cat);
        return rc;
    }
    char *report = NULL;
    size_t violations = 0;
    rc = pmn_table_check(t, &report, &violations);
    int exit_code = rc ? pmn_cli_fail(rc) : 0;
    if (rc == 0) {
        fputs(report, stdout);
        printf("%s: %zu violation%s\n", pmn_table_name(t), violations, violations == 1 ? "" : "s");
        if (violations)
            exit_code = PMN_EXIT_LAKE;
    }
    free(report);
    pmn_table_free(t);
    pmn_catalog_free(cat);
    return exit_code;
}

int pmn_cmd_table(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(pmn_usage_table, argc < 2 ? stderr : stdout);
        return argc < 2 ? PMN_EXIT_USAGE : 0;
    }
    table_args a;
    if (pmn_cli_wants_help(argc, argv)) {
        fputs(pmn_usage_table, stdout);
        return 0;
    }
    if (parse_args(argc, argv, &a))
        return PMN_EXIT_USAGE;
    const char *sub = argv[1];
    if (!strcmp(sub, "list"))
        return cmd_list(&a);
    if (!a.target) {
        fprintf(stderr, "pgpaimon table %s: DB.TABLE is required\n\n%s", sub, pmn_usage_table);
        return PMN_EXIT_USAGE;
    }
    if (!strcmp(sub, "schema"))
        return cmd_schema(&a);
    if (!strcmp(sub, "snapshots"))
        return cmd_snapshots(&a);
    if (!strcmp(sub, "scan"))
        return cmd_scan(&a);
    if (!strcmp(sub, "check"))
        return cmd_check(&a);
    fprintf(stderr, "pgpaimon table: unknown subcommand \"%s\"\n\n%s", sub, pmn_usage_table);
    return PMN_EXIT_USAGE;
}
