-- CAST of 'NaN', 'Infinity' and '-Infinity' to DOUBLE / FLOAT gives those values, printed
-- as Flink prints them (issue 7); text that is not a number is an error, as in Flink.
CREATE CATALOG c WITH ('type' = 'paimon', 'warehouse' = '/tmp/paimon');
USE CATALOG c;
SELECT CAST('NaN' AS DOUBLE) AS nan, CAST('Infinity' AS DOUBLE) AS inf, CAST('-Infinity' AS DOUBLE) AS ninf, CAST('+Infinity' AS FLOAT) AS finf, CAST(' 2.5 ' AS DOUBLE) AS trimmed, CAST('1e3' AS FLOAT) AS e, CAST(NULL AS DOUBLE) AS n, CAST(7 AS DOUBLE) AS i;
SELECT CAST('Infinity' AS DOUBLE) > 1e308 AS bigger, CAST('-Infinity' AS DOUBLE) < -1e308 AS smaller, CAST(CAST('NaN' AS DOUBLE) AS STRING) AS s;
CREATE TABLE m (id INT NOT NULL, d DOUBLE, f FLOAT, PRIMARY KEY (id) NOT ENFORCED);
INSERT INTO m VALUES (1, CAST('NaN' AS DOUBLE), CAST('NaN' AS FLOAT)), (2, CAST('Infinity' AS DOUBLE), CAST('-Infinity' AS FLOAT)), (3, CAST('-Infinity' AS DOUBLE), CAST('Infinity' AS FLOAT)), (4, 1.5, 0.25);
SELECT * FROM m ORDER BY id;
SELECT id, CAST(d AS DOUBLE) AS d2 FROM m WHERE id < 4 ORDER BY id;
SET 'sql-client.output-format' = 'csv';
SELECT * FROM m ORDER BY id;
SET 'sql-client.output-format' = 'json';
SELECT * FROM m ORDER BY id;
RESET 'sql-client.output-format';
-- errors
SELECT CAST('abc' AS DOUBLE);
SELECT CAST('nan' AS DOUBLE);
SELECT CAST('' AS FLOAT);
