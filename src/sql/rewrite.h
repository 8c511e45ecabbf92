/*
 * src/sql/rewrite.h
 *
 * Turns a Flink SQL query into SQLite SQL over `paimon` virtual tables
 * (sql/vtab.c). Pure text-to-text: no catalog access, no SQLite calls.
 *
 * What changes:
 *  - a table reference after FROM / JOIN / `,` in a FROM list — `t`, `db.t`,
 *    `catalog.db.t`, `t$snapshots` (also `t\$snapshots` as a quoted heredoc
 *    leaves it) — becomes `"<vtab>" AS "<alias>"`; the alias defaults to the
 *    table's own name so `t.col` keeps working. Its time travel
 *    (`FOR SYSTEM_TIME AS OF TIMESTAMP '...'`) and OPTIONS(...) hint comments
 *    (scan.snapshot-id, scan.timestamp-millis, scan.timestamp,
 *    scan.tag-name) are recorded in the reference and folded into the vtab name,
 *    so each distinct (table, snapshot choice) is one virtual table;
 *  - `backquoted` identifiers become "double-quoted";
 *  - typed literals TIMESTAMP '...', DATE '...', TIME '...' become plain
 *    strings (the vtab presents those types as ISO text);
 *  - CAST(x AS <Flink type>) uses the matching SQLite type (TEXT, INTEGER,
 *    REAL, BLOB); CAST(x AS DOUBLE | FLOAT | REAL) becomes pmn_to_double(x),
 *    which reads 'NaN' and 'Infinity' as Flink does;
 *  - element access x[i] (ARRAY, 1-based) and m[k] (MAP) becomes
 *    pmn_item(x, i), x being a column, call, (expr), literal or another x[i];
 *  - JSON_VALUE / JSON_QUERY / JSON_EXISTS become pmn_json_* calls whose
 *    RETURNING, ON EMPTY, ON ERROR and WRAPPER clauses are string arguments
 *    (sql/jsonfn.h);
 *  - a number literal of more than 15 significant digits becomes
 *    pmn_decimal('digits') so its exact value reaches INSERT and output;
 *  - ARRAY[a, b] → json_array(a, b), MAP[k, v] → json_object(k, v),
 *    ROW(a, b) → json_array(a, b): nested values travel as JSON text, which
 *    the INSERT path converts to the column's type and the vtab produces;
 *  - Flink functions SQLite spells differently: IF → iif, CHAR_LENGTH /
 *    CHARACTER_LENGTH → length, LISTAGG → group_concat (CONCAT and the
 *    others are registered as SQL functions by the session);
 *  - CURRENT_TIMESTAMP / LOCALTIMESTAMP / CURRENT_DATE / CURRENT_TIME give
 *    local time (SQLite's keywords give UTC);
 *  - in the outermost SELECT list, an expression without an alias gets Flink's
 *    column name "EXPR$<position>".
 */
#ifndef PMN_SQL_REWRITE_H
#define PMN_SQL_REWRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One lake table referenced by the query. */
typedef struct pmn_sql_tref {
    char *catalog;            /* resolved name (owned); NULL if no current catalog */
    char *database;           /* resolved name (owned); NULL if no current database */
    char *table;              /* table name without the $system suffix (owned) */
    char *system;             /* "snapshots", "schemas", ... or NULL for the data (owned) */
    int64_t snapshot_id;      /* > 0: scan.snapshot-id */
    int64_t timestamp_millis; /* > 0: scan.timestamp-millis */
    int64_t file_creation_millis; /* > 0: scan.file-creation-time-millis */
    char *mode;               /* scan.mode (owned) or NULL */
    char *timestamp_text; /* FOR SYSTEM_TIME AS OF TIMESTAMP / scan.timestamp: local time text */
    char *tag;            /* scan.tag-name (owned) or NULL */
    char *vtab;           /* the virtual table's name (owned, unquoted) */
    size_t off;           /* byte offset of the name in the query text */
    int nparts;           /* how many name parts the user wrote (1..3) */
} pmn_sql_tref;

typedef struct pmn_sql_rewrite {
    char *sql;          /* the SQLite text (owned) */
    pmn_sql_tref *refs; /* distinct by vtab name (owned) */
    size_t nrefs;
    size_t *map_out; /* map_out[i] = offset in sql where source piece i starts */
    size_t *map_in;  /* map_in[i] = offset of that piece in the source text */
    size_t nmap;
} pmn_sql_rewrite;

/* pmn_sql_rewrite_query: rewrite text[0..len). catalog and database name the current ones
 * (either may be NULL). name_exprs adds the EXPR$n aliases. On a malformed time-travel
 * clause or hint returns PMN_EINVALID with the position in the message. The caller disposes
 * *out on success. */
int pmn_sql_rewrite_query(const char *text, size_t len, const char *catalog, const char *database,
                          bool name_exprs, pmn_sql_rewrite *out);
/* pmn_sql_rewrite_query_at: the same for text[start..start+len) of a longer statement;
 * offsets (error positions, references, the offset map) count from the start of text. */
int pmn_sql_rewrite_query_at(const char *text, size_t start, size_t len, const char *catalog,
                             const char *database, bool name_exprs, pmn_sql_rewrite *out);
/* pmn_sql_rewrite_source_offset: the source offset that produced output offset `out_off`. */
size_t pmn_sql_rewrite_source_offset(const pmn_sql_rewrite *r, size_t out_off);
/* pmn_sql_rewrite_dispose: free the SQL text, references and offset map; r is zeroed. */
void pmn_sql_rewrite_dispose(pmn_sql_rewrite *r);

#endif
