/*
 * include/pmn/common.h
 *
 * Error codes and the thread-local last-error message shared by every public
 * function of libpmn. Fallible functions return 0 on success and a negative
 * PMN_E* code on failure; pmn_error_last() then holds a one-line message that
 * names the cause (and, for user errors, the fix).
 */
#ifndef PMN_COMMON_H
#define PMN_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    PMN_OK = 0,
    PMN_ERROR = -1,     /* generic / internal */
    PMN_ENOTFOUND = -2, /* snapshot, schema, table or file absent */
    PMN_EEXISTS = -3,   /* table exists, snapshot id taken */
    PMN_ECONFLICT = -4, /* lost a commit race */
    PMN_ECORRUPT = -5,  /* malformed JSON / Avro / pgoutput */
    PMN_EIO = -6,       /* file-system error */
    PMN_ECONN = -7,     /* PostgreSQL connection lost */
    PMN_EINVALID = -8,  /* bad user input, config or unsupported type */
    PMN_EPG = -9,       /* PostgreSQL reported an error (not a connection loss) */
    PMN_ITEROVER = -31, /* end of iteration, not an error */
};

/* pmn_error_last: the message of the last failure on this thread ("" if none). Borrowed. */
const char *pmn_error_last(void);
/* pmn_error_code: the code recorded with that message (PMN_OK if none). */
int pmn_error_code(void);
/* pmn_error_sqlstate: SQLSTATE of the last PostgreSQL error on this thread ("" if none). */
const char *pmn_error_sqlstate(void);

#endif
