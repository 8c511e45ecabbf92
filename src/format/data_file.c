/*
 * src/format/data_file.c
 *
 * Avro data files of Paimon tables; see data_file.h.
 */
#include "format/data_file.h"
#include "format/avro_internal.h"

#include "paimon/binary_row.h"
#include "util/alloc.h"
#include "util/error.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define STATS_TRUNCATE_CHARS 16

/* ------------------------------------------------------------------------ */
/* Column statistics (SimpleStatsCollector in truncate(16) mode)             */
/* ------------------------------------------------------------------------ */

typedef struct col_stats {
    const pmn_type *type;
    bool tracked;      /* min/max kept for this type */
    bool unknown;      /* gave up on min/max (NaN seen) */
    bool have;         /* min/max set */
    pmn_datum min, max;
    uint8_t *min_buf, *max_buf; /* storage of string/bytes min/max */
    uint32_t min_cap, max_cap;
    int64_t nulls;
} col_stats;

static bool stats_tracked(const pmn_type *t)
{
    switch (t->root) {
    case PMN_TYPE_BINARY:
    case PMN_TYPE_VARBINARY:
    case PMN_TYPE_ARRAY:
    case PMN_TYPE_MAP:
    case PMN_TYPE_MULTISET:
    case PMN_TYPE_ROW:
        return false;
    default:
        return true;
    }
}

static void keep(pmn_datum *dst, uint8_t **buf, uint32_t *cap, const pmn_datum *src,
                 const pmn_type *t)
{
    *dst = *src;
    if (pmn_type_is_string(t)) {
        if (src->v.bin.len > *cap) {
            *cap = src->v.bin.len * 2 + 16;
            *buf = pmn_xrealloc(*buf, *cap);
        }
        if (src->v.bin.len)
            memcpy(*buf, src->v.bin.ptr, src->v.bin.len);
        dst->v.bin.ptr = *buf;
    }
}

static bool is_nan(const pmn_type *t, const pmn_datum *d)
{
    if (t->root == PMN_TYPE_FLOAT)
        return isnan(d->v.f4);
    if (t->root == PMN_TYPE_DOUBLE)
        return isnan(d->v.f8);
    return false;
}

static void stats_add(col_stats *s, const pmn_datum *d)
{
    if (d->is_null) {
        s->nulls++;
        return;
    }
    if (!s->tracked || s->unknown)
        return;
    if (is_nan(s->type, d)) {
        s->unknown = true;
        return;
    }
    if (!s->have) {
        keep(&s->min, &s->min_buf, &s->min_cap, d, s->type);
        keep(&s->max, &s->max_buf, &s->max_cap, d, s->type);
        s->have = true;
        return;
    }
    if (pmn_datum_compare(s->type, d, &s->min) < 0)
        keep(&s->min, &s->min_buf, &s->min_cap, d, s->type);
    if (pmn_datum_compare(s->type, d, &s->max) > 0)
        keep(&s->max, &s->max_buf, &s->max_cap, d, s->type);
}

/* utf8_prefix: byte length of the first `chars` code points of s. */
static uint32_t utf8_prefix(const uint8_t *s, uint32_t len, int chars)
{
    uint32_t i = 0;
    while (i < len && chars > 0) {
        i++;
        while (i < len && (s[i] & 0xC0) == 0x80)
            i++;
        chars--;
    }
    return i;
}

/* truncate_stats: min becomes a prefix (still <= every value); max becomes a prefix whose last
 * byte is incremented (still >= every value), or unknown when no such prefix exists. */
