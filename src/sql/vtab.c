/*
 * src/sql/vtab.c
 *
 * SQLite virtual-table module "paimon": reads a Paimon table through the lake
 * API (pmn_scan_*), pushing filters and projection down.
 *
 * USAGE
 *
 *   CREATE VIRTUAL TABLE temp."lake.products" USING paimon(
 *       catalog='paimon_catalog', database='lakehouse', table='products'
 *       [, system='snapshots']          -- a system table (sql/systab.h) instead of the data
 *       [, snapshot_id=3 | timestamp_millis=1737367200000 | tag='v1']  -- time travel
 *   );
 *   SELECT product_id, price FROM temp."lake.products" WHERE product_id = 'p1';
 *
 * `pgpaimon sql` creates one such table per distinct (table, time travel) a
 * statement names (sql/rewrite.c) and drops it after the statement, so each
 * statement sees the table's current schema. Without time travel the table
 * is pinned at connect time to the latest snapshot, so every scan of one
 * statement (self-joins, nested-loop lookups) reads the same snapshot. Time
 * travel to an instant before the table's first snapshot reads no rows (the
 * table was empty then); to a snapshot that has expired, it fails naming the
 * earliest snapshot left.
 *
 * Columns are the table's fields in schema order, with the declared types of
 * sql/value.h (first word = SQLite affinity, the rest = the Paimon type used
 * for printing). There are no hidden columns. System tables are computed in
 * memory when scanned.
 *
 * VALUES. DECIMAL(p,s) columns are REAL so `price < 50`, SUM(price) and
 * ORDER BY price work numerically (a TEXT decimal would compare as a string);
 * the declared type keeps p and s, and the printer (sql/output.c) formats a
 * column read straight from a table with exactly s decimals (99.90), so what
 * the user sees is exact for DECIMALs of up to 15 significant digits. Dates
 * and times are ISO text with one canonical form per instant (trailing zeros
 * of the fraction dropped), so =, < and BETWEEN against TIMESTAMP '...'
 * literals behave; ARRAY/MAP/ROW are JSON text. Details: sql/value.h.
 *
 * QUERY PLAN ENCODING (xBestIndex -> xFilter)
 *
 *   idxNum  number of constraint values passed in argv.
 *   idxStr  "<colUsed>" then one ";<column>:<op>" per pushed constraint, where
 *           <colUsed> is SQLite's column mask in hex (bit 63 = column 63 and up)
 *           and <op> is one of = < { > } (for =, <, <=, >, >=), each taking the
 *           next argv value, or n / N (IS NULL / IS NOT NULL), taking none.
 *
 * xFilter turns the constraints into pmn_filter (pruning partitions, buckets
 * and files by key range and stats) and the mask into the scan's projection
 * so only used columns are decoded. Constraints are never marked omitted:
 * lake filters only prune, SQLite re-checks every row. A constraint value that
 * does not convert exactly to the column type (2.5 against an INT column, 'x'
 * against a DATE) is simply not pushed down. LIMIT stops the scan early
 * because SQLite stops calling xNext.
 *
 * Costs: a full scan costs its row count (the snapshot's totalRecordCount);
 * equality on every primary-key column costs ~log2(rows) and returns one
 * row (SQLITE_INDEX_SCAN_UNIQUE), so a key join becomes a lookup per outer
 * row; equality on partition columns or range constraints on key columns cut
 * the estimate. A statement that looks keys up more than LOOKUP_CACHE_AFTER
 * times, or whose lookups have decoded a quarter of the table's rows, gets one
 * scan of the table into a hash by key (sql/lookup.h), keeping only the
 * columns its lookups use, and answers the remaining lookups from it: SQLite
 * has no hash join and makes no automatic index over a virtual table, so this
 * is what keeps a join of two large tables on their key from costing one lake
 * lookup per row.
 *
 * ROWS SQLITE NEVER SEES. Of the pushed constraints, those whose lake
 * comparison provably agrees with SQLite's (exact_check: integer, DECIMAL(p<=15)
 * and string-vs-TEXT comparisons under BINARY collation) are also applied to
 * each row in xNext, so a selective filter costs no xColumn calls per rejected
 * row. A scan that reads no column (COUNT(*)) with no constraint is answered
 * from manifest row counts when they provably equal the merged row count
 * (sql/count.h).
 */
#include "sql/vtab.h"

