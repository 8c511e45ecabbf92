-- SELECT COUNT(*) FROM t alone reads the table's row count from its virtual table's count
-- column (one row, not one per table row); every other shape counts rows through SQLite. Both
-- must give the same answers: empty tables, before the first snapshot, after deletes and
-- updates (merged keys), time travel, aliases, append tables, system tables.
CREATE CATALOG paimon_catalog WITH ('type' = 'paimon', 'warehouse' = '/tmp/paimon');
USE CATALOG paimon_catalog;
CREATE TABLE t (id INT NOT NULL, v STRING, PRIMARY KEY (id) NOT ENFORCED) WITH ('bucket' = '2');
SELECT COUNT(*) FROM t;
SELECT COUNT(*) AS n FROM t;
INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c'), (4, 'd');
INSERT INTO t VALUES (2, 'B'), (5, 'e');
DELETE FROM t WHERE id = 3;
SELECT COUNT(*) FROM t;
SELECT count(*) AS n FROM t;
SELECT COUNT(*) FROM paimon_catalog.`default`.t;
SELECT COUNT(*) FROM t AS x;
SELECT COUNT(*) FROM t /*+ OPTIONS('scan.snapshot-id' = '1') */;
SELECT COUNT(*) FROM t /*+ OPTIONS('scan.snapshot-id' = '2') */;
SELECT COUNT(*), COUNT(v) FROM t;
SELECT COUNT(*) FROM t WHERE id > 1;
SELECT COUNT(*) + 0 AS n FROM t;
-- the count column stays out of SELECT * and DESCRIBE
SELECT * FROM t ORDER BY id;
DESCRIBE t;
CREATE TABLE a (x INT);
SELECT COUNT(*) FROM a;
INSERT INTO a VALUES (1), (1), (2);
SELECT COUNT(*) FROM a;
SELECT COUNT(*) FROM `t$snapshots`;
SELECT COUNT(*) FROM `t$audit_log`;
