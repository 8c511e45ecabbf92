/*
 * src/table/scan.c
 *
 * Batch read of a table at a snapshot (Java's TableScan + MergeFileSplitRead):
 *
 *   plan      live files of the snapshot (plan.c), pruned by partition values,
 *             bucket (equality on every bucket-key column) and min/max key;
 *   group     files of one (partition, bucket), read together;
 *   merge     primary-key tables: a k-way merge of the group's files (each file
 *             is a sorted run) by key, then the merge engine (§5.4) over the
 *             versions of each key: deduplicate (the highest sequence wins; a
 *             winning -D/-U removes the key; ignore-delete skips those),
 *             first-row (the lowest sequence), partial-update (each column's
 *             newest non-null value; deletes need ignore-delete or
 *             partial-update.remove-record-on-delete); aggregation, sequence
 *             groups and sequence.field are refused;
 *             append tables: files one after another;
 *   evolve    each file is read through its own schema: current columns are
 *             matched to the file's columns by field id (renames), columns the
 *             file lacks read as NULL, widened types are converted
 *             (table/file_layout.c, with the projection: unprojected columns
 *             are never decoded);
 *   delete    with deletion-vectors.enabled (paimon-format.md §4.8), rows whose
 *             position (0-based ordinal in their data file) is in the file's
 *             deletion vector are skipped; primary-key tables then read only
 *             level >= 1 files, as Java's DataTableBatchScan does (level-0 files
 *             are not covered by vectors until a compaction moves them up).
 *
 * Memory is bounded by one decoded block per open file of the current group.
 */
#include "table/compact.h"
#include "table/dv.h"
#include "table/file_layout.h"
#include "table/scan_parallel.h"
#include "table/table_internal.h"

#include "format/data_file.h"
#include "mergetree/merge_engine.h"
#include "mergetree/merge_heap.h"
#include "paimon/binary_row.h"
#include "util/alloc.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct run {
    pmn_merge_input in; /* key, sequence, kind, done; first: the heap holds &run.in */
    pmn_data_file_reader *reader;
    const pmn_file_layout *layout;
    const pmn_datum *vals; /* current record, current-schema positions (PK: winners only) */
    const pmn_roaring *dv; /* deleted positions of this file, or NULL */
    int64_t pos;           /* position of the next row the reader returns */
    bool below;            /* still before the lower key bound (records are skipped) */
} run;

struct pmn_scan {
    pmn_table *t;
    pmn_plan *plan;
    bool pk;
    bool *projected; /* per column: decode it */
    pmn_filter *filters;
    size_t nfilters;
    pmn_dv_index *dvs;        /* deletion vectors (deletion-vectors.enabled), or NULL */
    pmn_file_layouts layouts; /* by schema id, with the projection (each part its own) */
    size_t *group_start;      /* file index ranges of the groups that survived pruning */
    size_t *group_end;
    size_t ngroups;
    size_t cur_group;
    bool group_open;
    run *runs;
    size_t nruns;
    pmn_merge_heap heap;    /* primary-key groups: the runs by (key, seq) */
    long pending_advance;   /* run to advance before the next row (-1 none); PK: the top */
    const pmn_datum *upper; /* upper bound on the first key column from the filters, or NULL */
    bool upper_inclusive;
    const pmn_datum *lower; /* lower bound on the first key column from the filters, or NULL */
    bool lower_inclusive;
    uint64_t blocks_closed; /* blocks decoded by readers already freed */
    pmn_datum *out;
    pmn_arena out_arena;     /* converted values of the current row */
    pmn_merge_engine engine; /* how the versions of a key merge */
    bool keys_only;          /* only key columns are projected: values are never decoded */
    pmn_datum *acc;          /* the merged row of the current key (general merge) */
    pmn_arena acc_arena;     /* its values */
    uint64_t files_read, rows_read;
    pmn_filter *row_filters; /* applied to every row (pmn_scan_options.row_filters) */
    size_t nrow_filters;
    bool borrowed;     /* a part of a parallel scan: plan, filters, dvs are the parent's */
    pmn_scan_par *par; /* parallel reading (scan_parallel.h), or NULL */
};

/* ------------------------------------------------------------------------ */
/* Pruning                                                                   */
/* ------------------------------------------------------------------------ */

