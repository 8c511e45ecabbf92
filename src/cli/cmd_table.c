/*
 * src/cli/cmd_table.c
 *
 * `pgpaimon table list|schema|snapshots|scan|check`: inspect and read lake
 * tables; `compact|expire|remove-orphans|create-tag|delete-tag|tags|
 * set-option`: maintain them (issue 4). Scripts and tests depend on these
 * exact forms (issue 3 §9).
 */
#include "cli/commands.h"

#include "change/datum.h"
#include "paimon/data_type_json.h"
#include "paimon/options.h"
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
    "       pgpaimon table compact   --warehouse W DB.TABLE [--full]\n"
    "       pgpaimon table expire    --warehouse W DB.TABLE [--retain-min N] [--retain-max N]\n"
    "                                [--older-than DURATION] [--max-deletes N]\n"
    "       pgpaimon table remove-orphans --warehouse W DB.TABLE [--older-than DURATION]\n"
    "       pgpaimon table create-tag --warehouse W DB.TABLE NAME [--snapshot N]\n"
    "       pgpaimon table delete-tag --warehouse W DB.TABLE NAME\n"
    "       pgpaimon table tags      --warehouse W DB.TABLE\n"
    "       pgpaimon table set-option --warehouse W DB.TABLE KEY=VALUE... [--remove KEY]...\n"
    "\n"
    "  list       databases of the warehouse, or the tables of DB\n"
    "  schema     the table's current schema (columns, keys, options)\n"
    "  snapshots  one line per snapshot: id, schema id, commit kind, time, record counts,\n"
    "             properties\n"
    "  scan       the table's merged rows as JSON Lines, one object per row; with --snapshot,\n"
    "             --timestamp-millis or --tag, as of that point (time travel)\n"
    "  check      verify the rules that make the table readable by Java Paimon; lists each\n"
    "             violation and exits 4 if there is any\n"
    "  compact    compact what the table's compaction options pick (universal compaction for\n"
    "             primary-key tables, small-file merging for append tables) as one COMPACT\n"
    "             snapshot; --full rewrites every bucket to the top level, dropping deleted keys\n"
    "  expire     expire snapshots by snapshot.num-retained.min/.max, snapshot.time-retained\n"
    "             and snapshot.expire.limit (or, for this run, --retain-min, --retain-max,\n"
    "             --older-than, --max-deletes); files only expired snapshots used are\n"
    "             deleted; tagged snapshots and consumers' unread snapshots are kept\n"
    "  remove-orphans  delete files no snapshot or tag references (leftovers of crashed\n"
    "             writers) last modified more than DURATION ago (default 1 d; e.g. 2h, 30min)\n"
    "  create-tag tag the latest snapshot (or --snapshot N) as NAME; it survives expiry and is\n"
    "             read with scan --tag NAME\n"
    "  delete-tag remove the tag NAME\n"
    "  tags       one line per tag: name, snapshot id\n"
    "  set-option set (or --remove) table options in a new schema version; running writers\n"
    "             pick them up when they reopen the table\n";