static void truncate_stats(col_stats *s)
{
    if (!s->have || !pmn_type_is_string(s->type))
        return;
    uint32_t n = utf8_prefix(s->min.v.bin.ptr, s->min.v.bin.len, STATS_TRUNCATE_CHARS);
    s->min.v.bin.len = n;
    n = utf8_prefix(s->max.v.bin.ptr, s->max.v.bin.len, STATS_TRUNCATE_CHARS);
    if (n < s->max.v.bin.len) {
        /* increment the last byte that can be incremented without leaving UTF-8 */
        uint8_t *p = s->max_buf;
        while (n > 0 && (p[n - 1] == 0x7F || p[n - 1] == 0xBF || p[n - 1] >= 0xF4))
            n--;
        if (n == 0) {
            s->have = false;
            return;
        }
        p[n - 1]++;
        /* drop a trailing incomplete sequence so the bytes stay valid UTF-8 */
        uint32_t start = n - 1;
        while (start > 0 && (p[start] & 0xC0) == 0x80)
            start--;
        uint32_t need = (p[start] < 0x80) ? 1 : (p[start] < 0xE0) ? 2 : (p[start] < 0xF0) ? 3 : 4;
        if (start + need > n) {
            n = start;
            if (n == 0) {
                s->have = false;
                return;
            }
            p[n - 1]++;
        }
        s->max.v.bin.len = n;
    }
}

/* stats_serialize: a SimpleStats of columns cols[0..n) into the arena. */
static void stats_serialize(col_stats *cols, const int32_t *idx, int32_t n, pmn_arena *a,
                            pmn_simple_stats *out)
{
    const pmn_type **types = pmn_xcalloc((size_t)n + 1, sizeof *types);
    pmn_datum *mins = pmn_xcalloc((size_t)n + 1, sizeof *mins);
    pmn_datum *maxs = pmn_xcalloc((size_t)n + 1, sizeof *maxs);
    out->null_counts = pmn_arena_alloc(a, sizeof(int64_t) * ((size_t)n + 1));
    for (int32_t i = 0; i < n; i++) {
        col_stats *s = &cols[idx ? idx[i] : i];
        truncate_stats(s);
        types[i] = s->type;
        bool known = s->have && !s->unknown;
        mins[i] = known ? s->min : pmn_datum_null();
        maxs[i] = known ? s->max : pmn_datum_null();
        out->null_counts[i] = s->nulls;
    }
    pmn_buf b = PMN_BUF_INIT;
    pmn_binary_row_serialize(&b, types, mins, n);
    out->min_values.ptr = pmn_arena_memdup(a, b.data, b.len);
    out->min_values.len = (uint32_t)b.len;
    pmn_buf_reset(&b);
    pmn_binary_row_serialize(&b, types, maxs, n);
    out->max_values.ptr = pmn_arena_memdup(a, b.data, b.len);
    out->max_values.len = (uint32_t)b.len;
    pmn_buf_dispose(&b);
    out->has_null_counts = true;
    out->nnull_counts = n;
    free(types);
    free(mins);
    free(maxs);
}

/* ------------------------------------------------------------------------ */
/* Writer                                                                    */
/* ------------------------------------------------------------------------ */

struct pmn_data_file_writer {
    char *path;
    pmn_avro_writer *avro;
    const pmn_type *row;     /* table row type (borrowed) */
    pmn_type *file_type;     /* Avro record type (owned) */
    int32_t *key_idx;
    int32_t nkeys;
    const pmn_type **key_types;
    col_stats *stats;        /* one per table column */
    int64_t rows;
    int64_t deletes;
    int64_t min_seq, max_seq;
    pmn_buf min_key, max_key; /* serialized BinaryRows (max_key filled at close) */
    pmn_datum *key_scratch;
    pmn_type *key_type;       /* ROW of the _KEY_ fields as the file stores them (owned) */
    pmn_datum *last_key;      /* key of the last row added; strings kept in last_buf */
    uint8_t **last_buf;
    uint32_t *last_cap;
    uint64_t raw_bytes;       /* encoded (uncompressed) bytes so far */
};

static pmn_type *kv_file_type(const pmn_type *row, const int32_t *key_idx, int32_t nkeys)
{
    pmn_type *t = pmn_type_row();
    for (int32_t i = 0; i < nkeys; i++) {
        const pmn_field *f = &row->fields[key_idx[i]];
        char *name = pmn_xasprintf("_KEY_%s", f->name);
        pmn_type_row_add(t, f->id, name, pmn_type_not_null(pmn_type_copy(f->type)));
        free(name);
    }
    pmn_type_row_add(t, 2147483646, "_SEQUENCE_NUMBER",
                     pmn_type_not_null(pmn_type_new(PMN_TYPE_BIGINT)));
    pmn_type_row_add(t, 2147483645, "_VALUE_KIND",
                     pmn_type_not_null(pmn_type_new(PMN_TYPE_TINYINT)));
    for (int32_t i = 0; i < row->nfields; i++)
        pmn_type_row_add(t, row->fields[i].id, row->fields[i].name,
                         pmn_type_copy(row->fields[i].type));
    return t;
}

