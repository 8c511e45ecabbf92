/*
 * src/change/datum.h
 *
 * Operations on pmn_datum (defined in include/pmn/types.h): ordering, copy,
 * and the JSON form `pgpaimon table scan` prints.
 */
#ifndef PMN_CHANGE_DATUM_H
#define PMN_CHANGE_DATUM_H

#include "pmn/types.h"
#include "util/arena.h"
#include "util/buf.h"

#include <stdbool.h>
#include <stdint.h>

static inline pmn_datum pmn_datum_null(void)
{
    pmn_datum d = {.is_null = true};
    return d;
}

static inline pmn_datum pmn_datum_int(int64_t i)
{
    pmn_datum d = {.is_null = false};
    d.v.i = i;
    return d;
}

static inline pmn_datum pmn_datum_str(const char *s, uint32_t len)
{
    pmn_datum d = {.is_null = false};
    d.v.bin.ptr = (const uint8_t *)s;
    d.v.bin.len = len;
    return d;
}

/* pmn_datum_compare: <0, 0, >0 ordering as Paimon sorts keys (nulls first; strings and
 * bytes unsigned-lexicographic; numbers natural order; NaN last). */
int pmn_datum_compare(const pmn_type *type, const pmn_datum *a, const pmn_datum *b);
bool pmn_datum_equal(const pmn_type *type, const pmn_datum *a, const pmn_datum *b);
/* pmn_datum_copy: deep copy of d (strings, nested items) into arena a. */
void pmn_datum_copy(const pmn_type *type, const pmn_datum *d, pmn_datum *out, pmn_arena *a);
/* pmn_datum_to_json: append d as JSON in the `pgpaimon table scan` format
 * (issue 3 §9: DECIMAL as string with its scale, BYTES base64, DATE YYYY-MM-DD, ...). */
void pmn_datum_to_json(const pmn_type *type, const pmn_datum *d, pmn_buf *out);
/* pmn_row_to_json: {"name": value, ...} for the fields of a ROW type. */
void pmn_row_to_json(const pmn_type *row, const pmn_datum *vals, pmn_buf *out);

#endif
