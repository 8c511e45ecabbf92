-- INSERT INTO / INSERT OVERWRITE / UPDATE / DELETE through the lake writer; each statement
-- commits one snapshot, a failing one commits nothing.
CREATE CATALOG paimon_catalog WITH ('type' = 'paimon', 'warehouse' = '/tmp/paimon');
USE CATALOG paimon_catalog;
CREATE TABLE t (id INT NOT NULL, name STRING, price DECIMAL(10, 2), PRIMARY KEY (id) NOT ENFORCED);
INSERT INTO t VALUES (1, 'a', 1.00), (2, 'b', 2.00), (3, 'c', 3.00);
INSERT INTO t (id, price) VALUES (4, 4.444);
UPDATE t SET price = price * 2, name = UPPER(name) WHERE id >= 2;
SELECT * FROM t ORDER BY id;
UPDATE t SET id = 5;
UPDATE t SET nope = 1;
UPDATE t SET price = nope WHERE id = 1;
DELETE FROM t WHERE price > 5;
SELECT * FROM t ORDER BY id;
INSERT INTO t SELECT id + 10, CONCAT(name, '+'), price + 0.5 FROM t WHERE name IS NOT NULL;
SELECT * FROM t ORDER BY id;
INSERT OVERWRITE t VALUES (9, 'z', 9.99);
SELECT * FROM t ORDER BY id;
DELETE FROM t;
SELECT COUNT(*) AS n FROM t;
SELECT snapshot_id, commit_kind, total_record_count, delta_record_count FROM t$snapshots;
SELECT * FROM t /*+ OPTIONS('scan.snapshot-id' = '3') */ ORDER BY id;
CREATE TABLE p (k STRING NOT NULL, d DATE NOT NULL, v INT, PRIMARY KEY (k, d) NOT ENFORCED) PARTITIONED BY (d);
INSERT INTO p VALUES ('a', DATE '2024-01-01', 1), ('b', DATE '2024-01-02', 2), ('a', DATE '2024-01-02', 3);
SELECT * FROM p WHERE d = '2024-01-02' ORDER BY k;
INSERT OVERWRITE p VALUES ('c', DATE '2024-01-03', 4);
SHOW CREATE TABLE p;
-- nested types: ARRAY[...], MAP[...] and ROW(...) in, JSON text out
CREATE TABLE n (id INT NOT NULL, tags ARRAY<STRING>, attrs MAP<STRING, INT>, pt ROW<x DOUBLE, y DECIMAL(5, 1)>, nums ARRAY<INT>, PRIMARY KEY (id) NOT ENFORCED);
INSERT INTO n VALUES (1, ARRAY['a', 'b'], MAP['k1', 1, 'k2', 2], ROW(1.5, 2.25), ARRAY[1, 2, 3]), (2, NULL, NULL, NULL, ARRAY[]);
INSERT INTO n SELECT id + 10, tags, attrs, pt, nums FROM n;
SELECT id, tags, attrs, pt, nums, json_array_length(nums) AS k, json_extract(attrs, '$.k2') AS k2 FROM n ORDER BY id;
INSERT INTO n VALUES (3, ARRAY['x'], NULL, NULL, ARRAY['not a number']);
DESCRIBE n;
