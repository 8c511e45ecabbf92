/*
 * src/util/clock.h
 *
 * Wall-clock and monotonic time in milliseconds, and random UUIDs for the
 * names of Paimon files (data-<uuid>-<n>, manifest-<uuid>-<n>, ...).
 */
#ifndef PMN_UTIL_CLOCK_H
#define PMN_UTIL_CLOCK_H

#include <stdint.h>

/* pmn_now_millis: epoch milliseconds (UTC). */
int64_t pmn_now_millis(void);
/* pmn_local_now_millis: local wall-clock time encoded as if it were UTC (Java's
 * LocalDateTime.now() stored as a TIMESTAMP, e.g. DataFileMeta._CREATION_TIME). */
int64_t pmn_local_now_millis(void);
/* pmn_monotonic_millis: a clock that never goes back, for intervals. */
int64_t pmn_monotonic_millis(void);
/* pmn_uuid4: a random version-4 UUID, lowercase with dashes, into out[37]. */
void pmn_uuid4(char out[37]);

#endif
