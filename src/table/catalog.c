/*
 * src/table/catalog.c
 *
 * The filesystem catalog (paimon-format.md §1; Java FileSystemCatalog):
 * databases are <warehouse>/<db>.db directories, tables are sub-directories
 * holding schema/schema-N. Creating a table writes schema-0 with field ids
 * assigned in declaration order (nested ROW fields continue the numbering),
 * primary-key columns made NOT NULL, and the options pgpaimon always sets.
 */
#include "table/table_internal.h"

#include "paimon/data_type_json.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/fs.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

/* Default bucket count of primary-key tables pgpaimon creates: fixed buckets keep every key in
 * one bucket without Java's HASH index, and 4 lets compaction work on a quarter of a table at a
 * time while a small table's commit still touches few files. */
#define PMN_DEFAULT_PK_BUCKETS "4"

static int valid_name(const char *kind, const char *name)
{
    if (!name || !*name)
        return pmn_error_set(PMN_EINVALID, "%s name is empty", kind);
    for (const char *p = name; *p; p++) {
        if (*p == '/' || *p == '\0' || (*p == '.' && (p == name)))
            return pmn_error_set(PMN_EINVALID, "%s name \"%s\" is not valid", kind, name);
    }
    return 0;
}

int pmn_catalog_open(const char *warehouse, bool create, pmn_catalog **out)
{
    if (!warehouse || !*warehouse)
        return pmn_error_set(PMN_EINVALID, "no warehouse given; pass --warehouse DIR");
    if (strncmp(warehouse, "file://", 7) == 0)
        warehouse += 7;
    else if (strstr(warehouse, "://"))
        return pmn_error_set(PMN_EINVALID,
                             "warehouse \"%s\": only local filesystem warehouses are supported",
                             warehouse);
    size_t len = strlen(warehouse);
    while (len > 1 && warehouse[len - 1] == '/')
        len--;
    char *dir = pmn_xstrndup(warehouse, len);
    if (!pmn_fs_is_dir(dir)) {
        if (!create) {
            pmn_error_set(PMN_ENOTFOUND, "warehouse %s does not exist", dir);
            free(dir);
            return PMN_ENOTFOUND;
        }
        int rc = pmn_fs_mkdir_p(dir);
        if (rc) {
            free(dir);
            return rc;
        }
    }
    pmn_catalog *c = pmn_xcalloc(1, sizeof *c);
    c->warehouse = dir;
    *out = c;
    return 0;
}

void pmn_catalog_free(pmn_catalog *cat)
{
    if (!cat)
        return;
    free(cat->warehouse);
    free(cat);
}

const char *pmn_catalog_warehouse(const pmn_catalog *cat)
{
    return cat->warehouse;
}

void pmn_strings_free(char **names, size_t count)
{
    pmn_fs_list_free(names, count);
}

static char *db_path(pmn_catalog *cat, const char *db)
{
    return pmn_xasprintf("%s/%s.db", cat->warehouse, db);
}

int pmn_catalog_list_databases(pmn_catalog *cat, char ***names, size_t *count)
{
    char **all;
    size_t n;
    int rc = pmn_fs_list(cat->warehouse, &all, &n);
    if (rc)
        return rc;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(all[i]);
        char *p = pmn_path_join(cat->warehouse, all[i]);
        if (len > 3 && strcmp(all[i] + len - 3, ".db") == 0 && pmn_fs_is_dir(p)) {
            all[i][len - 3] = '\0';
            all[k++] = all[i];
        } else {
            free(all[i]);
        }
        free(p);
    }
    *names = all;
    *count = k;
    return 0;
}

int pmn_catalog_database_exists(pmn_catalog *cat, const char *db)
{
    char *p = db_path(cat, db);
    int exists = pmn_fs_is_dir(p);
    free(p);
    return exists;
}

int pmn_catalog_create_database(pmn_catalog *cat, const char *db, bool ignore_if_exists)
{
    int rc = valid_name("database", db);
    if (rc)
        return rc;
    if (pmn_catalog_database_exists(cat, db)) {
        if (ignore_if_exists)
            return 0;
        return pmn_error_set(PMN_EEXISTS, "database %s already exists", db);
    }
    char *p = db_path(cat, db);
    rc = pmn_fs_mkdir_p(p);
    free(p);
    return rc;
}

