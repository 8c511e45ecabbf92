/*
 * tests/unit/test_scan_modes.c
 *
 * Paimon's scan.mode values beyond the basic ones (paimon-format.md §12):
 * compacted-full (a stream's full phase and a batch read at the latest
 * COMPACT snapshot), incremental (a stream of the changes of a snapshot range,
 * from the API, from incremental-between and from
 * incremental-between-timestamp; bounded: later commits are not read), and
 * batch reads with a scan.mode (numbers from the read or the table's scan.*
 * options; without a mode those options do not move a read; incremental is
 * refused for batch reads), and from-file-creation-time (batch: the latest
 * snapshot's files created at or after the bound, compared in epoch time
 * while files hold local time, checked under a non-UTC time zone; stream:
 * those rows, then every later snapshot; both from the read's number or the
 * table's scan.file-creation-time-millis, also under scan.mode default).
 */
#include "testutil.h"

#include "change/datum.h"
#include "pmn/pmn.h"
#include "util/alloc.h"
#include "util/clock.h"
#include "util/fs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct fixture {
    char *dir;
    pmn_catalog *cat;
    pmn_table *t;
    int64_t snaps[8]; /* 1-based by step */
} fixture;

static int64_t commit(pmn_table *t, int64_t ident, const int64_t *keys, const int32_t *qty,
                      const bool *del, int n)
{
    pmn_writer *w;
    assert_pmn_ok(pmn_writer_open(t, NULL, &w));
    for (int i = 0; i < n; i++) {
        pmn_datum row[2] = {pmn_datum_int(keys[i]),
                            del[i] ? pmn_datum_null() : pmn_datum_int(qty[i])};
        assert_pmn_ok(pmn_writer_write(w, del[i] ? PMN_ROW_DELETE : PMN_ROW_INSERT, row));
    }
    int64_t snap;
    assert_pmn_ok(pmn_writer_commit(w, ident, NULL, 0, &snap));
    pmn_writer_free(w);
    usleep(2000); /* distinct commit times */
    return snap;
}

/* snapshots: 1 APPEND keys 0..4 = 10+k; 2 APPEND key 1 = 21, key 2 deleted; 3 COMPACT (full);
 * 4 APPEND key 7 = 7; 5 APPEND key 0 = 50 */
static void setup(fixture *f, const char *name)
{
    f->dir = pmn_test_tmpdir(name);
    assert_pmn_ok(pmn_catalog_open(f->dir, true, &f->cat));
    pmn_catalog_create_database(f->cat, "db", true);
    pmn_type *row = pmn_type_row();
    pmn_type_row_add(row, 0, "id", pmn_type_new(PMN_TYPE_BIGINT));
    pmn_type_row_add(row, 0, "qty", pmn_type_new(PMN_TYPE_INT));
    const char *keys[] = {"id"};
    pmn_kv opts[] = {{"bucket", "1"}, {"write-only", "true"}};
    pmn_table_def def = {
        .row_type = row, .primary_keys = keys, .nprimary_keys = 1, .options = opts, .noptions = 2};
    assert_pmn_ok(pmn_catalog_create_table(f->cat, "db", "t", &def, false));
    pmn_type_free(row);
    assert_pmn_ok(pmn_table_open(f->cat, "db", "t", &f->t));
    int64_t k1[] = {0, 1, 2, 3, 4};
    int32_t q1[] = {10, 11, 12, 13, 14};
    bool d1[] = {false, false, false, false, false};
    f->snaps[1] = commit(f->t, 1, k1, q1, d1, 5);
    int64_t k2[] = {1, 2};
    int32_t q2[] = {21, 0};
    bool d2[] = {false, true};
    f->snaps[2] = commit(f->t, 2, k2, q2, d2, 2);
    assert_pmn_ok(pmn_table_compact(f->t, true, &f->snaps[3]));
    usleep(2000);
    int64_t k4[] = {7};
    int32_t q4[] = {7};
    bool d4[] = {false};
    f->snaps[4] = commit(f->t, 4, k4, q4, d4, 1);
    int64_t k5[] = {0};
    int32_t q5[] = {50};
    f->snaps[5] = commit(f->t, 5, k5, q5, d4, 1);
    for (int i = 1; i <= 5; i++)
        assert_int_equal(f->snaps[i], i);
}

