/*
 * src/mergetree/compact_rewriter.c
 *
 * Carrying out a picked compaction unit on one bucket (Java's
 * MergeTreeCompactTask + MergeTreeCompactRewriter, paimon-format.md §5.3,
 * §5.4, §8, §17.10): the unit's files are split into sections of overlapping
 * key ranges; a section of one big file only moves to the output level
 * ("upgrade": DELETE@old level + ADD@new level, same file name) unless it
 * holds -U/-D rows and goes to the max level; everything else is k-way merged
 * by (key, sequence), deduplicated (the highest sequence wins), and written as
 * new files at the output level rolled at target-file-size. Candidates are
 * rewritten before each upgraded file so that outputs never overlap it.
 *
 * Files are read through their own schema (columns matched by field id to the
 * current schema, widened types converted) and written in the current one.
 */
#include "mergetree/compact.h"
#include "mergetree/merge_engine.h"
#include "mergetree/merge_heap.h"
#include "table/file_layout.h"

#include "format/data_file.h"
#include "paimon/binary_row.h"
#include "util/alloc.h"
#include "util/clock.h"
#include "util/error.h"
#include "util/fs.h"

#include <stdlib.h>
#include <string.h>

typedef struct source {
    pmn_merge_input in; /* key, sequence, kind, done; first: the heap holds &source.in */
    const pmn_manifest_entry *e;
    pmn_data_file_reader *reader;
    const pmn_file_layout *layout;
    const pmn_datum *vals;
} source;

typedef struct rewriter {
    pmn_table *t;
    const pmn_compact_options *o;
    pmn_arena *a;
    pmn_compact_result *res;
    int32_t out_level;
    int32_t max_level;
    bool drop_delete;
    pmn_file_layouts layouts;
    char uuid[37];
    int counter;
    pmn_datum *out; /* current-schema row being written */
    pmn_arena scratch;
    pmn_merge_heap heap;
    /* changelog of this rewrite (changelog-producer = full-compaction, output at max level;
     * lookup: level-0 files compacted) */
    bool changelog;
    bool lookup;               /* lookup: the before image is the newest level >= 1 version */
    struct lookup_cursor *cursors; /* lookup: the runs not compacted, read forward */
    size_t ncursors;
    pmn_data_file_writer *clw; /* open changelog file, or NULL */
    pmn_datum *before;         /* the key's max-level version, deep-copied */
    int64_t before_seq;
    bool have_before;
    pmn_arena before_arena;
    /* merge engines other than plain deduplicate: each key's versions are folded oldest
     * first (mergetree/merge_engine.h) into acc */
    pmn_merge_engine engine;
    bool general;
    pmn_datum *acc;
    pmn_arena acc_arena;
} rewriter;

static int source_open(rewriter *rw, source *s, bool kv)
{
    int rc = pmn_file_layout_get(&rw->layouts, rw->t, s->e->file.schema_id, &s->layout);
    if (rc)
        return rc;
    rc = pmn_file_open(rw->t, s->e, s->layout, kv, &s->reader);
    if (rc)
        return pmn_error_wrap("compacting %s: ", rw->t->full_name);
    return 0;
}

/* source_advance: the next record of an append file (whole) or of a key-value file (key,
 * sequence and kind only; source_values decodes the rest for records that are kept). */
static int source_advance(rewriter *rw, source *s, bool kv)
{
    int rc = kv ? pmn_data_file_reader_next_key(s->reader, &s->in.key, &s->in.seq, &s->in.kind)
                : pmn_data_file_reader_next(s->reader, &s->vals, &s->in.seq, &s->in.kind);
    if (rc == PMN_ITEROVER) {
        s->in.done = true;
        return 0;
    }
    if (rc == 0 && kv)
        pmn_merge_input_keyed(&rw->heap, &s->in);
    return rc;
}

static int source_values(source *s)
{
    return pmn_data_file_reader_values(s->reader, &s->vals);
}

/* ---- output files ---- */

static void add_entry(rewriter *rw, const pmn_manifest_entry *e, int32_t kind, int32_t level)
{
    pmn_compact_result *r = rw->res;
    PMN_GROW(r->entries, r->cap, r->n + 1);
    r->entries[r->n] = *e;
    r->entries[r->n].kind = kind;
    r->entries[r->n].file.level = level;
    r->n++;
}

