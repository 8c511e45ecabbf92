/*
 * bench/bench_avro.c
 *
 * Throughput of the Avro data-file path (src/format/avro*.c) on orders-shaped
 * rows: id BIGINT NOT NULL, then amount_cents BIGINT, customer STRING (~12 bytes),
 * price DECIMAL(10,2), created TIMESTAMP(6), qty INT (nullable, as Java writes
 * table columns). For each codec it times encode+write (incl. fsync) and
 * read+decode of N rows (default 10,000,000; `bench_avro N` to change) and prints
 * rows/s and MB/s of encoded (uncompressed) Avro data. One core, no threads.
 */
#include "format/avro.h"
#include "util/alloc.h"
#include "util/arena.h"
#include "util/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define NSTR 65536

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t rng = 88172645463325252ULL;

static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static pmn_type *orders_type(void)
{
    pmn_type *r = pmn_type_row();
    pmn_type_row_add(r, 0, "id", pmn_type_not_null(pmn_type_new(PMN_TYPE_BIGINT)));
    pmn_type_row_add(r, 1, "amount_cents", pmn_type_new(PMN_TYPE_BIGINT));
    pmn_type_row_add(r, 2, "customer", pmn_type_new(PMN_TYPE_VARCHAR));
    pmn_type_row_add(r, 3, "price", pmn_type_decimal(10, 2));
    pmn_type_row_add(r, 4, "created", pmn_type_timestamp(PMN_TYPE_TIMESTAMP, 6));
    pmn_type_row_add(r, 5, "qty", pmn_type_new(PMN_TYPE_INT));
    return r;
}

static char strings[NSTR][13];

static void make_row(int64_t i, pmn_datum *v)
{
    memset(v, 0, 6 * sizeof *v);
    v[0].v.i = i;
    v[1].v.i = (int64_t)(rnd() % 10000000);
    const char *s = strings[(uint64_t)i % NSTR];
    v[2].v.bin.ptr = (const uint8_t *)s;
    v[2].v.bin.len = 12;
    v[3].v.dec = (pmn_i128)(rnd() % 10000000000ULL);
    v[4].v.ts.millis = 1700000000000LL + i;
    v[4].v.ts.nanos = (int32_t)(rnd() % 1000) * 1000;
    v[5].v.i = (int64_t)(i % 1000);
    if (i % 97 == 0)
        v[5].is_null = true;
}

static int run(const char *dir, pmn_avro_codec codec, const char *label, int64_t nrows)
{
    pmn_type *row = orders_type();
    char *schema = pmn_avro_schema_for_row(row);
    char *path = pmn_xasprintf("%s/bench-%s-%ld.avro", dir, label, (long)getpid());
    pmn_avro_writer *w;
    if (pmn_avro_writer_open(path, schema, codec, 1, &w) != 0) {
        fprintf(stderr, "bench_avro: %s\n", pmn_error_last());
        return 1;
    }
    pmn_datum v[6];
    uint64_t encoded = 0;
    double t0 = now();
    for (int64_t i = 0; i < nrows; i++) {
        make_row(i, v);
        pmn_buf *b = pmn_avro_writer_buf(w);
        size_t before = b->len;
        pmn_avro_write_row(b, row, v);
        encoded += b->len - before;
        if (pmn_avro_writer_end_object(w) != 0) {
            fprintf(stderr, "bench_avro: %s\n", pmn_error_last());
            return 1;
        }
    }
    uint64_t size;
    if (pmn_avro_writer_close(w, &size) != 0) {
        fprintf(stderr, "bench_avro: %s\n", pmn_error_last());
        return 1;
    }
    double tw = now() - t0;

    /* row generation alone, to subtract from the write figure */
    t0 = now();
    int64_t sink = 0;
    for (int64_t i = 0; i < nrows; i++) {
        make_row(i, v);
        sink += v[1].v.i;
    }
    double tg = now() - t0;

    t0 = now();
    pmn_avro_reader *r;
    pmn_avro_read_plan *plan;
    if (pmn_avro_reader_open(path, &r) != 0 ||
        pmn_avro_read_plan_new(pmn_avro_reader_schema(r), row, &plan) != 0) {
        fprintf(stderr, "bench_avro: %s\n", pmn_error_last());
        return 1;
    }
    pmn_arena arena = PMN_ARENA_INIT;
    pmn_avro_cursor c;
    int64_t count, nread = 0;
    int rc;
    while ((rc = pmn_avro_reader_next_block(r, &c, &count)) == 0) {
        for (int64_t i = 0; i < count; i++) {
            if (pmn_avro_read_row(plan, &c, &arena, v) != 0) {
                fprintf(stderr, "bench_avro: %s\n", pmn_error_last());
                return 1;
            }
            sink += v[0].v.i + v[2].v.bin.len;
        }
        nread += count;
    }
    double tr = now() - t0;
    if (rc != PMN_ITEROVER || nread != nrows) {
        fprintf(stderr, "bench_avro: read %lld rows: %s\n", (long long)nread, pmn_error_last());
        return 1;
    }
    double mb = (double)encoded / 1e6;
    printf("%-10s rows=%lld encoded=%.1f MB file=%.1f MB\n", label, (long long)nrows, mb,
           (double)size / 1e6);
    printf("  write: %6.2f s  %6.2f M rows/s  %7.1f MB/s  (row generation %.2f s excluded: "
           "%.2f M rows/s)\n",
           tw, (double)nrows / tw / 1e6, mb / tw, tg, (double)nrows / (tw - tg) / 1e6);
    printf("  read:  %6.2f s  %6.2f M rows/s  %7.1f MB/s  (checksum %lld)\n", tr,
           (double)nrows / tr / 1e6, mb / tr, (long long)(sink & 0xffff));
    pmn_arena_free(&arena);
    pmn_avro_read_plan_free(plan);
    pmn_avro_reader_free(r);
    unlink(path);
    free(path);
    free(schema);
    pmn_type_free(row);
    return 0;
}

int main(int argc, char **argv)
{
    int64_t nrows = argc > 1 ? atoll(argv[1]) : 10000000;
    const char *dir = getenv("PMN_BENCH_DIR");
    if (!dir)
        dir = "/tmp";
    for (int i = 0; i < NSTR; i++) {
        for (int k = 0; k < 12; k++)
            strings[i][k] = (char)('a' + rnd() % 26);
        strings[i][12] = 0;
    }
    printf("avro data files, orders rows (id, amount, customer, price, created, qty), %s\n", dir);
    if (run(dir, PMN_AVRO_CODEC_ZSTD, "zstd-1", nrows) != 0)
        return 1;
    if (run(dir, PMN_AVRO_CODEC_NULL, "null", nrows) != 0)
        return 1;
    return 0;
}
