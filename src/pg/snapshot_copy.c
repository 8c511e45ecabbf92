/*
 * src/pg/snapshot_copy.c
 *
 * Initial snapshot through COPY ... TO STDOUT under an imported snapshot; see
 * snapshot_copy.h. COPY text format: PostgreSQL docs "COPY", File Formats /
 * Text Format.
 */
#include "pg/snapshot_copy.h"

#include "pg/pgtypes.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pmn_snapshot_copy {
    pmn_pgconn *conn;
    bool in_txn;
    pmn_arena row_arena;
};

int pmn_snapshot_copy_open(pmn_snapshot_copy **out, const pmn_pg_connparams *p,
                           const char *snapshot_name)
{
    pmn_pgconn *c;
    int rc = pmn_pgconn_open(&c, p, false);
    if (rc < 0)
        return rc;
    pmn_snapshot_copy *s = pmn_xcalloc(1, sizeof *s);
    s->conn = c;
    pmn_arena_init(&s->row_arena);
    rc = pmn_pgconn_exec(c, "starting the snapshot transaction",
                         "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    if (rc < 0)
        goto fail;
    s->in_txn = true;
    if (snapshot_name && *snapshot_name) {
        char *lit = pmn_pgconn_quote_literal(c, snapshot_name);
        char *sql = pmn_xasprintf("SET TRANSACTION SNAPSHOT %s", lit);
        rc = pmn_pgconn_exec(c, "importing the slot's snapshot", sql);
        free(sql);
        free(lit);
        if (rc < 0) {
            if (strcmp(pmn_error_sqlstate(), "22023") == 0)
                pmn_error_wrap("snapshot \"%s\" is no longer importable (it lives only until the "
                               "replication connection runs its next command, and while that "
                               "connection stays open): ",
                               snapshot_name);
            goto fail;
        }
    }
    *out = s;
    return 0;
fail:
    pmn_snapshot_copy_free(s);
    return rc;
}

pmn_pgconn *pmn_snapshot_copy_conn(pmn_snapshot_copy *s)
{
    return s->conn;
}

long pmn_copy_text_unescape(char *dst, const char *src, size_t len)
{
    if (len == 2 && src[0] == '\\' && src[1] == 'N')
        return -1;
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        char ch = src[i];
        if (ch != '\\' || i + 1 >= len) {
            dst[o++] = ch;
            continue;
        }
        char e = src[++i];
        switch (e) {
        case 'b':
            dst[o++] = '\b';
            break;
        case 'f':
            dst[o++] = '\f';
            break;
        case 'n':
            dst[o++] = '\n';
            break;
        case 'r':
            dst[o++] = '\r';
            break;
        case 't':
            dst[o++] = '\t';
            break;
        case 'v':
            dst[o++] = '\v';
            break;
        case 'x': {
            int v = 0, nd = 0;
            while (nd < 2 && i + 1 < len) {
                char h = src[i + 1];
                int d = (h >= '0' && h <= '9')   ? h - '0'
                        : (h >= 'a' && h <= 'f') ? h - 'a' + 10
                        : (h >= 'A' && h <= 'F') ? h - 'A' + 10
                                                 : -1;
                if (d < 0)
                    break;
                v = v * 16 + d;
                nd++;
                i++;
            }
            dst[o++] = nd ? (char)v : 'x';
            break;
        }
        default:
            if (e >= '0' && e <= '7') {
                int v = e - '0', nd = 1;
                while (nd < 3 && i + 1 < len && src[i + 1] >= '0' && src[i + 1] <= '7') {
                    v = v * 8 + (src[++i] - '0');
                    nd++;
                }
                dst[o++] = (char)v;
            } else {
                dst[o++] = e; /* \\ and any other escaped character stand for themselves */
            }
        }
    }
    return (long)o;
}

static char *select_list(pmn_pgconn *c, const pmn_pg_table *t)
{
    pmn_buf b = PMN_BUF_INIT;
    for (int i = 0; i < t->ncols; i++) {
        char *q = pmn_pgconn_quote_ident(c, t->cols[i].name);
        pmn_buf_printf(&b, "%s%s", i ? ", " : "", q);
        free(q);
    }
    size_t len;
    return (char *)pmn_buf_detach(&b, &len);
}

