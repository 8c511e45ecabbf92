-- JSON_VALUE, JSON_QUERY and JSON_EXISTS (issue 7) with Flink's semantics: a path without
-- 'lax' is strict; JSON_VALUE gives a STRING unless RETURNING says otherwise, NULL when
-- the path finds nothing or on an error, unless ... ON EMPTY / ... ON ERROR say otherwise.
CREATE CATALOG c WITH ('type' = 'paimon', 'warehouse' = '/tmp/paimon');
USE CATALOG c;
CREATE TABLE events (id INT NOT NULL, payload STRING, PRIMARY KEY (id) NOT ENFORCED);
INSERT INTO events VALUES
  (1, '{"user": {"name": "ann", "age": 31}, "tags": ["a", "b"], "score": 1.5, "ok": true, "none": null, "a.b": [0.1, 0.2]}'),
  (2, '{"user": {"name": "bob"}, "tags": [], "score": 10, "ok": false}'),
  (3, 'not json'),
  (4, NULL);
SELECT id, JSON_VALUE(payload, '$.user.name') AS name, JSON_VALUE(payload, '$.user.age') AS age, JSON_VALUE(payload, '$.tags[1]') AS t1, JSON_VALUE(payload, '$.score') AS score, JSON_VALUE(payload, '$.ok') AS ok FROM events ORDER BY id;
-- missing members, JSON null, non-scalars and the ["quoted.key"] form
SELECT id, JSON_VALUE(payload, '$.missing') AS m, JSON_VALUE(payload, '$.none') AS n, JSON_VALUE(payload, '$.user') AS obj, JSON_VALUE(payload, '$.["a.b"][1]') AS ab, JSON_VALUE(payload, '$.tags[-1]') AS last FROM events ORDER BY id;
-- RETURNING
SELECT id, JSON_VALUE(payload, '$.user.age' RETURNING INT) + 1 AS next_age, JSON_VALUE(payload, '$.score' RETURNING DOUBLE) * 2 AS dbl, JSON_VALUE(payload, '$.ok' RETURNING BOOLEAN) AS ok, JSON_VALUE(payload, '$.score' RETURNING BIGINT) AS big FROM events ORDER BY id;
SELECT id FROM events WHERE JSON_VALUE(payload, '$.score' RETURNING DOUBLE) > 2 ORDER BY id;
-- ON EMPTY / ON ERROR
SELECT id, JSON_VALUE(payload, 'lax $.missing' DEFAULT 'none' ON EMPTY) AS lax_dflt, JSON_VALUE(payload, '$.missing' DEFAULT 'none' ON EMPTY) AS strict_dflt, JSON_VALUE(payload, '$.missing' DEFAULT 'err' ON ERROR) AS on_err, JSON_VALUE(payload, '$.user.name' RETURNING INT DEFAULT -1 ON ERROR) AS bad_int FROM events ORDER BY id;
-- JSON_QUERY: arrays and objects as JSON text
SELECT id, JSON_QUERY(payload, '$.user') AS u, JSON_QUERY(payload, '$.tags') AS tags, JSON_QUERY(payload, '$.score') AS scalar, JSON_QUERY(payload, '$.score' WITH WRAPPER) AS wrapped, JSON_QUERY(payload, '$.tags' WITH CONDITIONAL ARRAY WRAPPER) AS cond, JSON_QUERY(payload, 'lax $.zz' EMPTY ARRAY ON EMPTY) AS empty FROM events ORDER BY id;
SELECT JSON_QUERY('{"a": [{"b": 1}, {"b": 2.5}, {"c": 3}]}', '$.a[*].b') AS bs, JSON_QUERY('{"a": {"x": 1, "y": [2]}}', '$.a.*') AS vals;
-- JSON_EXISTS
SELECT id, JSON_EXISTS(payload, '$.user.age') AS has_age, JSON_EXISTS(payload, '$.none') AS has_none, JSON_EXISTS(payload, 'lax $.tags[5]') AS t5, JSON_EXISTS(payload, '$.x' UNKNOWN ON ERROR) AS unk FROM events ORDER BY id;
SELECT id FROM events WHERE JSON_EXISTS(payload, '$.user.age') ORDER BY id;
-- bad paths: NULL by default (Flink's NULL ON ERROR), the reason with ERROR ON ERROR
SELECT JSON_VALUE('{"a": 1}', 'a') AS no_dollar, JSON_VALUE('{"a": 1}', '$..a') AS deep, JSON_EXISTS('{"a": 1}', '$[') AS open_bracket;
SELECT JSON_VALUE('{"a": 1}', '$..a' ERROR ON ERROR);
SELECT JSON_VALUE('{"a": 1}', '$.b' ERROR ON ERROR);
SELECT JSON_VALUE('{"a": 1}', 'lax $.b' ERROR ON EMPTY);
SELECT JSON_VALUE('{"a": {"b": 1}}', '$.a' ERROR ON ERROR);
SELECT JSON_QUERY('{"a": 1}', '$.a' ERROR ON ERROR);
SELECT JSON_VALUE('not json', '$.a' ERROR ON ERROR);
SELECT JSON_EXISTS('{"a": 1}', '$.b' ERROR ON ERROR);
-- a non-string JSON argument is an error (Flink's validator rejects it too)
SELECT JSON_VALUE(id, '$.a') FROM events;
SELECT JSON_VALUE(payload, '$.a' RETURNING DATE_TIME_THING) FROM events;