static bool satisfies(const pmn_type *type, const pmn_datum *v, const pmn_filter *f)
{
    if (f->op == PMN_FILTER_IS_NULL)
        return v->is_null;
    if (f->op == PMN_FILTER_IS_NOT_NULL)
        return !v->is_null;
    if (v->is_null || f->value.is_null)
        return false;
    int c = pmn_datum_compare(type, v, &f->value);
    switch (f->op) {
    case PMN_FILTER_EQ:
        return c == 0;
    case PMN_FILTER_LT:
        return c < 0;
    case PMN_FILTER_LE:
        return c <= 0;
    case PMN_FILTER_GT:
        return c > 0;
    case PMN_FILTER_GE:
        return c >= 0;
    default:
        return true;
    }
}

/* partition_matches: false when a filter on a partition column excludes this partition. */
static bool partition_matches(pmn_scan *s, pmn_bytes partition, pmn_arena *a)
{
    const pmn_key_layout *k = &s->t->keys;
    if (k->npartition == 0 || s->nfilters == 0)
        return true;
    pmn_datum *vals = pmn_arena_alloc(a, sizeof *vals * (size_t)k->npartition);
    if (pmn_binary_row_deserialize(partition.ptr, partition.len, k->partition_types, k->npartition,
                                   a, vals) != 0) {
        pmn_error_clear();
        return true;
    }
    for (size_t f = 0; f < s->nfilters; f++)
        for (int32_t i = 0; i < k->npartition; i++)
            if (s->filters[f].field == k->partition[i] &&
                !satisfies(k->partition_types[i], &vals[i], &s->filters[f]))
                return false;
    return true;
}

/* wanted_bucket: the only bucket that can hold matching rows, or -1 if unknown. */
static int32_t wanted_bucket(pmn_scan *s)
{
    const pmn_table *t = s->t;
    const pmn_key_layout *k = &t->keys;
    if (t->num_buckets <= 0 || k->nbucket_key == 0)
        return -1;
    pmn_datum *vals = pmn_xcalloc((size_t)k->nbucket_key, sizeof *vals);
    int32_t found = 0;
    for (int32_t i = 0; i < k->nbucket_key; i++) {
        for (size_t f = 0; f < s->nfilters; f++) {
            if (s->filters[f].field == k->bucket_key[i] && s->filters[f].op == PMN_FILTER_EQ &&
                !s->filters[f].value.is_null) {
                vals[i] = s->filters[f].value;
                found++;
                break;
            }
        }
    }
    int32_t bucket = -1;
    if (found == k->nbucket_key) {
        pmn_buf b = PMN_BUF_INIT;
        pmn_binary_row_encode(&b, k->bucket_key_types, vals, k->nbucket_key);
        bucket = pmn_bucket_of(pmn_binary_row_hash(b.data, b.len), t->num_buckets);
        pmn_buf_dispose(&b);
    }
    free(vals);
    return bucket;
}

/* file_may_match: false when the file's key range excludes a filter on the first key column. */
static bool file_may_match(pmn_scan *s, const pmn_data_file_meta *f, pmn_arena *a)
{
    const pmn_key_layout *k = &s->t->keys;
    if (!s->pk || k->ntrimmed_pk == 0 || s->nfilters == 0)
        return true;
    int32_t first = k->trimmed_pk[0];
    pmn_datum *minv = pmn_arena_alloc(a, sizeof *minv * (size_t)k->ntrimmed_pk);
    pmn_datum *maxv = pmn_arena_alloc(a, sizeof *maxv * (size_t)k->ntrimmed_pk);
    if (pmn_binary_row_deserialize(f->min_key.ptr, f->min_key.len, k->trimmed_pk_types,
                                   k->ntrimmed_pk, a, minv) != 0 ||
        pmn_binary_row_deserialize(f->max_key.ptr, f->max_key.len, k->trimmed_pk_types,
                                   k->ntrimmed_pk, a, maxv) != 0) {
        pmn_error_clear();
        return true;
    }
    const pmn_type *type = k->trimmed_pk_types[0];
    for (size_t i = 0; i < s->nfilters; i++) {
        const pmn_filter *flt = &s->filters[i];
        if (flt->field != first || flt->value.is_null)
            continue;
        int cmin = pmn_datum_compare(type, &flt->value, &minv[0]);
        int cmax = pmn_datum_compare(type, &flt->value, &maxv[0]);
        switch (flt->op) {
        case PMN_FILTER_EQ:
            if (cmin < 0 || cmax > 0)
                return false;
            break;
        case PMN_FILTER_LT:
            if (cmin <= 0)
                return false;
            break;
        case PMN_FILTER_LE:
            if (cmin < 0)
                return false;
            break;
        case PMN_FILTER_GT:
            if (cmax >= 0)
                return false;
            break;
        case PMN_FILTER_GE:
            if (cmax > 0)
                return false;
            break;
        default:
            break;
        }
    }
    return true;
}

