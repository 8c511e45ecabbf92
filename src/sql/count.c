/*
 * src/sql/count.c
 *
 * COUNT(*) from manifest row counts when provably equal to a scan; see count.h.
 */
#include "sql/count.h"

#include "change/datum.h"
#include "paimon/binary_row.h"
#include "sql/lexer.h"
#include "sql/rewrite.h"
#include "table/table_internal.h"
#include "util/alloc.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

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

/* next_tok: the token after `t` that is neither blank nor comment. */
static pmn_sql_tok next_tok(const char *sql, size_t len, const pmn_sql_tok *t)
{
    pmn_sql_tok k = pmn_sql_lex(sql, len, t ? t->off + t->len : 0);
    while (k.kind == PMN_TK_SPACE || k.kind == PMN_TK_COMMENT)
        k = pmn_sql_lex(sql, len, k.off + k.len);
    return k;
}

/* lake_vtab: the quoted name token is the virtual table of a lake table's data. */
static bool lake_vtab(const pmn_sql_rewrite *rw, const pmn_sql_tok *name)
{
    if (name->kind != PMN_TK_QIDENT)
        return false;
    char *v = pmn_sql_ident_value(rw->sql, name);
    bool found = false;
    for (size_t i = 0; i < rw->nrefs && !found; i++)
        found = !rw->refs[i].system && !strcmp(rw->refs[i].vtab, v);
    free(v);
    return found;
}

char *pmn_sql_count_rewrite(const pmn_sql_rewrite *rw)
{
    const char *sql = rw->sql;
    size_t len = strlen(sql);
    pmn_sql_tok t = next_tok(sql, len, NULL);
    if (!pmn_sql_tok_is(sql, &t, "SELECT"))
        return NULL;
    pmn_sql_tok count = next_tok(sql, len, &t);
    if (!pmn_sql_tok_is(sql, &count, "COUNT"))
        return NULL;
    t = count;
    static const char *const star[] = {"(", "*", ")"};
    for (int i = 0; i < 3; i++) {
        t = next_tok(sql, len, &t);
        if (!pmn_sql_tok_punct(sql, &t, star[i]))
            return NULL;
    }
    size_t count_end = t.off + t.len;
    pmn_sql_tok alias = {.kind = PMN_TK_EOF};
    t = next_tok(sql, len, &t);
    if (pmn_sql_tok_is(sql, &t, "AS")) {
        alias = next_tok(sql, len, &t);
        if (alias.kind != PMN_TK_IDENT && alias.kind != PMN_TK_QIDENT)
            return NULL;
        t = next_tok(sql, len, &alias);
    }
    if (!pmn_sql_tok_is(sql, &t, "FROM"))
        return NULL;
    pmn_sql_tok name = next_tok(sql, len, &t);
    if (!lake_vtab(rw, &name)) /* system and audit-log tables have no count column */
        return NULL;
    pmn_sql_tok corr = name, end = name;
    t = next_tok(sql, len, &name);
    if (pmn_sql_tok_is(sql, &t, "AS")) {
        corr = next_tok(sql, len, &t);
        if (corr.kind != PMN_TK_QIDENT)
            return NULL;
        end = corr;
        t = next_tok(sql, len, &corr);
    }
    if (pmn_sql_tok_punct(sql, &t, ";"))
        t = next_tok(sql, len, &t);
    if (t.kind != PMN_TK_EOF)
        return NULL;
    /* +column: an expression, so the result has no declared type, as COUNT(*) has none; without
     * an alias SQLite would name the column after the expression's text: keep that name */
    pmn_buf b = PMN_BUF_INIT;
    pmn_buf_printf(&b, "SELECT +%.*s.\"%s\" AS ", (int)corr.len, sql + corr.off,
                   PMN_SQL_COUNT_COLUMN);
    if (alias.kind != PMN_TK_EOF)
        pmn_buf_printf(&b, "%.*s", (int)alias.len, sql + alias.off);
    else
        pmn_buf_printf(&b, "\"%.*s\"", (int)(count_end - count.off), sql + count.off);
    pmn_buf_printf(&b, " FROM %.*s", (int)(end.off + end.len - name.off), sql + name.off);
    char *out = pmn_xstrdup(pmn_buf_cstr(&b));
    pmn_buf_dispose(&b);
    return out;
}
