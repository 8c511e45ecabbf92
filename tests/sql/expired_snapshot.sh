# Time travel to an expired snapshot names the earliest one left. Expiration is simulated the
# way Paimon leaves a table after it: snapshot-1 gone and snapshot/EARLIEST rewritten.
set -u
"$PGPAIMON" sql --warehouse /tmp/paimon <<'SQL'
CREATE TABLE t (id INT NOT NULL, v STRING, PRIMARY KEY (id) NOT ENFORCED);
INSERT INTO t VALUES (1, 'one');
INSERT INTO t VALUES (2, 'two');
INSERT INTO t VALUES (3, 'three');
SQL
rm /tmp/paimon/default.db/t/snapshot/snapshot-1
printf 2 >/tmp/paimon/default.db/t/snapshot/EARLIEST
"$PGPAIMON" sql --warehouse /tmp/paimon <<'SQL'
SELECT * FROM t /*+ OPTIONS('scan.snapshot-id' = '1') */;
SELECT * FROM t /*+ OPTIONS('scan.snapshot-id' = '2') */ ORDER BY id;
SELECT * FROM t$audit_log /*+ OPTIONS('scan.snapshot-id' = '1') */;
SELECT snapshot_id FROM t$snapshots;
SELECT COUNT(*) AS n FROM t FOR SYSTEM_TIME AS OF TIMESTAMP '2000-01-01 00:00:00';
SELECT * FROM t /*+ OPTIONS('scan.snapshot-id' = '4') */;
SQL
echo "exit status of the second run: $?"