int pmn_data_file_writer_open(const char *path, const pmn_type *row, const int32_t *key_idx,
                              int32_t nkeys, pmn_avro_codec codec, pmn_data_file_writer **out)
{
    pmn_data_file_writer *w = pmn_xcalloc(1, sizeof *w);
    w->path = pmn_xstrdup(path);
    w->row = row;
    w->nkeys = nkeys;
    w->key_idx = pmn_xcalloc((size_t)nkeys + 1, sizeof *w->key_idx);
    w->key_types = pmn_xcalloc((size_t)nkeys + 1, sizeof *w->key_types);
    for (int32_t i = 0; i < nkeys; i++) {
        w->key_idx[i] = key_idx[i];
        w->key_types[i] = row->fields[key_idx[i]].type;
    }
    w->file_type = nkeys ? kv_file_type(row, key_idx, nkeys) : pmn_type_copy(row);
    w->key_type = pmn_type_row();
    for (int32_t i = 0; i < nkeys; i++)
        pmn_type_row_add(w->key_type, w->file_type->fields[i].id, w->file_type->fields[i].name,
                         pmn_type_copy(w->file_type->fields[i].type));
    w->last_key = pmn_xcalloc((size_t)nkeys + 1, sizeof *w->last_key);
    w->last_buf = pmn_xcalloc((size_t)nkeys + 1, sizeof *w->last_buf);
    w->last_cap = pmn_xcalloc((size_t)nkeys + 1, sizeof *w->last_cap);
    w->key_scratch = pmn_xcalloc((size_t)nkeys + 1, sizeof *w->key_scratch);
    w->stats = pmn_xcalloc((size_t)row->nfields, sizeof *w->stats);
    for (int32_t i = 0; i < row->nfields; i++) {
        w->stats[i].type = row->fields[i].type;
        w->stats[i].tracked = stats_tracked(row->fields[i].type);
    }
    w->min_seq = INT64_MAX;
    w->max_seq = INT64_MIN;
    char *schema = pmn_avro_schema_for_row(w->file_type);
    int rc = pmn_avro_writer_open(path, schema, codec, 1, &w->avro);
    free(schema);
    if (rc) {
        w->avro = NULL;
        pmn_data_file_writer_discard(w);
        return rc;
    }
    *out = w;
    return 0;
}

/* keep_bytes: *dst = *src, with string or binary bytes copied into *buf. */
static void keep_bytes(pmn_datum *dst, uint8_t **buf, uint32_t *cap, const pmn_datum *src,
                       const pmn_type *t)
{
    *dst = *src;
    if (!src->is_null && (pmn_type_is_string(t) || pmn_type_is_binary(t))) {
        if (src->v.bin.len > *cap) {
            *cap = src->v.bin.len * 2 + 16;
            *buf = pmn_xrealloc(*buf, *cap);
        }
        if (src->v.bin.len)
            memcpy(*buf, src->v.bin.ptr, src->v.bin.len);
        dst->v.bin.ptr = *buf;
    }
}

/* stats_add_fast: stats_add with the common fixed-width types compared inline. */
static inline void stats_add_fast(col_stats *s, const pmn_datum *d)
{
    if (!d->is_null && s->have && !s->unknown) {
        switch (s->type->root) {
        case PMN_TYPE_TINYINT:
        case PMN_TYPE_SMALLINT:
        case PMN_TYPE_INT:
        case PMN_TYPE_BIGINT:
        case PMN_TYPE_DATE:
        case PMN_TYPE_TIME:
            if (d->v.i < s->min.v.i)
                s->min = *d;
            else if (d->v.i > s->max.v.i)
                s->max = *d;
            return;
        case PMN_TYPE_DECIMAL:
            if (d->v.dec < s->min.v.dec)
                s->min = *d;
            else if (d->v.dec > s->max.v.dec)
                s->max = *d;
            return;
        default:
            break;
        }
    }
    stats_add(s, d);
}