static int open_output(rewriter *rw, const pmn_manifest_entry *like, const char *prefix,
                       pmn_data_file_writer **fw)
{
    char *dir = pmn_table_bucket_dir(rw->t, like->partition, like->bucket);
    char *path = pmn_xasprintf("%s/%s-%s-%d.avro", dir, prefix, rw->uuid, rw->counter++);
    free(dir);
    const pmn_key_layout *k = &rw->t->keys;
    int rc = pmn_data_file_writer_open(path, rw->t->schema->row, k->trimmed_pk,
                                       pmn_table_is_pk(rw->t) ? k->ntrimmed_pk : 0,
                                       pmn_table_file_codec(rw->t), fw);
    if (rc == 0) {
        pmn_compact_result *r = rw->res;
        PMN_GROW(r->written, r->capwritten, r->nwritten + 1);
        r->written[r->nwritten++] = path;
    } else {
        free(path);
    }
    return rc;
}

static int close_output(rewriter *rw, const pmn_manifest_entry *like, pmn_data_file_writer *fw,
                        int32_t level, int64_t min_seq, int64_t max_seq, bool changelog)
{
    pmn_manifest_entry e;
    memset(&e, 0, sizeof e);
    int rc = pmn_data_file_writer_close(fw, rw->a, &e.file);
    if (rc)
        return rc;
    e.kind = PMN_FILE_ADD;
    e.partition = like->partition;
    e.bucket = like->bucket;
    e.total_buckets = like->total_buckets;
    e.file.schema_id = rw->t->schema->id;
    e.file.level = level;
    e.file.has_creation_time = true;
    e.file.creation_time = pmn_local_now_millis();
    e.file.file_source = 1;
    if (min_seq >= 0) {
        e.file.min_sequence_number = min_seq;
        e.file.max_sequence_number = max_seq;
    }
    if (changelog) {
        e.file.file_source = 0; /* Java writes changelog files as APPEND */
        pmn_compact_result *r = rw->res;
        PMN_GROW(r->changelog, r->capchangelog, r->nchangelog + 1);
        r->changelog[r->nchangelog++] = e;
    } else {
        add_entry(rw, &e, PMN_FILE_ADD, level);
    }
    return 0;
}

/* emit_row: the source's current record in current-schema types into rw->out. */
static void emit_row(rewriter *rw, const source *s)
{
    pmn_file_layout_convert(s->layout, rw->t, s->vals, rw->out);
}

/* ---- lookup in the runs not compacted (changelog-producer = lookup) ---- */

static int keep_before(rewriter *rw, source *s);

/* A forward cursor over one run at level >= 1 outside the compaction: keys come in ascending
 * order, so every lookup of a merge moves each cursor forward only. */
typedef struct lookup_cursor {
    source src; /* the current file's reader and record */
    const pmn_manifest_entry **files; /* in key order */
    size_t nfiles, next;
    int32_t level;
    bool done;
} lookup_cursor;

/* cursor_step: the next record of the run (opening its next file as needed). */
static int cursor_step(rewriter *rw, lookup_cursor *c)
{
    const pmn_key_layout *k = &rw->t->keys;
    for (;;) {
        if (c->src.reader) {
            int rc = source_advance(rw, &c->src, true);
            if (rc)
                return rc;
            if (!c->src.in.done)
                return 0;
            pmn_data_file_reader_free(c->src.reader);
            c->src.reader = NULL;
        }
        if (c->next >= c->nfiles) {
            c->done = true;
            return 0;
        }
        memset(&c->src, 0, sizeof c->src);
        c->src.e = c->files[c->next++];
        int rc = source_open(rw, &c->src, true);
        if (rc == 0)
            rc = pmn_data_file_reader_use_keys(c->src.reader, k->trimmed_pk_types, k->trimmed_pk,
                                               k->ntrimmed_pk);
        if (rc)
            return rc;
    }
}

/* lookup_before: the newest version of `key` in the runs outside the compaction into
 * rw->before (have_before set when it is an insert/update). */
static int lookup_before(rewriter *rw, const pmn_merge_input *key)
{
    lookup_cursor *best = NULL;
    for (size_t i = 0; i < rw->ncursors; i++) {
        lookup_cursor *c = &rw->cursors[i];
        while (!c->done && (!c->src.reader || c->src.in.done ||
                            pmn_merge_key_compare(&rw->heap, &c->src.in, key) < 0)) {
            int rc = cursor_step(rw, c);
            if (rc)
                return rc;
        }
        if (!c->done && pmn_merge_key_compare(&rw->heap, &c->src.in, key) == 0 &&
            (!best || c->level < best->level))
            best = c;
    }
    if (!best || !(best->src.in.kind == PMN_ROW_INSERT ||
                   best->src.in.kind == PMN_ROW_UPDATE_AFTER))
        return 0;
    return keep_before(rw, &best->src);
}

