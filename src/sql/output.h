/*
 * src/sql/output.h
 *
 * How `pgpaimon sql` prints a result set, in one of three formats:
 *
 *  - tableau (the Flink SQL client's default, org.apache.flink.table.utils.print.TableauStyle):
 *      +------------+-------+
 *      | product_id | price |
 *      +------------+-------+
 *      |   prod_001 | 99.99 |
 *      +------------+-------+
 *      1 row in set
 *    every cell right-aligned, columns as wide as their widest value (at most
 *    max_width characters, longer values cut and ended with "..."), NULL shown
 *    as <NULL>, "Empty set" when there are no rows;
 *  - csv: a header line, then RFC 4180 rows (NULL is an empty field);
 *  - json: JSON Lines, one object per row keyed by column name, values as
 *    `pgpaimon table scan` writes them (DECIMAL as a string with its scale,
 *    BOOLEAN true/false, TIMESTAMP "YYYY-MM-DDTHH:MM:SS[.f]", BYTES base64,
 *    ARRAY/MAP/ROW as nested JSON, NULL null).
 *
 * Cells arrive as SQLite gives them (integer, real, text, blob) with the
 * column's Paimon type when the column comes straight from a lake table; the
 * type decides the rendering: BOOLEAN 1 → TRUE, DECIMAL(p,s) → exactly s
 * decimals (exact digits beyond 15 from the thread's pmn_sql_exact registry,
 * sql/value.h), DOUBLE → Java's Double.toString form (5.0, 1.0E7), FLOAT → Java's
 * Float.toString. Without a type (an expression such as SUM(price)),
 * integers print as integers and reals as DOUBLE with the fewest digits within
 * a relative 1e-11 of the value (4296.69, not 4296.689999999996). Nested values (JSON text from the
 * vtab) print as Flink casts them to STRING in tableau and CSV output: ARRAY
 * [a, b], MAP {k=v}, ROW (a, b); JSON output keeps them as JSON. Pure: writes
 * to a FILE the caller owns.
 */
#ifndef PMN_SQL_OUTPUT_H
#define PMN_SQL_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef enum pmn_sql_format {
    PMN_SQL_TABLEAU,
    PMN_SQL_CSV,
    PMN_SQL_JSON,
} pmn_sql_format;

typedef enum pmn_sql_cell_kind {
    PMN_CELL_NULL,
    PMN_CELL_INT,
    PMN_CELL_REAL,
    PMN_CELL_TEXT,
    PMN_CELL_BLOB,
} pmn_sql_cell_kind;

/* One value of a result row; text and blob bytes are borrowed for the call. */
typedef struct pmn_sql_cell {
    pmn_sql_cell_kind kind;
    int64_t i;     /* PMN_CELL_INT */
    double f;      /* PMN_CELL_REAL */
    const char *s; /* PMN_CELL_TEXT / PMN_CELL_BLOB bytes */
    size_t n;      /* their length */
} pmn_sql_cell;

typedef struct pmn_sql_printer pmn_sql_printer;

/* pmn_sql_printer_new: a printer writing to `out` (borrowed). max_width bounds tableau columns
 * (Flink's sql-client.display.max-column-width, default 30). Free with pmn_sql_printer_free. */
pmn_sql_printer *pmn_sql_printer_new(pmn_sql_format format, FILE *out, int max_width);
/* pmn_sql_printer_begin: start a result with ncols columns; types[i] is the column's Paimon type
 * ("DECIMAL(10, 2)", "BOOLEAN", ...) or NULL. Names and types are copied. */
void pmn_sql_printer_begin(pmn_sql_printer *p, size_t ncols, const char *const *names,
                           const char *const *types);
/* pmn_sql_printer_row: one row of ncols cells (copied or printed at once). */
void pmn_sql_printer_row(pmn_sql_printer *p, const pmn_sql_cell *cells);
/* pmn_sql_printer_end: finish the result (tableau prints the table and "N rows in set").
 * Returns the number of rows. */
uint64_t pmn_sql_printer_end(pmn_sql_printer *p);
/* pmn_sql_printer_free: free the printer (NULL is fine); rows not yet ended are dropped. */
void pmn_sql_printer_free(pmn_sql_printer *p);

/* pmn_sql_format_double: Java's Double.toString (as_float=false) or Float.toString form of v
 * into buf (at least 32 bytes). */
void pmn_sql_format_double(double v, bool as_float, char *buf, size_t size);
/* pmn_sql_cell_text: the tableau text of a cell of Paimon type `type` (NULL = unknown).
 * Caller frees. */
char *pmn_sql_cell_text(const char *type, const pmn_sql_cell *c);

#endif
