# The guide's sql-client.sh heredocs, verbatim, with $FLINK_HOME/bin/sql-client.sh running
# `pgpaimon sql` (tests/sql/run.sh sets FLINK_HOME and replaces /tmp/paimon).
set -u

# Setup: a few products in lakehouse.products, as the sync would have written them
"$PGPAIMON" sql <<'SETUP'
CREATE CATALOG paimon_catalog WITH ('type' = 'paimon', 'warehouse' = '/tmp/paimon');
CREATE DATABASE paimon_catalog.lakehouse;
CREATE TABLE paimon_catalog.lakehouse.products (
  product_id VARCHAR(50) NOT NULL,
  product_name VARCHAR(255) NOT NULL,
  price DECIMAL(10, 2) NOT NULL,
  PRIMARY KEY (product_id) NOT ENFORCED
);
INSERT INTO paimon_catalog.lakehouse.products VALUES
  ('prod_001', 'Aero 14 Laptop', 1199.00), ('prod_002', 'Wireless Optical Mouse', 29.99);
SETUP

# 2. Verify Initial Snapshot
# Query Paimon table (should have all existing products)
$FLINK_HOME/bin/sql-client.sh <<EOF
CREATE CATALOG paimon_catalog WITH ('type' = 'paimon', 'warehouse' = '/tmp/paimon');
USE CATALOG paimon_catalog;
SELECT COUNT(*) as product_count FROM lakehouse.products;
EOF

"$PGPAIMON" sql -e "INSERT INTO paimon_catalog.lakehouse.products VALUES ('prod_test_001', 'Test Product', 99.99)" --warehouse /tmp/paimon

# Query Paimon (should include new product)
$FLINK_HOME/bin/sql-client.sh <<EOF
CREATE CATALOG paimon_catalog WITH ('type' = 'paimon', 'warehouse' = '/tmp/paimon');
USE CATALOG paimon_catalog;
SELECT product_id, product_name, price FROM lakehouse.products WHERE product_id = 'prod_test_001';
EOF

"$PGPAIMON" sql --warehouse /tmp/paimon -e "INSERT INTO lakehouse.products VALUES ('prod_test_001', 'Test Product', 79.99);"

# Query Paimon (price should be updated)
$FLINK_HOME/bin/sql-client.sh <<EOF
CREATE CATALOG paimon_catalog WITH ('type' = 'paimon', 'warehouse' = '/tmp/paimon');
USE CATALOG paimon_catalog;
SELECT product_id, price FROM lakehouse.products WHERE product_id = 'prod_test_001';
EOF

"$PGPAIMON" sql --warehouse /tmp/paimon -e "DELETE FROM lakehouse.products WHERE product_id = 'prod_test_001'"

# Query Paimon (product should be deleted)
$FLINK_HOME/bin/sql-client.sh <<EOF
CREATE CATALOG paimon_catalog WITH ('type' = 'paimon', 'warehouse' = '/tmp/paimon');
USE CATALOG paimon_catalog;
SELECT COUNT(*) FROM lakehouse.products WHERE product_id = 'prod_test_001';
EOF

# List snapshots
$FLINK_HOME/bin/sql-client.sh <<EOF
CREATE CATALOG paimon_catalog WITH ('type' = 'paimon', 'warehouse' = '/tmp/paimon');
USE CATALOG paimon_catalog;
SELECT * FROM lakehouse.products\$snapshots;
EOF

# Check table options
$FLINK_HOME/bin/sql-client.sh <<EOF
CREATE CATALOG paimon_catalog WITH ('type' = 'paimon', 'warehouse' = '/tmp/paimon');
USE CATALOG paimon_catalog;
SHOW CREATE TABLE lakehouse.products;
EOF

# Paimon automatically adds the column (check after a few seconds)
$FLINK_HOME/bin/sql-client.sh <<EOF
CREATE CATALOG paimon_catalog WITH ('type' = 'paimon', 'warehouse' = '/tmp/paimon');
USE CATALOG paimon_catalog;
DESCRIBE lakehouse.products;
EOF

# Scripts: csv and json output; a failing statement makes the exit status non-zero
"$PGPAIMON" sql --warehouse /tmp/paimon --output csv -e "SELECT * FROM lakehouse.products ORDER BY product_id"
"$PGPAIMON" sql --warehouse /tmp/paimon --output json -e "SELECT * FROM lakehouse.products ORDER BY product_id; SELECT * FROM nope"
echo "json exit status: $?"

# --output json writes what `pgpaimon table scan` writes
"$PGPAIMON" sql --warehouse /tmp/paimon --output json -e "SELECT * FROM lakehouse.products" | sort >sql.json
"$PGPAIMON" table scan --warehouse /tmp/paimon lakehouse.products | sort >scan.json
cmp sql.json scan.json && echo "sql --output json = table scan ($(wc -l <scan.json) rows)"
