-- Constraints pushed to the lake prune files and, for integer, DECIMAL and string columns,
-- drop rows before SQLite sees them; every answer must still be SQLite's own (each query's
-- result here was checked against the same rows in a native SQLite table).
CREATE CATALOG paimon_catalog WITH ('type' = 'paimon', 'warehouse' = '/tmp/paimon');
USE CATALOG paimon_catalog;
CREATE TABLE t (id INT NOT NULL, name STRING, code STRING, price DECIMAL(10, 2), qty INT, PRIMARY KEY (id) NOT ENFORCED) WITH ('bucket' = '1');
INSERT INTO t VALUES (1, 'apple', '05', 1.10, 5), (2, 'Apple', '5', 2.50, NULL), (3, 'banana', '10', NULL, 10), (4, NULL, 'x', 0.10, -1), (5, 'cherry', '5.0', 100.00, 0);
-- a collation other than BINARY is never pushed down
SELECT id FROM t WHERE name = 'APPLE' COLLATE NOCASE ORDER BY id;
SELECT id FROM t WHERE name > 'b' COLLATE NOCASE ORDER BY id;
SELECT id FROM t WHERE name >= 'a' ORDER BY id;
-- a number against a STRING column compares as text ...
SELECT id FROM t WHERE code = 5 ORDER BY id;
SELECT id FROM t WHERE code < 10 ORDER BY id;
-- ... and an INT column against text compares numerically
SELECT id FROM t WHERE qty = '5';
SELECT id FROM t WHERE qty >= '0' ORDER BY id;
SELECT id FROM t WHERE qty > 0.5 ORDER BY id;
-- a STRING column against an INT column of another table (numeric affinity wins)
CREATE TABLE k (n INT NOT NULL, PRIMARY KEY (n) NOT ENFORCED);
INSERT INTO k VALUES (5), (10);
SELECT k.n, t.id FROM k JOIN t ON t.code = k.n ORDER BY k.n, t.id;
-- DECIMAL against exact and inexact numbers
SELECT id FROM t WHERE price = 0.1;
SELECT id FROM t WHERE price > 1.1 ORDER BY id;
SELECT id FROM t WHERE price <= 2.5 ORDER BY id;
SELECT id FROM t WHERE price < 2.505 ORDER BY id;
-- NULLs
SELECT id FROM t WHERE qty IS NULL;
SELECT id FROM t WHERE name IS NOT NULL AND qty < 6 ORDER BY id;
SELECT id FROM t WHERE price > NULL;
-- the key itself, and LIMIT
SELECT id, name FROM t WHERE id >= 2 AND id < 4 ORDER BY id;
SELECT COUNT(*) AS n FROM t WHERE id <> 3;
SELECT COUNT(*) AS n FROM t;