#include "change/datum.h"
#include "pmn/table.h"
#include "sql/auditlog.h"
#include "sql/count.h"
#include "sql/lookup.h"
#include "sql/systab.h"
#include "sql/value.h"
#include "util/alloc.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/error.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct module_aux {
    pmn_vtab_catalog_fn lookup; /* catalog name -> open catalog */
    void *arg;                  /* its argument */
    pmn_vtab_stats *stats;      /* totals of what scans read, or NULL */
} module_aux;

typedef struct paimon_vtab {
    sqlite3_vtab base;             /* Base class. Must be first */
    module_aux *aux;               /* the module's client data (borrowed) */
    pmn_table *table;              /* open table (owned) */
    char *system;                  /* system table kind or NULL for the data (owned) */
    bool audit;                    /* t$audit_log: rowkind + the data columns (sql/auditlog.h),
                                      read like the data (system stays NULL) */
    const pmn_systab_col *syscols; /* system table columns (static) */
    int ncols;                     /* number of SQL columns */
    int64_t snapshot_id;           /* snapshot to read (pinned or scan.snapshot-id); 0 = latest */
    int64_t timestamp_millis;      /* > 0: time travel by time */
    char *tag;                     /* non-NULL: time travel by tag (owned) */
    double est_rows;               /* estimated rows of a full scan */
    bool empty;                    /* time travel to before the first commit: no rows */
    char *mode;                    /* scan.mode of the read (hint, else the table's batch mode
                                      when the query names no snapshot), or NULL (owned) */
    int64_t file_creation_millis;  /* > 0: scan.file-creation-time-millis of a hint */
    bool *is_pk;                   /* per column: part of the primary key (owned) */
    bool *is_part;                 /* per column: a partition column (owned) */
    int npk;                       /* primary-key columns */
    int npart;                     /* partition columns */
    int *pk_order;             /* field index of each primary-key column, in key order (owned) */
    uint64_t key_lookups;      /* scans that bound every key column with = */
    pmn_lookup *cache;         /* rows hashed by key, after many lookups (owned; sql/lookup.h) */
    bool cache_failed;         /* the table was too large to cache: keep looking up */
    bool *cache_cols;          /* columns any key lookup of the statement used (owned) */
    uint64_t lookup_rows_read; /* rows decoded by key-lookup scans */
} paimon_vtab;

typedef struct paimon_cursor {
    sqlite3_vtab_cursor base; /* Base class. Must be first */
    pmn_scan *scan;           /* data scan, NULL for system tables or before xFilter */
    pmn_audit_scan *audit;    /* t$audit_log scan */
    pmn_row_kind kind;        /* row kind of the current t$audit_log row */
    const pmn_datum *row;     /* current data row (borrowed from scan) */
    pmn_systab_rows sys;      /* system table rows */
    size_t sysrow;            /* current system row */
    pmn_arena arena;          /* filter values of the current scan */
    sqlite3_int64 rowid;      /* position, from 1 */
    bool eof;                 /* past the last row */
    bool cached;              /* row came from the vtab's lookup cache: one row at most */
    bool lookup_scan;         /* the scan is a key lookup (its rows count for the cache) */
    pmn_filter *checks;       /* pushed constraints whose lake comparison agrees with SQLite's */
    size_t nchecks;           /*   (exact_check): the scan drops rows failing one */
    int64_t counted;          /* >= 0: a scan using no column (COUNT(*)) answered from the
                                 manifests (sql/count.h): this many rows remain, no values */
    int64_t count;            /* the row count, for the count column */
} paimon_cursor;

/* A statement that looks keys up more often than this switches to one scan into a hash
 * (sql/lookup.h), if the table has at most LOOKUP_CACHE_MAX_ROWS rows and the copy fits in
 * LOOKUP_CACHE_MAX_BYTES; otherwise every lookup stays a pruned lake scan. */
#define LOOKUP_CACHE_AFTER 64
#define LOOKUP_CACHE_MAX_ROWS 50e6
#define LOOKUP_CACHE_MAX_BYTES ((size_t)1 << 30)

static int set_error(sqlite3_vtab *tab, const char *msg)
{
    sqlite3_free(tab->zErrMsg);
    tab->zErrMsg = sqlite3_mprintf("%s", msg && *msg ? msg : "paimon: unknown error");
    return SQLITE_ERROR;
}

/* ---- connect ---- */