typedef struct table_args {
    const char *warehouse;
    const char *target; /* DB or DB.TABLE */
    int64_t snapshot;
    int64_t timestamp;
    const char *tag;
    bool full;
    const char *older_than;
    const char *extra[64]; /* positional arguments after DB.TABLE */
    size_t nextra;
    const char *remove[64];
    size_t nremove;
    const char *retain_min, *retain_max, *max_deletes;
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
        } else if (!strcmp(arg, "--full")) {
            a->full = true;
        } else if (!strcmp(arg, "--older-than") && val) {
            a->older_than = val;
            i++;
        } else if (!strcmp(arg, "--retain-min") && val) {
            a->retain_min = val;
            i++;
        } else if (!strcmp(arg, "--retain-max") && val) {
            a->retain_max = val;
            i++;
        } else if (!strcmp(arg, "--max-deletes") && val) {
            a->max_deletes = val;
            i++;
        } else if (!strcmp(arg, "--remove") && val && a->nremove < 64) {
            a->remove[a->nremove++] = val;
            i++;
        } else if (arg[0] == '-') {
            fprintf(stderr, "pgpaimon table: unknown or incomplete option %s\n\n%s", arg,
                    pmn_usage_table);
            return -1;
        } else if (!a->target) {
            a->target = arg;
        } else if (a->nextra < 64) {
            a->extra[a->nextra++] = arg;
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

static int cmd_schema(const table_args *a, const char *sub, pmn_table *t)
{
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

static int cmd_snapshots(const table_args *a, const char *sub, pmn_table *t)
{
    int rc;
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
    return rc ? pmn_cli_fail(rc) : 0;
}

static int cmd_scan(const table_args *a, const char *sub, pmn_table *t)
{
    int rc;
    pmn_scan_options o = {.snapshot_id = a->snapshot, .timestamp_millis = a->timestamp,
                          .tag = a->tag};
    if (!a->snapshot && !a->timestamp && !a->tag)
        o.mode = pmn_table_batch_mode(t); /* as Java's batch scan */
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
    if (fflush(stdout) != 0 && exit_code == 0)
        exit_code = PMN_EXIT_INTERNAL;
    return exit_code;
}

static int cmd_check(const table_args *a, const char *sub, pmn_table *t)
{
    int rc;
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
    return exit_code;
}

static int cmd_compact(const table_args *a, const char *sub, pmn_table *t)
{
    int rc;
    int64_t snap = 0;
    rc = pmn_table_compact(t, a->full, &snap);
    int exit_code = rc ? pmn_cli_fail(rc) : 0;
    if (rc == 0 && snap > 0)
        printf("%s: compacted in snapshot %lld\n", pmn_table_name(t), (long long)snap);
    else if (rc == 0)
        printf("%s: nothing to compact\n", pmn_table_name(t));
    return exit_code;
}

static int cmd_expire(const table_args *a, const char *sub, pmn_table *t)
{
    int rc;
    pmn_kv over[4];
    size_t nover = 0;
    if (a->retain_min)
        over[nover++] = (pmn_kv){"snapshot.num-retained.min", a->retain_min};
    if (a->retain_max)
        over[nover++] = (pmn_kv){"snapshot.num-retained.max", a->retain_max};
    if (a->older_than)
        over[nover++] = (pmn_kv){"snapshot.time-retained", a->older_than};
    if (a->max_deletes)
        over[nover++] = (pmn_kv){"snapshot.expire.limit", a->max_deletes};
    /* one run removes at most snapshot.expire.limit snapshots: repeat until none go */
    pmn_expire_result total = {0}, r;
    do {
        rc = pmn_table_expire_with(t, over, nover, &r);
        total.snapshots_expired += r.snapshots_expired;
        total.data_files_deleted += r.data_files_deleted;
        total.manifests_deleted += r.manifests_deleted;
        total.earliest = r.earliest;
    } while (rc == 0 && r.snapshots_expired > 0);
    int exit_code = rc ? pmn_cli_fail(rc) : 0;
    if (rc == 0)
        printf("%s: expired %lld snapshots, deleted %lld data files and %lld manifests; "
               "earliest snapshot %lld\n",
               pmn_table_name(t), (long long)total.snapshots_expired,
               (long long)total.data_files_deleted, (long long)total.manifests_deleted,
               (long long)total.earliest);
    return exit_code;
}

static int cmd_remove_orphans(const table_args *a, const char *sub, pmn_table *t)
{
    int64_t older_than = 24LL * 3600 * 1000;
    if (a->older_than && pmn_parse_duration_ms(a->older_than, &older_than) != 0) {
        fprintf(stderr, "pgpaimon table remove-orphans: --older-than: %s\n", pmn_error_last());
        return PMN_EXIT_USAGE;
    }
    int rc;
    int64_t removed = 0;
    rc = pmn_table_remove_orphans(t, older_than, &removed);
    int exit_code = rc ? pmn_cli_fail(rc) : 0;
    if (rc == 0)
        printf("%s: removed %lld orphan files\n", pmn_table_name(t), (long long)removed);
    return exit_code;
}

static int cmd_tag(const table_args *a, const char *sub, pmn_table *t)
{
    bool list = !strcmp(sub, "tags");
    if (!list && a->nextra != 1) {
        fprintf(stderr, "pgpaimon table %s: NAME is required\n\n%s", sub, pmn_usage_table);
        return PMN_EXIT_USAGE;
    }
    int rc;
    if (list) {
        char **names;
        int64_t *ids;
        size_t n;
        rc = pmn_table_tags(t, &names, &ids, &n);
        if (rc == 0) {
            for (size_t i = 0; i < n; i++)
                printf("%s\t%lld\n", names[i], (long long)ids[i]);
            pmn_strings_free(names, n);
            free(ids);
        }
    } else if (!strcmp(sub, "create-tag")) {
        rc = pmn_table_create_tag(t, a->extra[0], a->snapshot);
    } else {
        rc = pmn_table_delete_tag(t, a->extra[0]);
    }
    int exit_code = rc ? pmn_cli_fail(rc) : 0;
    return exit_code;
}

static int cmd_set_option(const table_args *a, const char *sub, pmn_table *t)
{
    if (a->nextra + a->nremove == 0) {
        fprintf(stderr, "pgpaimon table set-option: KEY=VALUE or --remove KEY is required\n\n%s",
                pmn_usage_table);
        return PMN_EXIT_USAGE;
    }
    pmn_schema_change changes[128];
    char *keys[64];
    size_t n = 0;
    for (size_t i = 0; i < a->nextra; i++) {
        const char *eq = strchr(a->extra[i], '=');
        if (!eq || eq == a->extra[i]) {
            fprintf(stderr, "pgpaimon table set-option: expected KEY=VALUE, got \"%s\"\n",
                    a->extra[i]);
            for (size_t k = 0; k < n; k++)
                free(keys[k]);
            return PMN_EXIT_USAGE;
        }
        keys[n] = pmn_xstrndup(a->extra[i], (size_t)(eq - a->extra[i]));
        changes[n] = (pmn_schema_change){.kind = PMN_SCHEMA_SET_OPTION, .key = keys[n],
                                         .value = eq + 1};
        n++;
    }
    size_t nset = n;
    for (size_t i = 0; i < a->nremove; i++)
        changes[n++] = (pmn_schema_change){.kind = PMN_SCHEMA_REMOVE_OPTION, .key = a->remove[i]};
    int rc = pmn_table_alter(t, changes, n);
    rc = rc ? pmn_cli_fail(rc) : 0;
    if (rc == 0)
        printf("%s: schema %lld\n", pmn_table_name(t), (long long)pmn_table_schema_id(t));
    for (size_t k = 0; k < nset; k++)
        free(keys[k]);
    return rc;
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
    static const struct {
        const char *name;
        int (*run)(const table_args *a, const char *sub, pmn_table *t);
    } per_table[] = {
        {"schema", cmd_schema},       {"snapshots", cmd_snapshots},
        {"scan", cmd_scan},           {"check", cmd_check},
        {"compact", cmd_compact},     {"expire", cmd_expire},
        {"remove-orphans", cmd_remove_orphans}, {"create-tag", cmd_tag},
        {"delete-tag", cmd_tag},      {"tags", cmd_tag},
        {"set-option", cmd_set_option},
    };
    for (size_t i = 0; i < sizeof per_table / sizeof per_table[0]; i++) {
        if (strcmp(sub, per_table[i].name) != 0)
            continue;
        /* one place opens and closes the table for every subcommand */
        pmn_catalog *cat = NULL;
        pmn_table *t = NULL;
        int rc = open_table(&a, &cat, &t);
        if (rc == 0)
            rc = per_table[i].run(&a, sub, t);
        pmn_table_free(t);
        pmn_catalog_free(cat);
        return rc;
    }
    fprintf(stderr, "pgpaimon table: unknown subcommand \"%s\"\n\n%s", sub, pmn_usage_table);
    return PMN_EXIT_USAGE;
}
