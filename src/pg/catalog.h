/*
 * src/pg/catalog.h
 *
 * Source schema from the PostgreSQL catalog: the tables selected by
 * schema-name / table-name patterns, their columns, primary key, replica
 * identity, and each column's Paimon type (pgtypes.h mapping).
 *
 * Patterns are Java regular expressions in the reference (Flink CDC /
 * Paimon: full match, `a|b|c` alternation). They are evaluated server-side
 * with PostgreSQL's `~` operator on `^(?:<pattern>)$`: PostgreSQL's ARE
 * flavour has the Perl/Java escapes (\d \w \s), non-greedy quantifiers and
 * lookahead that POSIX ERE lacks, and the anchored group gives Java's
 * matches() semantics for alternations (`^a|b$` would not). A malformed
 * pattern comes back as SQLSTATE 2201B and is reported as PMN_EINVALID.
 *
 * Partitions (relispartition), dropped and generated columns are left out:
 * pgoutput does not send them and COPY must use the same column list.
 */
#ifndef PMN_PG_CATALOG_H
#define PMN_PG_CATALOG_H

#include "change/change.h"
#include "pg/conn.h"
#include "pg/pgtypes.h"

#include <stddef.h>
#include <stdint.h>

typedef struct pmn_pg_column {
    char *name; /* owned */
    int attnum;
    uint32_t type_oid;
    int32_t typmod;
    char *type_name;    /* owned; format_type(), e.g. "numeric(10,2)" */
    pmn_pg_type pgtype; /* resolved kind (domains → base type) */
    bool not_null;
    int pk_pos;     /* position in the primary key (0-based), -1 if not part of it */
    pmn_type *type; /* owned; mapped Paimon type (NULL until described with a mapping) */
} pmn_pg_column;

typedef struct pmn_pg_table {
    uint32_t relid;
    char *schema;      /* owned */
    char *name;        /* owned */
    char replident;    /* 'd', 'f', 'i', 'n' */
    char relkind;      /* 'r' table, 'p' partitioned table */
    bool has_children; /* pg_class.relhassubclass: partitions or inheritance children */
    int ncols;
    pmn_pg_column *cols; /* owned, attnum order */
    int npk;
    int *pk; /* owned: column indices in primary-key order */
} pmn_pg_table;

/* pmn_pg_catalog_list_tables: tables (and partitioned tables) whose schema and name fully
 * match the patterns, ordered by schema, name; columns not yet described. Caller owns
 * *out (pmn_pg_tables_free). Errors: PMN_ENOTFOUND when nothing matches (message names
 * the patterns and database), PMN_EINVALID for a malformed pattern, PMN_EPG/PMN_ECONN. */
int pmn_pg_catalog_list_tables(pmn_pg_table ***out, size_t *n, pmn_pgconn *c, const char *schema_re,
                               const char *table_re);
/* pmn_pg_catalog_find_table: one table by exact schema and name. Errors: PMN_ENOTFOUND
 * ("table s.t does not exist in database d"). */
int pmn_pg_catalog_find_table(pmn_pg_table **out, pmn_pgconn *c, const char *schema,
                              const char *name);
/* pmn_pg_catalog_describe: fill columns, primary key and mapped types of t. Errors:
 * PMN_EINVALID for an unmapped type (names table, column, type and the to-string fix). */
int pmn_pg_catalog_describe(pmn_pgconn *c, pmn_pg_table *t, const pmn_type_mapping *tm);
/* pmn_pg_catalog_resolve_type: classify any type OID (domains to their base, enums,
 * arrays); typmod is the column's. */
int pmn_pg_catalog_resolve_type(pmn_pgconn *c, uint32_t oid, int32_t typmod, pmn_pg_type *out);
/* pmn_pg_catalog_resolver: pmn_pg_type_resolver adapter; ctx is a pmn_pgconn (normal
 * connection). */
int pmn_pg_catalog_resolver(void *ctx, uint32_t oid, int32_t typmod, pmn_pg_type *out);

/* pmn_pg_table_relation: the change relation of a described table (columns in attnum
 * order, is_key = primary key), as used for snapshot rows. Caller owns
 * (pmn_change_relation_free). */
pmn_change_relation *pmn_pg_table_relation(const pmn_pg_table *t);
/* pmn_pg_table_qualified: "schema"."name" quoted for SQL (caller frees). */
char *pmn_pg_table_qualified(pmn_pgconn *c, const pmn_pg_table *t);

void pmn_pg_table_free(pmn_pg_table *t);
void pmn_pg_tables_free(pmn_pg_table **tables, size_t n);

#endif
