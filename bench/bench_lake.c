/*
 * bench/bench_lake.c
 *
 * Lake engine benchmark (issue 3): a primary-key table shaped like `orders`
 * (BIGINT key, 5 value columns, bucket = 4). Measures upserts written and
 * committed per second with peak RSS, merged full-scan rows per second, and
 * point lookups by key. Rows: PMN_BENCH_ROWS (default 10,000,000).
 * PMN_BENCH_KEEP=1 keeps the lake in PMN_BENCH_DIR; PMN_BENCH_REUSE=1 skips the
 * write and reads a lake kept before (for profiling the read side; PMN_BENCH_SCAN=0
 * then skips the full scan, PMN_BENCH_LOOKUPS sets the number of lookups).
 */
#include "change/datum.h"
#include "pmn/pmn.h"
#include "util/clock.h"
#include "util/fs.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

static long peak_rss_mb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss / 1024;
}

/* cpu_seconds: user + system CPU time so far of the process (RUSAGE_SELF: with the background
 * compaction thread) or of the calling thread (RUSAGE_THREAD: the write path itself). On a
 * shared machine wall time depends on the load, CPU time much less. */
static double cpu_seconds(int who)
{
    struct rusage ru;
    getrusage(who, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static void die(const char *what)
{
    fprintf(stderr, "bench_lake: %s: %s\n", what, pmn_error_last());
    exit(1);
}

int main(void)
{
    const char *env = getenv("PMN_BENCH_ROWS");
    int64_t rows = env ? atoll(env) : 10000000;
    const char *dir = getenv("PMN_BENCH_DIR") ? getenv("PMN_BENCH_DIR") : "/tmp/pmn-bench-lake";
    bool reuse = getenv("PMN_BENCH_REUSE") && atoi(getenv("PMN_BENCH_REUSE"));
    bool keep = reuse || (getenv("PMN_BENCH_KEEP") && atoi(getenv("PMN_BENCH_KEEP")));
    if (!reuse)
        pmn_fs_remove_tree(dir);
    pmn_catalog *cat;
    if (pmn_catalog_open(dir, true, &cat) || pmn_catalog_create_database(cat, "db", true))
        die("catalog");
    pmn_type *row = pmn_type_row();
    pmn_type_row_add(row, 0, "order_id", pmn_type_new(PMN_TYPE_BIGINT));
    pmn_type_row_add(row, 0, "customer_id", pmn_type_new(PMN_TYPE_BIGINT));
    pmn_type_row_add(row, 0, "status", pmn_type_varchar(20));
    pmn_type_row_add(row, 0, "total", pmn_type_decimal(10, 2));
    pmn_type_row_add(row, 0, "created_at", pmn_type_timestamp(PMN_TYPE_TIMESTAMP, 6));
    pmn_type_row_add(row, 0, "items", pmn_type_new(PMN_TYPE_INT));
    const char *pk[] = {"order_id"};
    pmn_kv opts[] = {{"bucket", "4"}};
    pmn_table_def def = {.row_type = row, .primary_keys = pk, .nprimary_keys = 1,
                         .options = opts, .noptions = 1};
    if (!reuse && pmn_catalog_create_table(cat, "db", "orders", &def, false))
        die("create table");
    pmn_table *t;
    if (pmn_table_open(cat, "db", "orders", &t))
        die("open table");
    int64_t t0, t1;
    if (reuse)
        goto read;
    pmn_writer *w;
    if (pmn_writer_open(t, "bench", &w))
        die("writer");
    static const char *statuses[] = {"pending", "shipped", "delivered", "cancelled"};
    t0 = pmn_monotonic_millis();
    double c0 = cpu_seconds(RUSAGE_SELF), m0 = cpu_seconds(RUSAGE_THREAD);
    pmn_datum v[6];
    int64_t commit_every = 1000000, commits = 0;
    for (int64_t i = 0; i < rows; i++) {
        v[0] = pmn_datum_int(i);
        v[1] = pmn_datum_int(i % 100000);
        const char *st = statuses[i % 4];
        v[2] = pmn_datum_str(st, (uint32_t)strlen(st));
        v[3].is_null = false;
        v[3].v.dec = (pmn_i128)(i % 100000) * 7 + 99;
        v[4].is_null = false;
        v[4].v.ts.millis = 1700000000000LL + i;
        v[4].v.ts.nanos = (int32_t)(i % 1000) * 1000;
        v[5] = pmn_datum_int(i % 9 + 1);
        if (pmn_writer_write(w, PMN_ROW_INSERT, v))
            die("write");
        if ((i + 1) % commit_every == 0 || i + 1 == rows) {
            int64_t snap;
            if (pmn_writer_commit(w, ++commits, NULL, 0, &snap))
                die("commit");
        }
    }
    t1 = pmn_monotonic_millis();
    double wsec = (double)(t1 - t0) / 1000.0, wcpu = cpu_seconds(RUSAGE_SELF) - c0;
    double mcpu = cpu_seconds(RUSAGE_THREAD) - m0;
    printf("write:  %lld rows in %.2f s = %.0f rows/s, %lld commits, peak RSS %ld MB\n"
           "        CPU: writing thread %.2f s = %.0f rows per CPU-s; process (with background "
           "compaction) %.2f s\n",
           (long long)rows, wsec, (double)rows / wsec, (long long)commits, peak_rss_mb(), mcpu,
           (double)rows / mcpu, wcpu);
    pmn_writer_free(w);

read:;
    pmn_scan *s;
    const pmn_datum *r;
    int rc;
    if (reuse && getenv("PMN_BENCH_SCAN") && !atoi(getenv("PMN_BENCH_SCAN")))
        goto lookup; /* profiling lookups alone */
    t0 = pmn_monotonic_millis();
    if (pmn_scan_open(t, NULL, &s))
        die("scan");
    int64_t n = 0;
    while ((rc = pmn_scan_next(s, &r)) == 0)
        n++;
    if (rc != PMN_ITEROVER)
        die("scan next");
    pmn_scan_free(s);
    t1 = pmn_monotonic_millis();
    double rsec = (double)(t1 - t0) / 1000.0;
    printf("scan:   %lld rows in %.2f s = %.0f rows/s (merged, all columns)\n", (long long)n,
           rsec, (double)n / rsec);
    if (n != rows)
        printf("scan:   ERROR expected %lld rows\n", (long long)rows);

lookup:;
    int lookups = getenv("PMN_BENCH_LOOKUPS") ? atoi(getenv("PMN_BENCH_LOOKUPS")) : 20;
    uint64_t files = 0, blocks = 0;
    t0 = pmn_monotonic_millis();
    for (int i = 0; i < lookups; i++) {
        int64_t key = (rows / lookups) * i + 17 % rows;
        pmn_filter f = {.field = 0, .op = PMN_FILTER_EQ, .value = pmn_datum_int(key)};
        pmn_scan_options o = {.filters = &f, .nfilters = 1};
        if (pmn_scan_open(t, &o, &s))
            die("lookup");
        int found = 0;
        while ((rc = pmn_scan_next(s, &r)) == 0)
            if (r[0].v.i == key)
                found++;
        uint64_t f_read;
        pmn_scan_stats(s, &f_read, NULL);
        files += f_read;
        blocks += pmn_scan_blocks_read(s);
        pmn_scan_free(s);
        if (found != 1)
            printf("lookup: ERROR key %lld found %d times\n", (long long)key, found);
    }
    t1 = pmn_monotonic_millis();
    printf("lookup: %.2f ms per point lookup by key (%d lookups; per lookup %.1f files opened, "
           "%.1f Avro blocks decoded)\n",
           (double)(t1 - t0) / lookups, lookups, (double)files / lookups,
           (double)blocks / lookups);
    printf("peak RSS %ld MB\n", peak_rss_mb());
    pmn_table_free(t);
    pmn_catalog_free(cat);
    pmn_type_free(row);
    if (!keep)
        pmn_fs_remove_tree(dir);
    return 0;
}
