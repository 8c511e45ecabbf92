-- INSERT OVERWRITE (Flink SQL) on Paimon tables: one OVERWRITE snapshot per statement.
-- Partitioned tables follow dynamic-partition-overwrite (default true: only the partitions
-- the new rows land in are replaced); with it false a static PARTITION spec picks the
-- partitions (none = the whole table). A static PARTITION fixes those columns' values and
-- the query gives the other columns.
CREATE CATALOG paimon_catalog WITH ('type' = 'paimon', 'warehouse' = '/tmp/paimon');
USE CATALOG paimon_catalog;
CREATE TABLE sales (id INT NOT NULL, dt STRING NOT NULL, amount INT, PRIMARY KEY (id, dt) NOT ENFORCED) PARTITIONED BY (dt);
INSERT INTO sales VALUES (1, '2024-01-01', 10), (2, '2024-01-01', 20), (1, '2024-01-02', 30), (2, '2024-01-02', 40), (1, '2024-01-03', 50);
-- dynamic: only 2024-01-02 is replaced (its id 2 is gone), the other days stay
INSERT OVERWRITE sales VALUES (7, '2024-01-02', 70);
SELECT * FROM sales ORDER BY dt, id;
-- static partition: the query gives id and amount, dt comes from the spec
INSERT OVERWRITE sales PARTITION (dt = '2024-01-01') SELECT id + 100, amount * 2 FROM sales WHERE dt = '2024-01-01';
SELECT * FROM sales ORDER BY dt, id;
-- static partition with a column list
INSERT OVERWRITE sales PARTITION (dt = '2024-01-03') (amount, id) VALUES (5, 9);
SELECT * FROM sales ORDER BY dt, id;
-- dynamic overwrite with no rows replaces nothing and commits nothing
INSERT OVERWRITE sales SELECT * FROM sales WHERE id < 0;
SELECT COUNT(*) AS n FROM sales;
-- INSERT INTO with a static partition appends into it
INSERT INTO sales PARTITION (dt = '2024-01-04') VALUES (1, 1), (2, 2);
SELECT * FROM sales WHERE dt = '2024-01-04' ORDER BY id;
SELECT snapshot_id, commit_kind, total_record_count, delta_record_count FROM sales$snapshots;
-- with dynamic-partition-overwrite = false the static spec decides: an empty query clears it
ALTER TABLE sales SET ('dynamic-partition-overwrite' = 'false');
INSERT OVERWRITE sales PARTITION (dt = '2024-01-04') SELECT id, amount FROM sales WHERE id < 0;
SELECT dt, COUNT(*) AS n FROM sales GROUP BY dt ORDER BY dt;
-- ... and without a spec the whole table is replaced
INSERT OVERWRITE sales VALUES (1, '2024-02-01', 1);
SELECT * FROM sales;
SELECT snapshot_id, commit_kind, total_record_count, delta_record_count FROM sales$snapshots WHERE snapshot_id > 5;
-- the files the overwrites removed are gone from the live set
SELECT `partition`, record_count FROM sales$files;
-- errors: nothing is written
INSERT OVERWRITE sales PARTITION (amount = 1) VALUES (1, '2024-01-01');
INSERT OVERWRITE sales PARTITION (nope = 1) VALUES (1, 1);
INSERT OVERWRITE sales PARTITION (dt = '2024-01-01') VALUES (1, '2024-01-01', 1);
INSERT OVERWRITE sales PARTITION (dt = '2024-01-01') (id, dt) VALUES (1, 'x');
INSERT OVERWRITE sales PARTITION (dt = ) VALUES (1, 1);
SELECT COUNT(*) AS snapshots FROM sales$snapshots;
-- unpartitioned: the whole table
CREATE TABLE u (id INT NOT NULL, v STRING, PRIMARY KEY (id) NOT ENFORCED);
INSERT INTO u VALUES (1, 'a'), (2, 'b');
INSERT OVERWRITE u SELECT id * 10, v FROM u WHERE id = 2;
SELECT * FROM u;
SELECT snapshot_id, commit_kind FROM u$snapshots;
-- append (no primary key) partitioned table
CREATE TABLE logs (msg STRING, day INT) PARTITIONED BY (day);
INSERT INTO logs VALUES ('a', 1), ('b', 1), ('c', 2);
INSERT OVERWRITE logs PARTITION (day = 1) VALUES ('z');
SELECT * FROM logs ORDER BY day, msg;
-- two partition columns: a partial static spec (dt only) with dynamic-partition-overwrite
-- false replaces every hr of that dt; dynamic (the default) only the (dt, hr) written
CREATE TABLE ev (id INT NOT NULL, dt STRING NOT NULL, hr INT NOT NULL, PRIMARY KEY (id, dt, hr) NOT ENFORCED) PARTITIONED BY (dt, hr);
INSERT INTO ev VALUES (1, 'd1', 1), (2, 'd1', 2), (3, 'd2', 1), (4, 'd2', 2);
INSERT OVERWRITE ev PARTITION (dt = 'd1') VALUES (5, 1);
SELECT * FROM ev ORDER BY dt, hr, id;
ALTER TABLE ev SET ('dynamic-partition-overwrite' = 'false');
INSERT OVERWRITE ev PARTITION (dt = 'd2') VALUES (6, 2);
SELECT * FROM ev ORDER BY dt, hr, id;
INSERT OVERWRITE ev PARTITION (dt = 'd1', hr = 1) SELECT 7;
SELECT * FROM ev ORDER BY dt, hr, id;