/* key='value' or key=value from a module argument; value unquoted into *out (caller frees). */
static bool arg_kv(const char *arg, const char *key, char **out)
{
    size_t n = strlen(key);
    while (*arg == ' ')
        arg++;
    if (strncmp(arg, key, n) != 0)
        return false;
    const char *p = arg + n;
    while (*p == ' ')
        p++;
    if (*p != '=')
        return false;
    p++;
    while (*p == ' ')
        p++;
    size_t len = strlen(p);
    while (len && p[len - 1] == ' ')
        len--;
    if (len >= 2 && (p[0] == '\'' || p[0] == '"') && p[len - 1] == p[0]) {
        char q = p[0];
        char *v = pmn_xmalloc(len);
        size_t o = 0;
        for (size_t i = 1; i + 1 < len; i++) {
            v[o++] = p[i];
            if (p[i] == q && p[i + 1] == q)
                i++;
        }
        v[o] = '\0';
        *out = v;
    } else {
        *out = pmn_xstrndup(p, len);
    }
    return true;
}

static void vtab_free(paimon_vtab *v)
{
    if (!v)
        return;
    pmn_lookup_free(v->cache);
    free(v->pk_order);
    free(v->cache_cols);
    pmn_table_free(v->table);
    free(v->system);
    free(v->tag);
    free(v->mode);
    free(v->is_pk);
    free(v->is_part);
    sqlite3_free(v->base.zErrMsg);
    free(v);
}

