/*
 * src/sync/run.h
 *
 * One sync job: `pgpaimon postgres_sync_table` / `postgres_sync_database`
 * from arguments to a running stream. See run.c for the steps.
 */
#ifndef PMN_SYNC_RUN_H
#define PMN_SYNC_RUN_H

#include "sync/config.h"

#include <signal.h>

/* pmn_sync_run: run until *stop becomes non-zero (then finish the open transaction, commit,
 * confirm and return 0) or a fatal error. Connection losses are retried with backoff. */
int pmn_sync_run(const pmn_sync_config *cfg, volatile sig_atomic_t *stop);

#endif
