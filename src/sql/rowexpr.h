/*
 * src/sql/rowexpr.h
 *
 * Expressions over one row, evaluated by SQLite's expression engine: the
 * sync actions' --computed_column 'name=expression'. The row's columns are
 * visible by name; Paimon's computed-column functions (peers.md §1.4: year,
 * month, day, hour, minute, second, date_format, now, substring, truncate,
 * cast, upper, lower, trim) are registered on top of SQLite's own, so both
 * `year(created_at)` and the guide's `CASE WHEN price < 50 THEN 'budget' ...
 * END` work.
 */
#ifndef PMN_SQL_ROWEXPR_H
#define PMN_SQL_ROWEXPR_H

#include "change/datum.h"
#include "util/arena.h"

typedef struct pmn_rowexpr pmn_rowexpr;

/* pmn_rowexpr_compile: compile `expr` over the columns of `row`. *result_type (owned by the
 * expression) is the Paimon type of the value: INT for year()..second(), TIMESTAMP_LTZ(3) for
 * now(), the argument's type for truncate(), the named type for cast(v, 'TYPE'), else STRING.
 * PMN_EINVALID names the column and the position of a syntax error. */
int pmn_rowexpr_compile(const char *name, const char *expr, const pmn_type *row,
                        pmn_rowexpr **out);
const pmn_type *pmn_rowexpr_type(const pmn_rowexpr *e);
/* pmn_rowexpr_eval: evaluate on one row (datums of `row`); strings land in arena a. */
int pmn_rowexpr_eval(pmn_rowexpr *e, const pmn_datum *row, pmn_arena *a, pmn_datum *out);
void pmn_rowexpr_free(pmn_rowexpr *e);

#endif
