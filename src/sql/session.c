/*
 * src/sql/session.c
 *
 * Statement execution for `pgpaimon sql`; see session.h.
 */
#include "sql/session.h"

#include "paimon/data_type_json.h"
#include "pmn/table.h"
#include "sql/count.h"
#include "sql/functions.h"
#include "sql/lexer.h"
#include "sql/rewrite.h"
#include "sql/stmt.h"
#include "sql/systab.h"
#include "sql/tableopt.h"
#include "sql/value.h"
#include "sql/vtab.h"
#include "util/alloc.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/error.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define DEFAULT_CATALOG "default_catalog"
#define DEFAULT_DATABASE "default_database"

typedef struct session_catalog {
    char *name;       /* catalog name (owned) */
    char *warehouse;  /* warehouse path (owned); NULL for default_catalog */
    char *default_db; /* database USE CATALOG switches to (owned) */
    pmn_catalog *cat; /* open catalog (owned); NULL for default_catalog */
} session_catalog;

struct pmn_sql_session {
    sqlite3 *db;               /* connection holding the virtual tables */
    FILE *out;                 /* results (borrowed) */
    FILE *err;                 /* errors and, for csv/json, [INFO] lines (borrowed) */
    pmn_sql_format format;     /* result format */
    session_catalog *catalogs; /* registered catalogs; [0] = default_catalog */
    size_t ncatalogs;
    size_t capcatalogs;
    size_t current;  /* index of the current catalog */
    char *database;  /* current database (owned) */
    char **opt_keys; /* SET options (owned) */
    char **opt_values;
    size_t nopts;
    size_t capopts;
    char *orig_tz;        /* TZ at start (owned; NULL if unset) */
    int max_width;        /* tableau column width */
    pmn_vtab_stats stats; /* what the last statement's scans read */
    pmn_sql_exact *exact; /* exact digits of long DECIMALs in the running statement */
};

/* ---- messages ---- */

static FILE *info_stream(pmn_sql_session *s)
{
    return s->format == PMN_SQL_TABLEAU ? s->out : s->err;
}

static void info(pmn_sql_session *s, const char *msg)
{
    FILE *f = info_stream(s);
    fflush(s->out);
    fprintf(f, "[INFO] %s\n", msg);
    fflush(f);
}

static void report_error(pmn_sql_session *s, const char *msg)
{
    fflush(s->out);
    fprintf(s->err, "[ERROR] Could not execute SQL statement. Reason:\n%s\n",
            msg && *msg ? msg : "unknown error");
    fflush(s->err);
}

/* ---- catalogs ---- */

static session_catalog *find_catalog(pmn_sql_session *s, const char *name)
{
    for (size_t i = 0; i < s->ncatalogs; i++)
        if (!strcmp(s->catalogs[i].name, name))
            return &s->catalogs[i];
    return NULL;
}

static pmn_catalog *lookup_catalog(void *arg, const char *name)
{
    session_catalog *c = find_catalog(arg, name);
    return c ? c->cat : NULL;
}

static const char *current_catalog_name(pmn_sql_session *s)
{
    return s->catalogs[s->current].name;
}

/* Resolve a written name into catalog, database and (optionally) table. */
typedef struct resolved {
    session_catalog *cat; /* NULL if unknown */
    const char *catalog;  /* name as resolved */
    const char *database;
    const char *table;
} resolved;

static int resolve_table(pmn_sql_session *s, const pmn_sql_name *n, resolved *r)
{
    memset(r, 0, sizeof *r);
    if (n->nparts == 3) {
        r->catalog = n->parts[0];
        r->database = n->parts[1];
    } else if (n->nparts == 2) {
        r->catalog = current_catalog_name(s);
        r->database = n->parts[0];
    } else {
        r->catalog = current_catalog_name(s);
        r->database = s->database;
    }
    r->table = n->parts[n->nparts - 1];
    r->cat = find_catalog(s, r->catalog);
    if (!r->cat)
        return pmn_error_set(PMN_ENOTFOUND, "A catalog with name [%s] does not exist.", r->catalog);
    return 0;
}

static int resolve_database(pmn_sql_session *s, const pmn_sql_name *n, resolved *r)
{
    memset(r, 0, sizeof *r);
    if (n->nparts >= 2) {
        r->catalog = n->parts[0];
        r->database = n->parts[1];
    } else {
        r->catalog = current_catalog_name(s);
        r->database = n->nparts ? n->parts[0] : s->database;
    }
    r->cat = find_catalog(s, r->catalog);
    if (!r->cat)
        return pmn_error_set(PMN_ENOTFOUND, "A catalog with name [%s] does not exist.", r->catalog);
    return 0;
}

static bool database_exists(session_catalog *c, const char *db)
{
    if (!c->cat)
        return !strcmp(db, DEFAULT_DATABASE);
    return pmn_catalog_database_exists(c->cat, db) > 0;
}

static int open_table(pmn_sql_session *s, const pmn_sql_name *n, pmn_table **t, resolved *r)
{
    int rc = resolve_table(s, n, r);
    if (rc)
        return rc;
    if (!r->cat->cat || !database_exists(r->cat, r->database) ||
        pmn_table_open(r->cat->cat, r->database, r->table, t) != 0)
        return pmn_error_set(PMN_ENOTFOUND, "Table with identifier '%s.%s.%s' does not exist.",
                             r->catalog, r->database, r->table);
    return 0;
}

/* ---- options ---- */

static void apply_time_zone(pmn_sql_session *s, const char *tz)
{
    if (!tz || !strcmp(tz, "default")) {
        if (s->orig_tz)
            setenv("TZ", s->orig_tz, 1);
        else
            unsetenv("TZ");
    } else {
        setenv("TZ", tz, 1);
    }
    tzset();
}

static int apply_option(pmn_sql_session *s, const char *key, const char *value)
{
    if (!strcmp(key, "table.local-time-zone")) {
        apply_time_zone(s, value);
    } else if (!strcmp(key, "sql-client.display.max-column-width")) {
        int w = value ? atoi(value) : 30;
        if (w < 4)
            return pmn_error_set(PMN_EINVALID,
                                 "sql-client.display.max-column-width must be at least 4, got '%s'",
                                 value);
        s->max_width = w;
    } else if (!strcmp(key, "sql-client.output-format")) {
        if (!value || !strcmp(value, "tableau"))
            s->format = PMN_SQL_TABLEAU;
        else if (!strcmp(value, "csv"))
            s->format = PMN_SQL_CSV;
        else if (!strcmp(value, "json"))
            s->format = PMN_SQL_JSON;
        else
            return pmn_error_set(PMN_EINVALID,
                                 "sql-client.output-format must be tableau, csv or json, got '%s'",
                                 value);
    }
    return 0;
}

static void set_option(pmn_sql_session *s, const char *key, const char *value)
{
    for (size_t i = 0; i < s->nopts; i++)
        if (!strcmp(s->opt_keys[i], key)) {
            free(s->opt_values[i]);
            s->opt_values[i] = pmn_xstrdup(value);
            return;
        }
    size_t cap = s->capopts;
    PMN_GROW(s->opt_keys, cap, s->nopts + 1);
    cap = s->capopts;
    PMN_GROW(s->opt_values, cap, s->nopts + 1);
    s->capopts = cap;
    s->opt_keys[s->nopts] = pmn_xstrdup(key);
    s->opt_values[s->nopts] = pmn_xstrdup(value);
    s->nopts++;
}

static void remove_option(pmn_sql_session *s, const char *key)
{
    for (size_t i = 0; i < s->nopts; i++)
        if (!strcmp(s->opt_keys[i], key)) {
            free(s->opt_keys[i]);
            free(s->opt_values[i]);
            memmove(&s->opt_keys[i], &s->opt_keys[i + 1], (s->nopts - i - 1) * sizeof(char *));
            memmove(&s->opt_values[i], &s->opt_values[i + 1], (s->nopts - i - 1) * sizeof(char *));
            s->nopts--;
            return;
        }
}

/* ---- printing simple results ---- */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Print one text column of values (sorted when asked). */
static void print_list(pmn_sql_session *s, const char *column, char **values, size_t n, bool sort)
{
    if (sort && n > 1)
        qsort(values, n, sizeof *values, cmp_str);
    pmn_sql_printer *p = pmn_sql_printer_new(s->format, s->out, s->max_width);
    const char *names[] = {column};
    pmn_sql_printer_begin(p, 1, names, NULL);
    for (size_t i = 0; i < n; i++) {
        pmn_sql_cell c = {.kind = PMN_CELL_TEXT, .s = values[i], .n = strlen(values[i])};
        pmn_sql_printer_row(p, &c);
    }
    pmn_sql_printer_end(p);
    pmn_sql_printer_free(p);
}

/* ---- catalog and database statements ---- */

static int exec_create_catalog(pmn_sql_session *s, const pmn_sql_stmt *st)
{
    const char *type = NULL, *warehouse = NULL, *defdb = "default";
    for (size_t i = 0; i < st->noptions; i++) {
        const char *k = st->options[i].key, *v = st->options[i].value;
        if (!strcmp(k, "type"))
            type = v;
        else if (!strcmp(k, "warehouse"))
            warehouse = v;
        else if (!strcmp(k, "default-database"))
            defdb = v;
        else if (!strcmp(k, "metastore")) {
            if (strcmp(v, "filesystem") != 0)
                return pmn_error_set(PMN_EINVALID,
                                     "unsupported metastore '%s': pgpaimon supports the filesystem "
                                     "catalog only",
                                     v);
        } else
            return pmn_error_set(PMN_EINVALID,
                                 "unsupported catalog option '%s' (supported: type, warehouse, "
                                 "metastore, default-database)",
                                 k);
    }
    if (!type)
        return pmn_error_set(PMN_EINVALID, "catalog %s: missing option 'type' = 'paimon'",
                             st->name.parts[0]);
    if (strcmp(type, "paimon") != 0)
        return pmn_error_set(PMN_EINVALID,
                             "Could not find any factory for identifier '%s'; pgpaimon supports "
                             "catalogs of 'type' = 'paimon'",
                             type);
    if (!warehouse || !*warehouse)
        return pmn_error_set(PMN_EINVALID, "catalog %s: missing option 'warehouse'",
                             st->name.parts[0]);
    session_catalog *existing = find_catalog(s, st->name.parts[0]);
    if (existing) {
        if (existing->warehouse && !strcmp(existing->warehouse, warehouse))
            return 0; /* the same catalog again (e.g. after --warehouse): nothing to do */
        return pmn_error_set(PMN_EEXISTS, "Catalog %s already exists.", st->name.parts[0]);
    }
    pmn_catalog *cat;
    int rc = pmn_catalog_open(warehouse, true, &cat);
    if (rc)
        return rc;
    /* Paimon's Flink catalog creates its default database when missing */
    if (pmn_catalog_database_exists(cat, defdb) <= 0 &&
        (rc = pmn_catalog_create_database(cat, defdb, true)) != 0) {
        pmn_catalog_free(cat);
        return rc;
    }
    PMN_GROW(s->catalogs, s->capcatalogs, s->ncatalogs + 1);
    session_catalog *c = &s->catalogs[s->ncatalogs++];
    c->name = pmn_xstrdup(st->name.parts[0]);
    c->warehouse = pmn_xstrdup(warehouse);
    c->default_db = pmn_xstrdup(defdb);
    c->cat = cat;
    return 0;
}