int pmn_snapshot_copy_table(pmn_snapshot_copy *s, const pmn_pg_table *t,
                            const pmn_change_relation *rel, const char *where,
                            const pmn_change_sink *sink, uint64_t *rows_out)
{
    PMN_ASSERT(rel->ncols == t->ncols);
    if (rows_out)
        *rows_out = 0;
    char *cols = select_list(s->conn, t);
    char *qt = pmn_pg_table_qualified(s->conn, t);
    /* a whole plain table: COPY of the table itself, which the server reads without the
     * executor's projection (cheaper than the query form); a key range, a partitioned table or
     * one with inheritance children (a SELECT includes their rows) needs the query form */
    char *sql = where
                    ? pmn_xasprintf("COPY (SELECT %s FROM %s WHERE %s) TO STDOUT", cols, qt, where)
                : t->relkind == 'r' && !t->has_children
                    ? pmn_xasprintf("COPY %s (%s) TO STDOUT", qt, cols)
                    : pmn_xasprintf("COPY (SELECT %s FROM %s) TO STDOUT", cols, qt);
    char what[200];
    snprintf(what, sizeof what, "copying table %s.%s", t->schema, t->name);
    int rc = pmn_pgconn_copy_start(s->conn, what, sql);
    free(sql);
    free(cols);
    free(qt);
    if (rc < 0)
        return rc;
    pmn_datum *vals = pmn_xcalloc((size_t)(t->ncols ? t->ncols : 1), sizeof *vals);
    uint64_t nrows = 0;
    bool failed = false;
    for (;;) {
        const char *row;
        size_t len;
        int r = pmn_pgconn_copy_next(s->conn, &row, &len);
        if (r == PMN_ITEROVER)
            break;
        if (r < 0) {
            rc = r;
            break;
        }
        if (failed)
            continue; /* drain the COPY so the connection stays usable */
        pmn_arena_reset(&s->row_arena);
        char *scratch = NULL; /* for unescaped fields, allocated at the first one */
        size_t pos = 0;
        int col = 0;
        for (; col < t->ncols; col++) {
            if (pos > len)
                break;
            const char *f = row + pos;
            const char *tab = memchr(f, '\t', len - pos);
            size_t flen = tab ? (size_t)(tab - f) : len - pos;
            /* most fields hold no backslash: parsed in place, without the unescaping copy */
            const char *text = f;
            long ulen = (long)flen;
            if (memchr(f, '\\', flen)) {
                if (!scratch)
                    scratch = pmn_arena_alloc(&s->row_arena, len + 1);
                ulen = pmn_copy_text_unescape(scratch, f, flen);
                text = scratch;
            }
            if (ulen < 0) {
                vals[col].is_null = true;
            } else {
                /* scratch is reused per field: parse copies strings into the arena */
                pmn_datum *d = &vals[col];
                rc = pmn_pgtypes_parse(d, &t->cols[col].pgtype, rel->cols[col].type, text,
                                       (size_t)ulen, &s->row_arena);
                if (rc < 0) {
                    pmn_error_wrap("table %s.%s column \"%s\": ", t->schema, t->name,
                                   t->cols[col].name);
                    break;
                }
            }
            pos += flen + 1;
        }
        if (rc == 0 && (col != t->ncols || pos != len + 1))
            rc = pmn_error_set(PMN_ECORRUPT,
                               "COPY of %s.%s: row %" PRIu64 " has %s fields than the %d "
                               "selected columns",
                               t->schema, t->name, nrows + 1, col != t->ncols ? "fewer" : "more",
                               t->ncols);
        if (rc == 0 && sink && sink->change) {
            pmn_change c;
            memset(&c, 0, sizeof c);
            c.kind = PMN_CHANGE_INSERT;
            c.rel = rel;
            c.new_vals = vals;
            rc = sink->change(sink->payload, &c);
        }
        if (rc < 0) {
            failed = true;
            continue;
        }
        nrows++;
    }
    free(vals);
    if (rows_out)
        *rows_out = nrows;
    return rc;
}

