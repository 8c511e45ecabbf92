/*
 * src/util/error.c
 *
 * Thread-local last-error storage; see error.h.
 */
#include "util/error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PMN_ERROR_MAX 2048

static _Thread_local char last_message[PMN_ERROR_MAX];
static _Thread_local int last_code;
static _Thread_local char last_sqlstate[6];

const char *pmn_error_last(void)
{
    return last_message;
}

int pmn_error_code(void)
{
    return last_code;
}

const char *pmn_error_sqlstate(void)
{
    return last_sqlstate;
}

int pmn_error_set(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_message, sizeof last_message, fmt, ap);
    va_end(ap);
    last_code = code;
    last_sqlstate[0] = '\0';
    return code;
}

int pmn_error_set_errno(const char *fmt, ...)
{
    int saved = errno;
    char what[PMN_ERROR_MAX / 2];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    snprintf(last_message, sizeof last_message, "%.1000s: %.900s", what, strerror(saved));
    last_code = PMN_EIO;
    last_sqlstate[0] = '\0';
    return PMN_EIO;
}

int pmn_error_wrap(const char *fmt, ...)
{
    char prefix[PMN_ERROR_MAX];
    char old[PMN_ERROR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    memcpy(old, last_message, sizeof old);
    size_t plen = strlen(prefix);
    size_t olen = strnlen(old, sizeof old - 1);
    if (plen > sizeof last_message - 1)
        plen = sizeof last_message - 1;
    if (olen > sizeof last_message - 1 - plen)
        olen = sizeof last_message - 1 - plen;
    memcpy(last_message, prefix, plen);
    memcpy(last_message + plen, old, olen);
    last_message[plen + olen] = '\0';
    if (last_code == PMN_OK)
        last_code = PMN_ERROR;
    return last_code;
}

void pmn_error_set_sqlstate(const char *sqlstate)
{
    snprintf(last_sqlstate, sizeof last_sqlstate, "%s", sqlstate ? sqlstate : "");
}

void pmn_error_clear(void)
{
    last_message[0] = '\0';
    last_code = PMN_OK;
    last_sqlstate[0] = '\0';
}

void pmn_assert_fail(const char *expr, const char *file, int line)
{
    fprintf(stderr, "pgpaimon: internal error: assertion \"%s\" failed at %s:%d\n", expr, file,
            line);
    abort();
}