/* ------------------------------------------------------------------------ */
/* Open                                                                      */
/* ------------------------------------------------------------------------ */

/* ------------------------------------------------------------------------ */
/* Parallel reading: parts own disjoint sets of groups                       */
/* ------------------------------------------------------------------------ */

/* A scan reading this many bytes of data files or more goes parallel with
 * PMN_SCAN_THREADS_AUTO: below it thread start-up is not worth it. */
#define PARALLEL_MIN_BYTES ((int64_t)32 << 20)
/* At most this many threads with PMN_SCAN_THREADS_AUTO: each holds its open files' blocks and
 * up to three ~1 MiB batches of rows. */
#define PARALLEL_MAX_AUTO 16

static int64_t group_bytes(const pmn_scan *s, size_t g)
{
    int64_t n = 0;
    for (size_t f = s->group_start[g]; f < s->group_end[g]; f++)
        n += s->plan->files[f].file.file_size;
    return n;
}

/* fork_part: a scan over the given groups of s sharing s's plan, filters and options. */
static pmn_scan *fork_part(const pmn_scan *s, const size_t *groups, size_t ngroups)
{
    int32_t n = s->t->schema->row->nfields;
    pmn_scan *p = pmn_xcalloc(1, sizeof *p);
    p->t = s->t;
    p->plan = s->plan;
    p->pk = s->pk;
    p->borrowed = true;
    p->projected = pmn_xcalloc((size_t)n + 1, sizeof *p->projected);
    memcpy(p->projected, s->projected, sizeof *p->projected * (size_t)n);
    pmn_file_layouts_project(&p->layouts, p->t, p->projected);
    p->filters = s->filters;
    p->nfilters = s->nfilters;
    p->row_filters = s->row_filters;
    p->nrow_filters = s->nrow_filters;
    p->upper = s->upper;
    p->upper_inclusive = s->upper_inclusive;
    p->lower = s->lower;
    p->lower_inclusive = s->lower_inclusive;
    p->engine = s->engine;
    p->keys_only = s->keys_only;
    p->pending_advance = -1;
    pmn_arena_init(&p->out_arena);
    pmn_arena_init(&p->acc_arena);
    p->out = pmn_xcalloc((size_t)n + 1, sizeof *p->out);
    for (int32_t i = 0; i < n; i++)
        p->out[i] = pmn_datum_null();
    p->acc = pmn_xcalloc((size_t)n + 1, sizeof *p->acc);
    p->group_start = pmn_xcalloc(ngroups + 1, sizeof(size_t));
    p->group_end = pmn_xcalloc(ngroups + 1, sizeof(size_t));
    for (size_t i = 0; i < ngroups; i++) {
        p->group_start[i] = s->group_start[groups[i]];
        p->group_end[i] = s->group_end[groups[i]];
    }
    p->ngroups = ngroups;
    return p;
}

typedef struct sized_group {
    int64_t bytes;
    size_t g;
} sized_group;

static int larger_first(const void *a, const void *b)
{
    const sized_group *x = a, *y = b;
    if (x->bytes != y->bytes)
        return x->bytes > y->bytes ? -1 : 1;
    return x->g < y->g ? -1 : x->g > y->g; /* a stable order for equal sizes */
}

/* start_parallel: split s's groups over up to `threads` parts, largest groups first, each to
 * the part with the fewest bytes so far. Deletion vectors are loaded lazily, so scans that
 * apply them stay in one thread. */
