/*
 * src/pg/publication.c
 *
 * Publication check / creation; see publication.h.
 */
#include "pg/publication.h"

#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/log.h"

#include <stdlib.h>
#include <string.h>

static const char SQL_PUB[] = "SELECT puballtables, pubinsert, pubupdate, pubdelete, pubtruncate "
                              "FROM pg_catalog.pg_publication WHERE pubname = $1";
/* pubviaroot exists from PostgreSQL 13 on; 12 cannot publish via the root at all */
static const char SQL_PUB_VIA_ROOT[] =
    "SELECT pubviaroot FROM pg_catalog.pg_publication WHERE pubname = $1";
static const char SQL_PUB_TABLES[] =
    "SELECT schemaname, tablename FROM pg_catalog.pg_publication_tables WHERE pubname = $1";

static void table_list(pmn_buf *b, pmn_pgconn *c, pmn_pg_table *const *tables, size_t n,
                       const bool *only)
{
    bool first = true;
    for (size_t i = 0; i < n; i++) {
        if (only && !only[i])
            continue;
        char *q = pmn_pg_table_qualified(c, tables[i]);
        pmn_buf_printf(b, "%s%s", first ? "" : ", ", q);
        free(q);
        first = false;
    }
}

/* any_partitioned: a partitioned table's changes are decoded per partition; only a
 * publication with publish_via_partition_root names the synced (root) table in them */
static bool any_partitioned(pmn_pg_table *const *tables, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (tables[i]->relkind == 'p')
            return true;
    return false;
}

/* ensure_via_root: set publish_via_partition_root on an existing publication that lacks
 * it (before its table list is read: without it, that list names the partitions) */
static int ensure_via_root(pmn_pgconn *c, const char *name, const char *qname, bool may_alter)
{
    const char *params[1] = {name};
    pmn_pgresult *r = NULL;
    int rc = pmn_pgconn_query(c, &r, "reading the publication", SQL_PUB_VIA_ROOT, 1, params);
    if (rc < 0)
        return rc;
    bool via_root = r->nrows == 1 && pmn_pgresult_get(r, 0, 0)[0] == 't';
    pmn_pgresult_free(r);
    if (via_root)
        return 0;
    char *sql = pmn_xasprintf("ALTER PUBLICATION %s SET (publish_via_partition_root = true)", qname);
    if (!may_alter)
        rc = pmn_error_set(PMN_EINVALID,
                           "publication \"%s\" sends the changes of partitioned tables under "
                           "their partitions' names; set it with: %s",
                           name, sql);
    else if ((rc = pmn_pgconn_exec(c, "setting publish_via_partition_root", sql)) == 0)
        pmn_log_info("set publish_via_partition_root on publication %s (partitioned tables)",
                     name);
    free(sql);
    return rc;
}

int pmn_pg_publication_ensure(pmn_pg_publication_result *out, pmn_pgconn *c, const char *name,
                              pmn_pg_table *const *tables, size_t ntables, bool may_create,
                              bool may_alter)
{
    memset(out, 0, sizeof *out);
    const char *params[1] = {name};
    pmn_pgresult *r = NULL, *pt = NULL;
    bool *missing = pmn_xcalloc(ntables ? ntables : 1, sizeof *missing);
    pmn_buf sql = PMN_BUF_INIT, list = PMN_BUF_INIT;
    char *qname = pmn_pgconn_quote_ident(c, name);
    const char *db = pmn_pgconn_params(c)->dbname;
    bool via_root = any_partitioned(tables, ntables) && pmn_pgconn_server_version(c) >= 130000;
    int rc = pmn_pgconn_query(c, &r, "reading the publication", SQL_PUB, 1, params);
    if (rc < 0)
        goto done;
    if (r->nrows == 0) {
        table_list(&list, c, tables, ntables, NULL);
        pmn_buf_printf(&sql, "CREATE PUBLICATION %s FOR TABLE %s%s", qname, pmn_buf_cstr(&list),
                       via_root ? " WITH (publish_via_partition_root = true)" : "");
        if (!may_create) {
            rc = pmn_error_set(PMN_EINVALID,
                               "publication \"%s\" does not exist in database \"%s\"; create it "
                               "with: %s; or name an existing one in --postgres_conf "
                               "publication.name, or allow pgpaimon to create it",
                               name, db ? db : "?", pmn_buf_cstr(&sql));
            goto done;
        }
        rc = pmn_pgconn_exec(c, "creating the publication", pmn_buf_cstr(&sql));
        if (rc < 0)
            goto done;
        pmn_log_info("created publication %s for %zu table(s)", name, ntables);
        out->created = true;
        goto done;
    }
    out->existed = true;
    out->all_tables = pmn_pgresult_get(r, 0, 0)[0] == 't';
    for (int k = 1; k <= 4; k++)
        if (pmn_pgresult_get(r, 0, k)[0] != 't')
            pmn_log_warn("publication %s does not publish %s; those changes will not reach the "
                         "lake",
                         name,
                         k == 1   ? "inserts"
                         : k == 2 ? "updates"
                         : k == 3 ? "deletes"
                                  : "truncates");
    if (via_root && (rc = ensure_via_root(c, name, qname, may_alter)) < 0)
        goto done;
    if (out->all_tables)
        goto done;
    rc = pmn_pgconn_query(c, &pt, "reading the publication's tables", SQL_PUB_TABLES, 1, params);
    if (rc < 0)
        goto done;
    int nmissing = 0;
    for (size_t i = 0; i < ntables; i++) {
        bool found = false;
        for (int j = 0; j < pt->nrows && !found; j++)
            found = strcmp(pmn_pgresult_get(pt, j, 0), tables[i]->schema) == 0 &&
                    strcmp(pmn_pgresult_get(pt, j, 1), tables[i]->name) == 0;
        missing[i] = !found;
        nmissing += !found;
    }
    if (nmissing == 0)
        goto done;
    table_list(&list, c, tables, ntables, missing);
    pmn_buf_printf(&sql, "ALTER PUBLICATION %s ADD TABLE %s", qname, pmn_buf_cstr(&list));
    if (!may_alter) {
        rc =
            pmn_error_set(PMN_EINVALID, "publication \"%s\" does not include %s; add them with: %s",
                          name, pmn_buf_cstr(&list), pmn_buf_cstr(&sql));
        goto done;
    }
    rc = pmn_pgconn_exec(c, "adding tables to the publication", pmn_buf_cstr(&sql));
    if (rc == 0) {
        out->tables_added = nmissing;
        pmn_log_info("added %d table(s) to publication %s", nmissing, name);
    }
done:
    pmn_pgresult_free(r);
    pmn_pgresult_free(pt);
    pmn_buf_dispose(&sql);
    pmn_buf_dispose(&list);
    free(missing);
    free(qname);
    return rc;
}