static void teardown(fixture *f)
{
    pmn_table_free(f->t);
    pmn_catalog_free(f->cat);
    pmn_fs_remove_tree(f->dir);
    free(f->dir);
}

static void set_options(pmn_table *t, const char *const *kv, size_t n)
{
    pmn_schema_change ch[8];
    for (size_t i = 0; i < n; i++)
        ch[i] = (pmn_schema_change){.kind = kv[2 * i + 1] ? PMN_SCHEMA_SET_OPTION
                                                          : PMN_SCHEMA_REMOVE_OPTION,
                                    .key = kv[2 * i],
                                    .value = kv[2 * i + 1]};
    assert_pmn_ok(pmn_table_alter(t, ch, n));
}

/* read_all: "kind:key=qty@snap " for every change until caught up */
static char *read_all(pmn_stream *s)
{
    char *out = pmn_xstrdup("");
    pmn_row_kind kind;
    const pmn_datum *row;
    int64_t snap;
    int rc;
    static const char *names[] = {"+I", "-U", "+U", "-D"};
    while ((rc = pmn_stream_next(s, &kind, &row, &snap)) == 0) {
        char *next = pmn_xasprintf("%s%s:%lld=%d@%lld ", out, names[kind], (long long)row[0].v.i,
                                   row[1].is_null ? -1 : (int)row[1].v.i, (long long)snap);
        free(out);
        out = next;
    }
    if (rc != PMN_ITEROVER)
        fail_msg("stream: %s", pmn_error_last());
    return out;
}

static void expect_stream(pmn_table *t, const pmn_stream_options *o, const char *want)
{
    pmn_stream *s;
    assert_pmn_ok(pmn_stream_open(t, o, &s));
    char *got = read_all(s);
    if (strcmp(got, want) != 0)
        fail_msg("mode %s: got '%s', expected '%s'", o && o->mode ? o->mode : "(table)", got, want);
    free(got);
    pmn_stream_free(s);
}

static void test_modes__compacted_full_stream(void **state)
{
    (void)state;
    fixture f;
    setup(&f, "modes-compacted");
    /* the rows of snapshot 3 (the full compaction) as +I, then snapshots 4 and 5 */
    pmn_stream_options o = {.mode = "compacted-full"};
    expect_stream(f.t, &o, "+I:0=10@3 +I:1=21@3 +I:3=13@3 +I:4=14@3 +I:7=7@4 +I:0=50@5 ");
    teardown(&f);
}

static void test_modes__incremental_stream(void **state)
{
    (void)state;
    fixture f;
    setup(&f, "modes-incremental");
    /* (1, 4]: snapshot 2's changes, nothing of the COMPACT snapshot 3, snapshot 4's */
    const char *want = "+I:1=21@2 -D:2=-1@2 +I:7=7@4 ";
    pmn_stream_options o = {.mode = "incremental", .snapshot_id = 1, .end_snapshot_id = 4};
    pmn_stream *s;
    assert_pmn_ok(pmn_stream_open(f.t, &o, &s));
    char *got = read_all(s);
    assert_string_equal(got, want);
    free(got);
    /* bounded: a later commit is not part of the range */
    int64_t k[] = {9};
    int32_t q[] = {9};
    bool d[] = {false};
    commit(f.t, 6, k, q, d, 1);
    pmn_row_kind kind;
    const pmn_datum *row;
    int64_t snap;
    assert_int_equal(pmn_stream_next(s, &kind, &row, &snap), PMN_ITEROVER);
    pmn_stream_free(s);
    /* from the table's options: incremental-between */
    const char *between[] = {"scan.mode", "incremental", "incremental-between", "1,4"};
    set_options(f.t, between, 2);
    expect_stream(f.t, NULL, want);
    /* incremental-between-timestamp: the snapshots at those times */
    pmn_snapshot_info i1, i4;
    assert_pmn_ok(pmn_table_snapshot(f.t, 1, &i1));
    int64_t t1 = i1.time_millis;
    assert_pmn_ok(pmn_table_snapshot(f.t, 4, &i4));
    int64_t t4 = i4.time_millis;
    char *range = pmn_xasprintf("%lld,%lld", (long long)t1, (long long)t4);
    const char *by_time[] = {"incremental-between", NULL, "incremental-between-timestamp", range};
    set_options(f.t, by_time, 2);
    free(range);
    expect_stream(f.t, NULL, want);
    /* an empty or reversed range is refused */
    pmn_stream_options bad = {.mode = "incremental", .snapshot_id = 4, .end_snapshot_id = 2};
    assert_int_equal(pmn_stream_open(f.t, &bad, &s), PMN_EINVALID);
    assert_non_null(strstr(pmn_error_last(), "incremental"));
    teardown(&f);
}

