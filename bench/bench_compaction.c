/*
 * bench/bench_compaction.c
 *
 * Compaction benchmark (issue 4): a CDC-like stream of PMN_BENCH_ROWS upserts
 * (default 10,000,000) over PMN_BENCH_KEYS keys (default 1,000,000) into a
 * primary-key table (bucket = 4), committed every PMN_BENCH_COMMIT rows
 * (default 10,000) with compaction on (the writer's background thread,
 * default options). Reports sustained rows/s, the data files and bytes live
 * and on disk at the end versus after a full compaction (the compacted
 * minimum), and full-scan throughput before versus after the full compaction.
 * PMN_BENCH_OPTIONS="k=v,..." adds table options; PMN_BENCH_SCANS the number of
 * alternating scan pairs (5); PMN_BENCH_KEEP=1 leaves the table with the end state as tag
 * "end" (for profiling reads).
 */
#include "change/datum.h"
#include "pmn/pmn.h"
#include "table/table_internal.h"
#include "util/clock.h"
#include "util/fs.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

static void die(const char *what)
{
    fprintf(stderr, "bench_compaction: %s: %s\n", what, pmn_error_last());
    exit(1);
}

static int64_t now_micros(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* cpu_micros: CPU time of the process (the scans run alone: steadier than wall time on a
 * shared machine) */
static int64_t cpu_micros(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static long peak_rss_mb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss / 1024;
}

/* du: data files (data-*.avro) under dir and their bytes. */
static void du(const char *dir, int64_t *files, int64_t *bytes)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            du(path, files, bytes);
        } else if (strncmp(e->d_name, "data-", 5) == 0) {
            (*files)++;
            *bytes += st.st_size;
        }
    }
    closedir(d);
}

/* print_runs: the level and row count of every live file, per bucket. */
static void print_runs(pmn_table *t)
{
    pmn_plan *p;
    if (pmn_plan_open(t, 0, &p))
        die("plan");
    for (size_t i = 0; i < p->nfiles; i++) {
        if (i == 0 || p->files[i].bucket != p->files[i - 1].bucket)
            printf("%s  bucket %d:", i ? "\n" : "", p->files[i].bucket);
        printf(" L%d:%lld", p->files[i].file.level, (long long)p->files[i].file.row_count);
    }
    printf("\n");
    pmn_plan_free(p);
}

/* scan_all: one full scan of the tag `tag` (NULL: the latest snapshot); rows/s of wall time,
 * *cpu_rate rows/s of CPU time. */
static double scan_all(pmn_table *t, const char *tag, int64_t expect, bool print,
                       double *cpu_rate)
{
    int64_t t0 = now_micros(), c0 = cpu_micros();
    pmn_scan *s;
    pmn_scan_options so = {.tag = tag};
    if (pmn_scan_open(t, &so, &s))
        die("scan");
    const pmn_datum *r;
    int64_t n = 0;
    int rc;
    while ((rc = pmn_scan_next(s, &r)) == 0)
        n++;
    if (rc != PMN_ITEROVER)
        die("scan next");
    uint64_t files = 0, rows_read = 0;
    pmn_scan_stats(s, &files, &rows_read);
    pmn_scan_free(s);
    double sec = (double)(now_micros() - t0) / 1e6;
    *cpu_rate = (double)n / ((double)(cpu_micros() - c0 + 1) / 1e6);
    if (print)
        printf("scan:    %s: %lld rows (%llu files, %llu records decoded) in %.3f s = %.0f "
               "rows/s\n",
               tag ? "end state" : "compacted", (long long)n, (unsigned long long)files,
               (unsigned long long)rows_read, sec, (double)n / sec);
    if (n != expect)
        printf("scan:    ERROR expected %lld rows\n", (long long)expect);
    return (double)n / sec;
}