static void cursors_free(rewriter *rw)
{
    for (size_t i = 0; i < rw->ncursors; i++) {
        pmn_data_file_reader_free(rw->cursors[i].src.reader);
        free(rw->cursors[i].files);
    }
    free(rw->cursors);
    rw->cursors = NULL;
    rw->ncursors = 0;
}

/* ---- the k-way merge ---- */

static bool is_add(int32_t kind)
{
    return kind == PMN_ROW_INSERT || kind == PMN_ROW_UPDATE_AFTER;
}

/* write_changelog_row: one changelog record (row in current-schema positions). */
static int write_changelog_row(rewriter *rw, const pmn_manifest_entry *like,
                               const pmn_datum *row, int64_t seq, int32_t kind)
{
    int rc = 0;
    if (!rw->clw)
        rc = open_output(rw, like, "changelog", &rw->clw);
    if (rc == 0)
        rc = pmn_data_file_writer_add(rw->clw, row, seq, kind);
    if (rc == 0 && (int64_t)pmn_data_file_writer_bytes(rw->clw) >= rw->o->target_file_size) {
        rc = close_output(rw, like, rw->clw, rw->out_level, -1, -1, true);
        rw->clw = NULL;
    }
    return rc;
}

/* keep_before: deep-copy the max-level version of the current key (its source moves on). */
static int keep_before(rewriter *rw, source *s)
{
    int rc = source_values(s);
    if (rc)
        return rc;
    emit_row(rw, s);
    pmn_arena_reset(&rw->before_arena);
    const pmn_type *row = rw->t->schema->row;
    for (int32_t i = 0; i < row->nfields; i++)
        pmn_datum_copy(row->fields[i].type, &rw->out[i], &rw->before[i], &rw->before_arena);
    rw->before_seq = s->in.seq;
    rw->have_before = true;
    return 0;
}

/* out_as_before: rw->out (a max-level version of seq) deep-copied as the before image. */
static void out_as_before(rewriter *rw, int64_t seq)
{
    pmn_arena_reset(&rw->before_arena);
    const pmn_type *row = rw->t->schema->row;
    for (int32_t i = 0; i < row->nfields; i++)
        pmn_datum_copy(row->fields[i].type, &rw->out[i], &rw->before[i], &rw->before_arena);
    rw->before_seq = seq;
    rw->have_before = true;
}

static bool rows_equal(const rewriter *rw, const pmn_datum *a, const pmn_datum *b)
{
    const pmn_type *row = rw->t->schema->row;
    for (int32_t i = 0; i < row->nfields; i++)
        if (!pmn_datum_equal(row->fields[i].type, &a[i], &b[i]))
            return false;
    return true;
}

/* key_changelog: the changelog of one key from its before image (rw->before if have_before)
 * and the merged version in rw->out (Java's Full/LookupChangelogMergeFunctionWrapper). */
static int key_changelog(rewriter *rw, const pmn_manifest_entry *like, int64_t seq,
                         int32_t kind)
{
    if (!rw->have_before)
        return is_add(kind) ? write_changelog_row(rw, like, rw->out, seq, PMN_ROW_INSERT) : 0;
    if (!is_add(kind))
        return write_changelog_row(rw, like, rw->before, rw->before_seq, PMN_ROW_DELETE);
    if (rw->o->row_deduplicate && rows_equal(rw, rw->before, rw->out))
        return 0;
    int rc = write_changelog_row(rw, like, rw->before, rw->before_seq, PMN_ROW_UPDATE_BEFORE);
    return rc ? rc : write_changelog_row(rw, like, rw->out, seq, PMN_ROW_UPDATE_AFTER);
}

/* write_kept: one merged record into the output (opened on first use, rolled at
 * target-file-size). */
static int write_kept(rewriter *rw, const pmn_manifest_entry *like, pmn_data_file_writer **fw,
                      const pmn_datum *row, int64_t seq, int32_t kind)
{
    int rc = 0;
    if (!*fw)
        rc = open_output(rw, like, "data", fw);
    if (rc == 0)
        rc = pmn_data_file_writer_add(*fw, row, seq, kind);
    if (rc == 0 && (int64_t)pmn_data_file_writer_bytes(*fw) >= rw->o->target_file_size) {
        rc = close_output(rw, like, *fw, rw->out_level, -1, -1, false);
        *fw = NULL;
    }
    return rc;
}