static void use_catalog_index(pmn_sql_session *s, size_t i)
{
    s->current = i;
    free(s->database);
    s->database = pmn_xstrdup(s->catalogs[i].cat ? s->catalogs[i].default_db : DEFAULT_DATABASE);
}

static int exec_use_catalog(pmn_sql_session *s, const char *name)
{
    session_catalog *c = find_catalog(s, name);
    if (!c)
        return pmn_error_set(PMN_ENOTFOUND, "A catalog with name [%s] does not exist.", name);
    use_catalog_index(s, (size_t)(c - s->catalogs));
    return 0;
}

static int exec_drop_catalog(pmn_sql_session *s, const pmn_sql_stmt *st)
{
    session_catalog *c = find_catalog(s, st->name.parts[0]);
    if (!c) {
        if (st->if_exists)
            return 0;
        return pmn_error_set(PMN_ENOTFOUND, "Catalog %s does not exist.", st->name.parts[0]);
    }
    size_t i = (size_t)(c - s->catalogs);
    if (i == s->current)
        return pmn_error_set(PMN_EINVALID, "Cannot drop a catalog which is currently in use.");
    if (i == 0)
        return pmn_error_set(PMN_EINVALID, "Cannot drop the built-in catalog %s.", c->name);
    pmn_catalog_free(c->cat);
    free(c->name);
    free(c->warehouse);
    free(c->default_db);
    memmove(c, c + 1, (s->ncatalogs - i - 1) * sizeof *c);
    s->ncatalogs--;
    if (s->current > i)
        s->current--;
    return 0;
}

static int exec_use_database(pmn_sql_session *s, const pmn_sql_stmt *st)
{
    resolved r;
    int rc = resolve_database(s, &st->name, &r);
    if (rc)
        return rc;
    if (!database_exists(r.cat, r.database))
        return pmn_error_set(PMN_ENOTFOUND,
                             "A database with name [%s] does not exist in the catalog: [%s].",
                             r.database, r.catalog);
    size_t idx = (size_t)(r.cat - s->catalogs);
    char *db = pmn_xstrdup(r.database);
    s->current = idx;
    free(s->database);
    s->database = db;
    return 0;
}

static int exec_show_databases(pmn_sql_session *s)
{
    session_catalog *c = &s->catalogs[s->current];
    if (!c->cat) {
        char *one[] = {(char *)DEFAULT_DATABASE};
        print_list(s, "database name", one, 1, false);
        return 0;
    }
    char **names;
    size_t n;
    int rc = pmn_catalog_list_databases(c->cat, &names, &n);
    if (rc)
        return rc;
    print_list(s, "database name", names, n, true);
    pmn_strings_free(names, n);
    return 0;
}

static int exec_show_tables(pmn_sql_session *s, const pmn_sql_stmt *st)
{
    resolved r;
    int rc = resolve_database(s, &st->name, &r);
    if (rc)
        return rc;
    if (!database_exists(r.cat, r.database))
        return pmn_error_set(PMN_ENOTFOUND, "Database %s does not exist in Catalog %s.", r.database,
                             r.catalog);
    if (!r.cat->cat) {
        print_list(s, "table name", NULL, 0, false);
        return 0;
    }
    char **names;
    size_t n;
    if ((rc = pmn_catalog_list_tables(r.cat->cat, r.database, &names, &n)))
        return rc;
    print_list(s, "table name", names, n, true);
    pmn_strings_free(names, n);
    return 0;
}

static int exec_create_database(pmn_sql_session *s, const pmn_sql_stmt *st)
{
    resolved r;
    int rc = resolve_database(s, &st->name, &r);
    if (rc)
        return rc;
    if (!r.cat->cat)
        return pmn_error_set(PMN_EINVALID,
                             "the built-in catalog %s holds no databases; create one with CREATE "
                             "CATALOG ... WITH ('type' = 'paimon', 'warehouse' = '...')",
                             r.catalog);
    if (database_exists(r.cat, r.database)) {
        if (st->if_not_exists)
            return 0;
        return pmn_error_set(PMN_EEXISTS, "Database %s already exists in Catalog %s.", r.database,
                             r.catalog);
    }
    return pmn_catalog_create_database(r.cat->cat, r.database, st->if_not_exists);
}

static int exec_drop_database(pmn_sql_session *s, const pmn_sql_stmt *st)
{
    resolved r;
    int rc = resolve_database(s, &st->name, &r);
    if (rc)
        return rc;
    if (!database_exists(r.cat, r.database)) {
        if (st->if_exists)
            return 0;
        return pmn_error_set(PMN_ENOTFOUND, "Database %s does not exist in Catalog %s.", r.database,
                             r.catalog);
    }
    if ((size_t)(r.cat - s->catalogs) == s->current && !strcmp(r.database, s->database))
        return pmn_error_set(PMN_EINVALID, "Cannot drop a database which is currently in use.");
    if (!r.cat->cat)
        return pmn_error_set(PMN_EINVALID, "Cannot drop the built-in database %s.", r.database);
    rc = pmn_catalog_drop_database(r.cat->cat, r.database, st->cascade);
    if (rc == PMN_EINVALID)
        return pmn_error_set(PMN_EINVALID, "Database %s in catalog %s is not empty.", r.database,
                             r.catalog);
    return rc;
}

/* ---- tables: DDL ---- */

/* Type text of a column: SHOW CREATE TABLE uses the serializable form with NOT NULL
 * ("TIMESTAMP(6) WITH LOCAL TIME ZONE NOT NULL"); DESCRIBE uses Flink's summary form, nullable
 * and with TIMESTAMP_LTZ(p) (LogicalType.asSummaryString). */
static char *type_text(const pmn_type *t, bool with_null)
{
    pmn_type *copy = pmn_type_copy(t);
    if (!with_null)
        copy->nullable = true;
    char *s = pmn_type_to_sql(copy);
    pmn_type_free(copy);
    if (!with_null) {
        const char *ltz = strstr(s, ") WITH LOCAL TIME ZONE");
        const char *ts = strstr(s, "TIMESTAMP(");
        if (ltz && ts && ts < ltz) {
            char *out = pmn_xasprintf("%.*sTIMESTAMP_LTZ(%.*s)%s", (int)(ts - s), s,
                                      (int)(ltz - ts - 10), ts + 10, ltz + 22);
            free(s);
            s = out;
        }
    }
    return s;
}

/* DESCRIBE t$snapshots: the system table's columns (all nullable, no key); t$audit_log: rowkind
 * (NOT NULL) and then the columns of t, without a key (AuditLogTable.primaryKeys is empty). */
static int describe_system(pmn_sql_session *s, pmn_table *t, const char *kind)
{
    const pmn_systab_col *cols;
    int ncols;
    int rc = pmn_systab_columns(kind, &cols, &ncols);
    if (rc)
        return rc;
    bool audit = strcmp(kind, "audit_log") == 0;
    const pmn_type *row = pmn_table_row_type(t);
    pmn_sql_printer *p = pmn_sql_printer_new(s->format, s->out, s->max_width);
    const char *names[] = {"name", "type", "null", "key", "extras", "watermark"};
    const char *types[] = {NULL, NULL, "BOOLEAN", NULL, NULL, NULL};
    pmn_sql_printer_begin(p, 6, names, types);
    for (int i = 0; audit && i < row->nfields + 1; i++) {
        const pmn_field *f = i ? &row->fields[i - 1] : NULL;
        char *tt = f ? type_text(f->type, false) : pmn_xstrdup("STRING");
        const char *name = f ? f->name : cols[0].name;
        pmn_sql_cell cells[6] = {
            {.kind = PMN_CELL_TEXT, .s = name, .n = strlen(name)},
            {.kind = PMN_CELL_TEXT, .s = tt, .n = strlen(tt)},
            {.kind = PMN_CELL_INT, .i = f ? f->type->nullable : 0},
            {.kind = PMN_CELL_TEXT, .s = "", .n = 0},
            {.kind = PMN_CELL_TEXT, .s = "", .n = 0},
            {.kind = PMN_CELL_TEXT, .s = "", .n = 0},
        };
        pmn_sql_printer_row(p, cells);
        free(tt);
    }
    for (int i = 0; !audit && i < ncols; i++) {
        const char *tt = strchr(cols[i].decltype, ' ') + 1;
        pmn_sql_cell cells[6] = {
            {.kind = PMN_CELL_TEXT, .s = cols[i].name, .n = strlen(cols[i].name)},
            {.kind = PMN_CELL_TEXT, .s = tt, .n = strlen(tt)},
            {.kind = PMN_CELL_INT, .i = 1},
            {.kind = PMN_CELL_TEXT, .s = "", .n = 0},
            {.kind = PMN_CELL_TEXT, .s = "", .n = 0},
            {.kind = PMN_CELL_TEXT, .s = "", .n = 0},
        };
        pmn_sql_printer_row(p, cells);
    }
    pmn_sql_printer_end(p);
    pmn_sql_printer_free(p);
    return 0;
}

