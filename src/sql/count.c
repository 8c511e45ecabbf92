/*
 * src/sql/count.c
 *
 * COUNT(*) from manifest row counts when provably equal to a scan; see count.h.
 */
#include "sql/count.h"

#include "change/datum.h"
#include "paimon/binary_row.h"
#include "sql/rewrite.h"
#include "table/table_internal.h"
#include "util/alloc.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct key_range {
    pmn_datum *min, *max;
} key_range;

/* the key layout range_cmp compares by (qsort has no context argument) */
static _Thread_local const pmn_key_layout *sort_keys;

static int key_cmp(const pmn_key_layout *k, const pmn_datum *a, const pmn_datum *b)
{
    for (int32_t i = 0; i < k->ntrimmed_pk; i++) {
        int c = pmn_datum_compare(k->trimmed_pk_types[i], &a[i], &b[i]);
        if (c)
            return c;
    }
    return 0;
}

static int range_cmp(const void *a, const void *b)
{
    return key_cmp(sort_keys, ((const key_range *)a)->min, ((const key_range *)b)->min);
}

/* group_disjoint: the files [from, to) of one bucket have no retractions and disjoint keys. */
static bool group_disjoint(pmn_table *t, const pmn_manifest_entry *files, size_t from, size_t to,
                           pmn_arena *a)
{
    const pmn_key_layout *k = &t->keys;
    size_t n = to - from;
    key_range *r = pmn_arena_alloc(a, sizeof *r * n);
    for (size_t i = 0; i < n; i++) {
        const pmn_data_file_meta *f = &files[from + i].file;
        if (!f->has_delete_row_count || f->delete_row_count != 0 || f->schema_id != t->schema->id)
            return false;
        r[i].min = pmn_arena_alloc(a, sizeof(pmn_datum) * ((size_t)k->ntrimmed_pk + 1));
        r[i].max = pmn_arena_alloc(a, sizeof(pmn_datum) * ((size_t)k->ntrimmed_pk + 1));
        if (pmn_binary_row_deserialize(f->min_key.ptr, f->min_key.len, k->trimmed_pk_types,
                                       k->ntrimmed_pk, a, r[i].min) != 0 ||
            pmn_binary_row_deserialize(f->max_key.ptr, f->max_key.len, k->trimmed_pk_types,
                                       k->ntrimmed_pk, a, r[i].max) != 0) {
            pmn_error_clear();
            return false;
        }
    }
    sort_keys = k;
    qsort(r, n, sizeof *r, range_cmp);
    for (size_t i = 1; i < n; i++)
        if (key_cmp(k, r[i - 1].max, r[i].min) >= 0)
            return false;
    return true;
}

int pmn_sql_count_from_metadata(pmn_table *t, const pmn_scan_options *opts, int64_t *count,
                                bool *exact)
{
    *count = 0;
    *exact = false;
    const char *dv = pmn_table_option(t, "deletion-vectors.enabled");
    if (dv && strcmp(dv, "true") == 0)
        return 0;
    pmn_plan *p = NULL;
    int rc = pmn_plan_open_read(t, opts, &p);
    if (rc)
        return rc;
    bool pk = pmn_table_is_pk(t);
    bool ok = true;
    int64_t n = 0;
    pmn_arena a = PMN_ARENA_INIT;
    for (size_t i = 0; ok && i < p->nfiles;) {
        size_t j = i;
        while (j < p->nfiles && p->files[j].bucket == p->files[i].bucket &&
               pmn_bytes_equal(p->files[j].partition, p->files[i].partition))
            n += p->files[j++].file.row_count;
        if (pk)
            ok = group_disjoint(t, p->files, i, j, &a);
        pmn_arena_reset(&a);
        i = j;
    }
    pmn_arena_free(&a);
    pmn_plan_free(p);
    if (ok) {
        *count = n;
        *exact = true;
    }
    return 0;
}

/* ---- COUNT(*) through the count column ---- */

static const char *skip_space(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    return p;
}

