/*
 * src/sql/auditlog.h
 *
 * The rows of the system table t$audit_log in a batch read, as Java Paimon 0.9
 * computes them (org.apache.paimon.table.system.AuditLogTable): the table's
 * batch scan of one snapshot, merged by key, but read with forceKeepDelete,
 * so a key whose latest record is a -D or -U still appears, with that row
 * kind. Each row is the row kind ('+I', '-U', '+U', '-D') followed by the
 * table's columns. Java reads the changelog only for a streaming read of
 * $audit_log; a batch read (what `pgpaimon sql` runs) reads the data files,
 * whatever changelog-producer says. Rows of append tables are all '+I'.
 */
#ifndef PMN_SQL_AUDITLOG_H
#define PMN_SQL_AUDITLOG_H

#include "pmn/table.h"

typedef struct pmn_audit_scan pmn_audit_scan;

/* pmn_audit_open: plan the read of t at the snapshot opts picks (id, timestamp or tag;
 * projection and filters are ignored). Errors as pmn_scan_open's. Free with pmn_audit_free. */
int pmn_audit_open(pmn_table *t, const pmn_scan_options *opts, pmn_audit_scan **out);
/* pmn_audit_next: the next row: *kind and *row (a datum per field of t's current row type,
 * borrowed until the next call). PMN_ITEROVER at the end. */
int pmn_audit_next(pmn_audit_scan *s, pmn_row_kind *kind, const pmn_datum **row);
/* pmn_audit_kind_text: "+I", "-U", "+U" or "-D" (Java's RowKind.shortString). */
const char *pmn_audit_kind_text(pmn_row_kind kind);
void pmn_audit_free(pmn_audit_scan *s);

#endif