static int exec_describe(pmn_sql_session *s, const pmn_sql_stmt *st)
{
    pmn_table *t;
    resolved r;
    char *dollar = strchr(st->name.parts[st->name.nparts - 1], '$');
    if (dollar) {
        /* the base table must exist too */
        pmn_sql_name base = st->name;
        char *copy = pmn_xstrndup(base.parts[base.nparts - 1],
                                  (size_t)(dollar - base.parts[base.nparts - 1]));
        base.parts[base.nparts - 1] = copy;
        int rc = open_table(s, &base, &t, &r);
        free(copy);
        if (rc)
            return rc;
        rc = describe_system(s, t, dollar + 1);
        pmn_table_free(t);
        return rc;
    }
    int rc = open_table(s, &st->name, &t, &r);
    if (rc) {
        if (rc == PMN_ENOTFOUND)
            pmn_error_set(
                PMN_ENOTFOUND, "Tables or views with the identifier '%s.%s.%s' doesn't exist.",
                r.catalog ? r.catalog : "", r.database ? r.database : "", r.table ? r.table : "");
        return rc;
    }
    const pmn_type *row = pmn_table_row_type(t);
    const char *const *pk;
    size_t npk = pmn_table_primary_keys(t, &pk);
    pmn_buf key = PMN_BUF_INIT;
    if (npk) {
        pmn_buf_puts(&key, "PRI(");
        for (size_t i = 0; i < npk; i++)
            pmn_buf_printf(&key, "%s%s", i ? ", " : "", pk[i]);
        pmn_buf_puts(&key, ")");
    }
    pmn_sql_printer *p = pmn_sql_printer_new(s->format, s->out, s->max_width);
    const char *names[] = {"name", "type", "null", "key", "extras", "watermark"};
    const char *types[] = {NULL, NULL, "BOOLEAN", NULL, NULL, NULL};
    pmn_sql_printer_begin(p, 6, names, types);
    for (int i = 0; i < row->nfields; i++) {
        const pmn_field *f = &row->fields[i];
        char *tt = type_text(f->type, false);
        bool is_pk = false;
        for (size_t k = 0; k < npk; k++)
            if (!strcmp(pk[k], f->name))
                is_pk = true;
        const char *keytext = is_pk ? pmn_buf_cstr(&key) : "";
        pmn_sql_cell cells[6] = {
            {.kind = PMN_CELL_TEXT, .s = f->name, .n = strlen(f->name)},
            {.kind = PMN_CELL_TEXT, .s = tt, .n = strlen(tt)},
            {.kind = PMN_CELL_INT, .i = f->type->nullable ? 1 : 0},
            {.kind = PMN_CELL_TEXT, .s = keytext, .n = strlen(keytext)},
            {.kind = PMN_CELL_TEXT, .s = "", .n = 0},
            {.kind = PMN_CELL_TEXT, .s = "", .n = 0},
        };
        pmn_sql_printer_row(p, cells);
        free(tt);
    }
    pmn_sql_printer_end(p);
    pmn_sql_printer_free(p);
    pmn_buf_dispose(&key);
    pmn_table_free(t);
    return 0;
}

static void put_sql_string(pmn_buf *b, const char *v)
{
    pmn_buf_putc(b, '\'');
    for (; *v; v++) {
        if (*v == '\'')
            pmn_buf_putc(b, '\'');
        pmn_buf_putc(b, (uint8_t)*v);
    }
    pmn_buf_putc(b, '\'');
}

static void put_ident(pmn_buf *b, const char *v)
{
    pmn_buf_putc(b, '`');
    for (; *v; v++) {
        if (*v == '`')
            pmn_buf_putc(b, '`');
        pmn_buf_putc(b, (uint8_t)*v);
    }
    pmn_buf_putc(b, '`');
}

static int cmp_kv(const void *a, const void *b)
{
    return strcmp(((const pmn_kv *)a)->key, ((const pmn_kv *)b)->key);
}

static int exec_show_create_table(pmn_sql_session *s, const pmn_sql_stmt *st)
{
    pmn_table *t;
    resolved r;
    int rc = open_table(s, &st->name, &t, &r);
    if (rc)
        return rc;
    const pmn_type *row = pmn_table_row_type(t);
    pmn_buf b = PMN_BUF_INIT;
    pmn_buf_puts(&b, "CREATE TABLE ");
    put_ident(&b, r.catalog);
    pmn_buf_putc(&b, '.');
    put_ident(&b, r.database);
    pmn_buf_putc(&b, '.');
    put_ident(&b, r.table);
    pmn_buf_puts(&b, " (\n");
    for (int i = 0; i < row->nfields; i++) {
        const pmn_field *f = &row->fields[i];
        char *tt = type_text(f->type, true);
        pmn_buf_puts(&b, "  ");
        put_ident(&b, f->name);
        pmn_buf_printf(&b, " %s", tt);
        free(tt);
        if (f->description) {
            pmn_buf_puts(&b, " COMMENT ");
            put_sql_string(&b, f->description);
        }
        if (i + 1 < row->nfields)
            pmn_buf_puts(&b, ",\n");
    }
    const char *const *keys;
    size_t nk = pmn_table_primary_keys(t, &keys);
    if (nk) {
        pmn_buf_puts(&b, ",\n  CONSTRAINT `PK_");
        for (size_t i = 0; i < nk; i++)
            pmn_buf_printf(&b, "%s%s", i ? "_" : "", keys[i]);
        pmn_buf_puts(&b, "` PRIMARY KEY (");
        for (size_t i = 0; i < nk; i++) {
            if (i)
                pmn_buf_puts(&b, ", ");
            put_ident(&b, keys[i]);
        }
        pmn_buf_puts(&b, ") NOT ENFORCED");
    }
    pmn_buf_puts(&b, "\n)\n");
    nk = pmn_table_partition_keys(t, &keys);
    if (nk) {
        pmn_buf_puts(&b, "PARTITIONED BY (");
        for (size_t i = 0; i < nk; i++) {
            if (i)
                pmn_buf_puts(&b, ", ");
            put_ident(&b, keys[i]);
        }
        pmn_buf_puts(&b, ")\n");
    }
    const pmn_kv *opts;
    size_t no = pmn_table_options(t, &opts);
    if (no) {
        pmn_kv *sorted = pmn_xcalloc(no, sizeof *sorted);
        memcpy(sorted, opts, no * sizeof *sorted);
        qsort(sorted, no, sizeof *sorted, cmp_kv);
        pmn_buf_puts(&b, "WITH (\n");
        for (size_t i = 0; i < no; i++) {
            pmn_buf_puts(&b, "  ");
            put_sql_string(&b, sorted[i].key);
            pmn_buf_puts(&b, " = ");
            put_sql_string(&b, sorted[i].value);
            pmn_buf_puts(&b, i + 1 < no ? ",\n" : "\n");
        }
        pmn_buf_puts(&b, ")\n");
        free(sorted);
    }
    if (s->format == PMN_SQL_TABLEAU) {
        fputs(pmn_buf_cstr(&b), s->out);
        fflush(s->out);
    } else {
        char *one[] = {(char *)pmn_buf_cstr(&b)};
        print_list(s, "result", one, 1, false);
    }
    pmn_buf_dispose(&b);
    pmn_table_free(t);
    return 0;
}

static void free_row_type(pmn_type *row)
{
    pmn_type_free(row);
}

static int exec_create_table(pmn_sql_session *s, const pmn_sql_stmt *st, const char *text)
{
    resolved r;
    int rc = resolve_table(s, &st->name, &r);
    if (rc)
        return rc;
    if (!r.cat->cat)
        return pmn_error_set(PMN_EINVALID,
                             "the built-in catalog %s cannot hold tables; create a Paimon catalog "
                             "with CREATE CATALOG ... WITH ('type' = 'paimon', 'warehouse' = "
                             "'...') and USE CATALOG it",
                             r.catalog);
    if (!database_exists(r.cat, r.database))
        return pmn_error_set(PMN_ENOTFOUND, "Database %s does not exist in Catalog %s.", r.database,
                             r.catalog);
    pmn_type *row = pmn_type_row();
    for (size_t i = 0; i < st->ncolumns && rc == 0; i++) {
        const pmn_sql_column *c = &st->columns[i];
        pmn_type *ct = NULL;
        if (pmn_type_find_field(row, c->name) >= 0) {
            int line, col;
            pmn_sql_position(text, c->off, &line, &col);
            rc = pmn_error_set(PMN_EINVALID, "column '%s' is declared twice (line %d, column %d)",
                               c->name, line, col);
            break;
        }
        if ((rc = pmn_type_parse_sql(c->type_sql, &ct)) != 0) {
            int line, col;
            pmn_sql_position(text, c->off, &line, &col);
            pmn_error_wrap("column '%s' (line %d, column %d): ", c->name, line, col);
            break;
        }
        pmn_field *f = pmn_type_row_add(row, (int32_t)i, c->name, ct);
        if (c->comment)
            f->description = pmn_xstrdup(c->comment);
    }
    for (size_t i = 0; rc == 0 && i < st->nprimary_keys; i++)
        if (pmn_type_find_field(row, st->primary_keys[i]) < 0)
            rc = pmn_error_set(PMN_EINVALID, "primary key column '%s' is not a column of %s",
                               st->primary_keys[i], r.table);
    for (size_t i = 0; rc == 0 && i < st->npartition_keys; i++)
        if (pmn_type_find_field(row, st->partition_keys[i]) < 0)
            rc = pmn_error_set(PMN_EINVALID, "partition column '%s' is not a column of %s",
                               st->partition_keys[i], r.table);
    pmn_kv *opts = pmn_xcalloc(st->noptions + 1, sizeof *opts);
    size_t nopts = 0;
    for (size_t i = 0; rc == 0 && i < st->noptions; i++)
        rc = pmn_sql_check_table_option(st->options[i].key, st->options[i].value);
    for (size_t i = 0; i < st->noptions; i++) {
        /* the connector option belongs to Flink, not to the Paimon schema */
        if (!strcmp(st->options[i].key, "connector") || !strcmp(st->options[i].key, "path"))
            continue;
        opts[nopts].key = st->options[i].key;
        opts[nopts].value = st->options[i].value;
        nopts++;
    }
    if (rc == 0) {
        pmn_table_def def;
        memset(&def, 0, sizeof def);
        def.row_type = row;
        def.primary_keys = (const char *const *)st->primary_keys;
        def.nprimary_keys = st->nprimary_keys;
        def.partition_keys = (const char *const *)st->partition_keys;
        def.npartition_keys = st->npartition_keys;
        def.options = opts;
        def.noptions = nopts;
        def.comment = st->comment;
        rc = pmn_catalog_create_table(r.cat->cat, r.database, r.table, &def, st->if_not_exists);
        if (rc == PMN_EEXISTS)
            pmn_error_set(PMN_EEXISTS, "Table (or view) %s.%s already exists in Catalog %s.",
                          r.database, r.table, r.catalog);
    }
    free(opts);
    free_row_type(row);
    return rc;
}

