/*
 * bench/bench_sql.c
 *
 * SQL benchmark (issue 7): `pgpaimon sql`'s engine (include/pmn/sql.h, SQLite over
 * the paimon virtual table) against native SQLite holding the same rows, in the
 * same run. Tables:
 *
 *   products   product_id BIGINT primary key, name STRING, category INT,
 *              price DECIMAL(10, 2), stock INT; PMN_BENCH_ROWS rows (default
 *              10,000,000), bucket = 4, written in 1,000,000-row commits, then
 *              every 100th key deleted in one more commit (so the lake's merged
 *              row count differs from its file row counts, as a synced table's does);
 *   inventory  product_id BIGINT primary key, warehouse STRING, quantity INT;
 *              one row per 100 products.
 *
 * The native side is a SQLite database file in the same directory with
 * `product_id INTEGER PRIMARY KEY` tables. Queries (each run lake, native,
 * lake, native, ... REPEAT times; the best time of each side is reported, with
 * native/lake as "speed vs native": 1.0 = as fast as SQLite, 0.5 = twice as slow):
 *
 *   count    SELECT COUNT(*) FROM products
 *   filter   SELECT product_id, name FROM products WHERE stock = 7  (full scan)
 *   point    SELECT * FROM products WHERE product_id = K  (LOOKUPS keys; ms each)
 *   join     inventory JOIN products ON product_id, WHERE quantity < 10, SUM/COUNT
 *   count/c  count again after CALL sys.compact (a full compaction): the files now prove
 *            the row count, so COUNT(*) reads no data file (src/sql/count.h)
 *
 * Targets: point lookup < 5 ms; the full scans >= 0.5x native SQLite.
 * PMN_BENCH_QUERIES (e.g. "point,join") runs only those queries.
 * PMN_BENCH_DIR picks the directory (default /tmp/pmn-bench-sql), removed after unless
 * PMN_BENCH_KEEP is set.
 */
#include "change/datum.h"
#include "pmn/pmn.h"
#include "pmn/sql.h"
#include "util/alloc.h"
#include "util/clock.h"
#include "util/fs.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define REPEAT 3
#define LOOKUPS 50