/* merge_in_before: the lookup's before image (the key's newest version at a level >= 1,
 * outside the compaction) merged under the candidates' result, as Java's
 * LookupChangelogMergeFunctionWrapper adds it to the merge function: partial-update fills
 * the result's NULL columns from it unless a delete started the row over; deduplicate with
 * ignore-delete keeps it when every candidate was a skipped retraction. */
static void merge_in_before(rewriter *rw, pmn_merge_state *st, bool reset_seen)
{
    const pmn_type *row = rw->t->schema->row;
    if (!rw->have_before || reset_seen || st->deleted)
        return;
    if (!st->have) {
        memcpy(rw->acc, rw->before, sizeof *rw->acc * (size_t)row->nfields);
        st->have = true;
        st->kind = PMN_ROW_INSERT;
        st->seq = rw->before_seq;
        return;
    }
    if (rw->engine.engine == PMN_ENGINE_PARTIAL)
        for (int32_t i = 0; i < row->nfields; i++)
            if (rw->acc[i].is_null)
                rw->acc[i] = rw->before[i]; /* before_arena lives until the next key */
}

/* merge_key_general: the key on top of the heap by a merge engine other than plain
 * deduplicate (Java's MergeFunction over the key's versions, oldest first): the merged
 * record is written unless it is a removal that may be dropped here. Changelog: with
 * full-compaction the key's max-level version is the before image; with lookup (keys with a
 * level-0 version only) the newest version at a level >= 1, looked up outside the compaction
 * if none is in it and then merged in (Java's LookupChangelogMergeFunctionWrapper);
 * first-row (Java's FirstRowMergeFunctionWrapper) writes +I only for keys no level >= 1
 * holds, and drops level-0 versions of keys one does. The last version stays on top (the
 * caller advances it). */
static int merge_key_general(rewriter *rw, const pmn_manifest_entry *like,
                             pmn_data_file_writer **fw)
{
    source *top = (source *)pmn_merge_heap_top(&rw->heap);
    const pmn_type *row = rw->t->schema->row;
    bool first_row = rw->engine.engine == PMN_ENGINE_FIRST_ROW;
    pmn_merge_state st;
    pmn_merge_engine_begin(&st);
    pmn_arena_reset(&rw->acc_arena);
    rw->have_before = false;
    size_t versions = 0;
    bool winner_top = false, contain_l0 = false, high_seen = false, reset_seen = false;
    for (;;) {
        bool last = !pmn_merge_heap_top_shadowed(&rw->heap);
        versions++;
        int32_t kind = top->in.kind;
        int32_t lvl = top->e->file.level;
        int act =
            pmn_merge_engine_step(&rw->engine, rw->t->full_name, &st, kind, top->in.seq);
        if (act < 0)
            return act;
        reset_seen |= act == PMN_MERGE_RESET;
        contain_l0 |= lvl == 0;
        bool before = false;
        if (rw->lookup && lvl > 0) {
            /* versions come oldest first: the last one at a level >= 1 is the newest */
            high_seen = true;
            before = is_add(kind);
            rw->have_before = false;
        } else if (rw->changelog && !rw->lookup) {
            before = lvl == rw->max_level && is_add(kind);
        }
        if (act != PMN_MERGE_SKIP || before) {
            int rc = source_values(top);
            if (rc)
                return rc;
            emit_row(rw, top);
            if (before)
                out_as_before(rw, top->in.seq);
            if (act != PMN_MERGE_SKIP)
                pmn_merge_engine_fold(&rw->engine, row, &st, rw->out, kind, top->in.seq,
                                      rw->acc, &rw->acc_arena);
        }
        if (last) {
            winner_top = lvl == rw->max_level;
            break;
        }
        int rc = source_advance(rw, top, true);
        if (rc)
            return rc;
        pmn_merge_heap_top_moved(&rw->heap);
        top = (source *)pmn_merge_heap_top(&rw->heap);
    }
    int rc = 0;
    bool changelog = rw->changelog && !(versions == 1 && winner_top);
    if (rw->lookup) {
        changelog = contain_l0 && !(first_row && high_seen);
        if (contain_l0 && !high_seen) {
            rc = lookup_before(rw, &top->in);
            if (rc)
                return rc;
            /* first-row: a level >= 1 already holds the key's first row (first-row files
             * hold no retractions: found means found as an insert) */
            if (first_row && rw->have_before)
                return 0;
            merge_in_before(rw, &st, reset_seen);
        }
    }
    /* a removal is written while older versions may lie below the output level */
    if (st.have || (st.deleted && !rw->drop_delete))
        rc = write_kept(rw, like, fw, rw->acc, st.seq, st.kind);
    if (rc == 0 && changelog && (st.have || st.deleted)) {
        memcpy(rw->out, rw->acc, sizeof *rw->out * (size_t)row->nfields);
        rc = key_changelog(rw, like, st.seq, st.have ? st.kind : PMN_ROW_DELETE);
    }
    return rc;
}