static int exec_drop_table(pmn_sql_session *s, const pmn_sql_stmt *st)
{
    resolved r;
    int rc = resolve_table(s, &st->name, &r);
    if (rc)
        return rc;
    if (!r.cat->cat || !database_exists(r.cat, r.database)) {
        if (st->if_exists)
            return 0;
        return pmn_error_set(PMN_ENOTFOUND, "Table with identifier '%s.%s.%s' does not exist.",
                             r.catalog, r.database, r.table);
    }
    rc = pmn_catalog_drop_table(r.cat->cat, r.database, r.table, st->if_exists);
    if (rc == PMN_ENOTFOUND)
        pmn_error_set(PMN_ENOTFOUND, "Table with identifier '%s.%s.%s' does not exist.", r.catalog,
                      r.database, r.table);
    return rc;
}

/* ALTER TABLE ADD / MODIFY / DROP / RENAME: one schema change per column. */
static int exec_alter_columns(pmn_sql_session *s, const pmn_sql_stmt *st, const char *text)
{
    pmn_table *t;
    resolved r;
    int rc = open_table(s, &st->name, &t, &r);
    if (rc)
        return rc;
    size_t n = st->kind == PMN_STMT_ALTER_TABLE_DROP     ? st->ninsert_columns
               : st->kind == PMN_STMT_ALTER_TABLE_RENAME ? 1
                                                         : st->ncolumns;
    pmn_schema_change *ch = pmn_xcalloc(n + 1, sizeof *ch);
    pmn_type **types = pmn_xcalloc(n + 1, sizeof *types);
    for (size_t i = 0; i < n && rc == 0; i++) {
        switch (st->kind) {
        case PMN_STMT_ALTER_TABLE_DROP:
            ch[i].kind = PMN_SCHEMA_DROP_COLUMN;
            ch[i].name = st->insert_columns[i];
            break;
        case PMN_STMT_ALTER_TABLE_RENAME:
            ch[i].kind = PMN_SCHEMA_RENAME_COLUMN;
            ch[i].name = st->options[0].key;
            ch[i].new_name = st->options[0].value;
            break;
        default: {
            const pmn_sql_column *c = &st->columns[i];
            if ((rc = pmn_type_parse_sql(c->type_sql, &types[i])) != 0) {
                int line, col;
                pmn_sql_position(text, c->off, &line, &col);
                pmn_error_wrap("column '%s' (line %d, column %d): ", c->name, line, col);
                break;
            }
            ch[i].kind = st->kind == PMN_STMT_ALTER_TABLE_ADD ? PMN_SCHEMA_ADD_COLUMN
                                                              : PMN_SCHEMA_UPDATE_COLUMN_TYPE;
            ch[i].name = c->name;
            ch[i].type = types[i];
            ch[i].value = c->comment; /* the new column's description */
            break;
        }
        }
    }
    if (rc == 0)
        rc = pmn_table_alter(t, ch, n);
    for (size_t i = 0; i < n; i++)
        pmn_type_free(types[i]);
    free(types);
    free(ch);
    pmn_table_free(t);
    return rc;
}

static int exec_alter_table(pmn_sql_session *s, const pmn_sql_stmt *st)
{
    pmn_table *t;
    resolved r;
    int rc = open_table(s, &st->name, &t, &r);
    if (rc)
        return rc;
    for (size_t i = 0; st->kind == PMN_STMT_ALTER_TABLE_SET && i < st->noptions; i++)
        if ((rc = pmn_sql_check_table_option(st->options[i].key, st->options[i].value))) {
            pmn_table_free(t);
            return rc;
        }
    pmn_schema_change *ch = pmn_xcalloc(st->noptions + 1, sizeof *ch);
    for (size_t i = 0; i < st->noptions; i++) {
        ch[i].kind =
            st->kind == PMN_STMT_ALTER_TABLE_SET ? PMN_SCHEMA_SET_OPTION : PMN_SCHEMA_REMOVE_OPTION;
        ch[i].key = st->options[i].key;
        ch[i].value = st->options[i].value;
    }
    rc = pmn_table_alter(t, ch, st->noptions);
    free(ch);
    pmn_table_free(t);
    return rc;
}

/* ---- queries ---- */

/* The vtabs a statement created; dropped when it ends. */
typedef struct vtabs {
    char **names; /* owned */
    size_t n;
    size_t cap;
} vtabs;

static void drop_vtabs(pmn_sql_session *s, vtabs *v)
{
    for (size_t i = 0; i < v->n; i++) {
        char *sql = sqlite3_mprintf("DROP TABLE IF EXISTS temp.\"%w\"", v->names[i]);
        sqlite3_exec(s->db, sql, NULL, NULL, NULL);
        sqlite3_free(sql);
        free(v->names[i]);
    }
    free(v->names);
    memset(v, 0, sizeof *v);
}

static int not_found_at(const char *text, size_t off, const char *what, const char *name,
                        const char *within)
{
    int line, col;
    pmn_sql_position(text, off, &line, &col);
    return pmn_error_set(PMN_ENOTFOUND, "%s '%s' not found within '%s' (at line %d, column %d)",
                         what, name, within, line, col);
}

/* Create the virtual tables a rewritten query refers to; text is the statement, for the
 * positions of names in errors. */
static int create_vtabs(pmn_sql_session *s, const pmn_sql_rewrite *rw, const char *text, vtabs *out)
{
    for (size_t i = 0; i < rw->nrefs; i++) {
        const pmn_sql_tref *ref = &rw->refs[i];
        size_t off = ref->off;
        session_catalog *c = ref->catalog ? find_catalog(s, ref->catalog) : NULL;
        if (!c) {
            int line, col;
            pmn_sql_position(text, off, &line, &col);
            return pmn_error_set(PMN_ENOTFOUND,
                                 "A catalog with name [%s] does not exist (at line %d, column %d).",
                                 ref->catalog ? ref->catalog : "", line, col);
        }
        char *within = pmn_xasprintf("%s.%s", c->name, ref->database ? ref->database : "");
        if (!ref->database || !database_exists(c, ref->database)) {
            int rc = not_found_at(text, off, "Object", ref->database ? ref->database : "", c->name);
            free(within);
            return rc;
        }
        pmn_table *probe = NULL;
        if (!c->cat || pmn_table_open(c->cat, ref->database, ref->table, &probe) != 0) {
            int rc = not_found_at(text, off, "Object", ref->table, within);
            free(within);
            return rc;
        }
        pmn_table_free(probe);
        free(within);
        int64_t tsms = ref->timestamp_millis;
        if (ref->timestamp_text) {
            int rc = pmn_sql_local_to_millis(ref->timestamp_text, &tsms);
            if (rc)
                return rc;
            if (tsms <= 0)
                tsms = 1;
        }
        pmn_buf sql = PMN_BUF_INIT;
        char *head = sqlite3_mprintf("CREATE VIRTUAL TABLE temp.\"%w\" USING paimon(catalog=%Q, "
                                     "database=%Q, table=%Q",
                                     ref->vtab, c->name, ref->database, ref->table);
        pmn_buf_puts(&sql, head);
        sqlite3_free(head);
        if (ref->system) {
            char *x = sqlite3_mprintf(", system=%Q", ref->system);
            pmn_buf_puts(&sql, x);
            sqlite3_free(x);
        }
        if (ref->snapshot_id > 0)
            pmn_buf_printf(&sql, ", snapshot_id=%lld", (long long)ref->snapshot_id);
        if (tsms > 0)
            pmn_buf_printf(&sql, ", timestamp_millis=%lld", (long long)tsms);
        if (ref->tag) {
            char *x = sqlite3_mprintf(", tag=%Q", ref->tag);
            pmn_buf_puts(&sql, x);
            sqlite3_free(x);
        }
        if (ref->file_creation_millis > 0)
            pmn_buf_printf(&sql, ", file_creation_millis=%lld",
                           (long long)ref->file_creation_millis);
        if (ref->mode) {
            char *x = sqlite3_mprintf(", mode=%Q", ref->mode);
            pmn_buf_puts(&sql, x);
            sqlite3_free(x);
        }
        pmn_buf_puts(&sql, ")");
        char *drop = sqlite3_mprintf("DROP TABLE IF EXISTS temp.\"%w\"", ref->vtab);
        sqlite3_exec(s->db, drop, NULL, NULL, NULL);
        sqlite3_free(drop);
        char *err = NULL;
        int src = sqlite3_exec(s->db, pmn_buf_cstr(&sql), NULL, NULL, &err);
        pmn_buf_dispose(&sql);
        if (src != SQLITE_OK) {
            int rc = pmn_error_set(PMN_EINVALID, "%s", err ? err : sqlite3_errmsg(s->db));
            sqlite3_free(err);
            return rc;
        }
        PMN_GROW(out->names, out->cap, out->n + 1);
        out->names[out->n++] = pmn_xstrdup(ref->vtab);
    }
    return 0;
}

/* Turn an SQLite prepare error into Flink-like text with the source position. */
static int sqlite_error(pmn_sql_session *s, const pmn_sql_rewrite *rw, const char *text)
{
    const char *msg = sqlite3_errmsg(s->db);
    int off = sqlite3_error_offset(s->db);
    char where[64] = "";
    if (off >= 0) {
        int line, col;
        pmn_sql_position(text, pmn_sql_rewrite_source_offset(rw, (size_t)off), &line, &col);
        snprintf(where, sizeof where, " at line %d, column %d", line, col);
    }
    if (!strncmp(msg, "no such column: ", 16))
        return pmn_error_set(PMN_EINVALID, "Column '%s' not found in any table%s", msg + 16, where);
    if (strstr(msg, "syntax error")) {
        const char *q = strchr(msg, '"');
        const char *e = q ? strchr(q + 1, '"') : NULL;
        if (q && e)
            return pmn_error_set(PMN_EINVALID, "SQL parse failed. Encountered \"%.*s\"%s.",
                                 (int)(e - q - 1), q + 1, where);
        return pmn_error_set(PMN_EINVALID, "SQL parse failed: %s%s.", msg, where);
    }
    if (!strcmp(msg, "incomplete input"))
        return pmn_error_set(
            PMN_EINVALID, "SQL parse failed. Encountered \"<EOF>\" at the end of the statement.");
    if (!strncmp(msg, "no such function: ", 18))
        return pmn_error_set(PMN_EINVALID, "No match found for function signature %s%s", msg + 18,
                             where);
    return pmn_error_set(PMN_EINVALID, "%s%s", msg, where);
}

