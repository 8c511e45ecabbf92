/*
 * src/paimon/table_schema.h
 *
 * schema/schema-N files (paimon-format.md §2; org.apache.paimon.schema.TableSchema,
 * SchemaManager): the JSON model, and listing/loading/committing versions.
 */
#ifndef PMN_PAIMON_TABLE_SCHEMA_H
#define PMN_PAIMON_TABLE_SCHEMA_H

#include "paimon/options.h"
#include "pmn/types.h"

#include <stdint.h>

typedef struct pmn_schema {
    int32_t version;          /* 3 when written by us; missing in file = 1 */
    int64_t id;               /* = N of schema-N */
    pmn_type *row;            /* ROW of the fields, with ids (owned) */
    int32_t highest_field_id;
    char **partition_keys;    /* owned */
    size_t npartition_keys;
    char **primary_keys;      /* owned */
    size_t nprimary_keys;
    pmn_options options;      /* with the legacy defaults of §2 applied on read (v<=1 bucket=1,
                                 v<=2 file.format=orc) */
    char *comment;            /* NULL if none */
    int64_t time_millis;
} pmn_schema;

int pmn_schema_from_json(const char *json, size_t len, pmn_schema **out);
/* pmn_schema_to_json: Jackson pretty-printed JSON ("key" : value, 2-space indent). Caller frees. */
char *pmn_schema_to_json(const pmn_schema *s);
void pmn_schema_free(pmn_schema *s);
pmn_schema *pmn_schema_copy(const pmn_schema *s);

/* pmn_schema_load: read <table>/schema/schema-<id>. PMN_ENOTFOUND / PMN_ECORRUPT name the file. */
int pmn_schema_load(const char *table_path, int64_t id, pmn_schema **out);
/* pmn_schema_load_latest: the highest schema-N. PMN_ENOTFOUND if the table has none. */
int pmn_schema_load_latest(const char *table_path, pmn_schema **out);
/* pmn_schema_list_ids: ascending ids of schema/schema-N files (caller frees *ids). */
int pmn_schema_list_ids(const char *table_path, int64_t **ids, size_t *count);
/* pmn_schema_commit: write schema-<s->id> only if absent (PMN_EEXISTS otherwise), durable. */
int pmn_schema_commit(const char *table_path, const pmn_schema *s);
/* pmn_schema_field_index: index in s->row of the field named `name`, or -1. */
int pmn_schema_field_index(const pmn_schema *s, const char *name);

#endif
