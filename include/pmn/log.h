/*
 * include/pmn/log.h
 *
 * The log sink hook of libpmn. The library calls the installed sink for every
 * message at or above the configured level; without a sink nothing is logged.
 */
#ifndef PMN_LOG_H
#define PMN_LOG_H

typedef enum pmn_log_level {
    PMN_LOG_ERROR = 0,
    PMN_LOG_WARN,
    PMN_LOG_INFO,
    PMN_LOG_NOTICE,
    PMN_LOG_DEBUG,
    PMN_LOG_TRACE,
} pmn_log_level;

typedef void (*pmn_log_sink)(pmn_log_level level, const char *file, int line, const char *msg,
                             void *ctx);

void pmn_log_set_sink(pmn_log_sink sink, void *ctx);
void pmn_log_set_level(pmn_log_level level);
pmn_log_level pmn_log_get_level(void);
/* pmn_log_stderr_sink: a ready-made sink: "2026-01-01 12:00:00 INFO  message" on stderr. */
void pmn_log_stderr_sink(pmn_log_level level, const char *file, int line, const char *msg,
                         void *ctx);

#endif
