-- Element access (issue 7): arr[i] is 1-based and an index outside the array (0, negative,
-- past the end) gives NULL, as Flink; m['k'] looks a key up in a MAP (NULL when absent).
-- Works on ARRAY/MAP columns, on ARRAY[...] / MAP[...] literals, on results of calls and
-- chained (aa[1][2]); the result prints as the element's SQL value.
CREATE CATALOG c WITH ('type' = 'paimon', 'warehouse' = '/tmp/paimon');
USE CATALOG c;
CREATE TABLE t (id INT NOT NULL, arr ARRAY<INT>, tags ARRAY<STRING>, attrs MAP<STRING, INT>, grid ARRAY<ARRAY<INT>>, prices ARRAY<DOUBLE>, PRIMARY KEY (id) NOT ENFORCED);
INSERT INTO t VALUES
  (1, ARRAY[10, 20, 30], ARRAY['red', 'green'], MAP['x', 1, 'y', 2], ARRAY[ARRAY[1, 2], ARRAY[3]], ARRAY[1.5, 2.25]),
  (2, ARRAY[7], ARRAY[CAST(NULL AS STRING), 'blue'], MAP['z', 3], ARRAY[ARRAY[4]], ARRAY[0.5]),
  (3, NULL, NULL, NULL, NULL, NULL);
SELECT id, arr[1], arr[3], arr[4], arr[0], arr[-1], tags[1], tags[2] FROM t ORDER BY id;
SELECT id, attrs['x'], attrs['nope'], t.grid[1], grid[1][2], grid[2][1], prices[2] * 2 AS twice FROM t ORDER BY id;
-- in WHERE, ORDER BY, GROUP BY and with an expression as the index
SELECT id FROM t WHERE arr[1] > 8 ORDER BY arr[1] DESC;
SELECT tags[2] AS second, COUNT(*) AS n FROM t GROUP BY tags[2] ORDER BY second;
SELECT id, arr[id] AS diag FROM t ORDER BY id;
-- literals and function results
SELECT ARRAY[5, 6, 7][2] AS a, MAP['k', 'v']['k'] AS m, (ARRAY['p', 'q'])[2] AS p, ARRAY['x'][2] AS out_of_range;
SET 'sql-client.output-format' = 'json';
SELECT id, arr[2] AS a2, attrs['y'] AS y, grid[1] AS g1 FROM t ORDER BY id;
RESET 'sql-client.output-format';
-- elements of DECIMAL, TIMESTAMP, TIMESTAMP_LTZ and TIME arrays and maps come back as such
-- columns would: DECIMAL numeric (exact digits kept), date/time text comparable with literals
SET 'table.local-time-zone' = 'Asia/Tokyo';
CREATE TABLE typed (id INT NOT NULL, prices ARRAY<DECIMAL(10, 2)>, bigs ARRAY<DECIMAL(38, 10)>, ts ARRAY<TIMESTAMP(3)>, seen MAP<STRING, TIMESTAMP(3) WITH LOCAL TIME ZONE>, tms ARRAY<TIME>, nest ARRAY<ARRAY<DECIMAL(5, 1)>>, PRIMARY KEY (id) NOT ENFORCED);
INSERT INTO typed VALUES (1, ARRAY[12.50, 3.00], ARRAY[12345678901234567890.0123456789, -98765432109876543210.0123456789], ARRAY[TIMESTAMP '2024-01-02 03:04:05.100', TIMESTAMP '2024-01-02 03:04:05'], MAP['a', TIMESTAMP '2024-06-01 12:00:00.5'], ARRAY[TIME '10:11:12.500'], ARRAY[ARRAY[1.5, 22.0]]);
SELECT prices[1] AS p1, prices[1] > 10 AS gt, prices[2] * 2 AS twice, ts[1] AS t1, ts[2] AS t2, ts[1] = TIMESTAMP '2024-01-02 03:04:05.1' AS eq, seen['a'] AS a, tms[1] AS tm, nest[1][2] AS n12 FROM typed;
SELECT id FROM typed WHERE prices[1] > 10 AND ts[2] < TIMESTAMP '2024-01-03 00:00:00' AND nest[1][2] > 3;
SET 'sql-client.output-format' = 'csv';
SELECT bigs[1] AS b, bigs[2] AS c, bigs FROM typed;
RESET;
-- a MAP with INT keys: m[1] looks the key 1 up (its value is a list of [key, value] pairs)
CREATE TABLE ikeys (id INT NOT NULL, names MAP<INT, STRING>, PRIMARY KEY (id) NOT ENFORCED);
INSERT INTO ikeys VALUES (1, '[[10, "ten"], [1, "one"]]');
SELECT names, names[1] AS one, names[10] AS ten, names[2] AS two FROM ikeys;
-- errors: brackets after nothing indexable, element access on a plain string / number
SELECT [1] FROM t;
SELECT id, CAST(id AS STRING)[1] FROM t;
SELECT id FROM t WHERE id[1] = 1;