int main(void)
{
    int64_t rows = getenv("PMN_BENCH_ROWS") ? atoll(getenv("PMN_BENCH_ROWS")) : 10000000;
    int64_t keys = getenv("PMN_BENCH_KEYS") ? atoll(getenv("PMN_BENCH_KEYS")) : 1000000;
    int64_t every = getenv("PMN_BENCH_COMMIT") ? atoll(getenv("PMN_BENCH_COMMIT")) : 10000;
    const char *dir =
        getenv("PMN_BENCH_DIR") ? getenv("PMN_BENCH_DIR") : "/tmp/pmn-bench-compaction";
    pmn_fs_remove_tree(dir);
    pmn_catalog *cat;
    if (pmn_catalog_open(dir, true, &cat) || pmn_catalog_create_database(cat, "db", true))
        die("catalog");
    pmn_type *row = pmn_type_row();
    pmn_type_row_add(row, 0, "order_id", pmn_type_new(PMN_TYPE_BIGINT));
    pmn_type_row_add(row, 0, "customer_id", pmn_type_new(PMN_TYPE_BIGINT));
    pmn_type_row_add(row, 0, "status", pmn_type_varchar(20));
    pmn_type_row_add(row, 0, "total", pmn_type_decimal(10, 2));
    pmn_type_row_add(row, 0, "version", pmn_type_new(PMN_TYPE_BIGINT));
    const char *pk[] = {"order_id"};
    /* PMN_BENCH_OPTIONS="k=v,k=v" adds table options (e.g. compaction tuning) */
    pmn_kv opts[16] = {{"bucket", "4"}};
    size_t nopts = 1;
    char *extra = getenv("PMN_BENCH_OPTIONS") ? strdup(getenv("PMN_BENCH_OPTIONS")) : NULL;
    for (char *save = NULL, *kv = extra ? strtok_r(extra, ",", &save) : NULL; kv && nopts < 16;
         kv = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(kv, '=');
        if (!eq)
            continue;
        *eq = 0;
        opts[nopts++] = (pmn_kv){kv, eq + 1};
    }
    pmn_table_def def = {.row_type = row, .primary_keys = pk, .nprimary_keys = 1,
                         .options = opts, .noptions = nopts};
    if (pmn_catalog_create_table(cat, "db", "orders", &def, false))
        die("create table");
    pmn_table *t;
    if (pmn_table_open(cat, "db", "orders", &t))
        die("open table");
    pmn_writer *w;
    if (pmn_writer_open(t, "bench", &w))
        die("writer");
    static const char *statuses[] = {"pending", "shipped", "delivered", "cancelled"};
    uint64_t x = 88172645463325252ULL;
    int64_t commits = 0, slowest = 0;
    int64_t t0 = pmn_monotonic_millis(), tc = t0;
    pmn_datum v[5];
    for (int64_t i = 0; i < rows; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        int64_t key = (int64_t)(x % (uint64_t)keys);
        v[0] = pmn_datum_int(key);
        v[1] = pmn_datum_int(key % 100000);
        const char *st = statuses[i % 4];
        v[2] = pmn_datum_str(st, (uint32_t)strlen(st));
        v[3].is_null = false;
        v[3].v.dec = (pmn_i128)(key % 100000) * 7 + 99;
        v[4] = pmn_datum_int(i);
        if (pmn_writer_write(w, PMN_ROW_INSERT, v))
            die("write");
        if ((i + 1) % every == 0 || i + 1 == rows) {
            int64_t snap;
            if (pmn_writer_commit(w, ++commits, NULL, 0, &snap))
                die("commit");
            int64_t now = pmn_monotonic_millis();
            if (now - tc > slowest)
                slowest = now - tc;
            tc = now;
            if (commits % 100 == 0)
                printf("  %lld rows, %.0f rows/s so far\n", (long long)(i + 1),
                       (double)(i + 1) * 1000.0 / (double)(now - t0 + 1));
        }
    }
    pmn_writer_free(w); /* waits for the last background compaction */
    double wsec = (double)(pmn_monotonic_millis() - t0) / 1000.0;
    printf("write:   %lld upserts over %lld keys in %.2f s = %.0f rows/s sustained, %lld "
           "commits (slowest commit interval %lld ms), peak RSS %ld MB\n",
           (long long)rows, (long long)keys, wsec, (double)rows / wsec, (long long)commits,
           (long long)slowest, peak_rss_mb());
    int64_t latest = 0, earliest = 0;
    pmn_table_latest_snapshot(t, &latest);
    pmn_table_earliest_snapshot(t, &earliest);
    int64_t files = 0, bytes = 0;
    du(dir, &files, &bytes);
    printf("disk:    %lld data files, %.1f MB on disk at the end; snapshots %lld..%lld\n",
           (long long)files, (double)bytes / 1e6, (long long)earliest, (long long)latest);
    /* keep only the latest snapshot from now on */
    pmn_schema_change ch[] = {
        {.kind = PMN_SCHEMA_SET_OPTION, .key = "snapshot.num-retained.min", .value = "1"},
        {.kind = PMN_SCHEMA_SET_OPTION, .key = "snapshot.time-retained", .value = "1 ms"},
        {.kind = PMN_SCHEMA_SET_OPTION, .key = "snapshot.expire.limit", .value = "100000"},
    };
    if (pmn_table_alter(t, ch, 3))
        die("alter");
    pmn_expire_result er;
    if (pmn_table_expire(t, &er))
        die("expire");
    files = bytes = 0;
    du(dir, &files, &bytes);
    printf("live:    %lld data files, %.1f MB in the latest snapshot\n", (long long)files,
           (double)bytes / 1e6);
    print_runs(t);
    int64_t distinct = 0;
    {
        pmn_scan *s;
        if (pmn_scan_open(t, NULL, &s))
            die("count");
        const pmn_datum *r;
        while (pmn_scan_next(s, &r) == 0)
            distinct++;
        pmn_scan_free(s);
    }
    /* the end state stays readable through a tag while the full compaction replaces it, so
     * the two sides are scanned alternately (the machine is shared and noisy) */
    if (pmn_table_create_tag(t, "end", 0))
        die("tag");
    int64_t snap;
    int64_t tf = pmn_monotonic_millis();
    if (pmn_table_compact(t, true, &snap))
        die("full compaction");
    printf("full:    full compaction in %.2f s\n", (double)(pmn_monotonic_millis() - tf) / 1000.0);
    if (pmn_table_expire(t, &er))
        die("expire");
    int rounds = getenv("PMN_BENCH_SCANS") ? atoi(getenv("PMN_BENCH_SCANS")) : 5;
    if (rounds < 1)
        rounds = 1;
    double best_end = 0, best_min = 0, sum_ratio = 0, cpu_end = 0, cpu_min = 0;
    for (int r = 0; r < rounds; r++) {
        double ce, cm;
        double e = scan_all(t, "end", distinct, r == 0, &ce);
        double m = scan_all(t, NULL, distinct, r == 0, &cm);
        best_end = e > best_end ? e : best_end;
        best_min = m > best_min ? m : best_min;
        cpu_end = ce > cpu_end ? ce : cpu_end;
        cpu_min = cm > cpu_min ? cm : cpu_min;
        sum_ratio += e / m;
    }
    bool keep = getenv("PMN_BENCH_KEEP") != NULL; /* leave the table (tag "end") for perf */
    if (!keep && pmn_table_delete_tag(t, "end"))
        die("delete tag");
    int64_t min_files = 0, min_bytes = 0;
    du(dir, &min_files, &min_bytes);
    printf("minimum: %lld data files, %.1f MB after a full compaction (%.2fx files, %.2fx bytes "
           "at the end)\n",
           (long long)min_files, (double)min_bytes / 1e6, (double)files / (double)min_files,
           (double)bytes / (double)min_bytes);
    printf("read:    %.2fx the throughput of a freshly fully-compacted table (mean of %d "
           "alternating pairs; best %.0f vs %.0f rows/s = %.2fx; CPU time: best %.0f vs %.0f "
           "rows/s = %.2fx)\n",
           sum_ratio / rounds, rounds, best_end, best_min, best_end / best_min, cpu_end,
           cpu_min, cpu_end / cpu_min);
    pmn_table_free(t);
    pmn_catalog_free(cat);
    pmn_type_free(row);
    free(extra);
    if (!keep)
        pmn_fs_remove_tree(dir);
    return 0;
}
