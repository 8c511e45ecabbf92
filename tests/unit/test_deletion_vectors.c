/*
 * tests/unit/test_deletion_vectors.c
 *
 * Deletion vectors (paimon-format.md §4.8): the RoaringBitmap portable
 * decoder (src/paimon/roaring.c) against hand-computed bytes and against the
 * size and CRC32 of the Java-written files of the RoaringFormatSpec test data;
 * then tables written by the library, given an index manifest and a
 * DELETION_VECTORS index file crafted byte by byte here (0.9 and 1.x
 * manifest layouts, 32- and 64-bit vectors), read back through the scan and
 * the checker; corrupt index files; writes refused.
 */
#include "testutil.h"

#include "format/avro.h"
#include "paimon/deletion_vector.h"
#include "paimon/roaring.h"
#include "paimon/snapshot.h"
#include "pmn/pmn.h"
#include "table/table_internal.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/fs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* ------------------------------------------------------------------------ */
/* A RoaringBitmap portable-format encoder (RoaringFormatSpec), test only    */
/* ------------------------------------------------------------------------ */

static void put_le16(pmn_buf *b, uint32_t v)
{
    uint8_t x[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    pmn_buf_put(b, x, 2);
}

static void put_le32(pmn_buf *b, uint32_t v)
{
    uint8_t x[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    pmn_buf_put(b, x, 4);
}

static void put_be32(pmn_buf *b, uint32_t v)
{
    uint8_t x[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    pmn_buf_put(b, x, 4);
}

typedef struct enc_container {
    uint32_t key;
    const uint32_t *v; /* values of this container (sorted) */
    uint32_t card;
    uint32_t nruns;
    int type; /* 0 array, 1 bitset, 2 run */
} enc_container;

static uint32_t payload_size(const enc_container *c)
{
    return c->type == 2 ? 2 + 4 * c->nruns : c->type == 0 ? 2 * c->card : 8192;
}

/* enc32: the portable serialization of sorted distinct values; with runs, a container becomes a
 * run container when that is strictly smaller (Java's runOptimize). */
static void enc32(pmn_buf *b, const uint32_t *v, size_t n, bool runs)
{
    enc_container *c = calloc(n + 1, sizeof *c);
    size_t nc = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        uint32_t nruns = 0;
        while (j < n && v[j] >> 16 == v[i] >> 16) {
            if (j == i || v[j] != v[j - 1] + 1)
                nruns++;
            j++;
        }
        enc_container *x = &c[nc++];
        x->key = v[i] >> 16;
        x->v = v + i;
        x->card = (uint32_t)(j - i);
        x->nruns = nruns;
        x->type = x->card <= 4096 ? 0 : 1;
        if (runs && 2 + 4 * nruns < payload_size(x))
            x->type = 2;
        i = j;
    }
    bool hasrun = false;
    for (size_t i = 0; i < nc; i++)
        hasrun |= c[i].type == 2;
    uint32_t start;
    if (hasrun) {
        put_le32(b, 12347 | (uint32_t)(nc - 1) << 16);
        for (size_t byte = 0; byte < (nc + 7) / 8; byte++) {
            uint8_t bits = 0;
            for (size_t k = 0; k < 8 && byte * 8 + k < nc; k++)
                if (c[byte * 8 + k].type == 2)
                    bits |= (uint8_t)(1 << k);
            pmn_buf_put(b, &bits, 1);
        }
        start = (uint32_t)(4 + (nc < 4 ? 4 : 8) * nc + (nc + 7) / 8);
    } else {
        put_le32(b, 12346);
        put_le32(b, (uint32_t)nc);
        start = (uint32_t)(8 + 8 * nc);
    }
    for (size_t i = 0; i < nc; i++) {
        put_le16(b, c[i].key);
        put_le16(b, c[i].card - 1);
    }
    if (!hasrun || nc >= 4) {
        for (size_t i = 0; i < nc; i++) {
            put_le32(b, start);
            start += payload_size(&c[i]);
        }
    }
    for (size_t i = 0; i < nc; i++) {
        const enc_container *x = &c[i];
        if (x->type == 0) {
            for (uint32_t k = 0; k < x->card; k++)
                put_le16(b, x->v[k] & 0xFFFF);
        } else if (x->type == 1) {
            uint64_t words[1024] = {0};
            for (uint32_t k = 0; k < x->card; k++)
                words[(x->v[k] & 0xFFFF) >> 6] |= 1ULL << (x->v[k] & 63);
            for (int w = 0; w < 1024; w++) {
                put_le32(b, (uint32_t)words[w]);
                put_le32(b, (uint32_t)(words[w] >> 32));
            }
        } else {
            put_le16(b, x->nruns);
            for (uint32_t k = 0; k < x->card;) {
                uint32_t e = k;
                while (e + 1 < x->card && x->v[e + 1] == x->v[e] + 1)
                    e++;
                put_le16(b, x->v[k] & 0xFFFF);
                put_le16(b, e - k);
                k = e + 1;
            }
        }
    }
    free(c);
}

/* enc64: the 64-bit extension as Java's OptimizedRoaringBitmap64 writes it: a bitmap for every
 * high key from 0 to the largest, empty ones included. */
static void enc64(pmn_buf *b, const uint64_t *v, size_t n, bool runs)
{
    uint32_t nkeys = n ? (uint32_t)(v[n - 1] >> 32) + 1 : 0;
    put_le32(b, nkeys);
    put_le32(b, 0);
    size_t i = 0;
    for (uint32_t key = 0; key < nkeys; key++) {
        size_t j = i;
        while (j < n && v[j] >> 32 == key)
            j++;
        uint32_t *low = calloc(j - i + 1, sizeof *low);
        for (size_t k = i; k < j; k++)
            low[k - i] = (uint32_t)v[k];
        put_le32(b, key);
        enc32(b, low, j - i, runs);
        free(low);
        i = j;
    }
}

/* from_hex: bytes of a hex string with spaces. */
static size_t from_hex(const char *hex, uint8_t *out)
{
    size_t n = 0;
    for (const char *p = hex; *p;) {
        if (*p == ' ') {
            p++;
            continue;
        }
        unsigned x;
        assert_int_equal(sscanf(p, "%2x", &x), 1);
        out[n++] = (uint8_t)x;
        p += 2;
    }
    return n;
}

/* ------------------------------------------------------------------------ */
/* Roaring decoder                                                           */
/* ------------------------------------------------------------------------ */

/* Hand-computed from the RoaringFormatSpec text:
 * {1, 2, 3, 70000} without runs: cookie 12346 (3a 30 00 00), 2 containers; headers (key 0,
 * card-1 2), (key 1, card-1 0); offsets 8 + 8 + 8 = 24 and 24 + 6 = 30; arrays 1 2 3 and
 * 70000 - 65536 = 4464 = 0x1170.
 * {1..10, 70000} with runs: cookie 12347 | (2 - 1) << 16 (3b 30 01 00), run bits 0x01; headers
 * (0, 9), (1, 0); no offsets (fewer than 4 containers); run container: 1 run (start 1,
 * length-1 9); array 0x1170. */
#define HEX_NO_RUNS                                                                                \
    "3a300000 02000000 00000200 01000000 18000000 1e000000 010002000300 7011"
#define HEX_RUNS "3b300100 01 00000900 01000000 0100 0100 0900 7011"

static void test_roaring__hand_computed_bytes(void **state)
{
    (void)state;
    uint8_t want[64];
    pmn_buf b = PMN_BUF_INIT;

    const uint32_t a[] = {1, 2, 3, 70000};
    size_t n = from_hex(HEX_NO_RUNS, want);
    assert_int_equal(n, 32);
    enc32(&b, a, 4, false);
    assert_int_equal(b.len, n);
    assert_memory_equal(b.data, want, n);
    pmn_roaring *r;
    assert_pmn_ok(pmn_roaring_decode32(want, n, &r));
    assert_int_equal(pmn_roaring_cardinality(r), 4);
    for (uint32_t v = 0; v < 80000; v++)
        assert_int_equal(pmn_roaring_contains(r, v), v == 1 || v == 2 || v == 3 || v == 70000);
    uint64_t max;
    assert_true(pmn_roaring_max(r, &max));
    assert_int_equal(max, 70000);
    pmn_roaring_free(r);

    const uint32_t c[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 70000};
    n = from_hex(HEX_RUNS, want);
    assert_int_equal(n, 21);
    pmn_buf_reset(&b);
    enc32(&b, c, 11, true);
    assert_int_equal(b.len, n);
    assert_memory_equal(b.data, want, n);
    assert_pmn_ok(pmn_roaring_decode32(want, n, &r));
    assert_int_equal(pmn_roaring_cardinality(r), 11);
    for (uint32_t v = 0; v < 80000; v++)
        assert_int_equal(pmn_roaring_contains(r, v), (v >= 1 && v <= 10) || v == 70000);
    pmn_roaring_free(r);

    /* empty bitmap: cookie 12346 and 0 containers */
    n = from_hex("3a300000 00000000", want);
    assert_pmn_ok(pmn_roaring_decode32(want, n, &r));
    assert_int_equal(pmn_roaring_cardinality(r), 0);
    assert_false(pmn_roaring_contains(r, 0));
    assert_false(pmn_roaring_max(r, &max));
    pmn_roaring_free(r);
    pmn_buf_dispose(&b);
}

/* The spec's testdata/README: multiples of 1000 in [0, 100000), multiples of 3 in
 * [300000, 600000), all of [700000, 800000). */
static uint32_t *spec_values(size_t *n)
{
    uint32_t *v = pmn_xmalloc(sizeof *v * 300000);
    size_t k = 0;
    for (uint32_t x = 0; x < 100000; x += 1000)
        v[k++] = x;
    for (uint32_t x = 100000; x < 200000; x++)
        v[k++] = 3 * x;
    for (uint32_t x = 700000; x < 800000; x++)
        v[k++] = x;
    *n = k;
    return v;
}

static void test_roaring__spec_testdata(void **state)
{
    (void)state;
    size_t n;
    uint32_t *v = spec_values(&n);
    assert_int_equal(n, 200100);
    /* size and CRC32 of RoaringFormatSpec testdata/bitmapwithoutruns.bin and
     * bitmapwithruns.bin, written by Java's RoaringBitmap: our encoder reproduces them, so the
     * decoder below reads the same bytes Java writes (array, bitset and run containers). */
    struct {
        bool runs;
        size_t size;
        uint32_t crc;
    } files[] = {{false, 72616, 0xef6dc26a}, {true, 48056, 0x1052a898}};
    for (size_t f = 0; f < 2; f++) {
        pmn_buf b = PMN_BUF_INIT;
        enc32(&b, v, n, files[f].runs);
        assert_int_equal(b.len, files[f].size);
        assert_int_equal((uint32_t)crc32(0L, b.data, (uInt)b.len), files[f].crc);
        pmn_roaring *r;
        assert_pmn_ok(pmn_roaring_decode32(b.data, b.len, &r));
        assert_int_equal(pmn_roaring_cardinality(r), n);
        size_t k = 0;
        for (uint32_t x = 0; x < 900000; x++) {
            bool in = k < n && v[k] == x;
            if (in)
                k++;
            if (pmn_roaring_contains(r, x) != in)
                fail_msg("value %u: contains() is %d", x, !in);
        }
        uint64_t max;
        assert_true(pmn_roaring_max(r, &max));
        assert_int_equal(max, 799999);
        pmn_roaring_free(r);
        pmn_buf_dispose(&b);
    }
    free(v);
}

static void test_roaring__64bit(void **state)
{
    (void)state;
    /* bucket 0 and 2 hold values, bucket 1 is empty (Java writes it anyway) */
    const uint64_t v[] = {5, 6, 7, (2ULL << 32) + 3, (2ULL << 32) + 65536 * 3 + 9};
    pmn_buf b = PMN_BUF_INIT;
    enc64(&b, v, 5, true);
    pmn_roaring *r;
    assert_pmn_ok(pmn_roaring_decode64(b.data, b.len, &r));
    assert_int_equal(pmn_roaring_cardinality(r), 5);
    for (size_t i = 0; i < 5; i++)
        assert_true(pmn_roaring_contains(r, v[i]));
    assert_false(pmn_roaring_contains(r, 4));
    assert_false(pmn_roaring_contains(r, (1ULL << 32) + 5));
    assert_false(pmn_roaring_contains(r, 3));
    uint64_t max;
    assert_true(pmn_roaring_max(r, &max));
    assert_int_equal(max, v[4]);
    pmn_roaring_free(r);
    /* every truncation is an error, never a crash */
    for (size_t len = 0; len < b.len; len++) {
        assert_int_equal(pmn_roaring_decode64(b.data, len, &r), PMN_ECORRUPT);
    }
    /* descending bucket keys */
    pmn_buf d = PMN_BUF_INIT;
    put_le32(&d, 2);
    put_le32(&d, 0);
    put_le32(&d, 1);
    put_le32(&d, 12346);
    put_le32(&d, 0);
    put_le32(&d, 0);
    put_le32(&d, 12346);
    put_le32(&d, 0);
    assert_int_equal(pmn_roaring_decode64(d.data, d.len, &r), PMN_ECORRUPT);
    assert_non_null(strstr(pmn_error_last(), "ascending"));
    pmn_buf_dispose(&d);
    pmn_buf_dispose(&b);
}

static void test_roaring__corrupt_input(void **state)
{
    (void)state;
    size_t n;
    uint32_t *v = spec_values(&n);
    for (int runs = 0; runs < 2; runs++) {
        pmn_buf b = PMN_BUF_INIT;
        enc32(&b, v, n, runs);
        pmn_roaring *r = NULL;
        /* every truncation fails cleanly (ASan would flag any over-read) */
        for (size_t len = 0; len < b.len; len += (len < 200 ? 1 : 97)) {
            assert_int_equal(pmn_roaring_decode32(b.data, len, &r), PMN_ECORRUPT);
            assert_null(r);
        }
        /* trailing bytes */
        pmn_buf_put(&b, "x", 1);
        assert_int_equal(pmn_roaring_decode32(b.data, b.len, &r), PMN_ECORRUPT);
        assert_non_null(strstr(pmn_error_last(), "trailing"));
        pmn_buf_dispose(&b);
    }
    free(v);
    uint8_t x[64];
    pmn_roaring *r;
    /* unknown cookie */
    size_t len = from_hex("39300000 00000000", x);
    assert_int_equal(pmn_roaring_decode32(x, len, &r), PMN_ECORRUPT);
    assert_non_null(strstr(pmn_error_last(), "cookie"));
    /* unsorted array container: {3, 2} */
    len = from_hex("3a300000 01000000 00000100 10000000 03000200", x);
    assert_int_equal(pmn_roaring_decode32(x, len, &r), PMN_ECORRUPT);
    assert_non_null(strstr(pmn_error_last(), "not sorted"));
    /* run past 65535 */
    len = from_hex("3b300000 01 00000100 0100 ffff 0100", x);
    assert_int_equal(pmn_roaring_decode32(x, len, &r), PMN_ECORRUPT);
    /* run cardinality disagreeing with the header (header says 3, run holds 2) */
    len = from_hex("3b300000 01 00000200 0100 0500 0100", x);
    assert_int_equal(pmn_roaring_decode32(x, len, &r), PMN_ECORRUPT);
    assert_non_null(strstr(pmn_error_last(), "header"));
    /* container keys not ascending */
    len = from_hex("3a300000 02000000 01000000 01000000 18000000 1a000000 0500 0500", x);
    assert_int_equal(pmn_roaring_decode32(x, len, &r), PMN_ECORRUPT);
    /* absurd container count */
    len = from_hex("3a300000 ffffff7f", x);
    assert_int_equal(pmn_roaring_decode32(x, len, &r), PMN_ECORRUPT);
}

/* ------------------------------------------------------------------------ */
/* Crafting DV index files and index manifests                               */
/* ------------------------------------------------------------------------ */

typedef struct dv_spec {
    const char *data_file;
    pmn_bytes partition;
    int32_t bucket;
    const uint64_t *pos; /* sorted */
    size_t npos;
    bool wide; /* Bitmap64DeletionVector */
    bool runs;
} dv_spec;

typedef struct dv_out {
    int32_t offset, length;
} dv_out;

/* build_index_file: version byte 1, then every vector as DeletionFileWriter writes it. */
static void build_index_file(pmn_buf *f, const dv_spec *d, size_t n, dv_out *out)
{
    uint8_t version = 1;
    pmn_buf_put(f, &version, 1);
    for (size_t i = 0; i < n; i++) {
        pmn_buf data = PMN_BUF_INIT; /* magic + bitmap */
        if (d[i].wide) {
            put_le32(&data, PMN_DV_MAGIC64);
            enc64(&data, d[i].pos, d[i].npos, d[i].runs);
        } else {
            put_be32(&data, PMN_DV_MAGIC32);
            uint32_t *v = calloc(d[i].npos + 1, sizeof *v);
            for (size_t k = 0; k < d[i].npos; k++)
                v[k] = (uint32_t)d[i].pos[k];
            enc32(&data, v, d[i].npos, d[i].runs);
            free(v);
        }
        out[i].offset = (int32_t)f->len;
        put_be32(f, (uint32_t)data.len);
        pmn_buf_put(f, data.data, data.len);
        put_be32(f, (uint32_t)crc32(0L, data.data, (uInt)data.len));
        out[i].length = d[i].wide ? (int32_t)data.len + 8 : (int32_t)data.len;
        pmn_buf_dispose(&data);
    }
}

static pmn_type *nn(pmn_type_root root)
{
    return pmn_type_not_null(pmn_type_new(root));
}

/* index_manifest_type: IndexManifestEntry with _VERSION, as 0.9 (v09) or 1.x writes it. */
static pmn_type *index_manifest_type(bool v09)
{
    pmn_type *range = pmn_type_not_null(pmn_type_row());
    pmn_type_row_add(range, 0, "f0", nn(PMN_TYPE_VARCHAR));
    pmn_type_row_add(range, 1, "f1", nn(PMN_TYPE_INT));
    pmn_type_row_add(range, 2, "f2", nn(PMN_TYPE_INT));
    if (!v09)
        pmn_type_row_add(range, 3, "_CARDINALITY", pmn_type_new(PMN_TYPE_BIGINT));
    pmn_type *t = pmn_type_not_null(pmn_type_row());
    pmn_type_row_add(t, 0, "_VERSION", nn(PMN_TYPE_INT));
    pmn_type_row_add(t, 1, "_KIND", nn(PMN_TYPE_TINYINT));
    pmn_type_row_add(t, 2, "_PARTITION", nn(PMN_TYPE_VARBINARY));
    pmn_type_row_add(t, 3, "_BUCKET", nn(PMN_TYPE_INT));
    pmn_type_row_add(t, 4, "_INDEX_TYPE", nn(PMN_TYPE_VARCHAR));
    pmn_type_row_add(t, 5, "_FILE_NAME", nn(PMN_TYPE_VARCHAR));
    pmn_type_row_add(t, 6, "_FILE_SIZE", nn(PMN_TYPE_BIGINT));
    pmn_type_row_add(t, 7, "_ROW_COUNT", nn(PMN_TYPE_BIGINT));
    pmn_type_row_add(t, 8, "_DELETIONS_VECTORS_RANGES", pmn_type_array(range));
    if (!v09)
        pmn_type_row_add(t, 9, "_EXTERNAL_PATH", pmn_type_new(PMN_TYPE_VARCHAR));
    return t;
}

static pmn_datum bin_datum(const void *p, uint32_t len)
{
    pmn_datum d = {.is_null = false};
    d.v.bin.ptr = p;
    d.v.bin.len = len;
    return d;
}

static pmn_datum list_datum(pmn_datum *items, uint32_t n)
{
    pmn_datum d = {.is_null = false};
    d.v.list.items = items;
    d.v.list.n = n;
    return d;
}

enum { IN_INDEX_DIR, IN_BUCKET_DIR, AT_EXTERNAL_PATH };
/* How install_dvs lays things out. */
typedef struct dv_layout {
    bool v09;         /* 0.9 index manifest (no _CARDINALITY, no _EXTERNAL_PATH) */
    int placement;    /* IN_INDEX_DIR, IN_BUCKET_DIR (index-file-in-data-file-dir), or
                       * AT_EXTERNAL_PATH (_EXTERNAL_PATH, outside the table) */
    int copies;       /* ADD entries of the index file (default 1) */
    bool then_delete; /* a DELETE entry of the same index file follows */
} dv_layout;

/* install_dvs_with: write an index file holding the vectors (all in one (partition, bucket)),
 * an index manifest with its entries, and a snapshot (latest + 1) that names it. Returns the
 * index file's path (caller frees). */
static char *install_dvs_with(pmn_table *t, const dv_spec *d, size_t n, const dv_layout *lay)
{
    static int counter;
    bool v09 = lay->v09;
    dv_out *out = calloc(n + 1, sizeof *out);
    pmn_buf f = PMN_BUF_INIT;
    build_index_file(&f, d, n, out);
    char *name = pmn_xasprintf("index-0c0ffee0-dv-test-%d", counter);
    char *dir = lay->placement == IN_BUCKET_DIR ? pmn_table_bucket_dir(t, d[0].partition,
                                                                       d[0].bucket)
                : lay->placement == AT_EXTERNAL_PATH
                    ? pmn_xasprintf("%s/../external-index", t->path)
                    : pmn_xasprintf("%s/index", t->path);
    assert_pmn_ok(pmn_fs_mkdir_p(dir));
    char *path = pmn_xasprintf("%s/%s", dir, name);
    assert_pmn_ok(pmn_fs_write_file(path, f.data, f.len));

    pmn_type *type = index_manifest_type(v09);
    char *schema = pmn_avro_schema_for_row(type);
    char *mname = pmn_xasprintf("index-manifest-0c0ffee0-dv-test-%d", counter++);
    char *mpath = pmn_xasprintf("%s/manifest/%s", t->path, mname);
    pmn_avro_writer *w;
    assert_pmn_ok(pmn_avro_writer_open(mpath, schema, PMN_AVRO_CODEC_ZSTD, 1, &w));
    pmn_datum *ranges = calloc(n + 1, sizeof *ranges);
    pmn_datum *fields = calloc(4 * n + 1, sizeof *fields);
    for (size_t i = 0; i < n; i++) {
        pmn_datum *rf = &fields[4 * i];
        rf[0] = pmn_datum_str(d[i].data_file, (uint32_t)strlen(d[i].data_file));
        rf[1] = pmn_datum_int(out[i].offset);
        rf[2] = pmn_datum_int(out[i].length);
        rf[3] = pmn_datum_int((int64_t)d[i].npos);
        ranges[i] = list_datum(rf, v09 ? 3 : 4);
    }
    pmn_datum row[10];
    row[0] = pmn_datum_int(1);
    row[1] = pmn_datum_int(0);
    row[2] = bin_datum(d[0].partition.ptr, d[0].partition.len);
    row[3] = pmn_datum_int(d[0].bucket);
    row[4] = pmn_datum_str("DELETION_VECTORS", 16);
    row[5] = pmn_datum_str(name, (uint32_t)strlen(name));
    row[6] = pmn_datum_int((int64_t)f.len);
    row[7] = pmn_datum_int((int64_t)n);
    row[8] = list_datum(ranges, (uint32_t)n);
    row[9] = lay->placement == AT_EXTERNAL_PATH ? pmn_datum_str(path, (uint32_t)strlen(path))
                                                : pmn_datum_null();
    for (int c = 0; c < (lay->copies ? lay->copies : 1); c++) {
        pmn_avro_write_row(pmn_avro_writer_buf(w), type, row);
        assert_pmn_ok(pmn_avro_writer_end_object(w));
    }
    if (lay->then_delete) {
        row[1] = pmn_datum_int(1);
        pmn_avro_write_row(pmn_avro_writer_buf(w), type, row);
        assert_pmn_ok(pmn_avro_writer_end_object(w));
    }
    uint64_t size;
    assert_pmn_ok(pmn_avro_writer_close(w, &size));

    int64_t latest;
    assert_pmn_ok(pmn_snapshot_latest_id(t->path, &latest));
    pmn_snapshot *s;
    assert_pmn_ok(pmn_snapshot_read(t->path, latest, &s));
    s->id = latest + 1;
    free(s->index_manifest);
    s->index_manifest = pmn_xstrdup(mname);
    assert_pmn_ok(pmn_snapshot_publish(t->path, s));
    pmn_snapshot_free(s);

    free(ranges);
    free(fields);
    free(mpath);
    free(mname);
    free(schema);
    pmn_type_free(type);
    free(dir);
    free(name);
    free(out);
    pmn_buf_dispose(&f);
    return path;
}

static char *install_dvs(pmn_table *t, const dv_spec *d, size_t n, bool v09)
{
    dv_layout lay = {.v09 = v09};
    return install_dvs_with(t, d, n, &lay);
}

/* ------------------------------------------------------------------------ */
/* Tables                                                                    */
/* ------------------------------------------------------------------------ */

static pmn_table *create_table(pmn_catalog *cat, const char *name, bool pk, const char *bucket)
{
    pmn_type *row = pmn_type_row();
    pmn_type_row_add(row, 0, "id", pmn_type_not_null(pmn_type_new(PMN_TYPE_BIGINT)));
    pmn_type_row_add(row, 1, "qty", pmn_type_new(PMN_TYPE_INT));
    const char *keys[] = {"id"};
    pmn_kv opts[] = {{"bucket", bucket}};
    pmn_table_def def = {.row_type = row,
                         .primary_keys = pk ? keys : NULL,
                         .nprimary_keys = pk ? 1 : 0,
                         .options = opts,
                         .noptions = 1};
    pmn_table *t = pmn_test_create_table(cat, "db", name, &def);
    pmn_type_free(row);
    return t;
}

/* write_rows: one commit of ids [from, to) with qty = id * mult. */
static void write_rows(pmn_table *t, int64_t from, int64_t to, int32_t mult)
{
    pmn_writer *w;
    assert_pmn_ok(pmn_writer_open(t, NULL, &w));
    for (int64_t id = from; id < to; id++) {
        pmn_datum row[2] = {pmn_datum_int(id), pmn_datum_int(id * mult)};
        assert_pmn_ok(pmn_writer_write(w, PMN_ROW_INSERT, row));
    }
    static int64_t commit_id;
    int64_t snap;
    assert_pmn_ok(pmn_writer_commit(w, ++commit_id, NULL, 0, &snap));
    pmn_writer_free(w);
}

static void enable_dv(pmn_table *t)
{
    pmn_schema_change ch = {.kind = PMN_SCHEMA_SET_OPTION,
                            .key = "deletion-vectors.enabled",
                            .value = "true"};
    assert_pmn_ok(pmn_table_alter(t, &ch, 1));
}

/* scan_all: qty by id (-1 absent) for ids < n; returns the row count. */
static size_t scan_all(pmn_table *t, int32_t *qty, size_t n)
{
    for (size_t i = 0; i < n; i++)
        qty[i] = -1;
    pmn_scan *s;
    assert_pmn_ok(pmn_scan_open(t, NULL, &s));
    const pmn_datum *row;
    size_t rows = 0;
    int rc;
    while ((rc = pmn_scan_next(s, &row)) == 0) {
        assert_true(row[0].v.i >= 0 && (size_t)row[0].v.i < n);
        assert_int_equal(qty[row[0].v.i], -1); /* no duplicates */
        qty[row[0].v.i] = (int32_t)row[1].v.i;
        rows++;
    }
    assert_int_equal(rc, PMN_ITEROVER);
    pmn_scan_free(s);
    return rows;
}

static void assert_check_clean(pmn_table *t)
{
    char *report;
    size_t violations;
    assert_pmn_ok(pmn_table_check(t, &report, &violations));
    if (violations)
        fail_msg("check found %zu violations:\n%s", violations, report);
    free(report);
}

/* latest_plan: the live data files of the latest snapshot. */
static pmn_plan *latest_plan(pmn_table *t)
{
    pmn_plan *p;
    assert_pmn_ok(pmn_plan_open(t, 0, &p));
    return p;
}

static void test_dv__append_table(void **state)
{
    (void)state;
    char *dir = pmn_test_tmpdir("dv-append");
    pmn_catalog *cat;
    assert_pmn_ok(pmn_catalog_open(dir, true, &cat));
    pmn_table *t = create_table(cat, "events", false, "-1");
    write_rows(t, 0, 10000, 1);     /* file A: positions = ids */
    write_rows(t, 10000, 10100, 1); /* file B: positions = ids - 10000 */
    enable_dv(t);
    pmn_plan *p = latest_plan(t);
    assert_int_equal(p->nfiles, 2);
    const pmn_manifest_entry *fa = p->files[0].file.row_count == 10000 ? &p->files[0] : &p->files[1];
    const pmn_manifest_entry *fb = fa == &p->files[0] ? &p->files[1] : &p->files[0];
    /* A: every even position below 9000 (a bitset container, 4500 values) and the run
     * [9500, 9600) (a run container); B: positions 0, 7, 99 (an array container) */
    uint64_t *pa = calloc(5000, sizeof *pa);
    size_t na = 0;
    for (uint64_t x = 0; x < 9000; x += 2)
        pa[na++] = x;
    for (uint64_t x = 9500; x < 9600; x++)
        pa[na++] = x;
    const uint64_t pb[] = {0, 7, 99};
    dv_spec d[] = {{fa->file.file_name, fa->partition, fa->bucket, pa, na, false, true},
                   {fb->file.file_name, fb->partition, fb->bucket, pb, 3, false, false}};
    char *index = install_dvs(t, d, 2, false);
    free(index);
    pmn_plan_free(p);

    int32_t *qty = calloc(10100, sizeof *qty);
    size_t rows = scan_all(t, qty, 10100);
    assert_int_equal(rows, 10100 - na - 3);
    for (int64_t id = 0; id < 10100; id++) {
        bool deleted = (id < 9000 && id % 2 == 0) || (id >= 9500 && id < 9600) ||
                       id == 10000 || id == 10007 || id == 10099;
        if (deleted)
            assert_int_equal(qty[id], -1);
        else
            assert_int_equal(qty[id], id);
    }
    assert_check_clean(t);

    /* writes and compaction are refused, with the reason */
    pmn_writer *w;
    assert_int_equal(pmn_writer_open(t, NULL, &w), PMN_EINVALID);
    assert_non_null(strstr(pmn_error_last(), "deletion-vectors.enabled"));
    int64_t snap = -1;
    assert_int_equal(pmn_table_compact(t, true, &snap), PMN_EINVALID);
    assert_non_null(strstr(pmn_error_last(), "deletion vectors"));

    /* with the option off Java ignores the vectors; so do we, and the checker says so */
    pmn_schema_change off = {.kind = PMN_SCHEMA_SET_OPTION,
                             .key = "deletion-vectors.enabled",
                             .value = "false"};
    assert_pmn_ok(pmn_table_alter(t, &off, 1));
    assert_int_equal(scan_all(t, qty, 10100), 10100);
    char *report;
    size_t violations;
    assert_pmn_ok(pmn_table_check(t, &report, &violations));
    assert_int_equal(violations, 1);
    assert_non_null(strstr(report, "deletion-vectors.enabled is off"));
    free(report);

    free(qty);
    free(pa);
    pmn_table_free(t);
    pmn_catalog_free(cat);
    pmn_fs_remove_tree(dir);
    free(dir);
}

static void test_dv__pk_table_levels(void **state)
{
    (void)state;
    char *dir = pmn_test_tmpdir("dv-pk");
    pmn_catalog *cat;
    assert_pmn_ok(pmn_catalog_open(dir, true, &cat));
    pmn_table *t = create_table(cat, "items", true, "1");
    write_rows(t, 0, 100, 1);
    int64_t snap;
    /* ascending keys into an empty table may already be committed as a top-level run; either
     * way a full compaction leaves one file at the top level (checked below) */
    assert_pmn_ok(pmn_table_compact(t, true, &snap));
    /* level-0 leftovers: new keys 100..109 and new values for 0..9 */
    write_rows(t, 0, 10, 1000);
    write_rows(t, 100, 110, 1);
    enable_dv(t);
    pmn_plan *p = latest_plan(t);
    const pmn_manifest_entry *top = NULL;
    for (size_t i = 0; i < p->nfiles; i++)
        if (p->files[i].file.level > 0)
            top = &p->files[i];
    assert_non_null(top);
    assert_int_equal(top->file.row_count, 100);
    /* keys are sorted in the file: position = id */
    const uint64_t del[] = {3, 50, 99};
    dv_spec d[] = {{top->file.file_name, top->partition, top->bucket, del, 3, false, false}};
    char *index = install_dvs(t, d, 1, true); /* 0.9 index manifest layout */
    free(index);
    pmn_plan_free(p);

    int32_t qty[128];
    size_t rows = scan_all(t, qty, 128);
    /* Java's batch read of a DV table reads level >= 1 only: the level-0 rows are not seen */
    assert_int_equal(rows, 97);
    for (int64_t id = 0; id < 128; id++) {
        if (id == 3 || id == 50 || id == 99 || id >= 100)
            assert_int_equal(qty[id], -1);
        else
            assert_int_equal(qty[id], id);
    }
    /* filters still prune and stop early on top of the vectors */
    pmn_filter f = {.field = 0, .op = PMN_FILTER_LE, .value = pmn_datum_int(50)};
    pmn_scan_options o = {.filters = &f, .nfilters = 1};
    pmn_scan *s;
    assert_pmn_ok(pmn_scan_open(t, &o, &s));
    const pmn_datum *row;
    size_t n = 0;
    while (pmn_scan_next(s, &row) == 0) {
        assert_true(row[0].v.i <= 50 && row[0].v.i != 3 && row[0].v.i != 50);
        n++;
    }
    assert_int_equal(n, 49);
    pmn_scan_free(s);
    assert_check_clean(t);
    pmn_writer *w;
    assert_int_equal(pmn_writer_open(t, NULL, &w), PMN_EINVALID);
    pmn_table_free(t);
    pmn_catalog_free(cat);
    pmn_fs_remove_tree(dir);
    free(dir);
}

static void test_dv__bitmap64(void **state)
{
    (void)state;
    char *dir = pmn_test_tmpdir("dv-64");
    pmn_catalog *cat;
    assert_pmn_ok(pmn_catalog_open(dir, true, &cat));
    pmn_table *t = create_table(cat, "wide", false, "-1");
    write_rows(t, 0, 300, 1);
    enable_dv(t);
    pmn_plan *p = latest_plan(t);
    assert_int_equal(p->nfiles, 1);
    const uint64_t del[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 200, 299};
    dv_spec d[] = {{p->files[0].file.file_name, p->files[0].partition, p->files[0].bucket, del,
                    12, true, true}};
    char *index = install_dvs(t, d, 1, false);
    free(index);
    pmn_plan_free(p);
    int32_t qty[300];
    assert_int_equal(scan_all(t, qty, 300), 288);
    for (int64_t id = 0; id < 300; id++) {
        bool deleted = (id >= 1 && id <= 10) || id == 200 || id == 299;
        assert_int_equal(qty[id], deleted ? -1 : id);
    }
    assert_check_clean(t);
    pmn_table_free(t);
    pmn_catalog_free(cat);
    pmn_fs_remove_tree(dir);
    free(dir);
}

/* expect_scan_error: opening or reading the table fails (with `code`, or any error if 0) and
 * the message holds both strings. */
static void expect_scan_error(pmn_table *t, int code, const char *a, const char *b)
{
    pmn_scan *s;
    int rc = pmn_scan_open(t, NULL, &s);
    if (rc == 0) {
        const pmn_datum *row;
        while ((rc = pmn_scan_next(s, &row)) == 0)
            ;
        pmn_scan_free(s);
    }
    if (rc == PMN_ITEROVER)
        fail_msg("the scan succeeded; expected an error with \"%s\"", a);
    if (code)
        assert_int_equal(rc, code);
    if (!strstr(pmn_error_last(), a) || !strstr(pmn_error_last(), b))
        fail_msg("error \"%s\" lacks \"%s\" or \"%s\"", pmn_error_last(), a, b);
}

static void test_dv__corrupt_index_files(void **state)
{
    (void)state;
    char *dir = pmn_test_tmpdir("dv-corrupt");
    pmn_catalog *cat;
    assert_pmn_ok(pmn_catalog_open(dir, true, &cat));
    pmn_table *t = create_table(cat, "bad", false, "-1");
    write_rows(t, 0, 50, 1);
    enable_dv(t);
    pmn_plan *p = latest_plan(t);
    const uint64_t del[] = {4, 5};
    dv_spec d[] = {{p->files[0].file.file_name, p->files[0].partition, p->files[0].bucket, del,
                    2, false, false}};
    char *path = install_dvs(t, d, 1, false);
    pmn_plan_free(p);
    char *data;
    size_t len;
    assert_pmn_ok(pmn_fs_read_file(path, &data, &len));
    const char *base = strrchr(path, '/') + 1;

    /* a flipped bit inside the bitmap: CRC32 mismatch, naming the index file */
    data[len - 6] ^= 0x01;
    assert_pmn_ok(pmn_fs_write_file(path, data, len));
    expect_scan_error(t, PMN_ECORRUPT, "crc32 mismatch", base);
    char *report;
    size_t violations;
    assert_pmn_ok(pmn_table_check(t, &report, &violations));
    assert_true(violations >= 1);
    assert_non_null(strstr(report, "crc32 mismatch"));
    free(report);
    data[len - 6] ^= 0x01;

    /* every truncation: an error naming the file, never a crash */
    for (size_t cut = 0; cut < len; cut++) {
        assert_pmn_ok(pmn_fs_write_file(path, data, cut));
        expect_scan_error(t, PMN_ECORRUPT, base, "");
    }
    /* wrong version byte, wrong magic */
    data[0] = 2;
    assert_pmn_ok(pmn_fs_write_file(path, data, len));
    expect_scan_error(t, PMN_ECORRUPT, "version 2", base);
    data[0] = 1;
    data[1 + 4] ^= 0x40;
    assert_pmn_ok(pmn_fs_write_file(path, data, len));
    expect_scan_error(t, PMN_ECORRUPT, "magic", base);
    data[1 + 4] ^= 0x40;
    /* restored: reads again */
    assert_pmn_ok(pmn_fs_write_file(path, data, len));
    int32_t qty[50];
    assert_int_equal(scan_all(t, qty, 50), 48);
    /* missing index file */
    assert_pmn_ok(pmn_fs_remove(path));
    expect_scan_error(t, 0, base, "deletion vector");
    free(data);
    free(path);
    pmn_table_free(t);
    pmn_catalog_free(cat);
    pmn_fs_remove_tree(dir);
    free(dir);
}

static void test_dv__index_placement_and_replay(void **state)
{
    (void)state;
    char *dir = pmn_test_tmpdir("dv-placement");
    pmn_catalog *cat;
    assert_pmn_ok(pmn_catalog_open(dir, true, &cat));
    pmn_table *t = create_table(cat, "placed", false, "-1");
    write_rows(t, 0, 20, 1);
    enable_dv(t);
    pmn_plan *p = latest_plan(t);
    const uint64_t del[] = {0, 19};
    dv_spec d[] = {{p->files[0].file.file_name, p->files[0].partition, p->files[0].bucket, del,
                    2, false, false}};
    int32_t qty[20];

    /* _EXTERNAL_PATH: the file lives outside the table */
    dv_layout ext = {.placement = AT_EXTERNAL_PATH};
    free(install_dvs_with(t, d, 1, &ext));
    assert_int_equal(scan_all(t, qty, 20), 18);
    assert_int_equal(qty[0], -1);
    assert_int_equal(qty[19], -1);
    assert_check_clean(t);

    /* index-file-in-data-file-dir (1.3+): the file lives in the bucket directory */
    pmn_schema_change ch = {.kind = PMN_SCHEMA_SET_OPTION,
                            .key = "index-file-in-data-file-dir",
                            .value = "true"};
    assert_pmn_ok(pmn_table_alter(t, &ch, 1));
    dv_layout bucket = {.placement = IN_BUCKET_DIR};
    free(install_dvs_with(t, d, 1, &bucket));
    assert_int_equal(scan_all(t, qty, 20), 18);
    assert_check_clean(t);

    /* an ADD followed by the DELETE of the same index file: no vectors remain */
    dv_layout replay = {.placement = IN_BUCKET_DIR, .then_delete = true};
    free(install_dvs_with(t, d, 1, &replay));
    assert_int_equal(scan_all(t, qty, 20), 20);

    /* two vectors for one data file: corrupt, said clearly */
    dv_layout twice = {.placement = IN_BUCKET_DIR, .copies = 2};
    free(install_dvs_with(t, d, 1, &twice));
    expect_scan_error(t, PMN_ECORRUPT, "two deletion vectors", p->files[0].file.file_name);
    char *report;
    size_t violations;
    assert_pmn_ok(pmn_table_check(t, &report, &violations));
    assert_non_null(strstr(report, "two deletion vectors"));
    free(report);

    pmn_plan_free(p);
    pmn_table_free(t);
    pmn_catalog_free(cat);
    pmn_fs_remove_tree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roaring__hand_computed_bytes),
        cmocka_unit_test(test_roaring__spec_testdata),
        cmocka_unit_test(test_roaring__64bit),
        cmocka_unit_test(test_roaring__corrupt_input),
        cmocka_unit_test(test_dv__append_table),
        cmocka_unit_test(test_dv__pk_table_levels),
        cmocka_unit_test(test_dv__bitmap64),
        cmocka_unit_test(test_dv__corrupt_index_files),
        cmocka_unit_test(test_dv__index_placement_and_replay),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