static int64_t micros(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void die(const char *what)
{
    fprintf(stderr, "bench_sql: %s: %s\n", what, pmn_error_last());
    exit(1);
}

static void die_sqlite(sqlite3 *db, const char *what)
{
    fprintf(stderr, "bench_sql: %s: %s\n", what, sqlite3_errmsg(db));
    exit(1);
}

static const char *const names[] = {"alpha", "bravo", "charlie", "delta", "echo", "foxtrot"};

static void product_row(int64_t i, char *name, size_t cap, pmn_datum *v)
{
    snprintf(name, cap, "%s-%lld", names[i % 6], (long long)i);
    v[0] = pmn_datum_int(i);
    v[1] = pmn_datum_str(name, (uint32_t)strlen(name));
    v[2] = pmn_datum_int(i % 50);
    v[3].is_null = false;
    v[3].v.dec = (pmn_i128)((i * 7919) % 100000); /* 0.00 .. 999.99 */
    v[4] = pmn_datum_int((i * 31) % 1000);
}

static pmn_table *create_table(pmn_catalog *cat, const char *name, pmn_type *row)
{
    const char *pk[] = {"product_id"};
    pmn_kv opts[] = {{"bucket", "4"}};
    pmn_table_def def = {.row_type = row, .primary_keys = pk, .nprimary_keys = 1,
                         .options = opts, .noptions = 1};
    pmn_table *t;
    if (pmn_catalog_create_table(cat, "bench", name, &def, false) ||
        pmn_table_open(cat, "bench", name, &t))
        die(name);
    return t;
}

static void build_lake(const char *dir, int64_t rows)
{
    pmn_catalog *cat;
    if (pmn_catalog_open(dir, true, &cat) || pmn_catalog_create_database(cat, "bench", true))
        die("catalog");
    pmn_type *prow = pmn_type_row();
    pmn_type_row_add(prow, 0, "product_id", pmn_type_new(PMN_TYPE_BIGINT));
    pmn_type_row_add(prow, 0, "name", pmn_type_varchar(PMN_MAX_LENGTH));
    pmn_type_row_add(prow, 0, "category", pmn_type_new(PMN_TYPE_INT));
    pmn_type_row_add(prow, 0, "price", pmn_type_decimal(10, 2));
    pmn_type_row_add(prow, 0, "stock", pmn_type_new(PMN_TYPE_INT));
    prow->fields[0].type->nullable = false;
    pmn_table *t = create_table(cat, "products", prow);
    pmn_writer *w;
    if (pmn_writer_open(t, "bench", &w))
        die("writer");
    pmn_datum v[5];
    char name[64];
    int64_t commits = 0, snap;
    for (int64_t i = 0; i < rows; i++) {
        product_row(i, name, sizeof name, v);
        if (pmn_writer_write(w, PMN_ROW_INSERT, v))
            die("write");
        if (((i + 1) % 1000000 == 0 || i + 1 == rows) && pmn_writer_commit(w, ++commits, NULL, 0, &snap))
            die("commit");
    }
    for (int64_t i = 0; i < rows; i += 100) {
        product_row(i, name, sizeof name, v);
        if (pmn_writer_write(w, PMN_ROW_DELETE, v))
            die("delete");
    }
    if (pmn_writer_commit(w, ++commits, NULL, 0, &snap) || pmn_writer_wait_maintenance(w))
        die("commit deletes");
    pmn_writer_free(w);
    pmn_table_free(t);

    pmn_type *irow = pmn_type_row();
    pmn_type_row_add(irow, 0, "product_id", pmn_type_new(PMN_TYPE_BIGINT));
    pmn_type_row_add(irow, 0, "warehouse", pmn_type_varchar(PMN_MAX_LENGTH));
    pmn_type_row_add(irow, 0, "quantity", pmn_type_new(PMN_TYPE_INT));
    irow->fields[0].type->nullable = false;
    t = create_table(cat, "inventory", irow);
    if (pmn_writer_open(t, "bench", &w))
        die("writer");
    for (int64_t i = 1; i < rows; i += 100) {
        const char *wh = names[(i / 100) % 3];
        pmn_datum iv[3] = {pmn_datum_int(i), pmn_datum_str(wh, (uint32_t)strlen(wh)),
                           pmn_datum_int((i / 100) % 40)};
        if (pmn_writer_write(w, PMN_ROW_INSERT, iv))
            die("write inventory");
    }
    if (pmn_writer_commit(w, 1, NULL, 0, &snap) || pmn_writer_wait_maintenance(w))
        die("commit inventory");
    pmn_writer_free(w);
    pmn_table_free(t);
    pmn_type_free(prow);
    pmn_type_free(irow);
    pmn_catalog_free(cat);
}

static void build_native(sqlite3 *db, int64_t rows)
{
    const char *ddl =
        "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;"
        "CREATE TABLE products (product_id INTEGER PRIMARY KEY, name TEXT, category INTEGER,"
        " price REAL, stock INTEGER);"
        "CREATE TABLE inventory (product_id INTEGER PRIMARY KEY, warehouse TEXT,"
        " quantity INTEGER);"
        "BEGIN;";
    if (sqlite3_exec(db, ddl, NULL, NULL, NULL) != SQLITE_OK)
        die_sqlite(db, "native ddl");
    sqlite3_stmt *ins;
    if (sqlite3_prepare_v2(db, "INSERT INTO products VALUES (?, ?, ?, ?, ?)", -1, &ins, NULL))
        die_sqlite(db, "prepare");
    pmn_datum v[5];
    char name[64];
    for (int64_t i = 0; i < rows; i++) {
        if (i % 100 == 0)
            continue; /* deleted on the lake side */
        product_row(i, name, sizeof name, v);
        sqlite3_bind_int64(ins, 1, i);
        sqlite3_bind_text(ins, 2, name, -1, SQLITE_STATIC);
        sqlite3_bind_int64(ins, 3, v[2].v.i);
        sqlite3_bind_double(ins, 4, (double)v[3].v.dec / 100.0);
        sqlite3_bind_int64(ins, 5, v[4].v.i);
        if (sqlite3_step(ins) != SQLITE_DONE)
            die_sqlite(db, "insert");
        sqlite3_reset(ins);
    }
    sqlite3_finalize(ins);
    if (sqlite3_prepare_v2(db, "INSERT INTO inventory VALUES (?, ?, ?)", -1, &ins, NULL))
        die_sqlite(db, "prepare");
    for (int64_t i = 1; i < rows; i += 100) {
        sqlite3_bind_int64(ins, 1, i);
        sqlite3_bind_text(ins, 2, names[(i / 100) % 3], -1, SQLITE_STATIC);
        sqlite3_bind_int64(ins, 3, (i / 100) % 40);
        if (sqlite3_step(ins) != SQLITE_DONE)
            die_sqlite(db, "insert");
        sqlite3_reset(ins);
    }
    sqlite3_finalize(ins);
    if (sqlite3_exec(db, "COMMIT; ANALYZE;", NULL, NULL, NULL) != SQLITE_OK)
        die_sqlite(db, "commit");
}

/* One query's result folded to a checksum of every value's text, and a row count. */
typedef struct result {
    int64_t rows;
    uint64_t sum;
} result;

/* hash_text: FNV-1a of a value's text; decimals are compared at 2 digits (the lake prints a
 * DECIMAL sum as 378240.5, SQLite as 378240.500000001). */
static uint64_t hash_text(uint64_t h, const char *s)
{
    char buf[64];
    char *end = NULL;
    if (s && strchr(s, '.')) {
        double d = strtod(s, &end);
        if (end && *end == '\0') {
            snprintf(buf, sizeof buf, "%.2f", d);
            s = buf;
        }
    }
    for (; s && *s; s++)
        h = (h ^ (uint8_t)*s) * 1099511628211ULL;
    return (h ^ 0xff) * 1099511628211ULL;
}

static result run_lake(pmn_sql *s, const char *sql)
{
    pmn_sql_rows *r;
    if (pmn_sql_query(s, sql, &r))
        die(sql);
    result out = {0, 0};
    int rc;
    while ((rc = pmn_sql_rows_next(r)) == 0) {
        out.rows++;
        for (int c = 0; c < pmn_sql_rows_columns(r); c++)
            out.sum += hash_text(14695981039346656037ULL, pmn_sql_rows_text(r, c));
    }
    if (rc != PMN_ITEROVER)
        die(sql);
    pmn_sql_rows_free(r);
    return out;
}

static result run_native(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
        die_sqlite(db, sql);
    result out = {0, 0};
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        out.rows++;
        for (int c = 0; c < sqlite3_column_count(q); c++)
            out.sum += hash_text(14695981039346656037ULL, (const char *)sqlite3_column_text(q, c));
    }
    if (rc != SQLITE_DONE)
        die_sqlite(db, sql);
    sqlite3_finalize(q);
    return out;
}

