-- t$audit_log (Java Paimon's AuditLogTable): rowkind ('+I', '-U', '+U', '-D') and then the
-- table's columns. A batch read merges the snapshot's files by key like a normal read but keeps
-- deleted keys (forceKeepDelete), each row with the row kind of its latest record; a full
-- compaction rewrites to the max level and drops the deletes. Batch reads never read the
-- changelog, so changelog-producer = 'input' gives the same rows.
CREATE CATALOG paimon_catalog WITH ('type' = 'paimon', 'warehouse' = '/tmp/paimon');
USE CATALOG paimon_catalog;
CREATE TABLE t (id INT NOT NULL, v STRING, PRIMARY KEY (id) NOT ENFORCED) WITH ('bucket' = '1');
INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c'), (4, 'd');
UPDATE t SET v = 'bb' WHERE id = 2;
DELETE FROM t WHERE id = 3;
INSERT INTO t VALUES (4, 'dd'), (5, 'e');
DESCRIBE t$audit_log;
SELECT * FROM t$audit_log ORDER BY id;
SELECT rowkind, COUNT(*) AS n FROM t$audit_log GROUP BY rowkind ORDER BY rowkind;
SELECT id FROM t$audit_log WHERE rowkind = '-D';
-- the data table hides the deleted key
SELECT * FROM t ORDER BY id;
-- time travel: each snapshot as it was committed
SELECT * FROM t$audit_log /*+ OPTIONS('scan.snapshot-id' = '1') */ ORDER BY id;
SELECT * FROM t$audit_log /*+ OPTIONS('scan.snapshot-id' = '3') */ ORDER BY id;
-- a full compaction drops the deletes
CALL sys.compact('default.t');
SELECT * FROM t$audit_log ORDER BY id;
-- changelog-producer = input: batch reads still read the data files
CREATE TABLE c (id INT NOT NULL, v INT, PRIMARY KEY (id) NOT ENFORCED) WITH ('bucket' = '1', 'changelog-producer' = 'input');
INSERT INTO c VALUES (1, 1), (2, 2);
DELETE FROM c WHERE id = 1;
SELECT * FROM c$audit_log ORDER BY id;
-- partitioned, several buckets
CREATE TABLE p (id INT NOT NULL, dt STRING NOT NULL, v INT, PRIMARY KEY (id, dt) NOT ENFORCED) PARTITIONED BY (dt) WITH ('bucket' = '2');
INSERT INTO p VALUES (1, 'x', 1), (2, 'x', 2), (3, 'y', 3), (4, 'y', 4);
DELETE FROM p WHERE id IN (2, 3);
SELECT * FROM p$audit_log ORDER BY dt, id;
-- append tables: every row is +I
CREATE TABLE a (msg STRING, n INT);
INSERT INTO a VALUES ('x', 1), ('y', 2);
INSERT INTO a VALUES ('x', 3);
SELECT * FROM a$audit_log ORDER BY n;
-- schema evolution: old files read through the current schema
ALTER TABLE t ADD w INT;
INSERT INTO t VALUES (6, 'f', 60);
DELETE FROM t WHERE id = 1;
SELECT * FROM t$audit_log ORDER BY id;
-- other merge engines merge differently: refused rather than answered wrongly
CREATE TABLE fr (id INT NOT NULL, v INT, PRIMARY KEY (id) NOT ENFORCED) WITH ('merge-engine' = 'first-row');
INSERT INTO fr VALUES (1, 1);
SELECT * FROM fr$audit_log;
-- an empty table
CREATE TABLE e (id INT NOT NULL, PRIMARY KEY (id) NOT ENFORCED);
SELECT * FROM e$audit_log;
