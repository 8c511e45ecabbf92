-- Setup: the sample database's products and inventory (scripts/postgres-init.sql), written
-- with CREATE TABLE and INSERT the way postgres_sync_table would create them.
-- @include sample_setup.inc

-- The guide, "Check Paimon Table Metadata", verbatim (the unquoted heredoc turns \$ into $)
CREATE CATALOG paimon_catalog WITH ('type' = 'paimon', 'warehouse' = '/tmp/paimon');
USE CATALOG paimon_catalog;
SELECT * FROM lakehouse.products$snapshots;

CREATE CATALOG paimon_catalog WITH ('type' = 'paimon', 'warehouse' = '/tmp/paimon');
USE CATALOG paimon_catalog;
SHOW CREATE TABLE lakehouse.products;

-- The same query as a quoted heredoc would pass it (backslash kept)
SELECT snapshot_id, schema_id, commit_kind FROM lakehouse.products\$snapshots;

-- "Schema Evolution Example": DESCRIBE
CREATE CATALOG paimon_catalog WITH ('type' = 'paimon', 'warehouse' = '/tmp/paimon');
USE CATALOG paimon_catalog;
DESCRIBE lakehouse.products;

-- "Paimon Side" tuning, verbatim
-- Faster compaction
ALTER TABLE lakehouse.products SET (
    'compaction.min.file-num' = '3',
    'compaction.max.file-num' = '20',
    'snapshot.num-retained.min' = '5'
);
SHOW CREATE TABLE lakehouse.products;
SELECT * FROM lakehouse.products$options;
SELECT schema_id, partition_keys, primary_keys, options FROM lakehouse.products$schemas;
ALTER TABLE lakehouse.products RESET ('compaction.max.file-num');
SELECT * FROM lakehouse.products$options;
SELECT * FROM lakehouse.products$tags;
SELECT * FROM lakehouse.products$consumers;
DESC lakehouse.inventory;
DESCRIBE lakehouse.products$snapshots;
SHOW COLUMNS IN lakehouse.inventory;