static int x_connect(sqlite3 *db, void *paux, int argc, const char *const *argv, sqlite3_vtab **out,
                     char **err)
{
    module_aux *aux = paux;
    char *catalog = NULL, *database = NULL, *table = NULL, *system = NULL, *tag = NULL;
    char *snap = NULL, *tsms = NULL, *fct = NULL, *mode = NULL;
    int rc = SQLITE_ERROR;
    paimon_vtab *v = NULL;
    pmn_buf decl = PMN_BUF_INIT;
    for (int i = 3; i < argc; i++) {
        char **slot = NULL;
        char *val = NULL;
        static const char *const keys[] = {
            "catalog",     "database",         "table", "system",
            "snapshot_id", "timestamp_millis", "tag",   "file_creation_millis",
            "mode"};
        char **slots[] = {&catalog, &database, &table, &system, &snap, &tsms, &tag, &fct, &mode};
        for (int k = 0; k < 9 && !slot; k++)
            if (arg_kv(argv[i], keys[k], &val))
                slot = slots[k];
        if (!slot) {
            *err = sqlite3_mprintf("paimon: unknown argument %s", argv[i]);
            goto out;
        }
        free(*slot);
        *slot = val;
    }
    if (!catalog || !database || !table) {
        *err = sqlite3_mprintf("paimon: catalog, database and table are required");
        goto out;
    }
    pmn_catalog *cat = aux->lookup(aux->arg, catalog);
    if (!cat) {
        *err = sqlite3_mprintf("Catalog '%s' does not exist", catalog);
        goto out;
    }
    v = pmn_xcalloc(1, sizeof *v);
    v->aux = aux;
    if (pmn_table_open(cat, database, table, &v->table) != 0) {
        *err = sqlite3_mprintf("%s", pmn_error_last());
        goto out;
    }
    v->snapshot_id = snap ? strtoll(snap, NULL, 10) : 0;
    v->timestamp_millis = tsms ? strtoll(tsms, NULL, 10) : 0;
    v->tag = tag;
    tag = NULL;
    /* a hint's scan.mode (sql/rewrite.c), or the mode the table's options ask for */
    v->file_creation_millis = fct ? strtoll(fct, NULL, 10) : 0;
    const char *table_mode = snap || tsms || v->tag ? NULL : pmn_table_batch_mode(v->table);
    if (mode)
        v->mode = pmn_xstrdup(mode);
    else if (v->file_creation_millis > 0)
        v->mode = pmn_xstrdup("from-file-creation-time");
    else if (table_mode)
        v->mode = pmn_xstrdup(table_mode);
    pmn_buf_puts(&decl, "CREATE TABLE x(");
    if (system && strcmp(system, "audit_log") == 0) {
        v->audit = true;
        pmn_buf_puts(&decl, "\"rowkind\" TEXT STRING, ");
        free(system);
        system = NULL;
    }
    if (system) {
        if (pmn_systab_columns(system, &v->syscols, &v->ncols) != 0) {
            *err = sqlite3_mprintf("%s", pmn_error_last());
            goto out;
        }
        v->system = system;
        system = NULL;
        for (int i = 0; i < v->ncols; i++)
            pmn_buf_printf(&decl, "%s\"%s\" %s", i ? ", " : "", v->syscols[i].name,
                           v->syscols[i].decltype);
    } else {
        const pmn_type *row = pmn_table_row_type(v->table);
        v->ncols = row->nfields + v->audit;
        v->is_pk = pmn_xcalloc((size_t)v->ncols + 1, sizeof(bool));
        v->is_part = pmn_xcalloc((size_t)v->ncols + 1, sizeof(bool));
        v->cache_cols = pmn_xcalloc((size_t)v->ncols + 1, sizeof(bool));
        const char *const *keys;
        size_t nk = pmn_table_primary_keys(v->table, &keys);
        v->pk_order = pmn_xcalloc(nk + 1, sizeof(int));
        for (size_t k = 0; k < nk; k++) {
            int f = pmn_type_find_field(row, keys[k]);
            if (f >= 0 && !v->is_pk[f]) {
                v->is_pk[f] = true;
                v->pk_order[v->npk++] = f;
            }
        }
        nk = pmn_table_partition_keys(v->table, &keys);
        for (size_t k = 0; k < nk; k++) {
            int f = pmn_type_find_field(row, keys[k]);
            if (f >= 0 && !v->is_part[f]) {
                v->is_part[f] = true;
                v->npart++;
            }
        }
        for (int i = 0; i < row->nfields; i++) {
            char *dt = pmn_sql_decltype(row->fields[i].type);
            pmn_buf_printf(&decl, "%s\"", i ? ", " : "");
            for (const char *p = row->fields[i].name; *p; p++) {
                if (*p == '"')
                    pmn_buf_putc(&decl, '"');
                pmn_buf_putc(&decl, (uint8_t)*p);
            }
            pmn_buf_printf(&decl, "\" %s", dt);
            free(dt);
        }
        if (!v->audit) /* the row count (sql/count.h), for COUNT(*) */
            pmn_buf_printf(&decl, ", \"%s\" INTEGER HIDDEN", PMN_SQL_COUNT_COLUMN);
        /* pin the latest snapshot so one statement reads one snapshot */
        if (!v->snapshot_id && !v->timestamp_millis && !v->tag &&
            pmn_table_latest_snapshot(v->table, &v->snapshot_id) != 0) {
            *err = sqlite3_mprintf("%s", pmn_error_last());
            goto out;
        }
        /* Before the first snapshot the table had no rows (Java Paimon 1.x reads nothing too).
         * When early snapshots have expired the lake's error names the earliest one left. */
        int64_t earliest = 0;
        pmn_snapshot_info first;
        if (v->timestamp_millis > 0 && pmn_table_earliest_snapshot(v->table, &earliest) == 0 &&
            earliest == 1 && pmn_table_snapshot(v->table, 1, &first) == 0 &&
            v->timestamp_millis < first.time_millis)
            v->empty = true;
        v->est_rows = 1e6;
        int64_t sid = v->snapshot_id;
        pmn_snapshot_info info;
        if (sid == 0 && !v->tag && !v->timestamp_millis)
            v->est_rows = 1; /* empty table */
        else if (sid > 0 && pmn_table_snapshot(v->table, sid, &info) == 0 &&
                 info.total_record_count >= 0)
            v->est_rows = info.total_record_count > 0 ? (double)info.total_record_count : 1;
    }
    pmn_buf_puts(&decl, ")");
    if (sqlite3_declare_vtab(db, pmn_buf_cstr(&decl)) != SQLITE_OK) {
        *err = sqlite3_mprintf("paimon: cannot declare %s: %s", pmn_buf_cstr(&decl),
                               sqlite3_errmsg(db));
        goto out;
    }
    *out = &v->base;
    v = NULL;
    rc = SQLITE_OK;
out:
    vtab_free(v);
    pmn_buf_dispose(&decl);
    free(catalog);
    free(database);
    free(table);
    free(system);
    free(tag);
    free(snap);
    free(tsms);
    free(fct);
    free(mode);
    return rc;
}

static int x_disconnect(sqlite3_vtab *tab)
{
    vtab_free((paimon_vtab *)tab);
    return SQLITE_OK;
}

/* ---- planning ---- */

static char op_code(unsigned char op)
{
    switch (op) {
    case SQLITE_INDEX_CONSTRAINT_EQ:
        return '=';
    case SQLITE_INDEX_CONSTRAINT_LT:
        return '<';
    case SQLITE_INDEX_CONSTRAINT_LE:
        return '{';
    case SQLITE_INDEX_CONSTRAINT_GT:
        return '>';
    case SQLITE_INDEX_CONSTRAINT_GE:
        return '}';
    case SQLITE_INDEX_CONSTRAINT_ISNULL:
        return 'n';
    case SQLITE_INDEX_CONSTRAINT_ISNOTNULL:
        return 'N';
    default:
        return 0;
    }
}