int pmn_data_file_writer_add(pmn_data_file_writer *w, const pmn_datum *row, int64_t seq,
                             int32_t kind)
{
    int32_t n = w->row->nfields;
    pmn_buf *out = pmn_avro_writer_buf(w->avro);
    size_t before = out->len;
    if (w->nkeys) {
        /* a KeyValue record: _KEY_ fields, _SEQUENCE_NUMBER, _VALUE_KIND, the row */
        for (int32_t i = 0; i < w->nkeys; i++)
            w->key_scratch[i] = row[w->key_idx[i]];
        if (w->rows == 0)
            pmn_binary_row_serialize(&w->min_key, w->key_types, w->key_scratch, w->nkeys);
        for (int32_t i = 0; i < w->nkeys; i++)
            keep_bytes(&w->last_key[i], &w->last_buf[i], &w->last_cap[i], &w->key_scratch[i],
                       w->key_types[i]);
        if (kind == 1 || kind == 3)
            w->deletes++;
        pmn_avro_write_row(out, w->key_type, w->key_scratch);
        pmn_avro_put_long(out, seq);
        pmn_avro_put_long(out, kind);
    }
    pmn_avro_write_row(out, w->row, row);
    w->raw_bytes += out->len - before;
    int rc = pmn_avro_writer_end_object(w->avro);
    if (rc)
        return rc;
    for (int32_t i = 0; i < n; i++)
        stats_add_fast(&w->stats[i], &row[i]);
    if (seq < w->min_seq)
        w->min_seq = seq;
    if (seq > w->max_seq)
        w->max_seq = seq;
    w->rows++;
    return 0;
}

int64_t pmn_data_file_writer_rows(const pmn_data_file_writer *w)
{
    return w->rows;
}

uint64_t pmn_data_file_writer_bytes(const pmn_data_file_writer *w)
{
    return w->raw_bytes;
}

static void writer_free(pmn_data_file_writer *w)
{
    for (int32_t i = 0; w->stats && i < w->row->nfields; i++) {
        free(w->stats[i].min_buf);
        free(w->stats[i].max_buf);
    }
    free(w->stats);
    for (int32_t i = 0; w->last_buf && i < w->nkeys; i++)
        free(w->last_buf[i]);
    free(w->last_buf);
    free(w->last_cap);
    free(w->last_key);
    pmn_type_free(w->key_type);
    free(w->key_scratch);
    free(w->key_idx);
    free(w->key_types);
    pmn_type_free(w->file_type);
    pmn_buf_dispose(&w->min_key);
    pmn_buf_dispose(&w->max_key);
    free(w->path);
    free(w);
}

int pmn_data_file_writer_close(pmn_data_file_writer *w, pmn_arena *a, pmn_data_file_meta *meta)
{
    uint64_t size = 0;
    int rc = pmn_avro_writer_close(w->avro, &size);
    w->avro = NULL;
    if (rc) {
        writer_free(w);
        return rc;
    }
    memset(meta, 0, sizeof *meta);
    const char *base = strrchr(w->path, '/');
    meta->file_name = pmn_arena_strdup(a, base ? base + 1 : w->path);
    meta->file_size = (int64_t)size;
    meta->row_count = w->rows;
    if (w->nkeys) {
        if (w->rows)
            pmn_binary_row_serialize(&w->max_key, w->key_types, w->last_key, w->nkeys);
        meta->min_key.ptr = pmn_arena_memdup(a, w->min_key.data, w->min_key.len);
        meta->min_key.len = (uint32_t)w->min_key.len;
        meta->max_key.ptr = pmn_arena_memdup(a, w->max_key.data, w->max_key.len);
        meta->max_key.len = (uint32_t)w->max_key.len;
        stats_serialize(w->stats, w->key_idx, w->nkeys, a, &meta->key_stats);
    } else {
        pmn_simple_stats empty = pmn_simple_stats_empty();
        meta->min_key = empty.min_values;
        meta->max_key = empty.max_values;
        meta->key_stats = empty;
    }
    stats_serialize(w->stats, NULL, w->row->nfields, a, &meta->value_stats);
    meta->min_sequence_number = w->rows ? w->min_seq : 0;
    meta->max_sequence_number = w->rows ? w->max_seq : 0;
    meta->has_delete_row_count = true;
    meta->delete_row_count = w->deletes;
    meta->extra_files = NULL;
    meta->nextra_files = 0;
    meta->file_source = 0;
    writer_free(w);
    return 0;
}

