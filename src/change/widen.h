/*
 * src/change/widen.h
 *
 * Reading a value written as one type as a wider type (schema evolution:
 * INT -> BIGINT, FLOAT -> DOUBLE, DECIMAL(p,s) -> DECIMAL(p2,s2>s), ...).
 */
#ifndef PMN_CHANGE_WIDEN_H
#define PMN_CHANGE_WIDEN_H

#include "pmn/types.h"

/* pmn_datum_widen: convert d in place from type `from` to the wider type `to`. Types with the
 * same representation (integers, strings, timestamps of any precision) need nothing. */
void pmn_datum_widen(const pmn_type *from, const pmn_type *to, pmn_datum *d);

#endif