/* Prepare a Flink query: rewrite, create its tables, prepare in SQLite. */
static int prepare_query(pmn_sql_session *s, const char *text, size_t base, size_t len,
                         bool name_exprs, vtabs *vt, sqlite3_stmt **out)
{
    pmn_sql_rewrite rw;
    session_catalog *cur = &s->catalogs[s->current];
    int rc = pmn_sql_rewrite_query_at(text, base, len, cur->name, s->database, name_exprs, &rw);
    if (rc)
        return rc;
    rc = create_vtabs(s, &rw, text, vt);
    char *count = rc == 0 ? pmn_sql_count_rewrite(&rw) : NULL; /* sql/count.h */
    if (count) {
        free(rw.sql);
        rw.sql = count;
    }
    if (rc == 0 && sqlite3_prepare_v2(s->db, rw.sql, -1, out, NULL) != SQLITE_OK) {
        rc = sqlite_error(s, &rw, text);
        *out = NULL;
    }
    pmn_sql_rewrite_dispose(&rw);
    return rc;
}

/* Paimon type of a result column, from the declared type of a vtab column. */
static const char *column_type(sqlite3_stmt *st, int i)
{
    const char *d = sqlite3_column_decltype(st, i);
    if (!d)
        return NULL;
    const char *sp = strchr(d, ' ');
    if (!sp)
        return NULL;
    size_t n = (size_t)(sp - d);
    if ((n == 7 && !strncmp(d, "INTEGER", 7)) || (n == 4 && !strncmp(d, "REAL", 4)) ||
        (n == 4 && !strncmp(d, "TEXT", 4)) || (n == 4 && !strncmp(d, "BLOB", 4)))
        return sp + 1;
    return NULL;
}

static void cell_from(sqlite3_stmt *st, int i, pmn_sql_cell *c)
{
    memset(c, 0, sizeof *c);
    switch (sqlite3_column_type(st, i)) {
    case SQLITE_INTEGER:
        c->kind = PMN_CELL_INT;
        c->i = sqlite3_column_int64(st, i);
        break;
    case SQLITE_FLOAT:
        c->kind = PMN_CELL_REAL;
        c->f = sqlite3_column_double(st, i);
        break;
    case SQLITE_TEXT:
        c->kind = PMN_CELL_TEXT;
        c->s = (const char *)sqlite3_column_text(st, i);
        c->n = (size_t)sqlite3_column_bytes(st, i);
        break;
    case SQLITE_BLOB:
        c->kind = PMN_CELL_BLOB;
        c->s = sqlite3_column_blob(st, i);
        c->n = (size_t)sqlite3_column_bytes(st, i);
        break;
    default:
        c->kind = PMN_CELL_NULL;
    }
}

static int exec_query(pmn_sql_session *s, const pmn_sql_stmt *st, const char *text)
{
    vtabs vt = {0};
    sqlite3_stmt *q = NULL;
    int rc = prepare_query(s, text, st->body_off, st->body_len, true, &vt, &q);
    if (rc) {
        drop_vtabs(s, &vt);
        return rc;
    }
    int ncols = sqlite3_column_count(q);
    const char **names = pmn_xcalloc((size_t)ncols + 1, sizeof(char *));
    const char **types = pmn_xcalloc((size_t)ncols + 1, sizeof(char *));
    for (int i = 0; i < ncols; i++) {
        names[i] = sqlite3_column_name(q, i);
        types[i] = column_type(q, i);
    }
    pmn_sql_printer *p = pmn_sql_printer_new(s->format, s->out, s->max_width);
    pmn_sql_printer_begin(p, (size_t)ncols, names, types);
    pmn_sql_cell *cells = pmn_xcalloc((size_t)ncols + 1, sizeof *cells);
    int src;
    while ((src = sqlite3_step(q)) == SQLITE_ROW) {
        for (int i = 0; i < ncols; i++)
            cell_from(q, i, &cells[i]);
        pmn_sql_printer_row(p, cells);
    }
    if (src != SQLITE_DONE) {
        rc = pmn_error_set(PMN_EINVALID, "%s", sqlite3_errmsg(s->db));
        pmn_sql_printer_free(p); /* nothing printed for a failed query */
    } else {
        pmn_sql_printer_end(p);
        pmn_sql_printer_free(p);
    }
    free(cells);
    free(names);
    free(types);
    sqlite3_finalize(q);
    drop_vtabs(s, &vt);
    return rc;
}

/* EXPLAIN: the SQLite statement the query became and SQLite's plan for it; a lake table's
 * line shows the vtab plan as "INDEX <idxNum>:<idxStr>" (sql/vtab.c) so
 * pushed-down filters and projections are visible. */
static int exec_explain(pmn_sql_session *s, const pmn_sql_stmt *st, const char *text)
{
    pmn_sql_rewrite rw;
    session_catalog *cur = &s->catalogs[s->current];
    int rc = pmn_sql_rewrite_query_at(text, st->body_off, st->body_len, cur->name, s->database,
                                      true, &rw);
    if (rc)
        return rc;
    vtabs vt = {0};
    rc = create_vtabs(s, &rw, text, &vt);
    pmn_buf plan = PMN_BUF_INIT;
    sqlite3_stmt *q = NULL;
    if (rc == 0) {
        char *sql = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", rw.sql);
        if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) != SQLITE_OK)
            rc = sqlite_error(s, &rw, text);
        sqlite3_free(sql);
    }
    if (rc == 0) {
        pmn_buf_printf(&plan, "== SQLite statement ==\n%s\n\n== SQLite plan ==\n", rw.sql);
        int src;
        while ((src = sqlite3_step(q)) == SQLITE_ROW)
            pmn_buf_printf(&plan, "%s\n", (const char *)sqlite3_column_text(q, 3));
        if (src != SQLITE_DONE)
            rc = pmn_error_set(PMN_EINVALID, "%s", sqlite3_errmsg(s->db));
    }
    if (rc == 0) {
        if (s->format == PMN_SQL_TABLEAU) {
            fputs(pmn_buf_cstr(&plan), s->out);
            fflush(s->out);
        } else {
            char *one[] = {(char *)pmn_buf_cstr(&plan)};
            print_list(s, "result", one, 1, false);
        }
    }
    sqlite3_finalize(q);
    pmn_buf_dispose(&plan);
    drop_vtabs(s, &vt);
    pmn_sql_rewrite_dispose(&rw);
    return rc;
}

/* ---- writes ---- */

/* What an INSERT fixes besides the query's columns: static partition values (PARTITION
 * (dt = 'x'): the same in every row) and, for INSERT OVERWRITE, which rows it replaces. */
typedef struct write_target {
    const pmn_filter *fixed; /* field = value set in every row (values borrowed) */
    size_t nfixed;
    bool overwrite;          /* the commit is an OVERWRITE snapshot (pmn_writer_overwrite) */
    bool dynamic;            /*   replacing only the partitions written to */
} write_target;

/* Write every row q returns as `kind` (query column i -> field map[i]; fields of target->fixed
 * take their value; other fields NULL) and commit one snapshot; with target->overwrite the
 * snapshot replaces the table's rows, or on a partitioned table the rows of the partitions
 * pmn_writer_overwrite picks. Nothing is committed on any error. */
static int write_rows(pmn_sql_session *s, pmn_table *t, const char *full_name, sqlite3_stmt *q,
                      const int *map, int nmap, pmn_row_kind kind, const write_target *target)
{
    const pmn_type *row = pmn_table_row_type(t);
    pmn_writer *w = NULL;
    int rc = pmn_writer_open(t, NULL, &w);
    if (rc)
        return rc;
    if (target && target->overwrite &&
        (rc = pmn_writer_overwrite(w, target->fixed, target->nfixed, target->dynamic)) != 0) {
        pmn_writer_abort(w);
        pmn_writer_free(w);
        return rc;
    }
    pmn_arena arena = PMN_ARENA_INIT;
    pmn_datum *vals = pmn_xcalloc((size_t)row->nfields + 1, sizeof *vals);
    int src;
    while (rc == 0 && (src = sqlite3_step(q)) == SQLITE_ROW) {
        pmn_arena_reset(&arena);
        for (int f = 0; f < row->nfields; f++)
            vals[f].is_null = true;
        for (size_t i = 0; target && i < target->nfixed; i++)
            vals[target->fixed[i].field] = target->fixed[i].value;
        for (int i = 0; i < nmap && rc == 0; i++) {
            const pmn_field *f = &row->fields[map[i]];
            rc = pmn_sql_value_to_datum(sqlite3_column_value(q, i), f->type, false, &arena,
                                        &vals[map[i]]);
            if (rc)
                pmn_error_wrap("column '%s' of %s: ", f->name, full_name);
        }
        for (int f = 0; f < row->nfields && rc == 0; f++)
            if (vals[f].is_null && !row->fields[f].type->nullable)
                rc = pmn_error_set(PMN_EINVALID,
                                   "Column '%s' is NOT NULL, however, a null value is being "
                                   "written into it.",
                                   row->fields[f].name);
        if (rc == 0)
            rc = pmn_writer_write(w, kind, vals);
    }
    if (rc == 0 && src != SQLITE_DONE)
        rc = pmn_error_set(PMN_EINVALID, "%s", sqlite3_errmsg(s->db));
    int64_t snap = 0;
    if (rc == 0)
        rc = pmn_writer_commit(w, INT64_MAX, NULL, 0, &snap);
    if (rc)
        pmn_writer_abort(w);
    pmn_writer_free(w);
    free(vals);
    pmn_arena_free(&arena);
    return rc;
}

/* static_partition: the values of INSERT ... PARTITION (col = literal, ...) as filters on t's
 * partition columns (values in arena a), each literal evaluated by SQLite and converted to the
 * column's type. Errors name the column. */
