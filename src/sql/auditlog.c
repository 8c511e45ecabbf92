/*
 * src/sql/auditlog.c
 *
 * Batch read of t$audit_log; see auditlog.h. Files of one (partition, bucket)
 * are sorted runs (paimon-format.md §5); they are merged by key, and of equal
 * keys the record with the highest sequence number is returned with its
 * _VALUE_KIND, deletes included. A group has few runs, so the smallest key is
 * found by a linear pass over them rather than a heap.
 */
#include "sql/auditlog.h"

#include "change/datum.h"
#include "format/data_file.h"
#include "table/compact.h"
#include "table/file_layout.h"
#include "table/table_internal.h"
#include "util/alloc.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

typedef struct audit_run {
    pmn_data_file_reader *reader;
    const pmn_file_layout *layout;
    const pmn_datum *vals; /* current record (valid until this run advances) */
    int64_t seq;
    int32_t kind;
    bool done;
} audit_run;

struct pmn_audit_scan {
    pmn_table *t;
    pmn_plan *plan;
    bool pk;
    pmn_file_layouts layouts;
    size_t next_file; /* first file of the next group */
    audit_run *runs;  /* the current group */
    size_t nruns;
    audit_run *pending; /* run whose record is the output row: advanced on the next call */
    pmn_datum *out;
};

const char *pmn_audit_kind_text(pmn_row_kind kind)
{
    switch (kind) {
    case PMN_ROW_UPDATE_BEFORE:
        return "-U";
    case PMN_ROW_UPDATE_AFTER:
        return "+U";
    case PMN_ROW_DELETE:
        return "-D";
    default:
        return "+I";
    }
}

int pmn_audit_open(pmn_table *t, const pmn_scan_options *opts, pmn_audit_scan **out)
{
    /* the merge below is the deduplicate engine's: the highest sequence number wins */
    const char *engine = pmn_table_option(t, "merge-engine");
    if (pmn_table_is_pk(t) && ((engine && strcmp(engine, "deduplicate") != 0) ||
                               pmn_table_option(t, "sequence.field")))
        return pmn_error_set(PMN_EINVALID,
                             "%s$audit_log: only tables with merge-engine deduplicate and no "
                             "sequence.field can be read here; table %s has %s",
                             t->full_name, t->full_name,
                             engine && strcmp(engine, "deduplicate") != 0 ? engine
                                                                          : "sequence.field");
    pmn_plan *plan = NULL;
    int rc = pmn_plan_open_read(t, opts, &plan);
    if (rc)
        return rc;
    const char *dv = pmn_table_option(t, "deletion-vectors.enabled");
    if (dv && strcmp(dv, "true") == 0) {
        pmn_plan_free(plan);
        return pmn_error_set(PMN_EINVALID,
                             "table %s uses deletion vectors, which pgpaimon cannot apply yet",
                             t->full_name);
    }
    pmn_audit_scan *s = pmn_xcalloc(1, sizeof *s);
    s->t = t;
    s->plan = plan;
    s->pk = pmn_table_is_pk(t);
    s->out = pmn_xcalloc((size_t)t->schema->row->nfields + 1, sizeof *s->out);
    *out = s;
    return 0;
}

static void close_group(pmn_audit_scan *s)
{
    for (size_t i = 0; i < s->nruns; i++)
        pmn_data_file_reader_free(s->runs[i].reader);
    free(s->runs);
    s->runs = NULL;
    s->nruns = 0;
    s->pending = NULL;
}

static int run_advance(audit_run *r)
{
    int rc = pmn_data_file_reader_next(r->reader, &r->vals, &r->seq, &r->kind);
    if (rc == PMN_ITEROVER) {
        r->done = true;
        return 0;
    }
    return rc;
}

