/*
 * src/util/log.h
 *
 * Library logging goes through a sink the application installs; the default
 * sink is off, so the library never writes to stdout/stderr by itself.
 */
#ifndef PMN_UTIL_LOG_H
#define PMN_UTIL_LOG_H

#include "pmn/log.h"

void pmn_log_at(pmn_log_level level, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#define pmn_log_error(...) pmn_log_at(PMN_LOG_ERROR, __FILE__, __LINE__, __VA_ARGS__)
#define pmn_log_warn(...) pmn_log_at(PMN_LOG_WARN, __FILE__, __LINE__, __VA_ARGS__)
#define pmn_log_info(...) pmn_log_at(PMN_LOG_INFO, __FILE__, __LINE__, __VA_ARGS__)
#define pmn_log_debug(...) pmn_log_at(PMN_LOG_DEBUG, __FILE__, __LINE__, __VA_ARGS__)
#define pmn_log_trace(...) pmn_log_at(PMN_LOG_TRACE, __FILE__, __LINE__, __VA_ARGS__)

#endif