static int static_partition(pmn_sql_session *s, const pmn_sql_stmt *st, pmn_table *t,
                            const char *full, pmn_arena *a, pmn_filter *out)
{
    const pmn_type *row = pmn_table_row_type(t);
    const char *const *pkeys;
    size_t npk = pmn_table_partition_keys(t, &pkeys);
    for (size_t i = 0; i < st->npartition_spec; i++) {
        const pmn_sql_option *o = &st->partition_spec[i];
        int f = pmn_type_find_field(row, o->key);
        bool part = false;
        for (size_t k = 0; k < npk && f >= 0; k++)
            part |= strcmp(pkeys[k], row->fields[f].name) == 0;
        if (f < 0)
            return pmn_error_set(PMN_EINVALID, "Unknown partition column '%s' in %s", o->key,
                                 full);
        if (!part)
            return pmn_error_set(PMN_EINVALID, "Column '%s' of %s is not a partition column",
                                 o->key, full);
        for (size_t k = 0; k < i; k++)
            if (out[k].field == f)
                return pmn_error_set(PMN_EINVALID, "Partition column '%s' is given twice",
                                     o->key);
        char *sql = pmn_xasprintf("SELECT %s", o->value);
        sqlite3_stmt *q = NULL;
        int rc = 0;
        if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) != SQLITE_OK ||
            sqlite3_step(q) != SQLITE_ROW)
            rc = pmn_error_set(PMN_EINVALID, "partition value %s: %s", o->value,
                               sqlite3_errmsg(s->db));
        free(sql);
        out[i].field = f;
        out[i].op = PMN_FILTER_EQ;
        if (rc == 0 &&
            (rc = pmn_sql_value_to_datum(sqlite3_column_value(q, 0), row->fields[f].type, true,
                                         a, &out[i].value)) != 0)
            pmn_error_wrap("partition column '%s' of %s: ", o->key, full);
        if (rc == 0 && out[i].value.is_null && !row->fields[f].type->nullable)
            rc = pmn_error_set(PMN_EINVALID, "Partition column '%s' is NOT NULL", o->key);
        sqlite3_finalize(q);
        if (rc)
            return rc;
    }
    return 0;
}

static int exec_insert(pmn_sql_session *s, const pmn_sql_stmt *st, const char *text)
{
    pmn_table *t;
    resolved r;
    int rc = open_table(s, &st->name, &t, &r);
    if (rc)
        return rc;
    char *full = pmn_xasprintf("%s.%s.%s", r.catalog, r.database, r.table);
    const pmn_type *row = pmn_table_row_type(t);
    pmn_arena arena = PMN_ARENA_INIT;
    pmn_filter *fixed = pmn_xcalloc(st->npartition_spec + 1, sizeof *fixed);
    rc = static_partition(s, st, t, full, &arena, fixed);
    bool *is_fixed = pmn_xcalloc((size_t)row->nfields + 1, sizeof(bool));
    for (size_t i = 0; rc == 0 && i < st->npartition_spec; i++)
        is_fixed[fixed[i].field] = true;
    /* without a column list the query gives every column not fixed by PARTITION, in order */
    int nmap = st->ninsert_columns ? (int)st->ninsert_columns
                                   : row->nfields - (rc ? 0 : (int)st->npartition_spec);
    int *map = pmn_xcalloc((size_t)row->nfields + 1, sizeof(int));
    for (int i = 0, f = 0; i < nmap && rc == 0; i++) {
        if (!st->ninsert_columns) {
            while (is_fixed[f])
                f++;
            map[i] = f++;
            continue;
        }
        map[i] = pmn_type_find_field(row, st->insert_columns[i]);
        if (map[i] < 0)
            rc = pmn_error_set(PMN_EINVALID, "Unknown target column '%s' in %s",
                               st->insert_columns[i], full);
        else if (is_fixed[map[i]])
            rc = pmn_error_set(PMN_EINVALID,
                               "Target column '%s' is also given in the PARTITION clause",
                               st->insert_columns[i]);
        for (int k = 0; k < i && rc == 0; k++)
            if (map[k] == map[i])
                rc = pmn_error_set(PMN_EINVALID, "Target column '%s' is assigned more than once",
                                   st->insert_columns[i]);
    }
    write_target target = {fixed, st->npartition_spec, st->overwrite, false};
    const char *dyn = pmn_table_option(t, "dynamic-partition-overwrite");
    target.dynamic = !dyn || strcasecmp(dyn, "false") != 0;
    vtabs vt = {0};
    sqlite3_stmt *q = NULL;
    if (rc == 0)
        rc = prepare_query(s, text, st->body_off, st->body_len, false, &vt, &q);
    if (rc == 0 && sqlite3_column_count(q) != nmap)
        rc = pmn_error_set(PMN_EINVALID,
                           "Column types of query result and sink for '%s' do not match: the "
                           "query has %d columns, the sink %d",
                           full, sqlite3_column_count(q), nmap);
    if (rc == 0)
        rc = write_rows(s, t, full, q, map, nmap, PMN_ROW_INSERT, &target);
    sqlite3_finalize(q);
    drop_vtabs(s, &vt);
    free(map);
    free(is_fixed);
    free(fixed);
    pmn_arena_free(&arena);
    free(full);
    pmn_table_free(t);
    return rc;
}

/* `catalog`.`db`.`table` of a resolved name, appended to b. */
static void put_full_name(pmn_buf *b, const resolved *r)
{
    for (int i = 0; i < 3; i++) {
        const char *part = i == 0 ? r->catalog : i == 1 ? r->database : r->table;
        pmn_buf_putc(b, '`');
        for (const char *p = part; *p; p++) {
            if (*p == '`')
                pmn_buf_putc(b, '`');
            pmn_buf_putc(b, (uint8_t)*p);
        }
        pmn_buf_puts(b, i < 2 ? "`." : "` ");
    }
}

/* Positions in errors of a synthesized SELECT: say where the user's text starts. */
static void note_synthesized(const char *text, size_t off)
{
    if (!strstr(pmn_error_last(), " at line "))
        return;
    int line, col;
    pmn_sql_position(text, off, &line, &col);
    pmn_error_wrap("(positions refer to the SELECT built from the statement, whose expressions "
                   "start at line %d, column %d) ",
                   line, col);
}

static int exec_update(pmn_sql_session *s, const pmn_sql_stmt *st, const char *text)
{
    pmn_table *t;
    resolved r;
    int rc = open_table(s, &st->name, &t, &r);
    if (rc)
        return rc;
    char *full = pmn_xasprintf("%s.%s.%s", r.catalog, r.database, r.table);
    const pmn_type *row = pmn_table_row_type(t);
    const char *const *pk;
    size_t npk = pmn_table_primary_keys(t, &pk);
    int *assigned = pmn_xcalloc((size_t)row->nfields + 1, sizeof(int));
    for (int f = 0; f < row->nfields; f++)
        assigned[f] = -1;
    if (npk == 0)
        rc = pmn_error_set(PMN_EINVALID,
                           "UPDATE is only supported on primary-key tables; %s has no primary key",
                           full);
    for (size_t i = 0; rc == 0 && i < st->nassigns; i++) {
        int f = pmn_type_find_field(row, st->assigns[i].column);
        if (f < 0)
            rc = pmn_error_set(PMN_EINVALID, "Unknown target column '%s' in %s",
                               st->assigns[i].column, full);
        else if (assigned[f] >= 0)
            rc = pmn_error_set(PMN_EINVALID, "Target column '%s' is assigned more than once",
                               st->assigns[i].column);
        for (size_t k = 0; rc == 0 && k < npk; k++)
            if (!strcmp(pk[k], st->assigns[i].column))
                rc = pmn_error_set(PMN_EINVALID,
                                   "Updates to primary keys are not supported: %s is a key "
                                   "column of %s",
                                   pk[k], full);
        if (rc == 0)
            assigned[f] = (int)i;
    }
    if (rc == 0) {
        /* SELECT the new rows: assigned expressions, other columns as they are */
        pmn_buf q = PMN_BUF_INIT;
        pmn_buf_puts(&q, "SELECT ");
        for (int f = 0; f < row->nfields; f++) {
            if (f)
                pmn_buf_puts(&q, ", ");
            if (assigned[f] >= 0) {
                const pmn_sql_assign *a = &st->assigns[assigned[f]];
                pmn_buf_putc(&q, '(');
                pmn_buf_put(&q, text + a->off, a->len);
                pmn_buf_putc(&q, ')');
            } else {
                pmn_buf_putc(&q, '`');
                for (const char *p = row->fields[f].name; *p; p++) {
                    if (*p == '`')
                        pmn_buf_putc(&q, '`');
                    pmn_buf_putc(&q, (uint8_t)*p);
                }
                pmn_buf_putc(&q, '`');
            }
        }
        pmn_buf_puts(&q, " FROM ");
        put_full_name(&q, &r);
        if (st->body_len) {
            pmn_buf_puts(&q, "WHERE ");
            pmn_buf_put(&q, text + st->body_off, st->body_len);
        }
        vtabs vt = {0};
        sqlite3_stmt *sq = NULL;
        rc = prepare_query(s, pmn_buf_cstr(&q), 0, q.len, false, &vt, &sq);
        if (rc)
            note_synthesized(text, st->nassigns ? st->assigns[0].off : 0);
        if (rc == 0) {
            int *map = pmn_xcalloc((size_t)row->nfields + 1, sizeof(int));
            for (int i = 0; i < row->nfields; i++)
                map[i] = i;
            rc = write_rows(s, t, full, sq, map, row->nfields, PMN_ROW_UPDATE_AFTER, NULL);
            free(map);
        }
        sqlite3_finalize(sq);
        drop_vtabs(s, &vt);
        pmn_buf_dispose(&q);
    }
    free(assigned);
    free(full);
    pmn_table_free(t);
    return rc;
}

static int exec_delete(pmn_sql_session *s, const pmn_sql_stmt *st, const char *text)
{
    pmn_table *t;
    resolved r;
    int rc = open_table(s, &st->name, &t, &r);
    if (rc)
        return rc;
    char *full = pmn_xasprintf("%s.%s.%s", r.catalog, r.database, r.table);
    const char *const *pk;
    if (pmn_table_primary_keys(t, &pk) == 0) {
        rc = pmn_error_set(PMN_EINVALID,
                           "DELETE is only supported on primary-key tables; %s has no primary key",
                           full);
    } else if (st->body_len == 0) {
        pmn_writer *w;
        int64_t snap;
        rc = pmn_writer_open(t, NULL, &w);
        if (rc == 0) {
            rc = pmn_writer_truncate(w);
            if (rc == 0)
                rc = pmn_writer_commit(w, INT64_MAX, NULL, 0, &snap);
            if (rc)
                pmn_writer_abort(w);
            pmn_writer_free(w);
        }
    } else {
        /* SELECT every column of the rows the condition matches, then delete them by key */
        pmn_buf q = PMN_BUF_INIT;
        pmn_buf_puts(&q, "SELECT * FROM ");
        put_full_name(&q, &r);
        pmn_buf_puts(&q, "WHERE ");
        pmn_buf_put(&q, text + st->body_off, st->body_len);
        vtabs vt = {0};
        sqlite3_stmt *sq = NULL;
        rc = prepare_query(s, pmn_buf_cstr(&q), 0, q.len, false, &vt, &sq);
        if (rc)
            note_synthesized(text, st->body_off);
        if (rc == 0) {
            const pmn_type *row = pmn_table_row_type(t);
            int *map = pmn_xcalloc((size_t)row->nfields + 1, sizeof(int));
            for (int i = 0; i < row->nfields; i++)
                map[i] = i;
            rc = write_rows(s, t, full, sq, map, row->nfields, PMN_ROW_DELETE, NULL);
            free(map);
        }
        sqlite3_finalize(sq);
        drop_vtabs(s, &vt);
        pmn_buf_dispose(&q);
    }
    free(full);
    pmn_table_free(t);
    return rc;
}