void pmn_data_file_writer_discard(pmn_data_file_writer *w)
{
    if (!w)
        return;
    if (w->avro)
        pmn_avro_writer_discard(w->avro);
    writer_free(w);
}

/* ------------------------------------------------------------------------ */
/* Reader                                                                    */
/* ------------------------------------------------------------------------ */

struct pmn_data_file_reader {
    pmn_avro_reader *avro;
    pmn_avro_read_plan *plan;
    pmn_type *read_type; /* [_SEQUENCE_NUMBER, _VALUE_KIND,] fields of the requested row */
    bool kv;
    pmn_datum *vals;
    pmn_arena arena;     /* nested values of the current block */
    pmn_avro_cursor cursor;
    int64_t left;        /* records left in the current block */
    char *path;
    /* the block a seek decoded last: offset, end, cursor at its first record, record count */
    uint64_t probe_off, probe_end;
    pmn_avro_cursor probe_cursor;
    int64_t probe_left;
    bool probe_kept;     /* its decompressed bytes are still in the avro reader */
    /* key-first reading (pmn_data_file_reader_use_keys) */
    int32_t nkeys;               /* 0: not enabled */
    const int32_t *key_idx;      /* key columns' positions in the requested row */
    pmn_datum *key_vals;         /* nkeys datums */
    bool lazy;                   /* keys and values are decoded separately */
    bool value_pending;          /* the current record's values are still in the cursor */
    pmn_avro_read_plan *key_plan;   /* _KEY_..., _SEQUENCE_NUMBER, _VALUE_KIND */
    pmn_avro_read_plan *value_plan; /* the remaining fields */
    int32_t value_from;          /* first writer field of the values */
    bool int_keys;               /* keys, sequence and kind are plain Avro ints/longs */
    pmn_avro_skipper *skips;     /* how to step over each value field */
    int32_t nskips;
};

int pmn_data_file_reader_open(const char *path, const pmn_type *row, bool kv,
                              pmn_data_file_reader **out)
{
    pmn_data_file_reader *r = pmn_xcalloc(1, sizeof *r);
    r->kv = kv;
    r->path = pmn_xstrdup(path);
    pmn_arena_init(&r->arena);
    r->read_type = pmn_type_row();
    if (kv) {
        pmn_type_row_add(r->read_type, 0, "_SEQUENCE_NUMBER", pmn_type_new(PMN_TYPE_BIGINT));
        pmn_type_row_add(r->read_type, 1, "_VALUE_KIND", pmn_type_new(PMN_TYPE_TINYINT));
    }
    for (int32_t i = 0; i < row->nfields; i++)
        pmn_type_row_add(r->read_type, row->fields[i].id, row->fields[i].name,
                         pmn_type_copy(row->fields[i].type));
    r->vals = pmn_xcalloc((size_t)r->read_type->nfields + 1, sizeof *r->vals);
    int rc = pmn_avro_reader_open(path, &r->avro);
    if (rc == 0)
        rc = pmn_avro_read_plan_new(pmn_avro_reader_schema(r->avro), r->read_type, &r->plan);
    if (rc) {
        pmn_error_wrap("data file %s: ", path);
        pmn_data_file_reader_free(r);
        return rc;
    }
    *out = r;
    return 0;
}