/* merge_files: rewrite `files` (one bucket) into new files at the output level: of each key
 * the highest sequence wins; older versions are skipped without decoding their values. */
static int merge_files(rewriter *rw, const pmn_manifest_entry **files, size_t n)
{
    if (n == 0)
        return 0;
    source *srcs = pmn_xcalloc(n, sizeof *srcs);
    const pmn_key_layout *k = &rw->t->keys;
    pmn_merge_heap_init(&rw->heap, k->trimmed_pk_types, k->ntrimmed_pk, n);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        srcs[i].e = files[i];
        rc = source_open(rw, &srcs[i], true);
        if (rc == 0)
            rc = pmn_data_file_reader_use_keys(srcs[i].reader, k->trimmed_pk_types,
                                               k->trimmed_pk, k->ntrimmed_pk);
        if (rc == 0)
            rc = source_advance(rw, &srcs[i], true);
        if (rc == 0 && !srcs[i].in.done)
            pmn_merge_heap_push(&rw->heap, &srcs[i].in);
    }
    pmn_data_file_writer *fw = NULL;
    source *top;
    while (rc == 0 && (top = (source *)pmn_merge_heap_top(&rw->heap)) != NULL) {
        if (rw->general) {
            rc = merge_key_general(rw, files[0], &fw);
            top = (source *)pmn_merge_heap_top(&rw->heap);
            if (rc == 0)
                rc = source_advance(rw, top, true);
            pmn_merge_heap_top_moved(&rw->heap);
            continue;
        }
        /* older versions of this key lose; the max-level one is kept as the before image */
        size_t versions = 1;
        bool contain_l0 = false;
        int32_t high = INT32_MAX; /* lookup: level of the newest level >= 1 version seen */
        rw->have_before = false;
        while (rc == 0 && pmn_merge_heap_top_shadowed(&rw->heap)) {
            versions++;
            int32_t lvl = top->e->file.level;
            if (rw->changelog && !rw->lookup && lvl == rw->max_level)
                rc = keep_before(rw, top);
            if (rw->lookup && lvl == 0) {
                contain_l0 = true;
            } else if (rw->lookup && lvl < high) {
                high = lvl;
                rw->have_before = false;
                if (is_add(top->in.kind))
                    rc = keep_before(rw, top);
            }
            if (rc == 0)
                rc = source_advance(rw, top, true);
            pmn_merge_heap_top_moved(&rw->heap);
            top = (source *)pmn_merge_heap_top(&rw->heap);
        }
        if (rc)
            break;
        bool winner_top = top->e->file.level == rw->max_level;
        bool changelog = rw->changelog && !(versions == 1 && winner_top && !rw->lookup);
        if (rw->lookup) {
            /* only keys with a level-0 version change; their before image is the newest
             * version at a level >= 1, looked up outside the compaction if none is in it */
            contain_l0 |= top->e->file.level == 0;
            changelog = contain_l0;
            if (contain_l0 && high == INT32_MAX)
                rc = lookup_before(rw, &top->in);
            if (rc)
                break;
        }
        int32_t kind = top->in.kind;
        bool is_delete = kind == PMN_ROW_DELETE || kind == PMN_ROW_UPDATE_BEFORE;
        bool keep = !(is_delete && rw->drop_delete);
        if (keep || changelog) {
            rc = source_values(top);
            if (rc == 0)
                emit_row(rw, top);
        }
        if (rc == 0 && keep)
            rc = write_kept(rw, files[0], &fw, rw->out, top->in.seq, kind);
        if (rc == 0 && changelog)
            rc = key_changelog(rw, files[0], top->in.seq, kind);
        if (rc == 0) {
            rc = source_advance(rw, top, true);
            pmn_merge_heap_top_moved(&rw->heap);
        }
    }
    if (rc == 0 && fw) {
        rc = close_output(rw, files[0], fw, rw->out_level, -1, -1, false);
        fw = NULL;
    }
    if (rc == 0 && rw->clw) {
        rc = close_output(rw, files[0], rw->clw, rw->out_level, -1, -1, true);
        rw->clw = NULL;
    }
    if (fw)
        pmn_data_file_writer_discard(fw);
    if (rw->clw) {
        pmn_data_file_writer_discard(rw->clw);
        rw->clw = NULL;
    }
    for (size_t i = 0; i < n; i++)
        pmn_data_file_reader_free(srcs[i].reader);
    free(srcs);
    pmn_merge_heap_dispose(&rw->heap);
    if (rc)
        return pmn_error_wrap("compacting %s: ", rw->t->full_name);
    for (size_t i = 0; i < n; i++)
        add_entry(rw, files[i], PMN_FILE_DELETE, files[i]->file.level);
    return 0;
}