/* ---- CALL sys.<procedure> ---- */

/* The procedures Paimon's Flink integration offers that the lake can run. Arguments are
 * positional in this order, or named (`table` => 'db.t'). */
typedef struct procedure {
    const char *name;        /* after sys. */
    const char *const *args; /* parameter names, NULL-terminated */
    int required;            /* leading parameters that must be given */
} procedure;

static const char *const compact_args[] = {"table",   "partitions", "order_strategy",   "order_by",
                                           "options", "where",      "compact_strategy", NULL};
static const char *const expire_args[] = {"table",      "retain_max",  "retain_min",
                                          "older_than", "max_deletes", NULL};
static const char *const create_tag_args[] = {"table", "tag", "snapshot_id", "time_retained", NULL};
static const char *const delete_tag_args[] = {"table", "tag", NULL};
static const char *const orphans_args[] = {"table", "older_than", "dry_run", NULL};

static const procedure procedures[] = {
    {"compact", compact_args, 1},
    {"expire_snapshots", expire_args, 1},
    {"create_tag", create_tag_args, 2},
    {"delete_tag", delete_tag_args, 2},
    {"remove_orphan_files", orphans_args, 1},
};

/* Print one result column "result" with the given values. */
static void print_result(pmn_sql_session *s, char **values, size_t n)
{
    print_list(s, "result", values, n, false);
}

static int exec_call(pmn_sql_session *s, const pmn_sql_stmt *st)
{
    const pmn_sql_name *n = &st->name;
    char *full = pmn_sql_name_string(n);
    int rc = 0;
    if (n->nparts < 2 || strcmp(n->parts[n->nparts - 2], "sys") != 0 ||
        (n->nparts == 3 && !find_catalog(s, n->parts[0]))) {
        rc = pmn_error_set(PMN_EINVALID, "unknown procedure %s (procedures are sys.<name>)", full);
        free(full);
        return rc;
    }
    const procedure *p = NULL;
    for (size_t i = 0; i < sizeof procedures / sizeof procedures[0]; i++)
        if (!strcmp(procedures[i].name, n->parts[n->nparts - 1]))
            p = &procedures[i];
    if (!p) {
        rc = pmn_error_set(PMN_EINVALID,
                           "unknown procedure %s (pgpaimon runs sys.compact, "
                           "sys.expire_snapshots, sys.create_tag, sys.delete_tag, "
                           "sys.remove_orphan_files)",
                           full);
        free(full);
        return rc;
    }
    /* bind arguments to parameters */
    const char *vals[8] = {NULL};
    int nparams = 0;
    while (p->args[nparams])
        nparams++;
    for (size_t i = 0; i < st->noptions && rc == 0; i++) {
        int k = (int)i;
        if (st->options[i].key) {
            for (k = 0; k < nparams && strcmp(p->args[k], st->options[i].key) != 0; k++)
                ;
            if (k == nparams)
                rc = pmn_error_set(PMN_EINVALID, "procedure %s has no parameter '%s'", full,
                                   st->options[i].key);
        } else if (k >= nparams) {
            rc = pmn_error_set(PMN_EINVALID, "procedure %s takes at most %d arguments", full,
                               nparams);
        }
        if (rc == 0 && st->options[i].value && strcmp(st->options[i].value, "NULL") != 0)
            vals[k] = st->options[i].value;
    }
    for (int k = 0; rc == 0 && k < p->required; k++)
        if (!vals[k] || !*vals[k])
            rc = pmn_error_set(PMN_EINVALID, "procedure %s needs the argument '%s'", full,
                               p->args[k]);
    /* the table: 'db.table' or 'table' in the current database */
    pmn_table *t = NULL;
    pmn_sql_name tn;
    memset(&tn, 0, sizeof tn);
    if (rc == 0) {
        char *copy = pmn_xstrdup(vals[0]);
        char *dot = strchr(copy, '.');
        if (dot) {
            *dot = '\0';
            tn.parts[0] = copy;
            tn.parts[1] = pmn_xstrdup(dot + 1);
            tn.nparts = 2;
        } else {
            tn.parts[0] = copy;
            tn.nparts = 1;
        }
        resolved r;
        rc = open_table(s, &tn, &t, &r);
    }
    char buf[64];
    if (rc == 0 && !strcmp(p->name, "compact")) {
        for (int k = 1; k < 6 && rc == 0; k++)
            if (vals[k] && *vals[k])
                rc = pmn_error_set(PMN_EINVALID,
                                   "sys.compact: argument '%s' is not supported (pgpaimon "
                                   "compacts every partition and bucket)",
                                   p->args[k]);
        bool full_compact = true;
        if (rc == 0 && vals[6]) {
            if (!strcmp(vals[6], "minor"))
                full_compact = false;
            else if (strcmp(vals[6], "full") != 0)
                rc = pmn_error_set(PMN_EINVALID,
                                   "sys.compact: compact_strategy must be 'full' or 'minor', "
                                   "got '%s'",
                                   vals[6]);
        }
        int64_t snap = 0;
        if (rc == 0)
            rc = pmn_table_compact(t, full_compact, &snap);
        if (rc == 0) {
            char *one[] = {(char *)"Success"};
            print_result(s, one, 1);
        }
    } else if (rc == 0 && !strcmp(p->name, "expire_snapshots")) {
        for (int k = 1; k < 5 && rc == 0; k++)
            if (vals[k])
                rc = pmn_error_set(PMN_EINVALID,
                                   "sys.expire_snapshots: argument '%s' is not supported; set "
                                   "the table's snapshot.num-retained.min/max and "
                                   "snapshot.time-retained with ALTER TABLE ... SET and call "
                                   "sys.expire_snapshots('%s')",
                                   p->args[k], vals[0]);
        pmn_expire_result res;
        memset(&res, 0, sizeof res);
        if (rc == 0)
            rc = pmn_table_expire(t, &res);
        if (rc == 0) {
            snprintf(buf, sizeof buf, "%lld", (long long)res.snapshots_expired);
            char *one[] = {buf};
            print_result(s, one, 1);
        }
    } else if (rc == 0 && !strcmp(p->name, "create_tag")) {
        int64_t snap = 0;
        if (vals[3])
            rc = pmn_error_set(PMN_EINVALID,
                               "sys.create_tag: time_retained is not supported (tags are kept "
                               "until sys.delete_tag)");
        if (rc == 0 && vals[2]) {
            char *end;
            snap = strtoll(vals[2], &end, 10);
            if (*end || snap <= 0)
                rc = pmn_error_set(PMN_EINVALID,
                                   "sys.create_tag: snapshot_id must be a positive number, got "
                                   "'%s'",
                                   vals[2]);
        }
        if (rc == 0)
            rc = pmn_table_create_tag(t, vals[1], snap);
        if (rc == 0) {
            char *one[] = {(char *)"Success"};
            print_result(s, one, 1);
        }
    } else if (rc == 0 && !strcmp(p->name, "delete_tag")) {
        /* a comma-separated list, as Paimon accepts */
        char *names = pmn_xstrdup(vals[1]);
        for (char *tok = names, *next; rc == 0 && tok && *tok; tok = next) {
            next = strchr(tok, ',');
            if (next)
                *next++ = '\0';
            while (*tok == ' ')
                tok++;
            rc = pmn_table_delete_tag(t, tok);
        }
        free(names);
        if (rc == 0) {
            char *one[] = {(char *)"Success"};
            print_result(s, one, 1);
        }
    } else if (rc == 0 && !strcmp(p->name, "remove_orphan_files")) {
        /* older_than: local time 'yyyy-MM-dd HH:mm:ss'; default one day ago, as Paimon */
        int64_t age = 24LL * 3600 * 1000;
        if (vals[2] && strcasecmp(vals[2], "false") != 0)
            rc = pmn_error_set(PMN_EINVALID, "sys.remove_orphan_files: dry_run is not supported");
        if (rc == 0 && vals[1]) {
            int64_t when;
            rc = pmn_sql_local_to_millis(vals[1], &when);
            if (rc == 0) {
                age = (int64_t)time(NULL) * 1000 - when;
                if (age < 0)
                    age = 0;
            }
        }
        int64_t removed = 0;
        if (rc == 0)
            rc = pmn_table_remove_orphans(t, age, &removed);
        if (rc == 0) {
            snprintf(buf, sizeof buf, "%lld", (long long)removed);
            char *one[] = {buf};
            print_result(s, one, 1);
        }
    }
    for (int i = 0; i < tn.nparts; i++)
        free(tn.parts[i]);
    pmn_table_free(t);
    free(full);
    return rc;
}

/* ---- SET / RESET ---- */

static int exec_set(pmn_sql_session *s, const pmn_sql_stmt *st)
{
    if (st->noptions == 0) {
        pmn_sql_printer *p = pmn_sql_printer_new(s->format, s->out, s->max_width);
        const char *names[] = {"key", "value"};
        pmn_sql_printer_begin(p, 2, names, NULL);
        for (size_t i = 0; i < s->nopts; i++) {
            pmn_sql_cell c[2] = {
                {.kind = PMN_CELL_TEXT, .s = s->opt_keys[i], .n = strlen(s->opt_keys[i])},
                {.kind = PMN_CELL_TEXT, .s = s->opt_values[i], .n = strlen(s->opt_values[i])},
            };
            pmn_sql_printer_row(p, c);
        }
        pmn_sql_printer_end(p);
        pmn_sql_printer_free(p);
        return 0;
    }
    int rc = apply_option(s, st->options[0].key, st->options[0].value);
    if (rc)
        return rc;
    set_option(s, st->options[0].key, st->options[0].value);
    return 0;
}

static int exec_reset(pmn_sql_session *s, const pmn_sql_stmt *st)
{
    if (st->noptions == 0) {
        while (s->nopts) {
            apply_option(s, s->opt_keys[0], NULL);
            remove_option(s, s->opt_keys[0]);
        }
        return 0;
    }
    apply_option(s, st->options[0].key, NULL);
    remove_option(s, st->options[0].key);
    return 0;
}

/* ---- entry points ---- */

struct pmn_sql_prepared {
    vtabs vt;
};