int pmn_data_file_reader_next(pmn_data_file_reader *r, const pmn_datum **vals, int64_t *seq,
                              int32_t *kind)
{
    while (r->left == 0) {
        pmn_arena_reset(&r->arena);
        int rc = pmn_avro_reader_next_block(r->avro, &r->cursor, &r->left);
        if (rc)
            return rc;
    }
    int rc = pmn_avro_read_row(r->plan, &r->cursor, &r->arena, r->vals);
    if (rc)
        return pmn_error_wrap("data file %s: ", r->path);
    r->left--;
    if (r->kv) {
        *seq = r->vals[0].v.i;
        *kind = (int32_t)r->vals[1].v.i;
        if (r->vals[0].is_null || r->vals[1].is_null || *kind < 0 || *kind > 3)
            return pmn_error_set(PMN_ECORRUPT,
                                 "data file %s: record without a valid _SEQUENCE_NUMBER / "
                                 "_VALUE_KIND",
                                 r->path);
        *vals = r->vals + 2;
    } else {
        *seq = -1;
        *kind = 0;
        *vals = r->vals;
    }
    return 0;
}

/* first_record: decode the first record of the block at `off` into r->vals (the block becomes
 * the current one, its other records unread). */
static int first_record(pmn_data_file_reader *r, uint64_t off, const pmn_datum **vals)
{
    int rc = pmn_avro_reader_seek(r->avro, off);
    if (rc == 0) {
        r->left = 0;
        pmn_arena_reset(&r->arena);
        rc = pmn_avro_reader_next_block(r->avro, &r->cursor, &r->left);
    }
    if (rc == 0 && r->left == 0)
        rc = pmn_error_set(PMN_ECORRUPT, "data file %s: empty block at offset %llu", r->path,
                           (unsigned long long)off);
    if (rc == 0) {
        r->probe_off = off;
        r->probe_end = pmn_avro_reader_tell(r->avro);
        r->probe_cursor = r->cursor;
        r->probe_left = r->left;
        /* uncompressed blocks are read in place, and the next probe's scan may move that
         * window; a decompressed block stays until the next block is decompressed */
        r->probe_kept = pmn_avro_reader_codec(r->avro) != PMN_AVRO_CODEC_NULL;
    }
    if (rc == 0)
        rc = pmn_avro_read_row(r->plan, &r->cursor, &r->arena, r->vals);
    if (rc)
        return pmn_error_wrap("data file %s: ", r->path);
    *vals = r->kv ? r->vals + 2 : r->vals;
    return 0;
}

int pmn_data_file_reader_seek(pmn_data_file_reader *r,
                              bool (*at_or_before)(void *ctx, const pmn_datum *vals), void *ctx)
{
    /* Invariant: the block at `lo` is the start (its first record satisfies the predicate, or
     * it is the first block); no block starting at or after `hi` has a first record that does.
     * Each step finds the first block after the midpoint, so the range at least halves. */
    uint64_t lo = pmn_avro_reader_data_start(r->avro);
    uint64_t hi = pmn_avro_reader_file_size(r->avro);
    r->probe_kept = false;
    while (hi - lo > 1) {
        uint64_t mid = lo + (hi - lo - 1) / 2, b = 0; /* mid + 1 < hi */
        int rc = pmn_avro_reader_block_after(r->avro, mid, &b);
        if (rc && rc != PMN_ITEROVER)
            return pmn_error_wrap("data file %s: ", r->path);
        if (rc == PMN_ITEROVER || b >= hi) {
            hi = mid + 1; /* no block starts in (mid, hi) */
            continue;
        }
        const pmn_datum *vals = NULL;
        rc = first_record(r, b, &vals);
        if (rc)
            return rc;
        if (at_or_before(ctx, vals))
            lo = b;
        else
            hi = mid + 1; /* b is the first block after mid and already too far */
    }
    if (r->probe_kept && r->probe_off == lo) {
        /* the start is the block decoded last: read on from its first record */
        r->cursor = r->probe_cursor;
        r->left = r->probe_left;
        int rc = pmn_avro_reader_seek(r->avro, r->probe_end);
        return rc ? pmn_error_wrap("data file %s: ", r->path) : 0;
    }
    r->left = 0;
    pmn_arena_reset(&r->arena);
    int rc = pmn_avro_reader_seek(r->avro, lo);
    return rc ? pmn_error_wrap("data file %s: ", r->path) : 0;
}

uint64_t pmn_data_file_reader_blocks(const pmn_data_file_reader *r)
{
    return pmn_avro_reader_blocks_read(r->avro);
}