/* upgrade: move a file to the output level without rewriting it, unless it carries deletes
 * into the max level (they must be dropped there). */
static int upgrade(rewriter *rw, const pmn_manifest_entry *f)
{
    if (f->file.level == rw->out_level)
        return 0;
    bool has_deletes = !f->file.has_delete_row_count || f->file.delete_row_count != 0;
    /* full-compaction changelog: every row reaching the max level is a change (+I); lookup:
     * a level-0 file's rows are changes against what the levels above hold */
    if (rw->out_level == rw->max_level && (has_deletes || (rw->changelog && !rw->lookup)))
        return merge_files(rw, &f, 1);
    if (rw->lookup && f->file.level == 0)
        return merge_files(rw, &f, 1);
    add_entry(rw, f, PMN_FILE_DELETE, f->file.level);
    add_entry(rw, f, PMN_FILE_ADD, rw->out_level);
    return 0;
}

/* ---- sections ---- */

typedef struct keyed {
    const pmn_manifest_entry *e;
    pmn_datum *min;
    pmn_datum *max;
} keyed;

static int cmp_keyed(const void *pa, const void *pb, void *ctx)
{
    const pmn_table *t = ctx;
    const keyed *a = pa, *b = pb;
    const pmn_key_layout *k = &t->keys;
    for (int32_t i = 0; i < k->ntrimmed_pk; i++) {
        int c = pmn_datum_compare(k->trimmed_pk_types[i], &a->min[i], &b->min[i]);
        if (c)
            return c;
    }
    for (int32_t i = 0; i < k->ntrimmed_pk; i++) {
        int c = pmn_datum_compare(k->trimmed_pk_types[i], &a->max[i], &b->max[i]);
        if (c)
            return c;
    }
    return 0;
}

static int cmp_trimmed(const pmn_table *t, const pmn_datum *a, const pmn_datum *b)
{
    const pmn_key_layout *k = &t->keys;
    for (int32_t i = 0; i < k->ntrimmed_pk; i++) {
        int c = pmn_datum_compare(k->trimmed_pk_types[i], &a[i], &b[i]);
        if (c)
            return c;
    }
    return 0;
}

/* open_cursors: lookup cursors over the runs after the unit, their files in key order. */
static int open_cursors(rewriter *rw, const pmn_sorted_run *runs, size_t from, size_t nruns)
{
    const pmn_key_layout *k = &rw->t->keys;
    int32_t nk = k->ntrimmed_pk;
    rw->cursors = pmn_xcalloc(nruns - from + 1, sizeof *rw->cursors);
    for (size_t r = from; r < nruns; r++) {
        if (runs[r].level == 0 || runs[r].nfiles == 0)
            continue;
        keyed *kf = pmn_xcalloc(runs[r].nfiles, sizeof *kf);
        int rc = 0;
        for (size_t i = 0; i < runs[r].nfiles && rc == 0; i++) {
            const pmn_manifest_entry *e = runs[r].files[i];
            kf[i].e = e;
            kf[i].min = pmn_arena_alloc(&rw->scratch, sizeof(pmn_datum) * (size_t)(nk + 1));
            kf[i].max = pmn_arena_alloc(&rw->scratch, sizeof(pmn_datum) * (size_t)(nk + 1));
            rc = pmn_binary_row_deserialize(e->file.min_key.ptr, e->file.min_key.len,
                                            k->trimmed_pk_types, nk, &rw->scratch, kf[i].min);
            if (rc == 0)
                rc = pmn_binary_row_deserialize(e->file.max_key.ptr, e->file.max_key.len,
                                                k->trimmed_pk_types, nk, &rw->scratch,
                                                kf[i].max);
        }
        if (rc) {
            free(kf);
            return pmn_error_wrap("compacting %s: min/max key: ", rw->t->full_name);
        }
        qsort_r(kf, runs[r].nfiles, sizeof *kf, cmp_keyed, rw->t);
        lookup_cursor *c = &rw->cursors[rw->ncursors++];
        c->files = pmn_xcalloc(runs[r].nfiles, sizeof *c->files);
        for (size_t i = 0; i < runs[r].nfiles; i++)
            c->files[i] = kf[i].e;
        c->nfiles = runs[r].nfiles;
        c->level = runs[r].level;
        free(kf);
    }
    return 0;
}

