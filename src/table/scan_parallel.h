/*
 * src/table/scan_parallel.h
 *
 * Parallel batch read (pmn_scan_options.threads): a scan's (partition, bucket)
 * groups are split over parts (scans of their own, scan.c), each read by one
 * thread. Threads start at the first row or count asked for. For rows, a
 * thread applies the row filters and copies the rows that pass (projected
 * columns only) into batches that the caller's thread hands out one row at a
 * time; for a count it only counts, so nothing is copied.
 */
#ifndef PMN_TABLE_SCAN_PARALLEL_H
#define PMN_TABLE_SCAN_PARALLEL_H

#include "pmn/table.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct pmn_scan_par pmn_scan_par;

/* pmn_scan_next_local: pmn_scan_next of one part, in the calling thread (scan.c). */
int pmn_scan_next_local(pmn_scan *s, const pmn_datum **row);

/* pmn_scan_par_new: take ownership of the parts (freed with pmn_scan_free). `row` (the
 * table's row type) and `projected` (per column: copy it) are borrowed for the reader's
 * life. */
pmn_scan_par *pmn_scan_par_new(pmn_scan **parts, size_t nparts, const pmn_type *row,
                               const bool *projected);
/* pmn_scan_par_next: the next row of any part; borrowed until the next call. PMN_ITEROVER
 * at the end; a part's error (its message) otherwise. */
int pmn_scan_par_next(pmn_scan_par *p, const pmn_datum **row);
/* pmn_scan_par_count: the rows not yet returned, counted by the parts' threads. */
int pmn_scan_par_count(pmn_scan_par *p, int64_t *count);
/* pmn_scan_par_stats: files opened, rows and Avro blocks decoded by the parts so far. */
void pmn_scan_par_stats(const pmn_scan_par *p, uint64_t *files, uint64_t *rows,
                        uint64_t *blocks);
/* pmn_scan_par_free: stop the threads, wait for them, free the parts. NULL is a no-op. */
void pmn_scan_par_free(pmn_scan_par *p);

#endif