int pmn_catalog_list_tables(pmn_catalog *cat, const char *db, char ***names, size_t *count)
{
    if (!pmn_catalog_database_exists(cat, db))
        return pmn_error_set(PMN_ENOTFOUND, "database %s does not exist in warehouse %s", db,
                             cat->warehouse);
    char *dir = db_path(cat, db);
    char **all;
    size_t n;
    int rc = pmn_fs_list(dir, &all, &n);
    if (rc) {
        free(dir);
        return rc;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char *tpath = pmn_path_join(dir, all[i]);
        int64_t *ids = NULL;
        size_t nids = 0;
        if (pmn_fs_is_dir(tpath) && pmn_schema_list_ids(tpath, &ids, &nids) == 0 && nids > 0)
            all[k++] = all[i];
        else
            free(all[i]);
        free(ids);
        free(tpath);
    }
    pmn_error_clear();
    free(dir);
    *names = all;
    *count = k;
    return 0;
}

int pmn_catalog_drop_database(pmn_catalog *cat, const char *db, bool cascade)
{
    if (!pmn_catalog_database_exists(cat, db))
        return pmn_error_set(PMN_ENOTFOUND, "database %s does not exist", db);
    char **tables;
    size_t n;
    int rc = pmn_catalog_list_tables(cat, db, &tables, &n);
    if (rc)
        return rc;
    pmn_strings_free(tables, n);
    if (n > 0 && !cascade)
        return pmn_error_set(PMN_EINVALID,
                             "database %s is not empty (%zu tables); use DROP DATABASE ... CASCADE",
                             db, n);
    char *p = db_path(cat, db);
    rc = pmn_fs_remove_tree(p);
    free(p);
    return rc;
}

static char *table_path(pmn_catalog *cat, const char *db, const char *table)
{
    return pmn_xasprintf("%s/%s.db/%s", cat->warehouse, db, table);
}

/* assign_ids: number fields depth-first from *next (Java's RowType field id assignment). */
static void assign_ids(pmn_type *t, int32_t *next)
{
    if (!t)
        return;
    if (t->root == PMN_TYPE_ROW) {
        for (int32_t i = 0; i < t->nfields; i++) {
            t->fields[i].id = (*next)++;
            assign_ids(t->fields[i].type, next);
        }
    } else {
        assign_ids(t->elem, next);
        assign_ids(t->key, next);
        assign_ids(t->value, next);
    }
}

