/*
 * src/change/types.h
 *
 * The type model lives in the public header include/pmn/types.h; this file
 * keeps the internal include path stable.
 */
#ifndef PMN_CHANGE_TYPES_H
#define PMN_CHANGE_TYPES_H

#include "pmn/types.h"

#endif