int pmn_snapshot_copy_finish(pmn_snapshot_copy *s)
{
    if (!s->in_txn)
        return 0;
    s->in_txn = false;
    return pmn_pgconn_exec(s->conn, "ending the snapshot transaction", "COMMIT");
}

void pmn_snapshot_copy_free(pmn_snapshot_copy *s)
{
    if (!s)
        return;
    pmn_pgconn_free(s->conn);
    pmn_arena_free(&s->row_arena);
    free(s);
}

/* ---- splitting ----------------------------------------------------------- */

void pmn_snapshot_split_free(char **wheres, int n)
{
    if (!wheres)
        return;
    for (int i = 0; i < n; i++)
        free(wheres[i]);
    free(wheres);
}

/* predicates from n-1 ascending boundary literals */
static void ranges_from_bounds(char ***out, int *nout, const char *key, char **bounds, int nb)
{
    char **w = pmn_xcalloc((size_t)nb + 1, sizeof *w);
    for (int i = 0; i <= nb; i++) {
        if (i == 0)
            w[i] = pmn_xasprintf("%s < %s", key, bounds[0]);
        else if (i == nb)
            w[i] = pmn_xasprintf("%s >= %s", key, bounds[nb - 1]);
        else
            w[i] = pmn_xasprintf("%s >= %s AND %s < %s", key, bounds[i - 1], key, bounds[i]);
    }
    *out = w;
    *nout = nb + 1;
}

/* Block ranges: under one snapshot the parts hold every visible row exactly once; the last
 * range is open so blocks added since sizing are covered too. */
int pmn_snapshot_split_blocks(char ***wheres_out, int *n_out, pmn_pgconn *c,
                              const pmn_pg_table *t, int parts)
{
    *wheres_out = NULL;
    *n_out = 0;
    if (parts <= 1 || t->relkind != 'r' || pmn_pgconn_server_version(c) < 140000)
        return pmn_snapshot_split(wheres_out, n_out, c, t, parts);
    char sql[160];
    snprintf(sql, sizeof sql,
             "SELECT pg_catalog.pg_relation_size(%u) / current_setting('block_size')::int8",
             t->relid);
    pmn_pgresult *r = NULL;
    int rc = pmn_pgconn_query(c, &r, "splitting a table into block ranges", sql, 0, NULL);
    if (rc < 0)
        return rc;
    long long blocks = pmn_pgresult_get(r, 0, 0) ? strtoll(pmn_pgresult_get(r, 0, 0), NULL, 10) : 0;
    pmn_pgresult_free(r);
    if (parts > blocks)
        parts = blocks > 1 ? (int)blocks : 1;
    char **w = pmn_xcalloc((size_t)parts + 1, sizeof *w);
    for (int i = 0; i < parts && parts > 1; i++) {
        long long lo = blocks * i / parts, hi = blocks * (i + 1) / parts;
        if (i == 0)
            w[i] = pmn_xasprintf("ctid < '(%lld,0)'::tid", hi);
        else if (i == parts - 1)
            w[i] = pmn_xasprintf("ctid >= '(%lld,0)'::tid", lo);
        else
            w[i] = pmn_xasprintf("ctid >= '(%lld,0)'::tid AND ctid < '(%lld,0)'::tid", lo, hi);
    }
    *wheres_out = w;
    *n_out = parts;
    return 0;
}

