/*
 * src/util/log.c
 *
 * Level filter and sink dispatch; see log.h.
 */
#include "util/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static pmn_log_sink current_sink;
static void *current_ctx;
static pmn_log_level current_level = PMN_LOG_INFO;

void pmn_log_set_sink(pmn_log_sink sink, void *ctx)
{
    current_sink = sink;
    current_ctx = ctx;
}

void pmn_log_set_level(pmn_log_level level)
{
    current_level = level;
}

pmn_log_level pmn_log_get_level(void)
{
    return current_level;
}

void pmn_log_at(pmn_log_level level, const char *file, int line, const char *fmt, ...)
{
    if (!current_sink || level > current_level)
        return;
    char msg[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    current_sink(level, file, line, msg, current_ctx);
}

void pmn_log_stderr_sink(pmn_log_level level, const char *file, int line, const char *msg,
                         void *ctx)
{
    static const char *names[] = {"ERROR", "WARN", "INFO", "NOTICE", "DEBUG", "TRACE"};
    static const char *colours[] = {"\033[31m", "\033[33m", "\033[32m", "\033[36m", "\033[90m",
                                    "\033[90m"};
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    char stamp[32];
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &tm);
    int tty = isatty(2);
    pthread_mutex_lock(&lock);
    if (tty)
        fprintf(stderr, "%s %s%-6s\033[0m %s\n", stamp, colours[level], names[level], msg);
    else if (level >= PMN_LOG_DEBUG)
        fprintf(stderr, "%s %-6s %s (%s:%d)\n", stamp, names[level], msg, file, line);
    else
        fprintf(stderr, "%s %-6s %s\n", stamp, names[level], msg);
    pthread_mutex_unlock(&lock);
}
