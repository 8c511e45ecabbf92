-- DECIMALs of more than 15 significant digits print exactly for plain column selects in
-- every output format, and INSERT ... SELECT / VALUES write them exactly (issue 7). SQLite
-- still computes with doubles: arithmetic and aggregates (SUM, d * 2) are approximate.
-- Comparisons, ORDER BY and filter pushdown keep working on the numeric value.
CREATE CATALOG c WITH ('type' = 'paimon', 'warehouse' = '/tmp/paimon');
USE CATALOG c;
SET 'sql-client.display.max-column-width' = '45';
CREATE TABLE d (id INT NOT NULL, big DECIMAL(38, 18), mid DECIMAL(20, 2), small DECIMAL(10, 2), PRIMARY KEY (id) NOT ENFORCED);
INSERT INTO d VALUES
  (1, 12345678901234567890.123456789012345678, 123456789012345678.91, 1.10),
  (2, -98765432109876543210.987654321098765432, -99999999999999999.99, -2.50),
  (3, 0.000000000000000001, 10.00, 0.00),
  (4, 123.456, 1234567890123456.78, 99999999.99),
  (5, NULL, NULL, NULL);
SELECT * FROM d ORDER BY id;
SELECT id, big FROM d ORDER BY big DESC;
SELECT id, mid FROM d WHERE mid > 100 ORDER BY mid;
SELECT id FROM d WHERE big = 12345678901234567890.123456789012345678;
SELECT id FROM d WHERE mid < -99999999999999999 OR big BETWEEN 0 AND 1 ORDER BY id;
SELECT MIN(mid) AS lo, MAX(big) AS hi FROM d;
-- arithmetic stays double (an expression equal to its input, mid + 0, prints exactly)
SELECT id, big * 2 AS twice, mid + 0 AS plus FROM d WHERE id < 3 ORDER BY id;
SELECT SUM(mid) AS total FROM d;
-- exact copies through SQLite
CREATE TABLE d2 (id INT NOT NULL, big DECIMAL(38, 18), mid DECIMAL(20, 2), PRIMARY KEY (id) NOT ENFORCED);
INSERT INTO d2 SELECT id, big, mid FROM d WHERE id < 4;
SELECT d2.id, d2.big, d2.mid FROM d2 JOIN d ON d.big = d2.big ORDER BY d2.id;
SET 'sql-client.output-format' = 'csv';
SELECT * FROM d2 ORDER BY id;
SET 'sql-client.output-format' = 'json';
SELECT * FROM d ORDER BY id;
RESET 'sql-client.output-format';
-- an expression that passes a value through unchanged prints it exactly too
SELECT id, COALESCE(big, 0) AS c, CASE WHEN id > 1 THEN mid END AS m FROM d WHERE id < 3 ORDER BY id;
SET 'sql-client.output-format' = 'json';
SELECT MIN(mid) AS lo, MAX(big) AS hi FROM d;
RESET 'sql-client.output-format';
-- two different decimals sharing one double in one statement cannot be told apart: both
-- print with the double's 15 significant digits (each alone prints exactly)
CREATE TABLE twins (id INT NOT NULL, v DECIMAL(38, 18), PRIMARY KEY (id) NOT ENFORCED);
INSERT INTO twins VALUES (1, 12345678901234567890.123456789012345678);
INSERT INTO twins VALUES (2, 12345678901234567890.123456789012345679);
SELECT * FROM twins ORDER BY id;
SELECT * FROM twins WHERE id = 2;
