/*
 * src/change/widen.c
 *
 * Widening conversions; see widen.h.
 */
#include "change/widen.h"

static bool is_integer(pmn_type_root r)
{
    return r == PMN_TYPE_TINYINT || r == PMN_TYPE_SMALLINT || r == PMN_TYPE_INT ||
           r == PMN_TYPE_BIGINT;
}

void pmn_datum_widen(const pmn_type *from, const pmn_type *to, pmn_datum *d)
{
    if (d->is_null || !from || !to)
        return;
    if (from->root == PMN_TYPE_FLOAT && to->root == PMN_TYPE_DOUBLE) {
        d->v.f8 = (double)d->v.f4;
    } else if (is_integer(from->root) && to->root == PMN_TYPE_DOUBLE) {
        d->v.f8 = (double)d->v.i;
    } else if (is_integer(from->root) && to->root == PMN_TYPE_DECIMAL) {
        pmn_i128 v = d->v.i;
        for (int i = 0; i < to->scale; i++)
            v *= 10;
        d->v.dec = v;
    } else if (from->root == PMN_TYPE_DECIMAL && to->root == PMN_TYPE_DECIMAL) {
        for (int i = from->scale; i < to->scale; i++)
            d->v.dec *= 10;
    }
}
