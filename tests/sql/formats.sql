-- Output formats: tableau (default), csv and json (JSON Lines as `pgpaimon table scan`).
CREATE CATALOG c WITH ('type' = 'paimon', 'warehouse' = '/tmp/paimon');
USE CATALOG c;
CREATE TABLE `default`.all_types (
  id INT NOT NULL,
  b BOOLEAN,
  ti TINYINT,
  si SMALLINT,
  bi BIGINT,
  f FLOAT,
  d DOUBLE,
  dec DECIMAL(12, 3),
  s STRING,
  ch CHAR(3),
  dt DATE,
  tm TIME(3),
  ts TIMESTAMP(3),
  PRIMARY KEY (id) NOT ENFORCED
);
INSERT INTO `default`.all_types VALUES
  (1, true, 1, 300, 10000000000, 1.5, 0.1, 12.5, 'plain', 'abc', DATE '2024-02-29', TIME '12:34:56.789', TIMESTAMP '2024-02-29 23:59:59.123'),
  (2, false, -1, -300, -1, 1e10, 1e-5, -0.001, 'a "quoted", text', 'x', DATE '1969-12-31', TIME '00:00:00', TIMESTAMP '1969-12-31 23:59:59.999'),
  (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
SELECT * FROM `default`.all_types ORDER BY id;
SET 'sql-client.output-format' = 'csv';
SELECT * FROM `default`.all_types ORDER BY id;
SHOW TABLES;
SET 'sql-client.output-format' = 'json';
SELECT * FROM `default`.all_types ORDER BY id;
SELECT id, dec * 2 AS twice, UPPER(s) AS up FROM `default`.all_types WHERE dt >= DATE '2000-01-01';
RESET 'sql-client.output-format';
SELECT id, b, dec FROM `default`.all_types WHERE dec < 13 AND ts > TIMESTAMP '2000-01-01 00:00:00';
SELECT COUNT(*), SUM(bi), AVG(d), MAX(s) FROM `default`.all_types;
SELECT id, CASE WHEN dec > 0 THEN 'positive' ELSE 'not positive' END AS sign, CONCAT(s, '!') AS bang, CAST(id AS STRING) AS sid FROM `default`.all_types ORDER BY id LIMIT 2;
SET 'table.local-time-zone' = 'Asia/Tokyo';
SET;
RESET;
-- Flink functions SQLite lacks
SELECT CONCAT('a', 'b', 'c') AS c1, CONCAT('a', NULL) AS c2, CONCAT_WS('-', 'a', NULL, 'b') AS c3, SPLIT_INDEX('a,b,c', ',', 1) AS si, INITCAP('hello wORLD') AS ic, LOCATE('lo', 'hello') AS lo, REVERSE('abc') AS rv;
SELECT DATE_FORMAT(ts, 'yyyy-MM-dd''T''HH:mm:ss.SSS') AS f1, DATE_FORMAT(ts, 'dd/MM/yy') AS f2, YEAR(ts) AS y, QUARTER(ts) AS q, MONTH(dt) AS m, DAYOFMONTH(dt) AS d, HOUR(ts) AS h, MINUTE(ts) AS mi, SECOND(ts) AS s, EXTRACT(YEAR FROM dt) AS ey FROM `default`.all_types WHERE id = 1;
SELECT IF(id > 1, 'big', 'small') AS sz, CHAR_LENGTH(s) AS len, UPPER(s) AS up, LOWER(ch) AS low, TRIM('  x  ') AS tr, SUBSTRING(s FROM 2 FOR 3) AS sub, POSITION('a' IN s) AS pos, ROUND(dec, 1) AS r, FLOOR(d * 10) AS fl, CEIL(d) AS ce, MOD(id, 2) AS md, POWER(2, id) AS pw, COALESCE(b, FALSE) AS co FROM `default`.all_types ORDER BY id;
SELECT LISTAGG(s) AS l, COUNT(DISTINCT b) AS db FROM `default`.all_types;
SELECT s FROM `default`.all_types WHERE s LIKE 'P%';
SELECT s FROM `default`.all_types WHERE s LIKE 'p%';
-- date/time equality and ranges against typed literals (canonical text on both sides)
SELECT id, ts FROM `default`.all_types WHERE ts = TIMESTAMP '2024-02-29 23:59:59.1230';
SELECT id, tm FROM `default`.all_types WHERE tm = TIME '00:00:00';
SELECT id FROM `default`.all_types WHERE ts BETWEEN TIMESTAMP '1969-12-31 23:59:59' AND TIMESTAMP '1970-01-01 00:00:00';
SELECT id FROM `default`.all_types WHERE dt = DATE '2024-02-29' AND ts > TIMESTAMP '2024-02-29T23:59:59';
