/*
 * src/table/file_layout.h
 *
 * Reading a data file written with an older schema through the table's current
 * schema (paimon-format.md §2, schema evolution): current columns are matched
 * to the file's columns by field id (so renames work), columns the file lacks
 * read as NULL, and widened types are converted after decoding. A cache may
 * carry a projection (a per-column "decode it" mask): unprojected columns are
 * then never decoded and read as NULL. Used by the batch reader (table/scan.c,
 * one cache per parallel part), the compaction rewriter, the streaming reader
 * and the audit-log table; one layout per schema id, cached in a
 * pmn_file_layouts.
 */
#ifndef PMN_TABLE_FILE_LAYOUT_H
#define PMN_TABLE_FILE_LAYOUT_H

#include "change/datum.h"
#include "change/widen.h"
#include "format/data_file.h"
#include "table/table_internal.h"

#include <string.h>

typedef struct pmn_file_layout {
    int64_t schema_id;
    pmn_type *read_row;          /* current positions, the file's names/types; owned */
    const pmn_type **file_types; /* per current column: its type in the file (NULL: absent
                                    or not projected) */
    bool needs_convert;
    const bool *projected; /* the cache's mask when it leaves a column out, else NULL */
} pmn_file_layout;

/* A zero-initialised cache decodes every column. */
typedef struct pmn_file_layouts {
    pmn_file_layout **v; /* stable pointers */
    size_t n;
    bool *projected; /* per current column: decode it (owned), or NULL: all */
} pmn_file_layouts;

/* pmn_file_layouts_project: decode only the columns of t's current schema whose
 * projected[i] is true (copied); the others read as NULL. Call before the first
 * pmn_file_layout_get. */
void pmn_file_layouts_project(pmn_file_layouts *c, const pmn_table *t, const bool *projected);

/* pmn_file_layout_get: the layout of files written with schema `schema_id` of t (loaded once
 * and cached in c). Errors name the table. */
int pmn_file_layout_get(pmn_file_layouts *c, pmn_table *t, int64_t schema_id,
                        const pmn_file_layout **out);
/* pmn_file_layout_convert: copy a decoded record (read_row positions) into out (one datum per
 * current column) converting widened types; unprojected columns become NULL. No allocation;
 * inline, as it runs once per row read. */
static inline void pmn_file_layout_convert(const pmn_file_layout *l, const pmn_table *t,
                                           const pmn_datum *vals, pmn_datum *out)
{
    const pmn_type *row = t->schema->row;
    int32_t n = row->nfields;
    memcpy(out, vals, sizeof *out * (size_t)n);
    if (l->needs_convert)
        for (int32_t i = 0; i < n; i++)
            pmn_datum_widen(l->file_types[i], row->fields[i].type, &out[i]);
    if (l->projected)
        for (int32_t i = 0; i < n; i++)
            if (!l->projected[i])
                out[i] = pmn_datum_null();
}
/* pmn_file_open: open the data file of entry e through layout l (kv: with _SEQUENCE_NUMBER
 * and _VALUE_KIND). */
int pmn_file_open(pmn_table *t, const pmn_manifest_entry *e, const pmn_file_layout *l, bool kv,
                  pmn_data_file_reader **out);
void pmn_file_layouts_dispose(pmn_file_layouts *c);

#endif