/* keyword: p starts with word w (any case) followed by a non-identifier byte: past it. */
static const char *keyword(const char *p, const char *w)
{
    size_t n = strlen(w);
    if (strncasecmp(p, w, n) != 0)
        return NULL;
    char c = p[n];
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')
        return NULL;
    return p + n;
}

/* quoted: p at a "..." identifier: past it, its text (quotes included) in [*from, end). */
static const char *quoted(const char *p)
{
    if (*p != '"')
        return NULL;
    for (p++; *p; p++) {
        if (*p == '"') {
            if (p[1] != '"')
                return p + 1;
            p++;
        }
    }
    return NULL;
}

/* identifier: a quoted or plain SQL identifier: past it. */
static const char *identifier(const char *p)
{
    if (*p == '"')
        return quoted(p);
    const char *q = p;
    while ((*q >= 'A' && *q <= 'Z') || (*q >= 'a' && *q <= 'z') || *q == '_' ||
           (q > p && *q >= '0' && *q <= '9'))
        q++;
    return q > p ? q : NULL;
}

/* lake_vtab: the quoted name [q, end) is the virtual table of a lake table's data. */
static bool lake_vtab(const pmn_sql_rewrite *rw, const char *q, const char *end)
{
    size_t n = (size_t)(end - q) - 2;
    for (size_t i = 0; i < rw->nrefs; i++) {
        const pmn_sql_tref *r = &rw->refs[i];
        if (!r->system && strlen(r->vtab) == n && !memcmp(r->vtab, q + 1, n) &&
            !memchr(r->vtab, '"', n))
            return true;
    }
    return false;
}

char *pmn_sql_count_rewrite(const pmn_sql_rewrite *rw)
{
    const char *sql = rw->sql;
    const char *p = keyword(skip_space(sql), "SELECT");
    if (!p)
        return NULL;
    const char *count = skip_space(p);
    p = keyword(count, "COUNT");
    if (!p)
        return NULL;
    p = skip_space(p);
    if (strncmp(p, "(*)", 3) != 0)
        return NULL;
    const char *count_end = p + 3;
    p = skip_space(count_end);
    const char *alias = NULL, *alias_end = NULL, *q;
    if ((q = keyword(p, "AS")) != NULL) {
        alias = skip_space(q);
        alias_end = identifier(alias);
        if (!alias_end)
            return NULL;
        p = skip_space(alias_end);
    }
    p = keyword(p, "FROM");
    if (!p)
        return NULL;
    const char *name = skip_space(p);
    const char *name_end = quoted(name);
    /* system and audit-log tables ($) have no count column */
    if (!name_end || memchr(name, '$', (size_t)(name_end - name)) || !lake_vtab(rw, name, name_end))
        return NULL;
    const char *from_end = name_end, *corr = name, *corr_end = name_end;
    p = skip_space(name_end);
    if ((q = keyword(p, "AS")) != NULL) {
        corr = skip_space(q);
        corr_end = quoted(corr);
        if (!corr_end)
            return NULL;
        from_end = corr_end;
        p = skip_space(corr_end);
    }
    if (*p == ';')
        p = skip_space(p + 1);
    if (*p)
        return NULL;
    /* +column: an expression, so the result has no declared type, as COUNT(*) has none; without
     * an alias SQLite would name the column after the expression's text: keep that name */
    pmn_buf b = PMN_BUF_INIT;
    pmn_buf_printf(&b, "SELECT +%.*s.\"%s\" AS ", (int)(corr_end - corr), corr,
                   PMN_SQL_COUNT_COLUMN);
    if (alias)
        pmn_buf_printf(&b, "%.*s", (int)(alias_end - alias), alias);
    else
        pmn_buf_printf(&b, "\"%.*s\"", (int)(count_end - count), count);
    pmn_buf_printf(&b, " FROM %.*s", (int)(from_end - name), name);
    char *out = pmn_xstrdup(pmn_buf_cstr(&b));
    pmn_buf_dispose(&b);
    return out;
}