int pmn_snapshot_split(char ***wheres_out, int *n_out, pmn_pgconn *c, const pmn_pg_table *t,
                       int parts)
{
    *wheres_out = NULL;
    *n_out = 0;
    if (t->npk == 0 || parts <= 1) {
        *wheres_out = pmn_xcalloc(1, sizeof(char *));
        *n_out = 1;
        return 0;
    }
    const pmn_pg_column *kc = &t->cols[t->pk[0]];
    char *key = pmn_pgconn_quote_ident(c, kc->name);
    char *qt = pmn_pg_table_qualified(c, t);
    pmn_pgresult *r = NULL;
    char **bounds = pmn_xcalloc((size_t)parts, sizeof *bounds);
    int nb = 0;
    int rc;
    pmn_pg_kind k = kc->pgtype.kind;
    if (k == PMN_PG_INT2 || k == PMN_PG_INT4 || k == PMN_PG_INT8) {
        char *sql = pmn_xasprintf("SELECT min(%s)::int8, max(%s)::int8 FROM %s", key, key, qt);
        rc = pmn_pgconn_query(c, &r, "splitting a table into key ranges", sql, 0, NULL);
        free(sql);
        if (rc < 0)
            goto done;
        const char *lo_s = pmn_pgresult_get(r, 0, 0), *hi_s = pmn_pgresult_get(r, 0, 1);
        if (lo_s && hi_s) {
            __int128 lo = strtoll(lo_s, NULL, 10), hi = strtoll(hi_s, NULL, 10);
            __int128 width = (hi - lo + 1 + parts - 1) / parts;
            if (width < 1)
                width = 1;
            for (int i = 1; i < parts; i++) {
                __int128 b = lo + width * i;
                if (b > hi)
                    break;
                bounds[nb++] = pmn_xasprintf("%lld", (long long)b);
            }
        }
    } else {
        pmn_buf fr = PMN_BUF_INIT;
        for (int i = 1; i < parts; i++)
            pmn_buf_printf(&fr, "%s%.6f", i > 1 ? "," : "", (double)i / parts);
        char *sql = pmn_xasprintf("SELECT DISTINCT unnest(percentile_disc(ARRAY[%s]::float8[]) "
                                  "WITHIN GROUP (ORDER BY %s))::text AS b FROM %s ORDER BY 1",
                                  pmn_buf_cstr(&fr), key, qt);
        pmn_buf_dispose(&fr);
        rc = pmn_pgconn_query(c, &r, "splitting a table into key ranges", sql, 0, NULL);
        free(sql);
        if (rc < 0)
            goto done;
        for (int i = 0; i < r->nrows && nb < parts - 1; i++) {
            const char *v = pmn_pgresult_get(r, i, 0);
            if (!v)
                continue;
            char *lit = pmn_pgconn_quote_literal(c, v);
            char *typed = pmn_xasprintf("%s::%s", lit, kc->type_name);
            free(lit);
            bounds[nb++] = typed;
        }
        /* ORDER BY text is not the key's order for every type: order by the key itself */
        if (nb > 1) {
            pmn_buf q = PMN_BUF_INIT;
            pmn_buf_puts(&q, "SELECT b::text FROM (VALUES ");
            for (int i = 0; i < nb; i++)
                pmn_buf_printf(&q, "%s(%s)", i ? ", " : "", bounds[i]);
            pmn_buf_puts(&q, ") AS v(b) ORDER BY b");
            pmn_pgresult *sorted = NULL;
            rc = pmn_pgconn_query(c, &sorted, "ordering key-range bounds", pmn_buf_cstr(&q), 0,
                                  NULL);
            pmn_buf_dispose(&q);
            if (rc < 0)
                goto done;
            for (int i = 0; i < nb; i++) {
                free(bounds[i]);
                char *lit = pmn_pgconn_quote_literal(c, pmn_pgresult_get(sorted, i, 0));
                bounds[i] = pmn_xasprintf("%s::%s", lit, kc->type_name);
                free(lit);
            }
            pmn_pgresult_free(sorted);
        }
    }
    rc = 0;
    if (nb == 0) {
        *wheres_out = pmn_xcalloc(1, sizeof(char *));
        *n_out = 1;
    } else {
        ranges_from_bounds(wheres_out, n_out, key, bounds, nb);
    }
done:
    for (int i = 0; i < nb; i++)
        free(bounds[i]);
    free(bounds);
    pmn_pgresult_free(r);
    free(key);
    free(qt);
    return rc;
}
