/*
 * src/table/file_layout.c
 *
 * Schema-evolution layouts for reading data files; see file_layout.h.
 */
#include "table/file_layout.h"

#include "util/alloc.h"
#include "util/error.h"
#include "util/fs.h"

#include <stdlib.h>
#include <string.h>

static const pmn_field *field_by_id(const pmn_type *row, int32_t id)
{
    for (int32_t i = 0; i < row->nfields; i++)
        if (row->fields[i].id == id)
            return &row->fields[i];
    return NULL;
}

void pmn_file_layouts_project(pmn_file_layouts *c, const pmn_table *t, const bool *projected)
{
    int32_t n = t->schema->row->nfields;
    free(c->projected);
    c->projected = NULL;
    for (int32_t i = 0; i < n; i++) {
        if (!projected[i]) {
            c->projected = pmn_xcalloc((size_t)n + 1, sizeof *c->projected);
            memcpy(c->projected, projected, sizeof *c->projected * (size_t)n);
            break;
        }
    }
}

int pmn_file_layout_get(pmn_file_layouts *c, pmn_table *t, int64_t schema_id,
                        const pmn_file_layout **out)
{
    for (size_t i = 0; i < c->n; i++) {
        if (c->v[i]->schema_id == schema_id) {
            *out = c->v[i];
            return 0;
        }
    }
    const pmn_schema *cur = t->schema;
    pmn_schema *fs = NULL;
    if (schema_id != cur->id) {
        int rc = pmn_schema_load(t->path, schema_id, &fs);
        if (rc)
            return pmn_error_wrap("table %s: ", t->full_name);
    }
    const pmn_type *frow = fs ? fs->row : cur->row;
    pmn_file_layout *l = pmn_xcalloc(1, sizeof *l);
    l->schema_id = schema_id;
    l->projected = c->projected;
    l->read_row = pmn_type_row();
    l->file_types = pmn_xcalloc((size_t)cur->row->nfields + 1, sizeof *l->file_types);
    for (int32_t i = 0; i < cur->row->nfields; i++) {
        const pmn_field *cf = &cur->row->fields[i];
        const pmn_field *ff = field_by_id(frow, cf->id);
        if (ff && (!c->projected || c->projected[i])) {
            pmn_type_row_add(l->read_row, cf->id, ff->name, pmn_type_copy(ff->type));
            l->file_types[i] = l->read_row->fields[i].type;
            if (!pmn_type_equal(ff->type, cf->type))
                l->needs_convert = true;
        } else {
            /* a name no writer uses: the column reads as NULL (not decoded) */
            char *absent = pmn_xasprintf("\001absent_%d", cf->id);
            pmn_type_row_add(l->read_row, cf->id, absent, pmn_type_copy(cf->type));
            free(absent);
        }
    }
    pmn_schema_free(fs);
    c->v = pmn_xrealloc(c->v, sizeof *c->v * (c->n + 1));
    c->v[c->n++] = l;
    *out = l;
    return 0;
}

int pmn_file_open(pmn_table *t, const pmn_manifest_entry *e, const pmn_file_layout *l, bool kv,
                  pmn_data_file_reader **out)
{
    char *path;
    if (e->file.external_path) {
        path = pmn_xstrdup(e->file.external_path);
    } else {
        char *dir = pmn_table_bucket_dir(t, e->partition, e->bucket);
        path = pmn_path_join(dir, e->file.file_name);
        free(dir);
    }
    int rc = pmn_data_file_reader_open(path, l->read_row, kv, out);
    free(path);
    return rc;
}

void pmn_file_layouts_dispose(pmn_file_layouts *c)
{
    for (size_t i = 0; i < c->n; i++) {
        pmn_type_free(c->v[i]->read_row);
        free(c->v[i]->file_types);
        free(c->v[i]);
    }
    free(c->v);
    free(c->projected);
    c->v = NULL;
    c->n = 0;
    c->projected = NULL;
}