static int64_t now_millis(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static char **copy_names(const char *const *names, size_t n)
{
    char **out = pmn_xcalloc(n + 1, sizeof *out);
    for (size_t i = 0; i < n; i++)
        out[i] = pmn_xstrdup(names[i]);
    return out;
}

int pmn_catalog_create_table(pmn_catalog *cat, const char *db, const char *table,
                             const pmn_table_def *def, bool ignore_if_exists)
{
    int rc = valid_name("table", table);
    if (rc)
        return rc;
    if (!pmn_catalog_database_exists(cat, db))
        return pmn_error_set(PMN_ENOTFOUND, "database %s does not exist", db);
    if (!def->row_type || def->row_type->root != PMN_TYPE_ROW || def->row_type->nfields == 0)
        return pmn_error_set(PMN_EINVALID, "table %s.%s: no columns given", db, table);
    char *path = table_path(cat, db, table);
    int64_t *ids = NULL;
    size_t nids = 0;
    if (pmn_schema_list_ids(path, &ids, &nids) == 0 && nids > 0) {
        free(ids);
        free(path);
        if (ignore_if_exists)
            return 0;
        return pmn_error_set(PMN_EEXISTS, "table %s.%s already exists", db, table);
    }
    free(ids);
    pmn_error_clear();

    pmn_schema s;
    memset(&s, 0, sizeof s);
    s.version = 3;
    s.id = 0;
    s.row = pmn_type_copy(def->row_type);
    s.row->nullable = true;
    int32_t next = 0;
    assign_ids(s.row, &next);
    s.highest_field_id = next - 1;
    s.primary_keys = copy_names(def->primary_keys, def->nprimary_keys);
    s.nprimary_keys = def->nprimary_keys;
    s.partition_keys = copy_names(def->partition_keys, def->npartition_keys);
    s.npartition_keys = def->npartition_keys;
    pmn_options_init(&s.options);
    for (size_t i = 0; i < def->noptions; i++)
        pmn_options_set(&s.options, def->options[i].key, def->options[i].value);
    s.comment = def->comment ? pmn_xstrdup(def->comment) : NULL;
    s.time_millis = now_millis();

    /* validate keys and make primary-key columns NOT NULL */
    for (size_t i = 0; i < s.nprimary_keys && rc == 0; i++) {
        int idx = pmn_type_find_field(s.row, s.primary_keys[i]);
        if (idx < 0)
            rc = pmn_error_set(PMN_EINVALID, "table %s.%s: primary key column %s does not exist",
                               db, table, s.primary_keys[i]);
        else
            s.row->fields[idx].type->nullable = false;
    }
    for (size_t i = 0; i < s.npartition_keys && rc == 0; i++) {
        if (pmn_type_find_field(s.row, s.partition_keys[i]) < 0)
            rc = pmn_error_set(PMN_EINVALID,
                               "table %s.%s: partition column %s does not exist", db, table,
                               s.partition_keys[i]);
    }
    if (rc == 0 && s.nprimary_keys > 0 && s.npartition_keys > 0) {
        for (size_t i = 0; i < s.npartition_keys && rc == 0; i++) {
            bool found = false;
            for (size_t j = 0; j < s.nprimary_keys; j++)
                found |= strcmp(s.partition_keys[i], s.primary_keys[j]) == 0;
            if (!found)
                rc = pmn_error_set(PMN_EINVALID,
                                   "table %s.%s: partition column %s must be part of the primary "
                                   "key (%s)",
                                   db, table, s.partition_keys[i], s.primary_keys[0]);
        }
    }
    if (rc == 0) {
        if (!pmn_options_get(&s.options, "bucket"))
            pmn_options_set(&s.options, "bucket", s.nprimary_keys ? PMN_DEFAULT_PK_BUCKETS : "-1");
        if (!pmn_options_get(&s.options, "file.format"))
            pmn_options_set(&s.options, "file.format", "avro");
        const char *fmt = pmn_options_get(&s.options, "file.format");
        if (strcmp(fmt, "avro") != 0)
            rc = pmn_error_set(PMN_EINVALID,
                               "table %s.%s: file.format %s is not supported for writing; "
                               "pgpaimon writes avro",
                               db, table, fmt);
        int64_t bucket = 0;
        if (rc == 0)
            rc = pmn_options_get_int64(&s.options, "bucket", -1, &bucket);
        if (rc == 0 && s.nprimary_keys && bucket <= 0)
            rc = pmn_error_set(PMN_EINVALID,
                               "table %s.%s: bucket %lld is not supported for primary-key tables; "
                               "use a fixed bucket count > 0",
                               db, table, (long long)bucket);
        if (rc == 0 && !s.nprimary_keys && bucket > 0 && !pmn_options_get(&s.options, "bucket-key"))
            rc = pmn_error_set(PMN_EINVALID,
                               "table %s.%s: an append table with bucket = %lld needs the "
                               "bucket-key option",
                               db, table, (long long)bucket);
    }
    if (rc == 0) {
        rc = pmn_fs_mkdir_p(path);
        if (rc == 0) {
            char *sdir = pmn_path_join(path, "schema");
            rc = pmn_fs_mkdir_p(sdir);
            free(sdir);
        }
        if (rc == 0)
            rc = pmn_schema_commit(path, &s);
        if (rc == PMN_EEXISTS && ignore_if_exists)
            rc = 0;
    }
    pmn_type_free(s.row);
    for (size_t i = 0; i < s.nprimary_keys; i++)
        free(s.primary_keys[i]);
    free(s.primary_keys);
    for (size_t i = 0; i < s.npartition_keys; i++)
        free(s.partition_keys[i]);
    free(s.partition_keys);
    pmn_options_dispose(&s.options);
    free(s.comment);
    free(path);
    return rc;
}

int pmn_catalog_drop_table(pmn_catalog *cat, const char *db, const char *table,
                           bool ignore_if_missing)
{
    char *path = table_path(cat, db, table);
    int64_t *ids = NULL;
    size_t nids = 0;
    int exists = pmn_schema_list_ids(path, &ids, &nids) == 0 && nids > 0;
    free(ids);
    pmn_error_clear();
    int rc = 0;
    if (!exists) {
        if (!ignore_if_missing)
            rc = pmn_error_set(PMN_ENOTFOUND, "table %s.%s does not exist", db, table);
    } else {
        rc = pmn_fs_remove_tree(path);
    }
    free(path);
    return rc;
}

int pmn_table_open(pmn_catalog *cat, const char *db, const char *table, pmn_table **out)
{
    if (!pmn_catalog_database_exists(cat, db))
        return pmn_error_set(PMN_ENOTFOUND, "database %s does not exist in warehouse %s", db,
                             cat->warehouse);
    pmn_table *t = pmn_xcalloc(1, sizeof *t);
    t->catalog = cat;
    t->db = pmn_xstrdup(db);
    t->name = pmn_xstrdup(table);
    t->full_name = pmn_xasprintf("%s.%s", db, table);
    t->path = table_path(cat, db, table);
    int rc = pmn_table_reload(t);
    if (rc) {
        if (rc == PMN_ENOTFOUND)
            pmn_error_set(PMN_ENOTFOUND, "table %s does not exist in warehouse %s", t->full_name,
                          cat->warehouse);
        pmn_table_free(t);
        return rc;
    }
    *out = t;
    return 0;
}