/* ---- key-first reading ---- */

static void build_skips(pmn_data_file_reader *r);

/* record_view: the writer's top record restricted to fields [from, from + n) (borrowed). */
static pmn_avro_schema record_view(const pmn_avro_schema *w, int32_t from, int32_t n)
{
    pmn_avro_schema v = *w;
    v.children = w->children + from;
    v.field_names = w->field_names + from;
    v.nchildren = n;
    return v;
}

/* lazy_plans: plans for the key prefix and the values of a KeyValue file, or false when the
 * file does not have that shape (then the reader decodes whole records). */
static bool lazy_plans(pmn_data_file_reader *r, const pmn_type *const *key_types)
{
    const pmn_avro_schema *w = pmn_avro_reader_schema(r->avro);
    int32_t nk = r->nkeys;
    if (w->kind != PMN_AVRO_RECORD || w->nchildren < nk + 2)
        return false;
    for (int32_t i = 0; i < nk; i++)
        if (strncmp(w->field_names[i], "_KEY_", 5) != 0)
            return false;
    if (strcmp(w->field_names[nk], "_SEQUENCE_NUMBER") != 0 ||
        strcmp(w->field_names[nk + 1], "_VALUE_KIND") != 0)
        return false;
    pmn_type *kt = pmn_type_row();
    for (int32_t i = 0; i < nk; i++)
        pmn_type_row_add(kt, i, w->field_names[i], pmn_type_copy(key_types[i]));
    pmn_type_row_add(kt, nk, "_SEQUENCE_NUMBER", pmn_type_new(PMN_TYPE_BIGINT));
    pmn_type_row_add(kt, nk + 1, "_VALUE_KIND", pmn_type_new(PMN_TYPE_TINYINT));
    pmn_type *vt = pmn_type_row();
    for (int32_t i = 2; i < r->read_type->nfields; i++)
        pmn_type_row_add(vt, r->read_type->fields[i].id, r->read_type->fields[i].name,
                         pmn_type_copy(r->read_type->fields[i].type));
    pmn_avro_schema kv = record_view(w, 0, nk + 2);
    pmn_avro_schema vv = record_view(w, nk + 2, w->nchildren - nk - 2);
    int rc = pmn_avro_read_plan_new(&kv, kt, &r->key_plan);
    if (rc == 0)
        rc = pmn_avro_read_plan_new(&vv, vt, &r->value_plan);
    pmn_type_free(kt);
    pmn_type_free(vt);
    if (rc) {
        /* e.g. a key type the plan cannot convert: whole records still read fine */
        pmn_error_clear();
        pmn_avro_read_plan_free(r->key_plan);
        pmn_avro_read_plan_free(r->value_plan);
        r->key_plan = r->value_plan = NULL;
        return false;
    }
    r->value_from = nk + 2;
    build_skips(r);
    /* the usual key shape (INT/BIGINT keys, never null in a key) is decoded inline */
    r->int_keys = w->children[nk]->kind == PMN_AVRO_LONG && !w->children[nk]->logical_type &&
                  w->children[nk + 1]->kind == PMN_AVRO_INT;
    for (int32_t i = 0; i < nk && r->int_keys; i++) {
        const pmn_avro_schema *f = w->children[i];
        r->int_keys = (f->kind == PMN_AVRO_INT || f->kind == PMN_AVRO_LONG) && !f->logical_type &&
                      (key_types[i]->root == PMN_TYPE_BIGINT ||
                       (key_types[i]->root == PMN_TYPE_INT && f->kind == PMN_AVRO_INT));
    }
    return true;
}

int pmn_data_file_reader_use_keys(pmn_data_file_reader *r, const pmn_type *const *key_types,
                                  const int32_t *key_idx, int32_t nkeys)
{
    if (!r->kv || nkeys <= 0 || r->nkeys)
        return pmn_error_set(PMN_EINVALID, "data file %s: key-first reading needs a key-value "
                                           "file and key columns", r->path);
    r->nkeys = nkeys;
    r->key_idx = key_idx;
    r->key_vals = pmn_xcalloc((size_t)nkeys + 2, sizeof *r->key_vals);
    r->lazy = lazy_plans(r, key_types);
    return 0;
}