int pmn_sql_session_prepare(pmn_sql_session *s, const char *select, sqlite3_stmt **stmt,
                            pmn_sql_prepared **handle)
{
    pmn_sql_stmt st;
    int rc = pmn_sql_stmt_parse(select, strlen(select), &st);
    if (rc)
        return rc;
    if (st.kind != PMN_STMT_QUERY) {
        pmn_sql_stmt_dispose(&st);
        return pmn_error_set(PMN_EINVALID, "pmn_sql_query runs a SELECT; use pmn_sql_exec for "
                                           "other statements");
    }
    pmn_sql_prepared *h = pmn_xcalloc(1, sizeof *h);
    rc = prepare_query(s, select, st.body_off, st.body_len, true, &h->vt, stmt);
    pmn_sql_stmt_dispose(&st);
    if (rc) {
        drop_vtabs(s, &h->vt);
        free(h);
        return rc;
    }
    *handle = h;
    return 0;
}

void pmn_sql_session_release(pmn_sql_session *s, sqlite3_stmt *stmt, pmn_sql_prepared *handle)
{
    sqlite3_finalize(stmt);
    if (handle) {
        drop_vtabs(s, &handle->vt);
        free(handle);
    }
}

int pmn_sql_session_new(FILE *out, FILE *err, pmn_sql_session **session)
{
    pmn_sql_session *s = pmn_xcalloc(1, sizeof *s);
    s->out = out;
    s->err = err;
    s->max_width = 30;
    const char *tz = getenv("TZ");
    s->orig_tz = tz ? pmn_xstrdup(tz) : NULL;
    if (sqlite3_open(":memory:", &s->db) != SQLITE_OK) {
        int rc = pmn_error_set(PMN_ERROR, "opening SQLite: %s", sqlite3_errmsg(s->db));
        sqlite3_close(s->db);
        free(s->orig_tz);
        free(s);
        return rc;
    }
    /* Flink's LIKE is case-sensitive; SQLite's is not by default */
    sqlite3_exec(s->db, "PRAGMA case_sensitive_like = ON", NULL, NULL, NULL);
    int rc = pmn_vtab_register(s->db, lookup_catalog, s, &s->stats);
    if (rc == 0)
        rc = pmn_sql_functions_register(s->db);
    if (rc) {
        sqlite3_close(s->db);
        free(s->orig_tz);
        free(s);
        return rc;
    }
    PMN_GROW(s->catalogs, s->capcatalogs, 1);
    memset(&s->catalogs[0], 0, sizeof s->catalogs[0]);
    s->catalogs[0].name = pmn_xstrdup(DEFAULT_CATALOG);
    s->catalogs[0].default_db = pmn_xstrdup(DEFAULT_DATABASE);
    s->ncatalogs = 1;
    s->current = 0;
    s->database = pmn_xstrdup(DEFAULT_DATABASE);
    s->exact = pmn_sql_exact_new();
    *session = s;
    return 0;
}

void pmn_sql_session_free(pmn_sql_session *s)
{
    if (!s)
        return;
    sqlite3_close(s->db);
    pmn_sql_exact_free(s->exact);
    for (size_t i = 0; i < s->ncatalogs; i++) {
        pmn_catalog_free(s->catalogs[i].cat);
        free(s->catalogs[i].name);
        free(s->catalogs[i].warehouse);
        free(s->catalogs[i].default_db);
    }
    free(s->catalogs);
    free(s->database);
    for (size_t i = 0; i < s->nopts; i++) {
        free(s->opt_keys[i]);
        free(s->opt_values[i]);
    }
    free(s->opt_keys);
    free(s->opt_values);
    apply_time_zone(s, NULL);
    free(s->orig_tz);
    free(s);
}

int pmn_sql_session_attach(pmn_sql_session *s, const char *name, const char *warehouse)
{
    pmn_sql_option opts[2] = {{(char *)"type", (char *)"paimon"},
                              {(char *)"warehouse", (char *)warehouse}};
    pmn_sql_stmt st;
    memset(&st, 0, sizeof st);
    st.kind = PMN_STMT_CREATE_CATALOG;
    st.name.parts[0] = (char *)name;
    st.name.nparts = 1;
    st.options = opts;
    st.noptions = 2;
    int rc = exec_create_catalog(s, &st);
    return rc ? rc : exec_use_catalog(s, name);
}

void pmn_sql_session_scan_stats(const pmn_sql_session *s, uint64_t *scans, uint64_t *files,
                                uint64_t *rows)
{
    *scans = s->stats.scans;
    *files = s->stats.files_read;
    *rows = s->stats.rows_read;
}

void pmn_sql_session_set_format(pmn_sql_session *s, pmn_sql_format format)
{
    s->format = format;
}

static int dispatch(pmn_sql_session *s, const pmn_sql_stmt *st, const char *text)
{
    switch (st->kind) {
    case PMN_STMT_QUERY:
        return exec_query(s, st, text);
    case PMN_STMT_EXPLAIN:
        return exec_explain(s, st, text);
    case PMN_STMT_CREATE_CATALOG:
        return exec_create_catalog(s, st);
    case PMN_STMT_DROP_CATALOG:
        return exec_drop_catalog(s, st);
    case PMN_STMT_USE_CATALOG:
        return exec_use_catalog(s, st->name.parts[0]);
    case PMN_STMT_USE_DATABASE:
        return exec_use_database(s, st);
    case PMN_STMT_SHOW_CATALOGS: {
        char **names = pmn_xcalloc(s->ncatalogs + 1, sizeof(char *));
        for (size_t i = 0; i < s->ncatalogs; i++)
            names[i] = s->catalogs[i].name;
        print_list(s, "catalog name", names, s->ncatalogs, true);
        free(names);
        return 0;
    }
    case PMN_STMT_SHOW_DATABASES:
        return exec_show_databases(s);
    case PMN_STMT_SHOW_TABLES:
        return exec_show_tables(s, st);
    case PMN_STMT_SHOW_CURRENT_CATALOG: {
        char *one[] = {s->catalogs[s->current].name};
        print_list(s, "current catalog name", one, 1, false);
        return 0;
    }
    case PMN_STMT_SHOW_CURRENT_DATABASE: {
        char *one[] = {s->database};
        print_list(s, "current database name", one, 1, false);
        return 0;
    }
    case PMN_STMT_SHOW_CREATE_TABLE:
        return exec_show_create_table(s, st);
    case PMN_STMT_CREATE_DATABASE:
        return exec_create_database(s, st);
    case PMN_STMT_DROP_DATABASE:
        return exec_drop_database(s, st);
    case PMN_STMT_DESCRIBE:
        return exec_describe(s, st);
    case PMN_STMT_SET:
        return exec_set(s, st);
    case PMN_STMT_RESET:
        return exec_reset(s, st);
    case PMN_STMT_CREATE_TABLE:
        return exec_create_table(s, st, text);
    case PMN_STMT_DROP_TABLE:
        return exec_drop_table(s, st);
    case PMN_STMT_ALTER_TABLE_SET:
    case PMN_STMT_ALTER_TABLE_RESET:
        return exec_alter_table(s, st);
    case PMN_STMT_ALTER_TABLE_ADD:
    case PMN_STMT_ALTER_TABLE_MODIFY:
    case PMN_STMT_ALTER_TABLE_DROP:
    case PMN_STMT_ALTER_TABLE_RENAME:
        return exec_alter_columns(s, st, text);
    case PMN_STMT_INSERT:
        return exec_insert(s, st, text);
    case PMN_STMT_DELETE:
        return exec_delete(s, st, text);
    case PMN_STMT_UPDATE:
        return exec_update(s, st, text);
    case PMN_STMT_CALL:
        return exec_call(s, st);
    }
    return pmn_error_set(PMN_ERROR, "unhandled statement kind %d", (int)st->kind);
}

/* Statements that print "[INFO] Execute statement succeed." when they succeed. */
static bool prints_info(const pmn_sql_stmt *st)
{
    switch (st->kind) {
    case PMN_STMT_CREATE_CATALOG:
    case PMN_STMT_DROP_CATALOG:
    case PMN_STMT_USE_CATALOG:
    case PMN_STMT_USE_DATABASE:
    case PMN_STMT_CREATE_DATABASE:
    case PMN_STMT_DROP_DATABASE:
    case PMN_STMT_RESET:
    case PMN_STMT_CREATE_TABLE:
    case PMN_STMT_DROP_TABLE:
    case PMN_STMT_ALTER_TABLE_SET:
    case PMN_STMT_ALTER_TABLE_RESET:
    case PMN_STMT_ALTER_TABLE_ADD:
    case PMN_STMT_ALTER_TABLE_MODIFY:
    case PMN_STMT_ALTER_TABLE_DROP:
    case PMN_STMT_ALTER_TABLE_RENAME:
        return true;
    case PMN_STMT_SET:
        return st->noptions > 0;
    default:
        return false;
    }
}

int pmn_sql_session_execute(pmn_sql_session *s, const char *text, size_t len)
{
    pmn_sql_stmt st;
    /* the parsers expect the statement's own text: copy it to a terminated string */
    char *copy = pmn_xstrndup(text, len);
    pmn_error_clear();
    memset(&s->stats, 0, sizeof s->stats);
    int rc = pmn_sql_stmt_parse(copy, len, &st);
    if (rc == 0) {
        pmn_sql_exact *prev = pmn_sql_exact_use(s->exact);
        rc = dispatch(s, &st, copy);
        pmn_sql_exact_use(prev);
        pmn_sql_exact_reset(s->exact);
        if (rc == 0 && prints_info(&st))
            info(s, "Execute statement succeed.");
        else if (rc == 0 && (st.kind == PMN_STMT_INSERT || st.kind == PMN_STMT_DELETE ||
                             st.kind == PMN_STMT_UPDATE))
            info(s, "Complete execution of the SQL update statement.");
        pmn_sql_stmt_dispose(&st);
    }
    if (rc)
        report_error(s, pmn_error_last());
    free(copy);
    return rc;
}

int pmn_sql_session_run_script(pmn_sql_session *s, const char *text, size_t len, int *first_error)
{
    size_t pos = 0, start, end;
    int failed = 0;
    *first_error = 0;
    for (;;) {
        int k = pmn_sql_split_next(text, len, &pos, &start, &end);
        if (k == 0)
            break;
        int rc = pmn_sql_session_execute(s, text + start, end - start);
        if (rc) {
            failed++;
            if (!*first_error)
                *first_error = rc;
        }
        if (k < 0)
            break;
    }
    return failed;
}