int pmn_compact_rewrite(pmn_table *t, const pmn_compact_options *o, const pmn_sorted_run *runs,
                        size_t nruns, const pmn_compact_unit *unit, bool drop_delete,
                        pmn_arena *a, pmn_compact_result *res)
{
    rewriter rw;
    memset(&rw, 0, sizeof rw);
    rw.t = t;
    rw.o = o;
    rw.a = a;
    rw.res = res;
    rw.out_level = unit->output_level;
    rw.max_level = o->num_levels - 1;
    rw.drop_delete = drop_delete;
    int rc = pmn_merge_engine_load(t, "compact", &rw.engine);
    if (rc)
        return rc;
    rw.general = !pmn_merge_engine_simple(&rw.engine);
    rw.changelog = o->changelog == PMN_COMPACT_CHANGELOG_FULL && rw.out_level == rw.max_level;
    if (o->changelog == PMN_COMPACT_CHANGELOG_LOOKUP && rw.out_level > 0)
        for (size_t r = 0; r < unit->nruns; r++)
            rw.lookup |= runs[r].level == 0;
    rw.changelog |= rw.lookup;
    pmn_uuid4(rw.uuid);
    pmn_arena_init(&rw.scratch);
    pmn_arena_init(&rw.before_arena);
    pmn_arena_init(&rw.acc_arena);
    rw.out = pmn_xcalloc((size_t)t->schema->row->nfields + 1, sizeof *rw.out);
    rw.before = pmn_xcalloc((size_t)t->schema->row->nfields + 1, sizeof *rw.before);
    rw.acc = pmn_xcalloc((size_t)t->schema->row->nfields + 1, sizeof *rw.acc);
    size_t nwritten_before = res->nwritten;

    size_t n = 0;
    for (size_t r = 0; r < unit->nruns; r++)
        n += runs[r].nfiles;
    keyed *files = pmn_xcalloc(n + 1, sizeof *files);
    const pmn_manifest_entry **cand = pmn_xcalloc(n + 1, sizeof *cand);
    size_t k = 0;
    int32_t nk = t->keys.ntrimmed_pk;
    for (size_t r = 0; r < unit->nruns && rc == 0; r++) {
        for (size_t i = 0; i < runs[r].nfiles && rc == 0; i++) {
            const pmn_manifest_entry *e = runs[r].files[i];
            files[k].e = e;
            files[k].min = pmn_arena_alloc(&rw.scratch, sizeof(pmn_datum) * (size_t)(nk + 1));
            files[k].max = pmn_arena_alloc(&rw.scratch, sizeof(pmn_datum) * (size_t)(nk + 1));
            rc =
                pmn_binary_row_deserialize(e->file.min_key.ptr, e->file.min_key.len,
                                           t->keys.trimmed_pk_types, nk, &rw.scratch, files[k].min);
            if (rc == 0)
                rc = pmn_binary_row_deserialize(e->file.max_key.ptr, e->file.max_key.len,
                                                t->keys.trimmed_pk_types, nk, &rw.scratch,
                                                files[k].max);
            if (rc)
                rc = pmn_error_wrap("compacting %s: min/max key of %s: ", t->full_name,
                                    e->file.file_name);
            k++;
        }
    }
    if (rc == 0 && n > 1)
        qsort_r(files, n, sizeof *files, cmp_keyed, t);
    if (rc == 0 && rw.lookup)
        rc = open_cursors(&rw, runs, unit->nruns, nruns);

    /* walk sections of overlapping key ranges */
    size_t ncand = 0, cand_sections = 0;
    double min_file_size = (double)o->target_file_size * 0.7;
    for (size_t i = 0; i < n && rc == 0;) {
        size_t j = i + 1;
        const pmn_datum *end = files[i].max;
        while (j < n && cmp_trimmed(t, files[j].min, end) <= 0) {
            if (cmp_trimmed(t, files[j].max, end) > 0)
                end = files[j].max;
            j++;
        }
        if (j - i > 1 || (double)files[i].e->file.file_size < min_file_size) {
            for (size_t f = i; f < j; f++)
                cand[ncand++] = files[f].e;
            cand_sections++;
        } else {
            /* one big file: rewrite the candidates before it, then move it */
            if (ncand == 1 && cand_sections == 1)
                rc = upgrade(&rw, cand[0]);
            else
                rc = merge_files(&rw, cand, ncand);
            ncand = cand_sections = 0;
            if (rc == 0)
                rc = upgrade(&rw, files[i].e);
        }
        i = j;
    }
    if (rc == 0 && ncand > 0) {
        if (ncand == 1 && cand_sections == 1)
            rc = upgrade(&rw, cand[0]);
        else
            rc = merge_files(&rw, cand, ncand);
    }
    free(files);
    free(cand);
    cursors_free(&rw);
    free(rw.out);
    free(rw.before);
    free(rw.acc);
    pmn_file_layouts_dispose(&rw.layouts);
    pmn_arena_free(&rw.scratch);
    pmn_arena_free(&rw.before_arena);
    pmn_arena_free(&rw.acc_arena);
    if (rc) {
        /* remove only what this call wrote */
        for (size_t i = nwritten_before; i < res->nwritten; i++) {
            pmn_fs_remove(res->written[i]);
            free(res->written[i]);
        }
        res->nwritten = nwritten_before;
    }
    return rc;
}