static int64_t batch_snapshot(pmn_table *t, const char *mode, size_t *rows)
{
    pmn_scan *s;
    pmn_scan_options so = {.mode = mode};
    assert_pmn_ok(pmn_scan_open(t, &so, &s));
    const pmn_datum *row;
    *rows = 0;
    while (pmn_scan_next(s, &row) == 0)
        (*rows)++;
    int64_t id = pmn_scan_snapshot_id(s);
    pmn_scan_free(s);
    return id;
}

static void test_modes__batch(void **state)
{
    (void)state;
    fixture f;
    setup(&f, "modes-batch");
    size_t rows = 0;
    assert_int_equal(batch_snapshot(f.t, NULL, &rows), 5);
    assert_int_equal(rows, 5); /* keys 0, 1, 3, 4, 7 */
    assert_int_equal(batch_snapshot(f.t, "latest", &rows), 5);
    assert_int_equal(batch_snapshot(f.t, "compacted-full", &rows), 3);
    assert_int_equal(rows, 4);
    /* the numbers a mode needs come from the read, else from the table's options */
    pmn_scan_options so = {.mode = "from-snapshot", .snapshot_id = 2};
    pmn_scan *s;
    assert_pmn_ok(pmn_scan_open(f.t, &so, &s));
    assert_int_equal(pmn_scan_snapshot_id(s), 2);
    pmn_scan_free(s);
    so.snapshot_id = 0;
    assert_int_equal(pmn_scan_open(f.t, &so, &s), PMN_EINVALID);
    const char *from_snap[] = {"scan.snapshot-id", "1"};
    set_options(f.t, from_snap, 1);
    assert_int_equal(batch_snapshot(f.t, "from-snapshot", &rows), 1);
    assert_int_equal(rows, 5); /* keys 0..4 */
    assert_int_equal(batch_snapshot(f.t, "default", &rows), 1);
    /* without a mode the table's scan.* options do not move reads (writers read the latest) */
    assert_int_equal(batch_snapshot(f.t, NULL, &rows), 5);
    pmn_snapshot_info i2;
    assert_pmn_ok(pmn_table_snapshot(f.t, 2, &i2));
    char *ts = pmn_xasprintf("%lld", (long long)i2.time_millis);
    const char *from_ts[] = {"scan.snapshot-id", NULL, "scan.timestamp-millis", ts};
    set_options(f.t, from_ts, 2);
    free(ts);
    assert_int_equal(batch_snapshot(f.t, "from-timestamp", &rows), 2);
    assert_int_equal(batch_snapshot(f.t, "default", &rows), 2);
    assert_pmn_ok(pmn_table_create_tag(f.t, "first", 1));
    const char *by_tag[] = {"scan.timestamp-millis", NULL, "scan.tag-name", "first"};
    set_options(f.t, by_tag, 2);
    assert_int_equal(batch_snapshot(f.t, "default", &rows), 1);
    /* incremental reads changes: refused for batch reads */
    so = (pmn_scan_options){.mode = "incremental"};
    assert_int_equal(pmn_scan_open(f.t, &so, &s), PMN_EINVALID);
    assert_non_null(strstr(pmn_error_last(), "stream"));
    so.mode = "sideways";
    assert_int_equal(pmn_scan_open(f.t, &so, &s), PMN_EINVALID);
    teardown(&f);
}

/* rows_of: "key=qty " of a batch read */
static char *rows_of(pmn_table *t, const pmn_scan_options *so)
{
    pmn_scan *s;
    assert_pmn_ok(pmn_scan_open(t, so, &s));
    char *out = pmn_xstrdup("");
    const pmn_datum *row;
    int rc;
    while ((rc = pmn_scan_next(s, &row)) == 0) {
        char *next = pmn_xasprintf("%s%lld=%d ", out, (long long)row[0].v.i,
                                   row[1].is_null ? -1 : (int)row[1].v.i);
        free(out);
        out = next;
    }
    assert_int_equal(rc, PMN_ITEROVER);
    pmn_scan_free(s);
    return out;
}