static int start_parallel(pmn_scan *s, int threads)
{
    if (threads <= 1 && threads != PMN_SCAN_THREADS_AUTO)
        return 0;
    if (s->ngroups < 2 || s->dvs)
        return 0;
    sized_group *by_size = pmn_xcalloc(s->ngroups, sizeof *by_size);
    int64_t total = 0;
    for (size_t g = 0; g < s->ngroups; g++) {
        by_size[g] = (sized_group){group_bytes(s, g), g};
        total += by_size[g].bytes;
    }
    if (threads == PMN_SCAN_THREADS_AUTO) {
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        threads = total >= PARALLEL_MIN_BYTES && cpus > 1
                      ? (int)(cpus > PARALLEL_MAX_AUTO ? PARALLEL_MAX_AUTO : cpus)
                      : 1;
    }
    if (threads <= 1) {
        free(by_size);
        return 0;
    }
    size_t nparts = (size_t)threads < s->ngroups ? (size_t)threads : s->ngroups;
    qsort(by_size, s->ngroups, sizeof *by_size, larger_first);
    size_t *owner = pmn_xcalloc(s->ngroups, sizeof *owner);
    int64_t *load = pmn_xcalloc(nparts, sizeof *load);
    for (size_t i = 0; i < s->ngroups; i++) {
        size_t best = 0;
        for (size_t p = 1; p < nparts; p++)
            if (load[p] < load[best])
                best = p;
        owner[by_size[i].g] = best;
        load[best] += by_size[i].bytes;
    }
    pmn_scan **parts = pmn_xcalloc(nparts, sizeof *parts);
    size_t *mine = pmn_xcalloc(s->ngroups, sizeof *mine);
    for (size_t p = 0; p < nparts; p++) {
        size_t n = 0;
        for (size_t g = 0; g < s->ngroups; g++) /* in plan order within a part */
            if (owner[g] == p)
                mine[n++] = g;
        parts[p] = fork_part(s, mine, n);
    }
    free(mine);
    free(by_size);
    free(owner);
    free(load);
    s->par = pmn_scan_par_new(parts, nparts, s->t->schema->row, s->projected);
    return 0;
}

int pmn_scan_open(pmn_table *t, const pmn_scan_options *o, pmn_scan **out)
{
    return pmn_scan_open_level(t, o, -1, out);
}

