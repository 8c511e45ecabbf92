/*
 * src/pg/publication.h
 *
 * The publication the slot streams (shared/pgoutput.md §6). Name from
 * --postgres_conf publication.name; the default is PMN_PG_PUBLICATION_DEFAULT
 * = "paimon_cdc", the publication the guide's sample database already has
 * (FOR ALL TABLES), so the guide works without extra setup. (Debezium's own
 * default, "dbz_publication", names a tool we do not run.)
 *
 * pmn_pg_publication_ensure checks that the publication exists and covers
 * every synced table; when it is missing (or lacks tables) it creates it
 * FOR TABLE ... (or ALTERs it ADD TABLE) only if the caller allows it,
 * otherwise the error prints the exact SQL to run. When a synced table is
 * partitioned, the publication must have publish_via_partition_root (else
 * pgoutput names the partition, not the synced table, in every change):
 * it is created with it, or an existing one is ALTERed to it. Publications should exist
 * before the slot is created (§6: a publication created after the slot's
 * position is not seen by it).
 */
#ifndef PMN_PG_PUBLICATION_H
#define PMN_PG_PUBLICATION_H

#include "pg/catalog.h"
#include "pg/conn.h"

#include <stdbool.h>
#include <stddef.h>

#define PMN_PG_PUBLICATION_DEFAULT "paimon_cdc"

typedef struct pmn_pg_publication_result {
    bool existed;     /* the publication was there before */
    bool created;     /* we created it */
    int tables_added; /* tables we added with ALTER PUBLICATION */
    bool all_tables;  /* FOR ALL TABLES */
} pmn_pg_publication_result;

/* pmn_pg_publication_ensure: see above. may_create: CREATE PUBLICATION when missing;
 * may_alter: ADD the synced tables missing from an existing one. Errors: PMN_EINVALID
 * (missing publication or tables and not allowed: the message contains the SQL fix),
 * PMN_EPG (e.g. 42501 not allowed to create: names the privilege), PMN_ECONN. */
int pmn_pg_publication_ensure(pmn_pg_publication_result *out, pmn_pgconn *c, const char *name,
                              pmn_pg_table *const *tables, size_t ntables, bool may_create,
                              bool may_alter);

#endif
