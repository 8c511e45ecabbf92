/*
 * src/sync/status.h
 *
 * Operations commands: `pgpaimon status` (replication slots and WAL they
 * retain; synced lake tables with their stored source position and lag) and
 * `pgpaimon drop_slot`.
 */
#ifndef PMN_SYNC_STATUS_H
#define PMN_SYNC_STATUS_H

#include "paimon/options.h"
#include "util/buf.h"

/* pmn_sync_status: append the report to out. postgres_conf: hostname, port, username, password,
 * database-name; warehouse may be NULL (slots only). */
int pmn_sync_status(const pmn_options *postgres_conf, const char *warehouse, pmn_buf *out);
/* pmn_sync_drop_slot: drop a replication slot; refuses an active one, naming its process. */
int pmn_sync_drop_slot(const pmn_options *postgres_conf, const char *slot);

#endif
