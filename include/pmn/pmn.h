/*
 * include/pmn/pmn.h
 *
 * Umbrella header of libpmn, the library under pgpaimon.
 */
#ifndef PMN_PMN_H
#define PMN_PMN_H

#include "pmn/common.h"
#include "pmn/log.h"
#include "pmn/types.h"
#include "pmn/catalog.h"
#include "pmn/table.h"
#include "pmn/sql.h"

#endif
