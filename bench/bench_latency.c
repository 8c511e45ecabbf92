/*
 * bench/bench_latency.c
 *
 * End-to-end latency probe for bench/bench_sync.sh (issue 5, benchmark c); not a
 * stand-alone benchmark (bench/run.sh skips it).
 *
 *   bench_latency WAREHOUSE DB TABLE SECONDS [POLL_MS]
 *
 * Follows the lake table's latest snapshot through the public API (pmn/table.h) for
 * SECONDS. For every snapshot that appears after the start it notes the wall clock
 * when it was first seen, and
 *   - snapshot latency: that time minus the snapshot's `pgpaimon.source.commit-time`
 *     property (PostgreSQL commit time of the last source transaction it holds, ms);
 *   - row latency: for each row it makes visible for the first time (key column `id`
 *     greater than any seen before), that time minus the row's `created_at`
 *     (TIMESTAMP_LTZ, written by the source as clock_timestamp() inside the
 *     transaction, so it is at or just before the commit).
 * Prints p50/p99/max of both, then one machine-readable line starting "RESULT ".
 */
#include "pmn/pmn.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PROP_COMMIT_TIME "pgpaimon.source.commit-time"

typedef struct series {
    double *v; /* milliseconds */
    size_t n, cap;
} series;

static void series_add(series *s, double ms)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 1024;
        s->v = realloc(s->v, s->cap * sizeof *s->v);
        if (!s->v) {
            fprintf(stderr, "bench_latency: out of memory\n");
            exit(1);
        }
    }
    s->v[s->n++] = ms;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* percentile: nearest-rank percentile p (0..100) of a sorted series. */
static double percentile(const series *s, double p)
{
    if (s->n == 0)
        return 0;
    size_t rank = (size_t)((p / 100.0) * (double)s->n + 0.999999);
    if (rank < 1)
        rank = 1;
    if (rank > s->n)
        rank = s->n;
    return s->v[rank - 1];
}

static int64_t wall_micros(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void die(const char *what)
{
    fprintf(stderr, "bench_latency: %s: %s\n", what, pmn_error_last());
    exit(1);
}

/* new_rows: add the latency of every row of snapshot `id` whose key exceeds *max_id. */
static void new_rows(pmn_table *t, int64_t id, int idcol, int tscol, int64_t seen_us,
                     int64_t *max_id, series *rows)
{
    int proj[2] = {idcol, tscol};
    pmn_filter f = {.field = idcol, .op = PMN_FILTER_GT};
    f.value.v.i = *max_id;
    pmn_scan_options o = {
        .snapshot_id = id, .projection = proj, .nprojection = 2, .filters = &f, .nfilters = 1};
    pmn_scan *s;
    if (pmn_scan_open(t, &o, &s))
        die("scan");
    int64_t top = *max_id;
    const pmn_datum *row;
    int rc;
    while ((rc = pmn_scan_next(s, &row)) == 0) {
        if (row[idcol].is_null || row[tscol].is_null || row[idcol].v.i <= *max_id)
            continue;
        int64_t created_us = row[tscol].v.ts.millis * 1000 + row[tscol].v.ts.nanos / 1000;
        series_add(rows, (double)(seen_us - created_us) / 1000.0);
        if (row[idcol].v.i > top)
            top = row[idcol].v.i;
    }
    if (rc != PMN_ITEROVER)
        die("scan");
    pmn_scan_free(s);
    *max_id = top;
}

static void report(const char *name, series *s)
{
    qsort(s->v, s->n, sizeof *s->v, cmp_double);
    printf("%-9s n=%-7zu p50 %7.1f ms   p99 %7.1f ms   max %7.1f ms\n", name, s->n,
           percentile(s, 50), percentile(s, 99), s->n ? s->v[s->n - 1] : 0.0);
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: bench_latency WAREHOUSE DB TABLE SECONDS [POLL_MS]\n"
                        "(driven by bench/bench_sync.sh)\n");
        return 2;
    }
    const char *wh = argv[1], *db = argv[2], *name = argv[3];
    int64_t deadline_us = wall_micros() + (int64_t)(atof(argv[4]) * 1e6);
    useconds_t poll_us = (useconds_t)((argc > 5 ? atof(argv[5]) : 2.0) * 1000);

    pmn_catalog *cat;
    if (pmn_catalog_open(wh, false, &cat))
        die("catalog");
    pmn_table *t = NULL;
    while (pmn_table_open(cat, db, name, &t)) {
        if (wall_micros() > deadline_us)
            die("table");
        usleep(10000);
    }
    const pmn_type *rt = pmn_table_row_type(t);
    int idcol = pmn_type_find_field(rt, "id"), tscol = pmn_type_find_field(rt, "created_at");
    if (idcol < 0 || tscol < 0) {
        fprintf(stderr, "bench_latency: %s.%s needs columns id and created_at\n", db, name);
        return 1;
    }

    int64_t last = 0, max_id = 0;
    if (pmn_table_latest_snapshot(t, &last))
        die("latest snapshot");
    series snaps = {0}, rows = {0}, before = {0};
    if (last > 0)
        new_rows(t, last, idcol, tscol, 0, &max_id, &before); /* rows already there */
    free(before.v);
    while (wall_micros() < deadline_us) {
        int64_t latest;
        if (pmn_table_latest_snapshot(t, &latest))
            die("latest snapshot");
        if (latest <= last) {
            usleep(poll_us);
            continue;
        }
        int64_t seen_us = wall_micros();
        for (int64_t id = last + 1; id <= latest; id++) {
            pmn_snapshot_info info;
            if (pmn_table_snapshot(t, id, &info))
                die("snapshot");
            for (size_t i = 0; i < info.nproperties; i++)
                if (!strcmp(info.properties[i].key, PROP_COMMIT_TIME)) {
                    int64_t ms = strtoll(info.properties[i].value, NULL, 10);
                    if (ms > 0)
                        series_add(&snaps, (double)seen_us / 1000.0 - (double)ms);
                }
        }
        new_rows(t, latest, idcol, tscol, seen_us, &max_id, &rows);
        last = latest;
    }
    report("rows", &rows);
    report("snapshots", &snaps);
    printf("RESULT rows=%zu row_p50_ms=%.1f row_p99_ms=%.1f row_max_ms=%.1f snapshots=%zu "
           "snap_p50_ms=%.1f snap_p99_ms=%.1f\n",
           rows.n, percentile(&rows, 50), percentile(&rows, 99), rows.n ? rows.v[rows.n - 1] : 0.0,
           snaps.n, percentile(&snaps, 50), percentile(&snaps, 99));
    free(rows.v);
    free(snaps.v);
    pmn_table_free(t);
    pmn_catalog_free(cat);
    return 0;
}