static void expect_rows(pmn_table *t, const pmn_scan_options *so, const char *want)
{
    char *got = rows_of(t, so);
    if (strcmp(got, want))
        fail_msg("mode %s: got '%s', expected '%s'", so->mode, got, want);
    free(got);
}

static void test_modes__from_file_creation_time(void **state)
{
    (void)state;
    /* files hold local wall-clock time: a zone far from UTC catches a comparison that
     * forgets to convert (the POSIX form needs no tz database) */
    char *old_tz = getenv("TZ") ? pmn_xstrdup(getenv("TZ")) : NULL;
    setenv("TZ", "XST-5:30", 1);
    tzset();
    fixture f;
    setup(&f, "modes-file-time");
    usleep(3000);
    int64_t bound = pmn_now_millis();
    int64_t k6[] = {8};
    int32_t q6[] = {8};
    bool d[] = {false};
    commit(f.t, 6, k6, q6, d, 1);
    int64_t k7[] = {1};
    int32_t q7[] = {71};
    commit(f.t, 7, k7, q7, d, 1);
    /* batch: of the latest snapshot's files only those of snapshots 6 and 7 (key 1's older
     * versions lie in files created before the bound: not read, as in Java) */
    pmn_scan_options so = {.mode = "from-file-creation-time", .timestamp_millis = bound};
    expect_rows(f.t, &so, "1=71 8=8 ");
    /* a bound after every file: nothing; before every file: every row */
    so.timestamp_millis = pmn_now_millis() + 1000;
    expect_rows(f.t, &so, "");
    so.timestamp_millis = 1;
    expect_rows(f.t, &so, "0=50 1=71 3=13 4=14 7=7 8=8 ");
    /* the mode needs a time */
    so.timestamp_millis = 0;
    pmn_scan *s;
    assert_int_equal(pmn_scan_open(f.t, &so, &s), PMN_EINVALID);
    assert_non_null(strstr(pmn_error_last(), "scan.file-creation-time-millis"));
    /* stream: those rows as +I at the latest snapshot, then what follows */
    pmn_stream_options o = {.mode = "from-file-creation-time", .timestamp_millis = bound};
    pmn_stream *st;
    assert_pmn_ok(pmn_stream_open(f.t, &o, &st));
    char *got = read_all(st);
    assert_string_equal(got, "+I:1=71@7 +I:8=8@7 ");
    free(got);
    int64_t k8[] = {9};
    int32_t q8[] = {9};
    commit(f.t, 8, k8, q8, d, 1);
    got = read_all(st);
    assert_string_equal(got, "+I:9=9@8 ");
    free(got);
    pmn_stream_free(st);
    /* from the table's option: scan.mode from-file-creation-time, and default */
    char *b = pmn_xasprintf("%lld", (long long)bound);
    const char *opt[] = {"scan.file-creation-time-millis", b, "scan.mode",
                         "from-file-creation-time"};
    set_options(f.t, opt, 2);
    expect_stream(f.t, NULL, "+I:1=71@8 +I:8=8@8 +I:9=9@8 ");
    const char *dflt[] = {"scan.mode", "default"};
    set_options(f.t, dflt, 1);
    expect_stream(f.t, NULL, "+I:1=71@8 +I:8=8@8 +I:9=9@8 ");
    so = (pmn_scan_options){.mode = "default"};
    expect_rows(f.t, &so, "1=71 8=8 9=9 ");
    so.mode = "from-file-creation-time";
    expect_rows(f.t, &so, "1=71 8=8 9=9 ");
    free(b);
    teardown(&f);
    if (old_tz)
        setenv("TZ", old_tz, 1);
    else
        unsetenv("TZ");
    free(old_tz);
    tzset();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_modes__compacted_full_stream),
        cmocka_unit_test(test_modes__incremental_stream),
        cmocka_unit_test(test_modes__batch),
        cmocka_unit_test(test_modes__from_file_creation_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