int pmn_scan_open_level(pmn_table *t, const pmn_scan_options *o, int32_t level, pmn_scan **out)
{
    for (size_t i = 0; o && i < o->nrow_filters; i++)
        if (o->row_filters[i].field < 0 || o->row_filters[i].field >= t->schema->row->nfields)
            return pmn_error_set(PMN_EINVALID, "table %s: a row filter names column %d of %d",
                                 t->full_name, o->row_filters[i].field, t->schema->row->nfields);
    pmn_plan *plan = NULL;
    int rc = pmn_plan_open_read(t, o, &plan);
    if (rc)
        return rc;
    /* as Java (SnapshotReaderImpl): vectors are applied only while the option is on */
    pmn_dv_index *dvs = NULL;
    if (pmn_table_dv_enabled(t)) {
        rc = pmn_dv_index_open(t, plan->snapshot, &dvs);
        if (rc) {
            pmn_plan_free(plan);
            return rc;
        }
    }
    pmn_scan *s = pmn_xcalloc(1, sizeof *s);
    s->dvs = dvs;
    s->t = t;
    s->plan = plan;
    s->pk = pmn_table_is_pk(t);
    s->pending_advance = -1;
    pmn_arena_init(&s->out_arena);
    int32_t n = t->schema->row->nfields;
    s->projected = pmn_xcalloc((size_t)n + 1, sizeof *s->projected);
    if (o && o->projection) {
        for (size_t i = 0; i < o->nprojection; i++)
            if (o->projection[i] >= 0 && o->projection[i] < n)
                s->projected[o->projection[i]] = true;
    } else {
        for (int32_t i = 0; i < n; i++)
            s->projected[i] = true;
    }
    for (int32_t i = 0; i < t->keys.npk; i++)
        s->projected[t->keys.pk[i]] = true; /* the merge needs the key */
    if (o && o->nfilters) {
        s->filters = pmn_xcalloc(o->nfilters, sizeof *s->filters);
        memcpy(s->filters, o->filters, sizeof *s->filters * o->nfilters);
        s->nfilters = o->nfilters;
    }
    if (o && o->nrow_filters) {
        s->row_filters = pmn_xcalloc(o->nrow_filters, sizeof *s->row_filters);
        memcpy(s->row_filters, o->row_filters, sizeof *s->row_filters * o->nrow_filters);
        s->nrow_filters = o->nrow_filters;
        for (size_t i = 0; i < o->nrow_filters; i++)
            s->projected[o->row_filters[i].field] = true; /* checked, so decoded */
    }
    pmn_file_layouts_project(&s->layouts, t, s->projected);
    s->out = pmn_xcalloc((size_t)n + 1, sizeof *s->out);
    for (int32_t i = 0; i < n; i++)
        s->out[i] = pmn_datum_null();
    s->acc = pmn_xcalloc((size_t)n + 1, sizeof *s->acc);
    if (s->pk && t->keys.ntrimmed_pk > 0) {
        /* COUNT(*) and key-only queries: the merge's key columns are the whole answer */
        s->keys_only = true;
        for (int32_t i = 0; i < n && s->keys_only; i++) {
            bool in_key = false;
            for (int32_t j = 0; j < t->keys.ntrimmed_pk; j++)
                in_key |= t->keys.trimmed_pk[j] == i;
            s->keys_only = !s->projected[i] || in_key;
        }
    }
    pmn_arena_init(&s->acc_arena);
    if (s->pk) {
        rc = pmn_merge_engine_load(t, "read", &s->engine);
        if (rc) {
            pmn_scan_free(s);
            return rc;
        }
    }
    if (s->pk && t->keys.ntrimmed_pk > 0) {
        for (size_t i = 0; i < s->nfilters; i++) {
            const pmn_filter *f = &s->filters[i];
            if (f->field != t->keys.trimmed_pk[0] || f->value.is_null)
                continue;
            /* of several bounds any one is correct; keep the tightest */
            const pmn_type *kt = t->keys.trimmed_pk_types[0];
            if (f->op == PMN_FILTER_EQ || f->op == PMN_FILTER_LE || f->op == PMN_FILTER_LT) {
                int c = s->upper ? pmn_datum_compare(kt, &f->value, s->upper) : -1;
                if (c < 0 || (c == 0 && f->op == PMN_FILTER_LT)) {
                    s->upper = &f->value;
                    s->upper_inclusive = f->op != PMN_FILTER_LT;
                }
            }
            if (f->op == PMN_FILTER_EQ || f->op == PMN_FILTER_GE || f->op == PMN_FILTER_GT) {
                int c = s->lower ? pmn_datum_compare(kt, &f->value, s->lower) : 1;
                if (c > 0 || (c == 0 && f->op == PMN_FILTER_GT)) {
                    s->lower = &f->value;
                    s->lower_inclusive = f->op != PMN_FILTER_GT;
                }
            }
        }
    }

    /* groups of (partition, bucket), pruned */
    pmn_arena scratch = PMN_ARENA_INIT;
    int32_t bucket = wanted_bucket(s);
    s->group_start = pmn_xcalloc(plan->nfiles + 1, sizeof(size_t));
    s->group_end = pmn_xcalloc(plan->nfiles + 1, sizeof(size_t));
    for (size_t i = 0; i < plan->nfiles;) {
        size_t j = i;
        while (j < plan->nfiles && plan->files[j].bucket == plan->files[i].bucket &&
               pmn_bytes_equal(plan->files[j].partition, plan->files[i].partition))
            j++;
        if ((bucket < 0 || plan->files[i].bucket == bucket) &&
            partition_matches(s, plan->files[i].partition, &scratch)) {
            /* keep only files whose key range can match, compacted to the front; DV
             * primary-key tables skip level 0 */
            size_t keep = i;
            for (size_t f = i; f < j; f++)
                if (!(s->dvs && s->pk && plan->files[f].file.level == 0) &&
                    (level == -1 || plan->files[f].file.level == level ||
                     (level == PMN_SCAN_ABOVE_LEVEL_0 && plan->files[f].file.level > 0)) &&
                    file_may_match(s, &plan->files[f].file, &scratch))
                    plan->files[keep++] = plan->files[f];
            if (keep > i && s->pk) {
                s->group_start[s->ngroups] = i;
                s->group_end[s->ngroups] = keep;
                s->ngroups++;
            }
            /* append files need no merge: each is a group of its own, so a parallel scan
             * splits even a table of one bucket (one thread reads them in the same order) */
            for (size_t f = i; f < keep && !s->pk; f++) {
                s->group_start[s->ngroups] = f;
                s->group_end[s->ngroups] = f + 1;
                s->ngroups++;
            }
        }
        pmn_arena_reset(&scratch);
        i = j;
    }
    pmn_arena_free(&scratch);
    rc = start_parallel(s, o ? o->threads : 0);
    if (rc) {
        pmn_scan_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

int64_t pmn_scan_snapshot_id(const pmn_scan *s)
{
    return s->plan->snapshot ? s->plan->snapshot->id : 0;
}

uint64_t pmn_scan_blocks_read(const pmn_scan *s)
{
    if (s->par) {
        uint64_t files, rows, blocks;
        pmn_scan_par_stats(s->par, &files, &rows, &blocks);
        return blocks;
    }
    uint64_t n = s->blocks_closed;
    for (size_t i = 0; i < s->nruns; i++)
        if (s->runs[i].reader)
            n += pmn_data_file_reader_blocks(s->runs[i].reader);
    return n;
}

void pmn_scan_stats(const pmn_scan *s, uint64_t *files_read, uint64_t *rows_read)
{
    if (s->par) {
        uint64_t files, rows, blocks;
        pmn_scan_par_stats(s->par, &files, &rows, &blocks);
        if (files_read)
            *files_read = files;
        if (rows_read)
            *rows_read = rows;
        return;
    }
    if (files_read)
        *files_read = s->files_read;
    if (rows_read)
        *rows_read = s->rows_read;
}

/* ------------------------------------------------------------------------ */
/* Merge                                                                     */
/* ------------------------------------------------------------------------ */

/* run_advance: position r on its next record: for primary-key groups only the key, sequence
 * and kind are decoded (values only for winners, in next_merged). */
static int run_advance(pmn_scan *s, run *r)
{
    const pmn_key_layout *k = &s->t->keys;
    for (;;) {
        int rc = s->pk
                     ? pmn_data_file_reader_next_key(r->reader, &r->in.key, &r->in.seq, &r->in.kind)
                     : pmn_data_file_reader_next(r->reader, &r->vals, &r->in.seq, &r->in.kind);
        if (rc == PMN_ITEROVER) {
            r->in.done = true;
            return 0;
        }
        if (rc)
            return rc;
        s->rows_read++;
        if (r->dv && pmn_roaring_contains(r->dv, (uint64_t)r->pos++))
            continue; /* deleted by the file's deletion vector */
        if (!r->below)
            break;
        /* the seek started at the block holding the lower bound: skip the records before it */
        const pmn_datum *first = s->pk ? &r->in.key[0] : &r->vals[k->trimmed_pk[0]];
        int c = pmn_datum_compare(k->trimmed_pk_types[0], first, s->lower);
        if (c > 0 || (c == 0 && s->lower_inclusive)) {
            r->below = false;
            break;
        }
    }
    if (s->upper) {
        /* files are sorted by key: past the filter's upper bound nothing more can match */
        const pmn_datum *first = s->pk ? &r->in.key[0] : &r->vals[k->trimmed_pk[0]];
        int c = pmn_datum_compare(k->trimmed_pk_types[0], first, s->upper);
        if (c > 0 || (c == 0 && !s->upper_inclusive))
            r->in.done = true;
    }
    if (s->pk)
        pmn_merge_input_keyed(&s->heap, &r->in);
    return 0;
}

/* before_lower: a block whose first record satisfies this may hold the first record at or
 * past the lower bound (the data file seek's predicate). When the bound's column is the
 * whole key, keys are unique in a file, so a block starting exactly at an inclusive bound is
 * the start; with more key columns, earlier blocks may hold the same first column. */
static bool before_lower(void *ctx, const pmn_datum *vals)
{
    const pmn_scan *s = ctx;
    const pmn_key_layout *k = &s->t->keys;
    int c = pmn_datum_compare(k->trimmed_pk_types[0], &vals[k->trimmed_pk[0]], s->lower);
    if (c < 0)
        return true;
    return c == 0 && (!s->lower_inclusive || k->ntrimmed_pk == 1);
}

static void close_group(pmn_scan *s)
{
    for (size_t i = 0; i < s->nruns; i++) {
        if (s->runs[i].reader)
            s->blocks_closed += pmn_data_file_reader_blocks(s->runs[i].reader);
        pmn_data_file_reader_free(s->runs[i].reader);
    }
    free(s->runs);
    pmn_merge_heap_dispose(&s->heap);
    s->runs = NULL;
    s->nruns = 0;
    s->group_open = false;
    s->pending_advance = -1;
}

static int open_group(pmn_scan *s, size_t g)
{
    size_t from = s->group_start[g], to = s->group_end[g];
    s->nruns = to - from;
    s->runs = pmn_xcalloc(s->nruns, sizeof *s->runs);
    const pmn_key_layout *k = &s->t->keys;
    pmn_merge_heap_init(&s->heap, k->trimmed_pk_types, k->ntrimmed_pk, s->nruns);
    s->group_open = true;
    for (size_t i = 0; i < s->nruns; i++) {
        const pmn_manifest_entry *e = &s->plan->files[from + i];
        run *r = &s->runs[i];
        int rc = pmn_file_layout_get(&s->layouts, s->t, e->file.schema_id, &r->layout);
        if (rc)
            return rc;
        if (s->dvs) {
            rc = pmn_dv_index_get(s->dvs, e->partition, e->file.file_name, &r->dv);
            if (rc)
                return rc;
        }
        rc = pmn_file_open(s->t, e, r->layout, s->pk, &r->reader);
        if (rc) {
            /* a file of a snapshot that expired while we read it: say so */
            pmn_error_wrap("table %s: ", s->t->full_name);
            return pmn_table_expired_error(s->t, pmn_scan_snapshot_id(s), rc);
        }
        s->files_read++;
        if (s->pk) {
            rc = pmn_data_file_reader_use_keys(r->reader, k->trimmed_pk_types, k->trimmed_pk,
                                               k->ntrimmed_pk);
            if (rc)
                return rc;
        }
        /* a deletion vector counts positions from the file's start, which a seek loses */
        if (s->lower && !r->dv) {
            rc = pmn_data_file_reader_seek(r->reader, before_lower, s);
            if (rc)
                return rc;
            r->below = true;
        }
        /* append tables read one file at a time: only the first is positioned now */
        if (s->pk || i == 0) {
            rc = run_advance(s, r);
            if (rc)
                return rc;
        }
        if (s->pk && !r->in.done)
            pmn_merge_heap_push(&s->heap, &r->in);
    }
    return 0;
}

/* emit: copy run r's current record into s->out in current-schema types (unprojected
 * columns NULL). */
static void emit(pmn_scan *s, const run *r)
{
    pmn_file_layout_convert(r->layout, s->t, r->vals, s->out);
}

/* take_version: fold run r's current version into s->acc (deep copies: r moves on) by the
 * merge engine (mergetree/merge_engine.h). */
static int take_version(pmn_scan *s, run *r, pmn_merge_state *st)
{
    int rc = pmn_merge_engine_step(&s->engine, s->t->full_name, st, r->in.kind, r->in.seq);
    if (rc != PMN_MERGE_FOLD)
        return rc < 0 ? rc : 0;
    rc = pmn_data_file_reader_values(r->reader, &r->vals);
    if (rc)
        return rc;
    emit(s, r);
    pmn_merge_engine_fold(&s->engine, s->t->schema->row, st, s->out, r->in.kind, r->in.seq, s->acc,
                          &s->acc_arena);
    return 0;
}

/* next_merged_general: the next key of the current group whose versions merge to a row (any
 * engine but plain deduplicate), into s->out. */
static int next_merged_general(pmn_scan *s)
{
    for (;;) {
        if (s->pending_advance >= 0) {
            run *r = &s->runs[s->pending_advance];
            s->pending_advance = -1;
            int rc = run_advance(s, r);
            if (rc)
                return rc;
            pmn_merge_heap_top_moved(&s->heap);
        }
        run *top = (run *)pmn_merge_heap_top(&s->heap);
        if (!top)
            return PMN_ITEROVER;
        pmn_arena_reset(&s->acc_arena);
        pmn_merge_state st;
        pmn_merge_engine_begin(&st);
        /* versions oldest first */
        while (pmn_merge_heap_top_shadowed(&s->heap)) {
            int rc = take_version(s, top, &st);
            if (rc == 0)
                rc = run_advance(s, top);
            if (rc)
                return rc;
            pmn_merge_heap_top_moved(&s->heap);
            top = (run *)pmn_merge_heap_top(&s->heap);
        }
        int rc = take_version(s, top, &st);
        if (rc)
            return rc;
        s->pending_advance = (long)(top - s->runs);
        if (!st.have)
            continue;
        memcpy(s->out, s->acc, sizeof *s->out * (size_t)s->t->schema->row->nfields);
        return 0;
    }
}

/* next_merged: the next live key of the current group, or PMN_ITEROVER. The winner stays on
 * top of the heap until the next call advances it (its values live in its reader). */
static int next_merged(pmn_scan *s, const run **winner)
{
    if (!pmn_merge_engine_simple(&s->engine)) {
        *winner = NULL; /* the merged row is in s->out */
        return next_merged_general(s);
    }
    for (;;) {
        if (s->pending_advance >= 0) {
            run *r = &s->runs[s->pending_advance];
            s->pending_advance = -1;
            int rc = run_advance(s, r);
            if (rc)
                return rc;
            pmn_merge_heap_top_moved(&s->heap);
        }
        run *top = (run *)pmn_merge_heap_top(&s->heap);
        if (!top)
            return PMN_ITEROVER;
        /* older versions of the key lose; their values are skipped, never decoded */
        while (pmn_merge_heap_top_shadowed(&s->heap)) {
            int rc = run_advance(s, top);
            if (rc)
                return rc;
            pmn_merge_heap_top_moved(&s->heap);
            top = (run *)pmn_merge_heap_top(&s->heap);
        }
        s->pending_advance = (long)(top - s->runs);
        if (top->in.kind == PMN_ROW_DELETE || top->in.kind == PMN_ROW_UPDATE_BEFORE)
            continue;
        if (s->keys_only) {
            const pmn_key_layout *k = &s->t->keys;
            for (int32_t j = 0; j < k->ntrimmed_pk; j++)
                s->out[k->trimmed_pk[j]] = top->in.key[j];
            *winner = NULL; /* the row is in s->out */
            return 0;
        }
        int rc = pmn_data_file_reader_values(top->reader, &top->vals);
        if (rc)
            return rc;
        *winner = top;
        return 0;
    }
}

/* next_appended: the next record of an append table's group. */
static int next_appended(pmn_scan *s, const run **winner)
{
    for (size_t i = 0; i < s->nruns; i++) {
        run *r = &s->runs[i];
        if (r->in.done)
            continue;
        if (s->pending_advance == (long)i) {
            s->pending_advance = -1;
            int rc = run_advance(s, r);
            if (rc)
                return rc;
            if (r->in.done)
                continue;
        } else if (!r->vals) {
            int rc = run_advance(s, r);
            if (rc)
                return rc;
            if (r->in.done)
                continue;
        }
        s->pending_advance = (long)i;
        *winner = r;
        return 0;
    }
    return PMN_ITEROVER;
}

/* row_passes: the row satisfies every row filter. */
static bool row_passes(const pmn_scan *s, const pmn_datum *row)
{
    const pmn_type *rt = s->t->schema->row;
    for (size_t i = 0; i < s->nrow_filters; i++) {
        const pmn_filter *f = &s->row_filters[i];
        if (!satisfies(rt->fields[f->field].type, &row[f->field], f))
            return false;
    }
    return true;
}

int pmn_scan_next(pmn_scan *s, const pmn_datum **row)
{
    if (s->par)
        return pmn_scan_par_next(s->par, row);
    return pmn_scan_next_local(s, row);
}

int pmn_scan_count(pmn_scan *s, int64_t *count)
{
    if (s->par)
        return pmn_scan_par_count(s->par, count);
    int64_t n = 0;
    const pmn_datum *row;
    int rc;
    while ((rc = pmn_scan_next_local(s, &row)) == 0)
        n++;
    *count = n;
    return rc == PMN_ITEROVER ? 0 : rc;
}

int pmn_scan_next_local(pmn_scan *s, const pmn_datum **row)
{
    for (;;) {
        if (!s->group_open) {
            if (s->cur_group >= s->ngroups)
                return PMN_ITEROVER;
            int rc = open_group(s, s->cur_group);
            if (rc)
                return rc;
        }
        const run *w = NULL;
        int rc = s->pk ? next_merged(s, &w) : next_appended(s, &w);
        if (rc == PMN_ITEROVER) {
            close_group(s);
            s->cur_group++;
            continue;
        }
        if (rc)
            return rc;
        if (w)
            emit(s, w);
        if (s->nrow_filters && !row_passes(s, s->out))
            continue;
        *row = s->out;
        return 0;
    }
}

void pmn_scan_free(pmn_scan *s)
{
    if (!s)
        return;
    pmn_scan_par_free(s->par); /* stops and frees the parts first: they borrow from s */
    close_group(s);
    pmn_file_layouts_dispose(&s->layouts);
    if (!s->borrowed) {
        pmn_plan_free(s->plan);
        pmn_dv_index_free(s->dvs);
        free(s->filters);
        free(s->row_filters);
    }
    free(s->projected);
    free(s->group_start);
    free(s->group_end);
    free(s->out);
    free(s->acc);
    pmn_arena_free(&s->out_arena);
    pmn_arena_free(&s->acc_arena);
    free(s);
}