static int x_best_index(sqlite3_vtab *tab, sqlite3_index_info *info)
{
    paimon_vtab *v = (paimon_vtab *)tab;
    if (v->system) {
        info->estimatedCost = 100;
        info->estimatedRows = 100;
        return SQLITE_OK;
    }
    if (v->audit) {
        info->estimatedCost = 10 + v->est_rows;
        info->estimatedRows = (sqlite3_int64)v->est_rows;
        return SQLITE_OK;
    }
    pmn_buf plan = PMN_BUF_INIT;
    pmn_buf_printf(&plan, "%llx", (unsigned long long)info->colUsed);
    int nargs = 0, pk_eq = 0, part_eq = 0, key_range = 0;
    bool *seen_pk = pmn_xcalloc((size_t)v->ncols + 1, sizeof(bool));
    bool *seen_part = pmn_xcalloc((size_t)v->ncols + 1, sizeof(bool));
    for (int i = 0; i < info->nConstraint; i++) {
        const struct sqlite3_index_constraint *c = &info->aConstraint[i];
        if (!c->usable || c->iColumn < 0 || c->iColumn >= v->ncols)
            continue;
        char code = op_code(c->op);
        if (!code)
            continue;
        /* lake comparisons are binary: a constraint under another collation (NOCASE ...)
         * must not prune */
        const char *coll = sqlite3_vtab_collation(info, i);
        if (code != 'n' && code != 'N' && coll && sqlite3_stricmp(coll, "BINARY") != 0)
            continue;
        pmn_buf_printf(&plan, ";%d:%c", c->iColumn, code);
        if (code != 'n' && code != 'N') {
            info->aConstraintUsage[i].argvIndex = ++nargs;
            info->aConstraintUsage[i].omit = 0;
        }
        if (code == '=' && v->is_pk[c->iColumn] && !seen_pk[c->iColumn]) {
            seen_pk[c->iColumn] = true;
            pk_eq++;
        }
        if (code == '=' && v->is_part[c->iColumn] && !seen_part[c->iColumn]) {
            seen_part[c->iColumn] = true;
            part_eq++;
        }
        if (code != '=' && v->is_pk[c->iColumn])
            key_range = 1;
    }
    free(seen_pk);
    free(seen_part);
    double rows = v->est_rows;
    if (v->npk > 0 && pk_eq == v->npk) {
        info->estimatedRows = 1;
        info->estimatedCost = 10 + log2(rows + 1);
        info->idxFlags |= SQLITE_INDEX_SCAN_UNIQUE;
    } else {
        if (part_eq > 0 && part_eq == v->npart)
            rows /= 10;
        if (pk_eq > 0 || key_range)
            rows /= 4;
        info->estimatedRows = (sqlite3_int64)(rows < 1 ? 1 : rows);
        info->estimatedCost = 10 + rows;
    }
    info->idxNum = nargs;
    info->idxStr = sqlite3_mprintf("%s", pmn_buf_cstr(&plan));
    info->needToFreeIdxStr = 1;
    pmn_buf_dispose(&plan);
    return SQLITE_OK;
}

/* ---- cursor ---- */

static int x_open(sqlite3_vtab *tab, sqlite3_vtab_cursor **out)
{
    paimon_cursor *c = pmn_xcalloc(1, sizeof *c);
    c->counted = -1;
    pmn_arena_init(&c->arena);
    *out = &c->base;
    return SQLITE_OK;
}

static void cursor_reset(paimon_cursor *c)
{
    paimon_vtab *v = (paimon_vtab *)c->base.pVtab;
    pmn_vtab_stats *st = v->aux->stats;
    if (c->scan) {
        uint64_t files, rows;
        pmn_scan_stats(c->scan, &files, &rows);
        if (c->lookup_scan)
            v->lookup_rows_read += rows;
        if (st) {
            st->scans++;
            st->files_read += files;
            st->rows_read += rows;
        }
    }
    c->lookup_scan = false;
    pmn_scan_free(c->scan);
    c->scan = NULL;
    pmn_audit_free(c->audit);
    c->audit = NULL;
    c->row = NULL;
    pmn_systab_rows_dispose(&c->sys);
    c->sysrow = 0;
    c->rowid = 0;
    c->eof = true;
    c->cached = false;
    c->checks = NULL;
    c->nchecks = 0;
    c->counted = -1;
    pmn_arena_reset(&c->arena);
}

static int x_close(sqlite3_vtab_cursor *cur)
{
    paimon_cursor *c = (paimon_cursor *)cur;
    cursor_reset(c);
    pmn_arena_free(&c->arena);
    free(c);
    return SQLITE_OK;
}