typedef struct query {
    const char *label;
    const char *lake;   /* on the lake (current database bench) */
    const char *native; /* the same on native SQLite */
    bool lookups;       /* run LOOKUPS times, a key appended */
} query;

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0); /* figures appear as they are measured */
    const char *env = getenv("PMN_BENCH_ROWS");
    int64_t rows = env ? atoll(env) : 10000000;
    if (rows < 1000)
        rows = 1000;
    const char *dir = getenv("PMN_BENCH_DIR") ? getenv("PMN_BENCH_DIR") : "/tmp/pmn-bench-sql";
    pmn_fs_remove_tree(dir);
    pmn_fs_mkdir_p(dir);
    int64_t t0 = pmn_monotonic_millis();
    build_lake(dir, rows);
    int64_t t1 = pmn_monotonic_millis();
    char *native_path = pmn_xasprintf("%s/native.sqlite", dir);
    sqlite3 *db;
    if (sqlite3_open(native_path, &db) != SQLITE_OK)
        die_sqlite(db, native_path);
    build_native(db, rows);
    int64_t t2 = pmn_monotonic_millis();
    printf("setup: %lld products (every 100th deleted), %lld inventory rows; lake written in "
           "%.1f s, native SQLite in %.1f s\n",
           (long long)rows, (long long)((rows + 98) / 100), (double)(t1 - t0) / 1000,
           (double)(t2 - t1) / 1000);

    pmn_sql *s;
    char *setup = pmn_xasprintf("CREATE CATALOG lake WITH ('type' = 'paimon', 'warehouse' = "
                                "'%s'); USE CATALOG lake; USE bench;",
                                dir);
    if (pmn_sql_open(&s) || pmn_sql_exec(s, setup))
        die("sql session");
    free(setup);

    const query queries[] = {
        {"count", "SELECT COUNT(*) FROM products", "SELECT COUNT(*) FROM products", false},
        {"filter", "SELECT product_id, name FROM products WHERE stock = 7",
         "SELECT product_id, name FROM products WHERE stock = 7", false},
        {"point", "SELECT * FROM products WHERE product_id = ",
         "SELECT * FROM products WHERE product_id = ", true},
        {"join",
         "SELECT i.warehouse, COUNT(*) AS n, SUM(p.price * i.quantity) AS value "
         "FROM inventory i JOIN products p ON p.product_id = i.product_id "
         "WHERE i.quantity < 10 GROUP BY i.warehouse ORDER BY i.warehouse",
         "SELECT i.warehouse, COUNT(*) AS n, SUM(p.price * i.quantity) AS value "
         "FROM inventory i JOIN products p ON p.product_id = i.product_id "
         "WHERE i.quantity < 10 GROUP BY i.warehouse ORDER BY i.warehouse",
         false},
    };
    printf("%-7s %12s %12s %9s %10s  %s\n", "query", "lake ms", "sqlite ms", "vs native",
           "rows", "check");
    int failures = 0;
    const char *only = getenv("PMN_BENCH_QUERIES");
    for (size_t qi = 0; qi < sizeof queries / sizeof queries[0]; qi++) {
        const query *q = &queries[qi];
        if (only && !strstr(only, q->label))
            continue;
        double best[2] = {1e300, 1e300};
        result res[2] = {{0, 0}, {0, 0}};
        for (int rep = 0; rep < REPEAT; rep++) {
            for (int side = 0; side < 2; side++) {
                result acc = {0, 0};
                int n = q->lookups ? LOOKUPS : 1;
                int64_t a = micros();
                for (int k = 0; k < n; k++) {
                    char sql[512];
                    int64_t key = (rows / LOOKUPS) * k + 1 + rep;
                    if (q->lookups)
                        snprintf(sql, sizeof sql, "%s%lld", side ? q->native : q->lake,
                                 (long long)key);
                    else
                        snprintf(sql, sizeof sql, "%s", side ? q->native : q->lake);
                    result r = side ? run_native(db, sql) : run_lake(s, sql);
                    acc.rows += r.rows;
                    acc.sum += r.sum;
                }
                double ms = (double)(micros() - a) / 1000.0 / n;
                if (ms < best[side])
                    best[side] = ms;
                res[side] = acc;
            }
            if (res[0].rows != res[1].rows || res[0].sum != res[1].sum)
                break;
        }
        bool same = res[0].rows == res[1].rows && res[0].sum == res[1].sum;
        failures += !same;
        printf("%-7s %12.3f %12.3f %8.2fx %10lld  %s\n", q->label, best[0], best[1],
               best[1] / best[0], (long long)res[0].rows,
               same ? "same result" : "RESULTS DIFFER");
    }
    /* A synced table is fully compacted from time to time (full-compaction.delta-commits): then
     * its files prove the row count and COUNT(*) reads no data file (sql/count.h). */
    if (!only || strstr(only, "compacted")) {
        int64_t c0 = micros();
        if (pmn_sql_exec(s, "CALL sys.compact('bench.products')"))
            die("compact");
        double compact_s = (double)(micros() - c0) / 1e6;
        double best[2] = {1e300, 1e300};
        result res[2] = {{0, 0}, {0, 0}};
        for (int rep = 0; rep < REPEAT; rep++) {
            for (int side = 0; side < 2; side++) {
                int64_t a = micros();
                res[side] = side ? run_native(db, "SELECT COUNT(*) FROM products")
                                 : run_lake(s, "SELECT COUNT(*) FROM products");
                double ms = (double)(micros() - a) / 1000.0;
                if (ms < best[side])
                    best[side] = ms;
            }
        }
        bool same = res[0].rows == res[1].rows && res[0].sum == res[1].sum;
        failures += !same;
        printf("%-7s %12.3f %12.3f %8.2fx %10lld  %s (COUNT(*) after a full compaction, "
               "%.1f s; answered from the manifests)\n",
               "count/c", best[0], best[1], best[1] / best[0], (long long)res[0].rows,
               same ? "same result" : "RESULTS DIFFER", compact_s);
    }
    printf("targets: point lookup < 5 ms per key; count, filter and join >= 0.50x native\n");
    pmn_sql_close(s);
    sqlite3_close(db);
    if (!getenv("PMN_BENCH_KEEP"))
        pmn_fs_remove_tree(dir);
    free(native_path);
    return failures ? 1 : 0;
}