static void build_skips(pmn_data_file_reader *r)
{
    const pmn_avro_schema *w = pmn_avro_reader_schema(r->avro);
    r->nskips = w->nchildren - r->value_from;
    r->skips = pmn_xcalloc((size_t)r->nskips + 1, sizeof *r->skips);
    for (int32_t i = 0; i < r->nskips; i++)
        pmn_avro__skipper_init(&r->skips[i], w->children[r->value_from + i]);
}

/* skip_values: step over the current record's value fields. */
static int skip_values(pmn_data_file_reader *r)
{
    pmn_avro_cursor *c = &r->cursor;
    for (const pmn_avro_skipper *k = r->skips, *end = r->skips + r->nskips; k < end; k++)
        pmn_avro__skip_with(c, k);
    r->value_pending = false;
    if (r->cursor.overflow)
        return pmn_error_set(PMN_ECORRUPT, "data file %s: malformed or truncated record",
                             r->path);
    return 0;
}

int pmn_data_file_reader_next_key(pmn_data_file_reader *r, const pmn_datum **key, int64_t *seq,
                                  int32_t *kind)
{
    if (!r->lazy) {
        const pmn_datum *vals;
        int rc = pmn_data_file_reader_next(r, &vals, seq, kind);
        if (rc)
            return rc;
        for (int32_t i = 0; i < r->nkeys; i++)
            r->key_vals[i] = vals[r->key_idx[i]];
        *key = r->key_vals;
        return 0;
    }
    if (r->value_pending) {
        int rc = skip_values(r);
        if (rc)
            return rc;
    }
    while (r->left == 0) {
        pmn_arena_reset(&r->arena);
        int rc = pmn_avro_reader_next_block(r->avro, &r->cursor, &r->left);
        if (rc)
            return rc;
    }
    if (r->int_keys) {
        pmn_avro_cursor *c = &r->cursor;
        for (int32_t i = 0; i < r->nkeys + 2; i++) {
            r->key_vals[i].is_null = false;
            r->key_vals[i].v.i = pmn_avro__get_long(c);
        }
        int64_t k = r->key_vals[r->nkeys + 1].v.i;
        if (c->overflow || k < INT32_MIN || k > INT32_MAX)
            return pmn_error_set(PMN_ECORRUPT, "data file %s: malformed or truncated record",
                                 r->path);
    } else {
        int rc = pmn_avro_read_row(r->key_plan, &r->cursor, &r->arena, r->key_vals);
        if (rc)
            return pmn_error_wrap("data file %s: ", r->path);
    }
    r->left--;
    r->value_pending = true;
    const pmn_datum *sk = &r->key_vals[r->nkeys];
    *seq = sk[0].v.i;
    *kind = (int32_t)sk[1].v.i;
    if (sk[0].is_null || sk[1].is_null || *kind < 0 || *kind > 3)
        return pmn_error_set(PMN_ECORRUPT,
                             "data file %s: record without a valid _SEQUENCE_NUMBER / "
                             "_VALUE_KIND",
                             r->path);
    *key = r->key_vals;
    return 0;
}

int pmn_data_file_reader_values(pmn_data_file_reader *r, const pmn_datum **vals)
{
    if (r->lazy && r->value_pending) {
        int rc = pmn_avro_read_row(r->value_plan, &r->cursor, &r->arena, r->vals + 2);
        if (rc)
            return pmn_error_wrap("data file %s: ", r->path);
        r->value_pending = false;
    }
    *vals = r->vals + 2;
    return 0;
}

void pmn_data_file_reader_free(pmn_data_file_reader *r)
{
    if (!r)
        return;
    pmn_avro_read_plan_free(r->key_plan);
    pmn_avro_read_plan_free(r->value_plan);
    free(r->key_vals);
    free(r->skips);
    pmn_avro_read_plan_free(r->plan);
    pmn_avro_reader_free(r->avro);
    pmn_type_free(r->read_type);
    pmn_arena_free(&r->arena);
    free(r->vals);
    free(r->path);
    free(r);
}