/* exact_check: whether comparing the lake value of type t with the converted constraint value
 * (pmn_datum_compare) gives what SQLite's comparison of the column with `val` gives, for every
 * non-NULL column value, so fetch can drop failing rows before SQLite sees them. True for
 * integer columns, for DECIMALs of up to 15 digits (exact in a double) and for strings compared
 * with a TEXT value (a number against a TEXT column may compare numerically in SQLite). A NULL
 * column value fails every comparison in SQLite too. */
static bool exact_check(const pmn_type *t, sqlite3_value *val)
{
    switch (t->root) {
    case PMN_TYPE_TINYINT:
    case PMN_TYPE_SMALLINT:
    case PMN_TYPE_INT:
    case PMN_TYPE_BIGINT:
        return true;
    case PMN_TYPE_DECIMAL:
        return t->precision <= 15;
    case PMN_TYPE_CHAR:
    case PMN_TYPE_VARCHAR:
        return sqlite3_value_type(val) == SQLITE_TEXT;
    default:
        return false;
    }
}

static int fetch(paimon_cursor *c)
{
    paimon_vtab *v = (paimon_vtab *)c->base.pVtab;
    if (v->system) {
        if (c->rowid > 0)
            c->sysrow++;
        c->eof = c->sysrow >= c->sys.nrows;
        c->rowid++;
        return SQLITE_OK;
    }
    if (c->cached) {
        c->eof = true; /* a key lookup in the cache has one row at most */
        return SQLITE_OK;
    }
    if (c->counted >= 0) {
        c->eof = c->counted == 0;
        if (c->counted > 0)
            c->counted--;
        c->rowid++;
        return SQLITE_OK;
    }
    int rc;
    if (c->audit) {
        rc = pmn_audit_next(c->audit, &c->kind, &c->row);
    } else {
        rc = pmn_scan_next(c->scan, &c->row); /* rows failing c->checks never come back */
    }
    if (rc == PMN_ITEROVER) {
        c->eof = true;
        return SQLITE_OK;
    }
    if (rc != 0)
        return set_error(&v->base, pmn_error_last());
    c->rowid++;
    return SQLITE_OK;
}

/* A scan whose filters bind every primary-key column with =: count it, build the lookup cache
 * once the statement has done LOOKUP_CACHE_AFTER of them (or they decoded a quarter of the
 * table), and answer from the cache when it holds the needed columns. Returns true when the cursor
 * is positioned from the cache. */
static bool key_lookup(paimon_cursor *c, paimon_vtab *v, const pmn_filter *filters, size_t nfilters,
                       const int *proj, size_t nproj, const pmn_scan_options *opts)
{
    pmn_datum key[64];
    if (v->npk > 64)
        return false;
    for (int k = 0; k < v->npk; k++) {
        size_t f = 0;
        while (f < nfilters &&
               !(filters[f].op == PMN_FILTER_EQ && filters[f].field == v->pk_order[k]))
            f++;
        if (f == nfilters)
            return false;
        key[k] = filters[f].value;
    }
    v->key_lookups++;
    c->lookup_scan = true;
    bool *cols = pmn_arena_alloc(&c->arena, (size_t)v->ncols + 1);
    for (size_t i = 0; i < nproj; i++)
        cols[proj[i]] = true;
    if (v->cache && !pmn_lookup_covers(v->cache, cols, v->ncols) && !v->cache_failed) {
        /* another cursor of the statement needs more columns: rebuild with all of them */
        pmn_lookup_free(v->cache);
        v->cache = NULL;
    }
    for (int i = 0; i < v->ncols; i++)
        v->cache_cols[i] |= cols[i];
    /* lookups so far cost a quarter of a full scan, or there were many: one scan is cheaper */
    bool due = v->key_lookups > LOOKUP_CACHE_AFTER ||
               (v->key_lookups > 4 && (double)v->lookup_rows_read >= v->est_rows / 4);
    if (!v->cache && !v->cache_failed && due && v->est_rows <= LOOKUP_CACHE_MAX_ROWS) {
        if (pmn_lookup_build(v->table, opts, v->cache_cols, LOOKUP_CACHE_MAX_BYTES, &v->cache) !=
            0) {
            v->cache = NULL;
            v->cache_failed = true;
            pmn_error_clear();
        }
    }
    if (!v->cache || !pmn_lookup_covers(v->cache, cols, v->ncols))
        return false;
    c->lookup_scan = false;
    pmn_datum *out = pmn_arena_alloc(&c->arena, sizeof(pmn_datum) * ((size_t)v->ncols + 1));
    c->eof = !pmn_lookup_find(v->cache, key, out);
    c->row = out;
    c->cached = true;
    c->rowid = 1;
    return true;
}

