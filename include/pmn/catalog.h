/*
 * include/pmn/catalog.h
 *
 * A Paimon filesystem catalog (paimon-format.md §1): a warehouse directory
 * holding <db>.db/<table>/ trees. Databases and tables are plain directories;
 * a table exists when its schema/schema-N exists.
 *
 * Ownership: pmn_catalog_open returns a handle the caller frees with
 * pmn_catalog_free; name lists are freed with pmn_strings_free.
 */
#ifndef PMN_CATALOG_H
#define PMN_CATALOG_H

#include "pmn/common.h"
#include "pmn/types.h"

typedef struct pmn_catalog pmn_catalog;
typedef struct pmn_table pmn_table;

/* A key = value option (table options, snapshot properties). */
typedef struct pmn_kv {
    const char *key;
    const char *value;
} pmn_kv;

/* What pmn_catalog_create_table needs. All pointers are borrowed for the call. */
typedef struct pmn_table_def {
    const pmn_type *row_type;          /* ROW of the columns; field ids are reassigned 0..n-1 */
    const char *const *primary_keys;   /* may be NULL when nprimary_keys = 0 (append table) */
    size_t nprimary_keys;
    const char *const *partition_keys; /* may be NULL */
    size_t npartition_keys;
    const pmn_kv *options;             /* Paimon table options (bucket, file.format, ...) */
    size_t noptions;
    const char *comment;               /* may be NULL */
} pmn_table_def;

/* pmn_catalog_open: open the warehouse at `warehouse` (a directory path; a "file://" prefix is
 * accepted). With create=true a missing warehouse directory is created. */
int pmn_catalog_open(const char *warehouse, bool create, pmn_catalog **out);
void pmn_catalog_free(pmn_catalog *cat);
const char *pmn_catalog_warehouse(const pmn_catalog *cat);

int pmn_catalog_list_databases(pmn_catalog *cat, char ***names, size_t *count);
int pmn_catalog_database_exists(pmn_catalog *cat, const char *db);
int pmn_catalog_create_database(pmn_catalog *cat, const char *db, bool ignore_if_exists);
int pmn_catalog_drop_database(pmn_catalog *cat, const char *db, bool cascade);
int pmn_catalog_list_tables(pmn_catalog *cat, const char *db, char ***names, size_t *count);
/* pmn_catalog_create_table: writes schema/schema-0. PMN_EEXISTS unless ignore_if_exists. */
int pmn_catalog_create_table(pmn_catalog *cat, const char *db, const char *table,
                             const pmn_table_def *def, bool ignore_if_exists);
int pmn_catalog_drop_table(pmn_catalog *cat, const char *db, const char *table,
                           bool ignore_if_missing);
/* pmn_table_open: load a table's latest schema. PMN_ENOTFOUND names the missing piece. */
int pmn_table_open(pmn_catalog *cat, const char *db, const char *table, pmn_table **out);

void pmn_strings_free(char **names, size_t count);

#endif
