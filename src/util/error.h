/*
 * src/util/error.h
 *
 * Thread-local last error (libgit2 style). The first failure site records a
 * message with pmn_error_set(); layers that add context prefix it with
 * pmn_error_wrap(); a layer that handles the error clears it.
 */
#ifndef PMN_UTIL_ERROR_H
#define PMN_UTIL_ERROR_H

#include "pmn/common.h"

#if defined(__GNUC__)
#define PMN_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define PMN_PRINTF(a, b)
#endif

/* pmn_error_set: record code and message; returns code so callers can `return pmn_error_set(...)`. */
int pmn_error_set(int code, const char *fmt, ...) PMN_PRINTF(2, 3);
/* pmn_error_wrap: prefix the current message with context; returns the current code. */
int pmn_error_wrap(const char *fmt, ...) PMN_PRINTF(1, 2);
/* pmn_error_set_errno: record PMN_EIO with "<what>: strerror(errno)". */
int pmn_error_set_errno(const char *fmt, ...) PMN_PRINTF(1, 2);
void pmn_error_set_sqlstate(const char *sqlstate);
void pmn_error_clear(void);

#define PMN_ASSERT(cond)                                                                           \
    do {                                                                                           \
        if (!(cond))                                                                               \
            pmn_assert_fail(#cond, __FILE__, __LINE__);                                            \
    } while (0)
_Noreturn void pmn_assert_fail(const char *expr, const char *file, int line);

#endif
