# A table whose scan.mode is from-file-creation-time (or whose only start option is
# scan.file-creation-time-millis) is read in batch as Java's FileCreationTimeStartingScanner
# does: the latest snapshot's files created at or after the bound. A query naming a snapshot
# reads that snapshot whole. COUNT(*), t$audit_log and `pgpaimon table scan` read the same
# files.
set -u
"$PGPAIMON" sql --warehouse /tmp/paimon <<'SQL'
CREATE TABLE t (id INT NOT NULL, v STRING, PRIMARY KEY (id) NOT ENFORCED) WITH ('bucket' = '1');
INSERT INTO t VALUES (1, 'old'), (2, 'old');
SQL
sleep 1.1
bound=$(date +%s%3N)
sleep 0.1
"$PGPAIMON" sql --warehouse /tmp/paimon <<SQL
INSERT INTO t VALUES (3, 'new');
ALTER TABLE t SET ('scan.mode' = 'from-file-creation-time', 'scan.file-creation-time-millis' = '$bound');
SELECT * FROM t;
SELECT COUNT(*) AS n FROM t;
SELECT COUNT(*) AS n FROM t WHERE id > 0;
SELECT rowkind, id FROM \`t\$audit_log\`;
SELECT * FROM t /*+ OPTIONS('scan.snapshot-id' = '1') */ ORDER BY id;
SQL
# the CLI's batch read takes the same mode
"$PGPAIMON" table scan --warehouse /tmp/paimon default.t
"$PGPAIMON" sql --warehouse /tmp/paimon <<SQL
ALTER TABLE t RESET ('scan.mode');
SELECT COUNT(*) AS n FROM t;
ALTER TABLE t RESET ('scan.file-creation-time-millis');
SELECT COUNT(*) AS n FROM t;
-- the same through hints
SELECT * FROM t /*+ OPTIONS('scan.file-creation-time-millis' = '$bound') */;
SELECT COUNT(*) AS n FROM t /*+ OPTIONS('scan.mode' = 'from-file-creation-time', 'scan.file-creation-time-millis' = '$bound') */;
SELECT COUNT(*) AS n FROM t /*+ OPTIONS('scan.mode' = 'compacted-full') */;
SELECT COUNT(*) AS n FROM t /*+ OPTIONS('scan.mode' = 'from-file-creation-time') */;
SELECT * FROM t /*+ OPTIONS('scan.mode' = 'incremental') */;
SELECT * FROM t /*+ OPTIONS('scan.snapshot-id' = '1', 'scan.file-creation-time-millis' = '$bound') */;
SELECT * FROM t /*+ OPTIONS('scan.mode' = 'compacted-full', 'scan.file-creation-time-millis' = '$bound') */;
SQL
echo "exit status: $?"