/* ---- append tables ---- */

int pmn_compact_rewrite_append(pmn_table *t, const pmn_compact_options *o,
                               const pmn_manifest_entry *files, size_t n, pmn_arena *a,
                               pmn_compact_result *res)
{
    rewriter rw;
    memset(&rw, 0, sizeof rw);
    rw.t = t;
    rw.o = o;
    rw.a = a;
    rw.res = res;
    pmn_uuid4(rw.uuid);
    rw.out = pmn_xcalloc((size_t)t->schema->row->nfields + 1, sizeof *rw.out);
    size_t nwritten_before = res->nwritten;
    pmn_data_file_writer *fw = NULL;
    int64_t min_seq = INT64_MAX, max_seq = INT64_MIN;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        source s;
        memset(&s, 0, sizeof s);
        s.e = &files[i];
        rc = source_open(&rw, &s, false);
        /* rows keep the sequence range of their file, in order */
        int64_t seq = files[i].file.min_sequence_number;
        while (rc == 0 && (rc = source_advance(&rw, &s, false)) == 0 && !s.in.done) {
            if (!fw)
                rc = open_output(&rw, &files[i], "data", &fw);
            if (rc)
                break;
            emit_row(&rw, &s);
            rc = pmn_data_file_writer_add(fw, rw.out, seq, PMN_ROW_INSERT);
            if (seq < min_seq)
                min_seq = seq;
            if (seq > max_seq)
                max_seq = seq;
            if (seq < files[i].file.max_sequence_number)
                seq++;
            if (rc == 0 && (int64_t)pmn_data_file_writer_bytes(fw) >= o->target_file_size) {
                rc = close_output(&rw, &files[i], fw, 0, min_seq, max_seq, false);
                fw = NULL;
                min_seq = INT64_MAX;
                max_seq = INT64_MIN;
            }
        }
        pmn_data_file_reader_free(s.reader);
        if (rc == 0)
            add_entry(&rw, &files[i], PMN_FILE_DELETE, files[i].file.level);
    }
    if (rc == 0 && fw) {
        rc = close_output(&rw, &files[n - 1], fw, 0, min_seq, max_seq, false);
        fw = NULL;
    }
    if (fw)
        pmn_data_file_writer_discard(fw);
    free(rw.out);
    pmn_file_layouts_dispose(&rw.layouts);
    if (rc) {
        for (size_t i = nwritten_before; i < res->nwritten; i++) {
            pmn_fs_remove(res->written[i]);
            free(res->written[i]);
        }
        res->nwritten = nwritten_before;
        return pmn_error_wrap("compacting %s: ", t->full_name);
    }
    return 0;
}

void pmn_compact_result_discard(pmn_compact_result *res)
{
    for (size_t i = 0; i < res->nwritten; i++)
        pmn_fs_remove(res->written[i]);
}

void pmn_compact_result_dispose(pmn_compact_result *res)
{
    for (size_t i = 0; i < res->nwritten; i++)
        free(res->written[i]);
    free(res->written);
    free(res->entries);
    free(res->changelog);
    memset(res, 0, sizeof *res);
}