static int x_filter(sqlite3_vtab_cursor *cur, int idx_num, const char *idx_str, int argc,
                    sqlite3_value **argv)
{
    paimon_cursor *c = (paimon_cursor *)cur;
    paimon_vtab *v = (paimon_vtab *)cur->pVtab;
    cursor_reset(c);
    c->eof = false;
    if (v->system) {
        if (pmn_systab_load(v->table, v->system, &c->sys) != 0)
            return set_error(&v->base, pmn_error_last());
        return fetch(c);
    }
    const pmn_type *row = pmn_table_row_type(v->table);
    /* decode the plan */
    const char *p = idx_str ? idx_str : "ffffffffffffffff";
    unsigned long long used = strtoull(p, NULL, 16);
    int *proj = pmn_arena_alloc(&c->arena, sizeof(int) * ((size_t)v->ncols + 1));
    size_t nproj = 0;
    for (int i = 0; i < v->ncols; i++)
        if (i >= 63 ? (used >> 63) & 1 : (used >> i) & 1)
            proj[nproj++] = i;
    pmn_filter *filters = pmn_arena_alloc(&c->arena, sizeof(pmn_filter) * ((size_t)argc + 64));
    c->checks = pmn_arena_alloc(&c->arena, sizeof(pmn_filter) * ((size_t)argc + 64));
    size_t nfilters = 0, maxfilters = (size_t)argc + 64;
    int arg = 0;
    for (const char *q = strchr(p, ';'); q && nfilters < maxfilters; q = strchr(q + 1, ';')) {
        int col = atoi(q + 1);
        const char *colon = strchr(q, ':');
        if (!colon || col < 0 || col >= v->ncols)
            break;
        char code = colon[1];
        pmn_filter *f = &filters[nfilters];
        f->field = col;
        memset(&f->value, 0, sizeof f->value);
        if (code == 'n' || code == 'N') {
            f->op = code == 'n' ? PMN_FILTER_IS_NULL : PMN_FILTER_IS_NOT_NULL;
            c->checks[c->nchecks++] = *f;
            nfilters++;
            continue;
        }
        if (arg >= argc)
            break;
        sqlite3_value *val = argv[arg++];
        f->op = code == '='   ? PMN_FILTER_EQ
                : code == '<' ? PMN_FILTER_LT
                : code == '{' ? PMN_FILTER_LE
                : code == '>' ? PMN_FILTER_GT
                              : PMN_FILTER_GE;
        if (sqlite3_value_type(val) == SQLITE_NULL)
            continue; /* comparison with NULL matches nothing; SQLite handles it */
        const pmn_type *ft = row->fields[col].type;
        if (ft->root == PMN_TYPE_ARRAY || ft->root == PMN_TYPE_MAP || ft->root == PMN_TYPE_ROW ||
            ft->root == PMN_TYPE_MULTISET || ft->root == PMN_TYPE_FLOAT ||
            ft->root == PMN_TYPE_DOUBLE)
            continue; /* no exact conversion: leave it to SQLite */
        if (pmn_sql_value_to_datum(val, ft, true, &c->arena, &f->value) != 0)
            continue;
        if (exact_check(ft, val))
            c->checks[c->nchecks++] = *f;
        nfilters++;
    }
    (void)idx_num;
    pmn_scan_options opts;
    memset(&opts, 0, sizeof opts);
    opts.snapshot_id = v->snapshot_id;
    opts.timestamp_millis = v->timestamp_millis;
    opts.tag = v->tag;
    opts.projection = proj;
    opts.nprojection = nproj;
    opts.filters = nfilters ? filters : NULL;
    opts.nfilters = nfilters;
    opts.row_filters = c->checks;
    opts.nrow_filters = c->nchecks;
    opts.threads = PMN_SCAN_THREADS_AUTO;
    opts.mode = v->mode;
    if (v->file_creation_millis > 0) /* from-file-creation-time: the bound */
        opts.timestamp_millis = v->file_creation_millis;
    /* only the count column (sql/count.h): one row holding the count */
    bool count_only = !v->audit && v->ncols < 63 && used == (1ULL << v->ncols) && argc == 0;
    if ((v->snapshot_id == 0 && !v->timestamp_millis && !v->tag) || v->empty) {
        if (count_only) { /* COUNT(*) of no rows is one row: 0 */
            c->count = 0;
            c->counted = 1;
            return fetch(c);
        }
        c->eof = true; /* no snapshot yet, or time travel to before the first one */
        return SQLITE_OK;
    }
    if (v->audit) {
        if (pmn_audit_open(v->table, &opts, &c->audit) != 0) {
            c->audit = NULL;
            return set_error(&v->base, pmn_error_last());
        }
        return fetch(c);
    }
    if (v->npk > 0 && key_lookup(c, v, filters, nfilters, proj, nproj, &opts))
        return SQLITE_OK;
    if (nproj == 0 && nfilters == 0) {
        /* no column is read (COUNT(*)): the manifests may give the row count */
        int64_t n;
        bool exact;
        if (pmn_sql_count_from_metadata(v->table, &opts, &n, &exact) != 0)
            return set_error(&v->base, pmn_error_last());
        if (exact) {
            c->count = n;
            c->counted = count_only ? 1 : n;
            if (v->aux->stats)
                v->aux->stats->scans++; /* a scan that opened no file */
            return fetch(c);
        }
    }
    if (pmn_scan_open(v->table, &opts, &c->scan) != 0) {
        c->scan = NULL;
        return set_error(&v->base, pmn_error_last());
    }
    if (nproj == 0 && nfilters == 0) {
        /* COUNT(*) over merged files: count the merge's keys, in the scan's threads */
        int64_t n;
        if (pmn_scan_count(c->scan, &n) != 0)
            return set_error(&v->base, pmn_error_last());
        c->count = n;
        c->counted = count_only ? 1 : n;
        return fetch(c);
    }
    return fetch(c);
}