/* open_group: the files of the next (partition, bucket); false when there are no more. */
static int open_group(pmn_audit_scan *s, bool *opened)
{
    const pmn_plan *p = s->plan;
    size_t from = s->next_file, to = from;
    *opened = false;
    if (from >= p->nfiles)
        return 0;
    while (to < p->nfiles && p->files[to].bucket == p->files[from].bucket &&
           pmn_bytes_equal(p->files[to].partition, p->files[from].partition))
        to++;
    s->next_file = to;
    s->nruns = to - from;
    s->runs = pmn_xcalloc(s->nruns, sizeof *s->runs);
    for (size_t i = 0; i < s->nruns; i++) {
        const pmn_manifest_entry *e = &p->files[from + i];
        audit_run *r = &s->runs[i];
        int rc = pmn_file_layout_get(&s->layouts, s->t, e->file.schema_id, &r->layout);
        if (rc == 0 && (rc = pmn_file_open(s->t, e, r->layout, s->pk, &r->reader)) != 0) {
            pmn_error_wrap("table %s: ", s->t->full_name);
            rc = pmn_table_expired_error(s->t, p->snapshot ? p->snapshot->id : 0, rc);
        }
        if (rc == 0)
            rc = run_advance(r);
        if (rc)
            return rc;
    }
    *opened = true;
    return 0;
}

static int key_cmp(const pmn_audit_scan *s, const audit_run *a, const audit_run *b)
{
    const pmn_key_layout *k = &s->t->keys;
    for (int32_t i = 0; i < k->ntrimmed_pk; i++) {
        int idx = k->trimmed_pk[i];
        int c = pmn_datum_compare(k->trimmed_pk_types[i], &a->vals[idx], &b->vals[idx]);
        if (c)
            return c;
    }
    return 0;
}

/* next_in_group: the winner of the smallest key (pk) or the next record (append), or NULL. */
static int next_in_group(pmn_audit_scan *s, pmn_row_kind *kind)
{
    audit_run *win = NULL;
    if (s->pending) {
        audit_run *r = s->pending;
        s->pending = NULL;
        int rc = run_advance(r);
        if (rc)
            return rc;
    }
    if (!s->pk) {
        for (size_t i = 0; i < s->nruns && !win; i++)
            if (!s->runs[i].done)
                win = &s->runs[i];
        if (!win)
            return PMN_ITEROVER;
        pmn_file_layout_convert(win->layout, s->t, win->vals, s->out);
        *kind = PMN_ROW_INSERT;
        s->pending = win;
        return 0;
    }
    for (size_t i = 0; i < s->nruns; i++) {
        audit_run *r = &s->runs[i];
        if (r->done)
            continue;
        int c = win ? key_cmp(s, r, win) : -1;
        if (c < 0 || (c == 0 && r->seq >= win->seq))
            win = r;
    }
    if (!win)
        return PMN_ITEROVER;
    pmn_file_layout_convert(win->layout, s->t, win->vals, s->out);
    *kind = win->kind >= PMN_ROW_INSERT && win->kind <= PMN_ROW_DELETE ? (pmn_row_kind)win->kind
                                                                       : PMN_ROW_INSERT;
    /* move the other runs past this key; the winner moves on the next call, as the output
     * row borrows its record's strings */
    for (size_t i = 0; i < s->nruns; i++) {
        audit_run *r = &s->runs[i];
        if (r != win && !r->done && key_cmp(s, r, win) == 0) {
            int rc = run_advance(r);
            if (rc)
                return rc;
        }
    }
    s->pending = win;
    return 0;
}

int pmn_audit_next(pmn_audit_scan *s, pmn_row_kind *kind, const pmn_datum **row)
{
    for (;;) {
        if (!s->runs) {
            bool opened;
            int rc = open_group(s, &opened);
            if (rc)
                return rc;
            if (!opened)
                return PMN_ITEROVER;
        }
        int rc = next_in_group(s, kind);
        if (rc == PMN_ITEROVER) {
            close_group(s);
            continue;
        }
        if (rc)
            return rc;
        *row = s->out;
        return 0;
    }
}

void pmn_audit_free(pmn_audit_scan *s)
{
    if (!s)
        return;
    close_group(s);
    pmn_file_layouts_dispose(&s->layouts);
    pmn_plan_free(s->plan);
    free(s->out);
    free(s);
}