static int x_next(sqlite3_vtab_cursor *cur)
{
    return fetch((paimon_cursor *)cur);
}

static int x_eof(sqlite3_vtab_cursor *cur)
{
    return ((paimon_cursor *)cur)->eof;
}

static int x_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int i)
{
    paimon_cursor *c = (paimon_cursor *)cur;
    paimon_vtab *v = (paimon_vtab *)cur->pVtab;
    if (c->counted >= 0) {
        if (i == v->ncols)
            sqlite3_result_int64(ctx, c->count);
        else
            sqlite3_result_null(ctx); /* not reached: such a scan uses no column */
        return SQLITE_OK;
    }
    if (v->system) {
        const pmn_systab_val *val = &c->sys.vals[c->sysrow * (size_t)c->sys.ncols + (size_t)i];
        if (val->kind == SQLITE_INTEGER)
            sqlite3_result_int64(ctx, val->i);
        else if (val->kind == SQLITE_TEXT)
            sqlite3_result_text(ctx, val->s, -1, SQLITE_TRANSIENT);
        else
            sqlite3_result_null(ctx);
        return SQLITE_OK;
    }
    const pmn_type *row = pmn_table_row_type(v->table);
    if (v->audit && i == 0) {
        sqlite3_result_text(ctx, pmn_audit_kind_text(c->kind), -1, SQLITE_STATIC);
        return SQLITE_OK;
    }
    i -= v->audit;
    if (i >= row->nfields) { /* the count column outside a count-only scan */
        sqlite3_result_null(ctx);
        return SQLITE_OK;
    }
    pmn_sql_result_datum(ctx, row->fields[i].type, &c->row[i]);
    return SQLITE_OK;
}

static int x_rowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *rowid)
{
    *rowid = ((paimon_cursor *)cur)->rowid;
    return SQLITE_OK;
}

static const sqlite3_module paimon_module = {
    .iVersion = 0,
    .xCreate = x_connect,
    .xConnect = x_connect,
    .xBestIndex = x_best_index,
    .xDisconnect = x_disconnect,
    .xDestroy = x_disconnect,
    .xOpen = x_open,
    .xClose = x_close,
    .xFilter = x_filter,
    .xNext = x_next,
    .xEof = x_eof,
    .xColumn = x_column,
    .xRowid = x_rowid,
};

int pmn_vtab_register(sqlite3 *db, pmn_vtab_catalog_fn lookup, void *arg, pmn_vtab_stats *stats)
{
    module_aux *aux = pmn_xcalloc(1, sizeof *aux);
    aux->lookup = lookup;
    aux->arg = arg;
    aux->stats = stats;
    if (sqlite3_create_module_v2(db, "paimon", &paimon_module, aux, free) != SQLITE_OK)
        return pmn_error_set(PMN_ERROR, "registering the paimon module: %s", sqlite3_errmsg(db));
    return 0;
}
